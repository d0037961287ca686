package geo

import (
	"fmt"
	"math"
	"slices"
)

// metresPerDegreeLat is the great-circle length of one degree of latitude
// on the sphere DistanceMeters uses: no two points whose latitudes differ by
// d degrees are closer than d times this.
const metresPerDegreeLat = EarthRadiusM * math.Pi / 180

// buildLatIndex sorts the table's row numbers by latitude, once
// per table, in DecodeZIPs.
func (z *ZIPs) buildLatIndex() {
	z.byLat = make([]int32, len(z.zips))
	for i := range z.byLat {
		z.byLat[i] = int32(i)
	}
	slices.SortFunc(z.byLat, func(a, b int32) int { return int(z.lat[a]) - int(z.lat[b]) })
}

// Nearest returns the ZIP code whose centroid is nearest to p and the
// distance to it in metres; false when the table is empty.
//
// It sweeps outwards in latitude from p and stops once a row's latitude
// alone puts it farther than the best found: about 50 µs a look-up in the
// United States (BenchmarkNearest), a hundredth of a scan of the table.
func (z *ZIPs) Nearest(p Point) (zip string, distM float64, ok bool) {
	if z.Len() == 0 {
		return "", 0, false
	}
	key := int32(math.Round(p.Lat * zipScale))
	start, _ := slices.BinarySearchFunc(z.byLat, key, func(i, k int32) int { return int(z.lat[i]) - int(k) })
	best, bestD := -1, math.Inf(1)
	visit := func(k int) bool { // reports whether the sweep goes on past row k
		i := z.byLat[k]
		c := z.point(int(i))
		if math.Abs(c.Lat-p.Lat)*metresPerDegreeLat > bestD {
			return false
		}
		if d := DistanceMeters(p, c); d < bestD {
			best, bestD = int(i), d
		}
		return true
	}
	up, down := start, start-1
	for up < len(z.byLat) || down >= 0 {
		if up < len(z.byLat) && !visit(up) {
			up = len(z.byLat)
		} else {
			up++
		}
		if down >= 0 && !visit(down) {
			down = -1
		} else {
			down--
		}
	}
	return fmt.Sprintf("%05d", z.zips[best]), bestD, true
}

// point is row i's centroid.
func (z *ZIPs) point(i int) Point {
	return Point{Lat: float64(z.lat[i]) / zipScale, Lon: float64(z.lon[i]) / zipScale}
}
