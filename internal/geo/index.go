package geo

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/golang/geo/s2"
)

// Entry is one subscriber location in an Index.
type Entry struct {
	ID      int64   // subscriber (or subscription) id; may repeat
	Cell    uint64  // S2 leaf cell of the subscriber's point
	RadiusM float32 // the subscriber's own radius of interest; 0 for a point
}

// Match is one recipient found by Index.Within.
type Match struct {
	ID        int64
	DistanceM float64 // from the circle's centre to the entry's point
}

// IndexMaxCells is the covering size Index.Within uses for each tier.
const IndexMaxCells = 16

// numTiers is the number of radius tiers; see tierOf.
const numTiers = 6

// tier is one radius class of entries, sorted by cell (struct of arrays so
// the binary search touches only cells).
type tier struct {
	cells   []uint64
	ids     []int64
	radii   []float32
	maxRadM float64 // largest radius in this tier
}

// Index finds the entries near a circle. It is immutable after Build and safe
// for concurrent use.
type Index struct {
	tiers  []tier
	n      int
	dupIDs bool // some ID appears in more than one entry
}

// tierOf puts an entry radius into one of numTiers classes (0, up to 500 m,
// 2 km, 8 km, 32 km, larger). Entries are grouped so that a few subscribers
// with a wide radius of interest do not widen the covering, and so the
// number of candidates, for everyone else.
func tierOf(r float32) int {
	switch {
	case r <= 0:
		return 0
	case r <= 500:
		return 1
	case r <= 2000:
		return 2
	case r <= 8000:
		return 3
	case r <= 32000:
		return 4
	}
	return 5
}

// Build returns an Index over a copy of entries, sorted by Cell within each
// radius tier; the caller's slice is not modified. Entries whose Cell is not
// a valid S2 CellID are left out (Len tells how many were kept); a negative,
// NaN or infinite RadiusM counts as 0.
func Build(entries []Entry) *Index {
	// Bucket by tier (a counting sort), then sort each bucket by cell.
	var counts [numTiers]int
	valid := 0
	for i := range entries {
		if s2.CellID(entries[i].Cell).IsValid() {
			counts[tierOf(cleanRadius(entries[i].RadiusM))]++
			valid++
		}
	}
	var next [numTiers]int
	for i := 1; i < numTiers; i++ {
		next[i] = next[i-1] + counts[i-1]
	}
	clean := make([]Entry, valid)
	for _, e := range entries {
		if !s2.CellID(e.Cell).IsValid() {
			continue
		}
		e.RadiusM = cleanRadius(e.RadiusM)
		k := tierOf(e.RadiusM)
		clean[next[k]] = e
		next[k]++
	}
	ix := &Index{n: len(clean)}
	start := 0
	for _, cnt := range counts {
		if cnt == 0 {
			continue
		}
		part := clean[start : start+cnt]
		start += cnt
		slices.SortFunc(part, func(a, b Entry) int { return cmp.Compare(a.Cell, b.Cell) })
		t := tier{cells: make([]uint64, cnt), ids: make([]int64, cnt), radii: make([]float32, cnt)}
		for i, e := range part {
			t.cells[i], t.ids[i], t.radii[i] = e.Cell, e.ID, e.RadiusM
			t.maxRadM = max(t.maxRadM, float64(e.RadiusM))
		}
		ix.tiers = append(ix.tiers, t)
	}
	ids := make([]int64, len(clean))
	for i, e := range clean {
		ids[i] = e.ID
	}
	slices.Sort(ids)
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			ix.dupIDs = true
			break
		}
	}
	return ix
}

// cleanRadius maps a negative, NaN or infinite radius to 0.
func cleanRadius(r float32) float32 {
	if !(r > 0) || math.IsInf(float64(r), 1) {
		return 0
	}
	return r
}

// Len is the number of entries in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return ix.n
}

// Within returns every entry whose point lies within c.RadiusM plus the
// entry's own RadiusM of c.Center, each ID at most once (at its smallest
// distance), sorted nearest first (ties by ID). An invalid circle or an empty
// index yields nil.
//
// For each radius tier it covers the circle grown by the tier's largest
// entry radius with S2 cells, binary-searches the tier's sorted cells for
// each covering range, and keeps the candidates that pass the exact
// great-circle test.
func (ix *Index) Within(c Circle) []Match {
	if ix.Len() == 0 || c.Validate() != nil {
		return nil
	}
	center := c.Center.s2Point()
	var out []Match
	for ti := range ix.tiers {
		t := &ix.tiers[ti]
		ranges := rangesOf(capOf(center, c.RadiusM+t.maxRadM), IndexMaxCells)
		for _, r := range ranges {
			lo := sort.Search(len(t.cells), func(i int) bool { return t.cells[i] >= r.Min })
			for i := lo; i < len(t.cells) && t.cells[i] <= r.Max; i++ {
				d := float64(center.Distance(s2.CellID(t.cells[i]).Point())) * EarthRadiusM
				if d <= c.RadiusM+float64(t.radii[i]) {
					out = append(out, Match{ID: t.ids[i], DistanceM: d})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if ix.dupIDs && len(out) > 1 {
		seen := make(map[int64]struct{}, len(out))
		kept := out[:0]
		for _, m := range out {
			if _, dup := seen[m.ID]; dup {
				continue
			}
			seen[m.ID] = struct{}{}
			kept = append(kept, m)
		}
		out = kept
	}
	return out
}
