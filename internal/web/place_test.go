package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/geo"
)

// TestQueueShowsPlaceOfGPSReports: a report placed by GPS (no ZIP) shows
// the nearest ZIP and the cell's distance to it, its cell's coordinates and
// the reporter's words; composing from it names that place and proposes a
// circle on its cell.
func TestQueueShowsPlaceOfGPSReports(t *testing.T) {
	b := setup(t)
	gps := b.createReport(`{"category":"vehicle","description":"vans by the courthouse","lat":40.7128,"lon":-74.0060}`)
	worded := b.createReport(`{"category":"checkpoint","description":"stopping cars","lat":40.7130,"lon":-74.0050,"place":"Chambers and Centre"}`)
	zipped := b.createReport(`{"category":"raid","description":"by ZIP only","zip":"90210"}`)
	nearZIP, d, _ := b.zips.Nearest(geo.Point{Lat: 40.7128, Lon: -74.0060})
	if d > 2000 {
		t.Fatalf("test point is %.0f m from its nearest ZIP %s", d, nearZIP)
	}
	oc := b.login("pia", "dispatcher")
	r := oc.get("/console")
	wantStatus(t, r, 200)
	where := func(id string) string {
		row := regexp.MustCompile(`(?s)<tr class="state-new" id="r-` + id + `">.*?</tr>`).FindString(r.text())
		return regexp.MustCompile(`(?s)<td class="place">(.*?)</td>`).FindStringSubmatch(row + `<td class="place"></td>`)[1]
	}
	distRE := regexp.MustCompile(`near ZIP <strong>\d{5}</strong> \(\d+(\.\d)? k?m\)`)
	for _, tt := range []struct {
		name, id string
		want     []string
		wantNear bool
	}{
		{"GPS only", gps, []string{"near ZIP <strong>" + nearZIP, "40.71", "-74.00"}, true},
		{"GPS and words", worded, []string{"Chambers and Centre", "40.71"}, true},
		{"ZIP", zipped, []string{"<strong>90210</strong>"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cell := where(tt.id)
			if strings.TrimSpace(cell) == "" {
				t.Fatal("the Where column is empty")
			}
			for _, w := range tt.want {
				if !strings.Contains(cell, w) {
					t.Errorf("Where = %q, lacks %q", cell, w)
				}
			}
			if got := distRE.MatchString(cell); got != tt.wantNear {
				t.Errorf("Where = %q: shows the nearest ZIP and distance: %v, want %v", cell, got, tt.wantNear)
			}
		})
	}

	t.Run("compose from a GPS report", func(t *testing.T) {
		r := oc.get("/console/alerts/new?report=" + gps)
		wantStatus(t, r, 200)
		text := r.text()
		if !strings.Contains(text, "Vehicle reported near "+nearZIP+".") {
			t.Errorf("the drafted text names no place: %q", regexp.MustCompile(`(?s)<textarea name="body_en".*?</textarea>`).FindString(text))
		}
		val := func(name string) float64 {
			m := regexp.MustCompile(`name="` + name + `"[^>]*value="([^"]*)"`).FindStringSubmatch(text)
			if m == nil {
				t.Fatalf("no %s field", name)
			}
			f, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				t.Fatalf("%s = %q, not prefilled", name, m[1])
			}
			return f
		}
		centre := geo.Point{Lat: val("lat"), Lon: val("lon")}
		if d := geo.DistanceMeters(centre, geo.Point{Lat: 40.7128, Lon: -74.0060}); d > 200 {
			t.Errorf("circle centre %v is %.0f m from the report", centre, d)
		}
		if rad := val("radius"); rad < 500 || rad > 5000 {
			t.Errorf("circle radius %v m", rad)
		}
	})

	t.Run("compose from two GPS reports takes both in", func(t *testing.T) {
		text := oc.get("/console/alerts/new?report=" + gps + "&report=" + worded).text()
		if !strings.Contains(text, `name="radius" inputmode="numeric" value="1000"`) && !regexp.MustCompile(`name="radius"[^>]*value="1[0-9]00"`).MatchString(text) {
			t.Errorf("no radius around both reports")
		}
	})
}
