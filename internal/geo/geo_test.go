package geo

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/golang/geo/s2"
)

func TestPointValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Point
		ok   bool
	}{
		{"origin", Point{0, 0}, true},
		{"north pole", Point{90, 0}, true},
		{"south pole", Point{-90, 180}, true},
		{"antimeridian west", Point{10, -180}, true},
		{"los angeles", Point{34.05, -118.25}, true},
		{"lat too big", Point{90.0001, 0}, false},
		{"lat too small", Point{-91, 0}, false},
		{"lon too big", Point{0, 180.5}, false},
		{"lon too small", Point{0, -181}, false},
		{"lat NaN", Point{math.NaN(), 0}, false},
		{"lon NaN", Point{0, math.NaN()}, false},
		{"lat +Inf", Point{math.Inf(1), 0}, false},
		{"lon -Inf", Point{0, math.Inf(-1)}, false},
		{"swapped lat/lon", Point{-118.25, 34.05}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate(%v) = %v, want ok=%v", tt.p, err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidPoint) {
					t.Errorf("error %v does not wrap ErrInvalidPoint", err)
				}
				if len(err.Error()) < 20 {
					t.Errorf("error %q is too terse for a person", err)
				}
			}
		})
	}
}

func TestCells(t *testing.T) {
	tests := []struct {
		name string
		p    Point
	}{
		{"la", Point{34.05, -118.25}},
		{"nyc", Point{40.7506, -73.9972}},
		{"null island", Point{0, 0}},
		{"near pole", Point{89.9999, 45}},
		{"antimeridian", Point{-17.7, 180}},
		{"southern", Point{-33.8688, 151.2093}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := LeafCell(tt.p)
			if !ValidCell(leaf) || CellLevel(leaf) != 30 {
				t.Fatalf("LeafCell level = %d, valid %v", CellLevel(leaf), ValidCell(leaf))
			}
			snap := SnapCell(tt.p)
			if !ValidCell(snap) || CellLevel(snap) != ReportLevel {
				t.Fatalf("SnapCell level = %d, want %d", CellLevel(snap), ReportLevel)
			}
			if !s2.CellID(snap).Contains(s2.CellID(leaf)) {
				t.Errorf("snap cell does not contain leaf cell")
			}
			if d := DistanceMeters(tt.p, CellCenter(leaf)); d > 0.02 {
				t.Errorf("leaf centre %.4f m from point", d)
			}
			// A level-16 cell is ~150 m across: its centre is within ~150 m.
			if d := DistanceMeters(tt.p, CellCenter(snap)); d > 160 {
				t.Errorf("snap centre %.1f m from point, want < 160", d)
			}
		})
	}
}

