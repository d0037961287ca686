package geo

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var la = Point{34.05, -118.25}

// bruteWithin is the reference for Index.Within: scan everything.
func bruteWithin(entries []Entry, c Circle) []Match {
	best := map[int64]float64{}
	for _, e := range entries {
		if !ValidCell(e.Cell) {
			continue
		}
		r := float64(e.RadiusM)
		if !(r > 0) || math.IsInf(r, 1) {
			r = 0
		}
		d := DistanceMeters(c.Center, CellCenter(e.Cell))
		if d <= c.RadiusM+r {
			if old, ok := best[e.ID]; !ok || d < old {
				best[e.ID] = d
			}
		}
	}
	out := make([]Match, 0, len(best))
	for id, d := range best {
		out = append(out, Match{ID: id, DistanceM: d})
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func randomEntries(rng *rand.Rand, n int, center Point, spreadM float64, radius func() float32) []Entry {
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{ID: int64(i + 1), Cell: LeafCell(randomPointWithin(rng, center, spreadM)), RadiusM: radius()}
	}
	return es
}

func sameMatches(t *testing.T, got, want []Match) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d matches, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || math.Abs(got[i].DistanceM-want[i].DistanceM) > 1e-6 {
			t.Fatalf("match %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestIndexWithinMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	mixed := func() float32 {
		switch rng.IntN(10) {
		case 0, 1, 2, 3, 4:
			return 0
		case 5, 6:
			return float32(rng.Float64() * 500)
		case 7, 8:
			return float32(rng.Float64() * 5000)
		}
		return float32(rng.Float64() * 40000)
	}
	zero := func() float32 { return 0 }
	tests := []struct {
		name    string
		radius  func() float32
		n       int
		spreadM float64
		circles []Circle
	}{
		{"points only", zero, 20000, 30000, []Circle{
			{la, 2000}, {la, 0}, {la, 100}, {Point{34.1, -118.4}, 5000}, {la, 40000}, {Point{35, -118}, 1000},
		}},
		{"mixed radii", mixed, 20000, 30000, []Circle{
			{la, 2000}, {la, 0}, {Point{34.2, -118.1}, 300}, {Point{34.5, -117.5}, 1000}, {la, 25000},
		}},
		{"antimeridian", mixed, 5000, 20000, []Circle{
			{Point{-17.7, 180}, 5000}, {Point{-17.7, -179.9}, 15000},
		}},
		{"pole", mixed, 5000, 20000, []Circle{{Point{90, 0}, 10000}, {Point{89.9, 100}, 3000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := randomEntries(rng, tt.n, tt.circles[0].Center, tt.spreadM, tt.radius)
			orig := slices.Clone(es)
			ix := Build(es)
			if !slices.Equal(es, orig) {
				t.Fatal("Build modified its input")
			}
			if ix.Len() != tt.n {
				t.Fatalf("Len = %d, want %d", ix.Len(), tt.n)
			}
			total := 0
			for _, c := range tt.circles {
				got := ix.Within(c)
				want := bruteWithin(es, c)
				sameMatches(t, got, want)
				total += len(got)
			}
			// Also circles centred on entries, so radius-0 queries hit.
			for range 20 {
				e := es[rng.IntN(len(es))]
				c := Circle{CellCenter(e.Cell), float64(rng.IntN(3000))}
				got := ix.Within(c)
				sameMatches(t, got, bruteWithin(es, c))
				total += len(got)
			}
			if total == 0 {
				t.Fatal("test circles matched nothing; test is vacuous")
			}
		})
	}
}

func TestIndexDuplicateIDs(t *testing.T) {
	near := LeafCell(Point{34.0501, -118.2501}) // ~14 m away
	mid := LeafCell(Point{34.0600, -118.2500})  // ~1.1 km away
	far := LeafCell(Point{34.2000, -118.2500})  // ~16.7 km away
	tests := []struct {
		name    string
		entries []Entry
		c       Circle
		wantIDs []int64
		nearest map[int64]float64 // ID -> approximate distance expected
	}{
		{
			name:    "same id twice keeps nearest",
			entries: []Entry{{1, mid, 0}, {1, near, 0}, {2, mid, 0}},
			c:       Circle{la, 2000},
			wantIDs: []int64{1, 2},
			nearest: map[int64]float64{1: 14, 2: 1112},
		},
		{
			name:    "far entry with big radius",
			entries: []Entry{{3, far, 20000}, {3, mid, 0}, {4, far, 0}},
			c:       Circle{la, 2000},
			wantIDs: []int64{3},
			nearest: map[int64]float64{3: 1112},
		},
		{
			name:    "only via radius",
			entries: []Entry{{5, far, 15000}, {6, far, 14000}},
			c:       Circle{la, 2000},
			wantIDs: []int64{5},
			nearest: map[int64]float64{5: 16680},
		},
		{
			name:    "identical entries",
			entries: []Entry{{7, near, 0}, {7, near, 0}, {7, near, 0}},
			c:       Circle{la, 100},
			wantIDs: []int64{7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Build(tt.entries).Within(tt.c)
			var ids []int64
			for _, m := range got {
				ids = append(ids, m.ID)
				if want, ok := tt.nearest[m.ID]; ok && math.Abs(m.DistanceM-want) > want*0.01+2 {
					t.Errorf("ID %d at %.1f m, want ~%.0f", m.ID, m.DistanceM, want)
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("IDs %v, want %v", ids, tt.wantIDs)
			}
			sameMatches(t, got, bruteWithin(tt.entries, tt.c))
		})
	}
}

func TestIndexEdgeCases(t *testing.T) {
	one := []Entry{{1, LeafCell(la), 0}}
	tests := []struct {
		name    string
		entries []Entry
		c       Circle
		want    int
		wantLen int
	}{
		{"empty index", nil, Circle{la, 2000}, 0, 0},
		{"empty slice", []Entry{}, Circle{la, 2000}, 0, 0},
		{"same point, 1 cm radius", one, Circle{CellCenter(LeafCell(la)), 0.01}, 1, 1},
		{"invalid circle centre", one, Circle{Point{math.NaN(), 0}, 2000}, 0, 1},
		{"negative radius", one, Circle{la, -5}, 0, 1},
		{"NaN radius", one, Circle{la, math.NaN()}, 0, 1},
		{"invalid cells dropped", []Entry{{1, 0, 0}, {2, LeafCell(la), 0}}, Circle{la, 10}, 1, 1},
		{"bad entry radius treated as zero", []Entry{
			{1, LeafCell(Point{34.06, -118.25}), float32(math.NaN())},
			{2, LeafCell(Point{34.06, -118.25}), -100},
			{3, LeafCell(Point{34.06, -118.25}), float32(math.Inf(1))},
		}, Circle{la, 1000}, 0, 3},
		{"whole earth", one, Circle{Point{-34, 58}, 3e7}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := Build(tt.entries)
			if ix.Len() != tt.wantLen {
				t.Errorf("Len = %d, want %d", ix.Len(), tt.wantLen)
			}
			if got := ix.Within(tt.c); len(got) != tt.want {
				t.Errorf("Within = %v, want %d matches", got, tt.want)
			}
		})
	}
	var nilIx *Index
	if nilIx.Len() != 0 || nilIx.Within(Circle{la, 10}) != nil {
		t.Error("nil index should be empty")
	}
}

const benchN = 1_000_000

// benchEntries makes n subscribers spread uniformly within 60 km of downtown
// Los Angeles; radius gives each one's radius of interest.
func benchEntries(n int, radius func(*rand.Rand) float32) []Entry {
	rng := rand.New(rand.NewPCG(42, 43))
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{ID: int64(i + 1), Cell: LeafCell(randomPointWithin(rng, la, 60000)), RadiusM: radius(rng)}
	}
	return es
}

func benchWithin(b *testing.B, radius func(*rand.Rand) float32) {
	ix := Build(benchEntries(benchN, radius))
	rng := rand.New(rand.NewPCG(5, 6))
	// Alert centres within 40 km of downtown, so circles fall in the crowd.
	circles := make([]Circle, 64)
	for i := range circles {
		circles[i] = Circle{randomPointWithin(rng, la, 40000), 2000}
	}
	matches := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		matches += len(ix.Within(circles[i%len(circles)]))
	}
	b.ReportMetric(float64(matches)/float64(b.N), "matches/op")
}

// BenchmarkIndexWithin2km: 1,000,000 point subscribers, 2 km alert circle.
func BenchmarkIndexWithin2km(b *testing.B) {
	benchWithin(b, func(*rand.Rand) float32 { return 0 })
}

// BenchmarkIndexWithin2kmMixedRadii: as above, but 30% of subscribers have a
// radius of interest up to 5 km and 1% up to 25 km.
func BenchmarkIndexWithin2kmMixedRadii(b *testing.B) {
	benchWithin(b, func(rng *rand.Rand) float32 {
		switch x := rng.IntN(100); {
		case x < 1:
			return float32(rng.Float64() * 25000)
		case x < 31:
			return float32(rng.Float64() * 5000)
		}
		return 0
	})
}

func BenchmarkBuild1M(b *testing.B) {
	es := benchEntries(benchN, func(*rand.Rand) float32 { return 0 })
	b.ResetTimer()
	for b.Loop() {
		if ix := Build(es); ix.Len() != benchN {
			b.Fatal(ix.Len())
		}
	}
}
