package console

import (
	"fmt"
	"math"
	"strconv"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
)

// composeRadiusM is the radius of the circle the composer proposes around a
// report placed by GPS; it grows to take in the other chosen reports.
const composeRadiusM = 1000

// reportPlace is where a report is, as the queue shows it: the ZIP code the
// reporter gave, or else the ZIP nearest to the report's cell and how far
// the cell is from its centroid; the cell's centre; and the reporter's words.
type reportPlace struct {
	ZIP      string // as given by the reporter
	NearZIP  string // nearest ZIP centroid, when none was given
	Distance string // from the cell to NearZIP's centroid, e.g. "1.2 km"
	Lat, Lon string // the cell's centre, 4 decimals (about 10 m; the cell is about 150 m)
	Text     string
}

// placeOfReport finds the place of r. Every report has a cell, so every
// report has a place.
func (s *Handler) placeOfReport(r *tocsin.Report) reportPlace {
	c := geo.CellCenter(r.Cell)
	p := reportPlace{ZIP: r.ZIP, Text: r.PlaceText, Lat: strconv.FormatFloat(c.Lat, 'f', 4, 64), Lon: strconv.FormatFloat(c.Lon, 'f', 4, 64)}
	if r.ZIP == "" {
		if zip, d, ok := s.zips.Nearest(c); ok {
			p.NearZIP, p.Distance = zip, distanceText(d)
		}
	}
	return p
}

// distanceText writes metres as a person reads them: "350 m", "1.2 km",
// "85 km".
func distanceText(m float64) string {
	switch {
	case m < 1000:
		return fmt.Sprintf("%d m", int(math.Round(m/10)*10))
	case m < 10000:
		return fmt.Sprintf("%.1f km", m/1000)
	default:
		return fmt.Sprintf("%d km", int(math.Round(m/1000)))
	}
}

// placeName is the place an alert drafted from r names: the reporter's
// words, the ZIP given, or the nearest ZIP.
func (p reportPlace) placeName() string {
	zip := p.ZIP
	if zip == "" {
		zip = p.NearZIP
	}
	switch {
	case p.Text != "" && zip != "":
		return p.Text + " (" + zip + ")"
	case p.Text != "":
		return p.Text
	default:
		return zip
	}
}

// circleAround is the circle the composer proposes for reports placed by
// GPS: centred on their cells' mean, composeRadiusM wide or enough to take
// them all in (to 100 m), at most tocsin.MaxRadiusM.
func circleAround(cells []uint64) (lat, lon, radius string) {
	if len(cells) == 0 {
		return "", "", ""
	}
	var sum geo.Point
	pts := make([]geo.Point, len(cells))
	for i, c := range cells {
		pts[i] = geo.CellCenter(c)
		sum.Lat += pts[i].Lat
		sum.Lon += pts[i].Lon
	}
	centre := geo.Point{Lat: sum.Lat / float64(len(pts)), Lon: sum.Lon / float64(len(pts))}
	r := float64(composeRadiusM)
	for _, p := range pts {
		r = max(r, geo.DistanceMeters(centre, p)+composeRadiusM/2)
	}
	r = min(math.Ceil(r/100)*100, tocsin.MaxRadiusM)
	return strconv.FormatFloat(centre.Lat, 'f', 5, 64), strconv.FormatFloat(centre.Lon, 'f', 5, 64), strconv.Itoa(int(r))
}