func TestDistanceMeters(t *testing.T) {
	tests := []struct {
		name   string
		a, b   Point
		want   float64
		tolPct float64
	}{
		{"same point", Point{34, -118}, Point{34, -118}, 0, 0},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, EarthRadiusM * math.Pi / 180, 1e-9},
		{"quarter meridian", Point{0, 0}, Point{90, 0}, EarthRadiusM * math.Pi / 2, 1e-9},
		{"antipodes", Point{0, 0}, Point{0, 180}, EarthRadiusM * math.Pi, 1e-9},
		{"LAX to JFK", Point{33.9425, -118.408056}, Point{40.639722, -73.778889}, 3983e3, 0.5},
		{"London to Paris", Point{51.5074, -0.1278}, Point{48.8566, 2.3522}, 343.5e3, 0.5},
		{"across antimeridian", Point{0, 179.5}, Point{0, -179.5}, EarthRadiusM * math.Pi / 180, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DistanceMeters(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.want*tt.tolPct/100+1e-6 {
				t.Errorf("DistanceMeters = %.3f, want %.3f ± %g%%", got, tt.want, tt.tolPct)
			}
			if back := DistanceMeters(tt.b, tt.a); math.Abs(back-got) > 1e-6 {
				t.Errorf("not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

func TestCircleRanges(t *testing.T) {
	tests := []struct {
		name     string
		c        Circle
		maxCells int
	}{
		{"2 km LA", Circle{Point{34.05, -118.25}, 2000}, 8},
		{"point", Circle{Point{40.75, -73.99}, 0}, 8},
		{"default max cells", Circle{Point{41.92, -87.65}, 500}, 0},
		{"many cells", Circle{Point{41.92, -87.65}, 5000}, 64},
		{"one cell", Circle{Point{41.92, -87.65}, 5000}, 1},
		{"across antimeridian", Circle{Point{-17.7, 179.999}, 3000}, 8},
		{"at the pole", Circle{Point{90, 0}, 10000}, 8},
		{"whole earth", Circle{Point{0, 0}, 3e7}, 8},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.c.Ranges(tt.maxCells)
			if len(rs) == 0 {
				t.Fatal("no ranges")
			}
			for i, r := range rs {
				if r.Min > r.Max {
					t.Fatalf("range %d inverted", i)
				}
				if i > 0 && r.Min <= rs[i-1].Max+2 {
					t.Fatalf("ranges %d and %d overlap, touch or are unsorted", i-1, i)
				}
			}
			contains := func(id uint64) bool {
				for _, r := range rs {
					if r.Contains(id) {
						return true
					}
				}
				return false
			}
			if !contains(LeafCell(tt.c.Center)) {
				t.Errorf("centre leaf cell not covered")
			}
			// Random points inside the circle must all be covered.
			for range 500 {
				p := randomPointWithin(rng, tt.c.Center, math.Min(tt.c.RadiusM, 1e6))
				if DistanceMeters(p, tt.c.Center) > tt.c.RadiusM {
					continue
				}
				if !contains(LeafCell(p)) {
					t.Fatalf("point %v inside circle not covered", p)
				}
			}
		})
	}
	if rs := (Circle{Point{math.NaN(), 0}, 10}).Ranges(8); rs != nil {
		t.Errorf("invalid centre gave ranges %v", rs)
	}
	if rs := (Circle{Point{0, 0}, -1}).Ranges(8); rs != nil {
		t.Errorf("negative radius gave ranges %v", rs)
	}
}

func TestMergeRanges(t *testing.T) {
	tests := []struct {
		name string
		in   []CellRange
		want []CellRange
	}{
		{"empty", nil, nil},
		{"adjacent leaves", []CellRange{{1, 5}, {7, 9}}, []CellRange{{1, 9}}},
		{"gap", []CellRange{{1, 5}, {9, 11}}, []CellRange{{1, 5}, {9, 11}}},
		{"nested", []CellRange{{1, 99}, {7, 9}, {101, 103}}, []CellRange{{1, 103}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeRanges(slices.Clone(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("mergeRanges(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// randomPointWithin returns a point uniformly distributed (by area, on a
// local flat approximation) within radiusM of c.
func randomPointWithin(rng *rand.Rand, c Point, radiusM float64) Point {
	r := radiusM * math.Sqrt(rng.Float64())
	theta := rng.Float64() * 2 * math.Pi
	// Move r metres along bearing theta on the sphere.
	ang := r / EarthRadiusM
	lat1 := c.Lat * math.Pi / 180
	lon1 := c.Lon * math.Pi / 180
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(ang) + math.Cos(lat1)*math.Sin(ang)*math.Cos(theta))
	lon2 := lon1 + math.Atan2(math.Sin(theta)*math.Sin(ang)*math.Cos(lat1), math.Cos(ang)-math.Sin(lat1)*math.Sin(lat2))
	lon := math.Remainder(lon2*180/math.Pi, 360)
	return Point{Lat: lat2 * 180 / math.Pi, Lon: lon}
}

func TestCircleCells(t *testing.T) {
	c := Circle{Center: Point{Lat: 34.05, Lon: -118.25}, RadiusM: 2000}
	cells := c.Cells(8)
	if len(cells) == 0 || len(cells) > 8 {
		t.Fatalf("%d cells", len(cells))
	}
	leaf := LeafCell(c.Center)
	found := false
	for _, id := range cells {
		r := CellRange{Min: uint64(s2.CellID(id).RangeMin()), Max: uint64(s2.CellID(id).RangeMax())}
		found = found || r.Contains(leaf)
	}
	if !found {
		t.Error("the covering does not contain the centre")
	}
	if (Circle{Center: Point{Lat: 99}}).Cells(8) != nil {
		t.Error("an invalid circle has cells")
	}
}
