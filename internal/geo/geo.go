package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// ReportLevel is the S2 level used for coarse report places: a level-16 cell
// is roughly 150 m across, enough to say where without saying which door.
const ReportLevel = 16

// EarthRadiusM is the mean Earth radius (IUGG) used for every distance here.
const EarthRadiusM = 6371008.8

// DefaultMaxCells is the covering size Circle.Ranges uses when asked for
// maxCells <= 0.
const DefaultMaxCells = 8

// Point is a WGS 84 position in decimal degrees.
type Point struct{ Lat, Lon float64 }

// ErrInvalidPoint is wrapped by every error Point.Validate returns.
var ErrInvalidPoint = errors.New("invalid location")

// Validate reports whether p is a real place: latitude within -90..90 and
// longitude within -180..180 degrees, neither NaN nor infinite. The error
// text is meant to be shown to a person.
func (p Point) Validate() error {
	switch {
	case math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0):
		return fmt.Errorf("%w: latitude is not a number", ErrInvalidPoint)
	case math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0):
		return fmt.Errorf("%w: longitude is not a number", ErrInvalidPoint)
	case p.Lat < -90 || p.Lat > 90:
		return fmt.Errorf("%w: latitude %g is outside -90 to 90 degrees", ErrInvalidPoint, p.Lat)
	case p.Lon < -180 || p.Lon > 180:
		return fmt.Errorf("%w: longitude %g is outside -180 to 180 degrees", ErrInvalidPoint, p.Lon)
	}
	return nil
}

// String formats p as "lat,lon" with 6 decimals (about 0.1 m).
func (p Point) String() string { return fmt.Sprintf("%.6f,%.6f", p.Lat, p.Lon) }

func (p Point) latLng() s2.LatLng { return s2.LatLngFromDegrees(p.Lat, p.Lon) }

func (p Point) s2Point() s2.Point { return s2.PointFromLatLng(p.latLng()) }

func pointFromLatLng(ll s2.LatLng) Point {
	return Point{Lat: ll.Lat.Degrees(), Lon: ll.Lng.Degrees()}
}

// LeafCell returns the S2 leaf (level 30, about 1 cm) CellID containing p.
// p should have passed Validate; the result for an invalid point is
// meaningless.
func LeafCell(p Point) uint64 { return uint64(s2.CellIDFromLatLng(p.latLng())) }

// SnapCell returns the CellID at ReportLevel containing p.
func SnapCell(p Point) uint64 {
	return uint64(s2.CellIDFromLatLng(p.latLng()).Parent(ReportLevel))
}

// AreaLevel is the S2 level of the areas abuse limits are counted in: a
// level-10 cell is about 9 km across.
const AreaLevel = 10

// AreaCell returns the CellID at AreaLevel containing p.
func AreaCell(p Point) uint64 {
	return uint64(s2.CellIDFromLatLng(p.latLng()).Parent(AreaLevel))
}

// CellCenter returns the centre of the cell id (any level). For an invalid
// id the result is meaningless; use ValidCell first for untrusted input.
func CellCenter(id uint64) Point { return pointFromLatLng(s2.CellID(id).LatLng()) }

// ValidCell reports whether id is a well-formed S2 CellID.
func ValidCell(id uint64) bool { return s2.CellID(id).IsValid() }

// CellLevel returns the S2 level (0..30) of a valid cell id.
func CellLevel(id uint64) int { return s2.CellID(id).Level() }

// DistanceMeters is the great-circle distance between a and b on a sphere of
// radius EarthRadiusM.
func DistanceMeters(a, b Point) float64 {
	return float64(a.s2Point().Distance(b.s2Point())) * EarthRadiusM
}

// Circle is an area on the ground: every point within RadiusM metres
// (great-circle) of Center.
type Circle struct {
	Center  Point
	RadiusM float64
}

