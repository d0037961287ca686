package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nearestByScan is the obvious look-up Nearest must agree with.
func nearestByScan(z *ZIPs, p Point) (string, float64) {
	best, bestD := "", math.Inf(1)
	for _, c := range z.All() {
		if d := DistanceMeters(p, c.Point); d < bestD {
			best, bestD = c.ZIP, d
		}
	}
	return best, bestD
}

func TestNearest(t *testing.T) {
	z, err := LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	beverlyHills, _ := z.Lookup("90210")
	tests := []struct {
		name    string
		p       Point
		wantZIP string
		maxM    float64
	}{
		{"a centroid is its own ZIP", beverlyHills, "90210", 1},
		{"Rockefeller Center", Point{Lat: 40.7580, Lon: -73.9855}, "10020", 1000},
		{"north of every ZIP", Point{Lat: 89, Lon: 0}, "", 0},
		{"far south-west", Point{Lat: -60, Lon: -179}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zip, d, ok := z.Nearest(tt.p)
			wantZIP, wantD := nearestByScan(z, tt.p)
			if !ok || zip != wantZIP || math.Abs(d-wantD) > 1e-6 {
				t.Fatalf("Nearest(%v) = %s %.1f m %v; a scan finds %s %.1f m", tt.p, zip, d, ok, wantZIP, wantD)
			}
			if tt.wantZIP != "" && (zip != tt.wantZIP || d > tt.maxM) {
				t.Errorf("Nearest(%v) = %s at %.0f m, want %s within %.0f m", tt.p, zip, d, tt.wantZIP, tt.maxM)
			}
		})
	}
	if _, _, ok := (*ZIPs)(nil).Nearest(beverlyHills); ok {
		t.Error("a nil table found a ZIP")
	}
}

// TestNearestMatchesScan compares Nearest with a scan at random points over
// the United States and the world.
func TestNearestMatchesScan(t *testing.T) {
	z, err := LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		p := Point{Lat: 18 + rng.Float64()*53, Lon: -170 + rng.Float64()*105}
		if i%5 == 0 {
			p = Point{Lat: -90 + rng.Float64()*180, Lon: -180 + rng.Float64()*360}
		}
		zip, d, _ := z.Nearest(p)
		wantZIP, wantD := nearestByScan(z, p)
		if math.Abs(d-wantD) > 1e-6 { // a tie may name either ZIP
			t.Fatalf("Nearest(%v) = %s %.1f m; a scan finds %s %.1f m", p, zip, d, wantZIP, wantD)
		}
	}
}

// BenchmarkNearest looks up the nearest ZIP of points in the continental
// United States, as the report queue does for each report.
func BenchmarkNearest(b *testing.B) {
	z, err := LoadZIPs()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]Point, 1024)
	for i := range pts {
		pts[i] = Point{Lat: 30 + rng.Float64()*15, Lon: -120 + rng.Float64()*45}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		z.Nearest(pts[i%len(pts)])
	}
}

// BenchmarkNearestByScan is the linear scan Nearest replaces, for comparison.
func BenchmarkNearestByScan(b *testing.B) {
	z, err := LoadZIPs()
	if err != nil {
		b.Fatal(err)
	}
	p := Point{Lat: 40.7580, Lon: -73.9855}
	for b.Loop() {
		nearestByScan(z, p)
	}
}
