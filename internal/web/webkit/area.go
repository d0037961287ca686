package webkit

import (
	"strconv"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
)

// ParseArea reads ZIP codes (separated by spaces or commas) and an optional
// point and radius in metres.
func ParseArea(known *geo.ZIPs, zips, lat, lon, radius string, maxZIPs int) (tocsin.Area, error) {
	var a tocsin.Area
	for _, z := range strings.FieldsFunc(zips, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' }) {
		if !tocsin.IsZIPFormat(z) {
			return a, tocsin.FieldError("zips", "%q is not a ZIP code (5 digits)", z)
		}
		if _, ok := known.Lookup(z); !ok {
			return a, tocsin.FieldError("zips", "ZIP code %s is not known", z)
		}
		if !containsString(a.ZIPs, z) {
			a.ZIPs = append(a.ZIPs, z)
		}
	}
	if lat != "" || lon != "" || radius != "" {
		la, e1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, e2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		ra, e3 := strconv.ParseFloat(strings.TrimSpace(radius), 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return a, tocsin.FieldError("radius", "give latitude, longitude and a radius in metres as numbers")
		}
		a.Circle = &tocsin.Circle{Lat: la, Lon: lo, RadiusM: ra}
	}
	if len(a.ZIPs) == 0 && a.Circle == nil {
		return a, tocsin.FieldError("zips", "give at least one ZIP code")
	}
	return a, a.Validate("zips", maxZIPs)
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