// Validate reports whether the circle has a valid centre and a finite,
// non-negative radius.
func (c Circle) Validate() error {
	if err := c.Center.Validate(); err != nil {
		return err
	}
	if math.IsNaN(c.RadiusM) || math.IsInf(c.RadiusM, 0) || c.RadiusM < 0 {
		return fmt.Errorf("%w: radius must be zero or more metres", ErrInvalidPoint)
	}
	return nil
}

// Contains reports whether p is within the circle.
func (c Circle) Contains(p Point) bool { return DistanceMeters(c.Center, p) <= c.RadiusM }

// CellRange is an inclusive range of leaf-cell ids. A cell id (of any level)
// lies in the range's area when Min <= id <= Max.
type CellRange struct{ Min, Max uint64 }

// Contains reports whether id lies in r.
func (r CellRange) Contains(id uint64) bool { return r.Min <= id && id <= r.Max }

// coverSlackM is added to every covering radius so that a point lying exactly
// on the circle is never lost to floating-point rounding in the cap.
const coverSlackM = 0.5

// capOf returns the spherical cap of the circle, slightly grown by slack.
func capOf(center s2.Point, radiusM float64) s2.Cap {
	ang := (radiusM + coverSlackM) / EarthRadiusM
	if ang >= math.Pi {
		return s2.FullCap()
	}
	return s2.CapFromCenterAngle(center, s1.Angle(ang))
}

// rangesOf covers the cap with at most maxCells cells (the s2 coverer may
// exceed it slightly for tiny caps) and returns their leaf ranges, sorted and
// merged where they touch.
func rangesOf(cp s2.Cap, maxCells int) []CellRange {
	if maxCells <= 0 {
		maxCells = DefaultMaxCells
	}
	rc := s2.RegionCoverer{MinLevel: 0, MaxLevel: s2.MaxLevel, LevelMod: 1, MaxCells: maxCells}
	cov := rc.Covering(cp)
	out := make([]CellRange, 0, len(cov))
	for _, id := range cov {
		out = append(out, CellRange{Min: uint64(id.RangeMin()), Max: uint64(id.RangeMax())})
	}
	slices.SortFunc(out, func(a, b CellRange) int {
		switch {
		case a.Min < b.Min:
			return -1
		case a.Min > b.Min:
			return 1
		}
		return 0
	})
	return mergeRanges(out)
}

// mergeRanges merges sorted ranges that overlap or are adjacent. Leaf ids are
// odd, so two ranges touch when the next Min is at most the previous Max+2.
func mergeRanges(rs []CellRange) []CellRange {
	if len(rs) == 0 {
		return rs
	}
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Min <= last.Max+2 {
			if r.Max > last.Max {
				last.Max = r.Max
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Ranges returns a covering of the circle as sorted, merged, inclusive
// leaf-cell ranges, using an s2.RegionCoverer with at most maxCells cells
// (DefaultMaxCells when maxCells <= 0). Every point of the circle lies in
// some range; points slightly outside may too, so callers filter by exact
// distance. An invalid circle yields nil.
func (c Circle) Ranges(maxCells int) []CellRange {
	if c.Validate() != nil {
		return nil
	}
	return rangesOf(capOf(c.Center.s2Point(), c.RadiusM), maxCells)
}

// Cells returns the S2 cells (at most maxCells) covering the circle, sorted:
// the area an alert statement names, in the form other tools read.
func (c Circle) Cells(maxCells int) []uint64 {
	if c.Validate() != nil {
		return nil
	}
	if maxCells <= 0 {
		maxCells = DefaultMaxCells
	}
	rc := s2.RegionCoverer{MinLevel: 0, MaxLevel: s2.MaxLevel, LevelMod: 1, MaxCells: maxCells}
	cov := rc.Covering(capOf(c.Center.s2Point(), c.RadiusM))
	out := make([]uint64, len(cov))
	for i, id := range cov {
		out[i] = uint64(id)
	}
	slices.Sort(out)
	return out
}
