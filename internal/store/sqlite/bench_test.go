package sqlite_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

var benchNow = time.Date(2026, time.March, 14, 15, 9, 0, 0, time.UTC)

func benchDB(b *testing.B) *sqlite.DB {
	b.Helper()
	db, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func benchReport(id int64) *tocsin.Report {
	return &tocsin.Report{
		ID:          "r" + strconv.FormatInt(id, 10),
		Category:    tocsin.CategoryCheckpoint,
		Description: "checkpoint on the northbound side, two vehicles, officers stopping cars",
		PlaceText:   "5th and Main",
		ZIP:         "90013",
		Cell:        0x80c2c63000000000,
		ObservedAt:  benchNow.Add(-5 * time.Minute),
		ReceivedAt:  benchNow,
		ExpiresAt:   benchNow.Add(tocsin.DefaultTTL),
		State:       tocsin.ReportNew,
		Source:      tocsin.SourceWeb,
	}
}

func BenchmarkCreateReport(b *testing.B) {
	b.Run("Sequential", func(b *testing.B) {
		db := benchDB(b)
		b.ResetTimer()
		for i := range b.N {
			if err := db.CreateReport(b.Context(), benchReport(int64(i))); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
	b.Run("Parallel", func(b *testing.B) {
		db := benchDB(b)
		var next atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := db.CreateReport(b.Context(), benchReport(next.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
	})
}

func BenchmarkCreateLedger100k(b *testing.B) {
	const n = 100_000
	db := benchDB(b)
	rs := make([]tocsin.Recipient, n)
	for i := range rs {
		rs[i] = tocsin.Recipient{SubscriberID: int64(i + 1), DistanceM: float64(i)}
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		id := "a" + strconv.Itoa(i)
		a := &tocsin.Alert{ID: id, Ref: "R" + id, State: tocsin.AlertDraft, BodyEN: "bench", CreatedBy: "bench",
			CreatedAt: benchNow, ValidUntil: benchNow.Add(time.Hour)}
		if err := db.CreateAlert(b.Context(), a); err != nil {
			b.Fatal(err)
		}
		if err := db.ApproveAlert(b.Context(), id, "bench", benchNow); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		err := db.InTx(b.Context(), func(q store.Querier) error { return q.CreateLedger(b.Context(), id, rs) })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "rows/s")
}

// laCenter is downtown Los Angeles; subscribers are spread uniformly over a
// disc of laSpreadM around it.
var laCenter = s2.LatLngFromDegrees(34.0522, -118.2437)

const (
	earthRadiusM = 6371008.8
	laSpreadM    = 30_000
	alertRadiusM = 2_000
)

// offset returns the point distM from c in direction bearing (radians).
func offset(c s2.LatLng, distM, bearing float64) s2.LatLng {
	d := distM / earthRadiusM
	lat1, lon1 := c.Lat.Radians(), c.Lng.Radians()
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(bearing))
	lon2 := lon1 + math.Atan2(math.Sin(bearing)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	return s2.LatLng{Lat: s1.Angle(lat2), Lng: s1.Angle(lon2)}
}

func randomPoint(rng *rand.Rand, c s2.LatLng, radiusM float64) s2.LatLng {
	return offset(c, radiusM*math.Sqrt(rng.Float64()), 2*math.Pi*rng.Float64())
}

// coverRanges covers a circle as leaf-cell ranges, as the alert composer does.
func coverRanges(c s2.LatLng, radiusM float64) []store.CellRange {
	cp := s2.CapFromCenterAngle(s2.PointFromLatLng(c), s1.Angle(radiusM/earthRadiusM))
	rc := s2.RegionCoverer{MaxLevel: s2.MaxLevel, MaxCells: 8}
	var out []store.CellRange
	for _, id := range rc.Covering(cp) {
		out = append(out, store.CellRange{Min: uint64(id.RangeMin()), Max: uint64(id.RangeMax())})
	}
	return out
}

func BenchmarkAreaCandidates(b *testing.B) {
	const subscribers = 100_000
	db := benchDB(b)
	rng := rand.New(rand.NewPCG(1, 2))
	err := db.InTx(b.Context(), func(q store.Querier) error {
		for i := range subscribers {
			cell := uint64(s2.CellIDFromLatLng(randomPoint(rng, laCenter, laSpreadM)))
			s := &tocsin.Subscriber{
				PhoneHash: []byte("h" + strconv.Itoa(i)), Sealed: []byte("sealed"), Lang: tocsin.English, Active: i%20 != 0,
				Areas:     []tocsin.SubscriberArea{{Cell: cell, RadiusM: 1000}},
				CreatedAt: benchNow, UpdatedAt: benchNow,
			}
			if err := q.SaveSubscriber(b.Context(), s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// A fixed set of alert circles inside the populated disc.
	queries := make([][]store.CellRange, 64)
	for i := range queries {
		queries[i] = coverRanges(randomPoint(rng, laCenter, laSpreadM-alertRadiusM), alertRadiusM)
	}
	var found, ranges int
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		cs, err := db.AreaCandidates(b.Context(), store.AreaQuery{Ranges: q})
		if err != nil {
			b.Fatal(err)
		}
		found += len(cs)
		ranges += len(q)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
	b.ReportMetric(float64(found)/float64(b.N), "candidates/op")
	b.ReportMetric(float64(ranges)/float64(b.N), "ranges/op")
}
