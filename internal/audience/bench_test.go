package audience

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// seed writes n subscribers spread within 30 km of central Los Angeles, a
// third following one of the ZIP codes there and the rest a point with a
// 1–3 km radius.
func seed(tb testing.TB, st store.Store, zips *geo.ZIPs, n int) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	la := geo.Point{Lat: 34.05, Lon: -118.25}
	var laZIPs []string
	for _, z := range zips.All() {
		if geo.DistanceMeters(z.Point, la) <= 30000 {
			laZIPs = append(laZIPs, z.ZIP)
		}
	}
	err := st.InTx(ctx, func(q store.Querier) error {
		for i := range n {
			d := 30000 * math.Sqrt(rng.Float64())
			th := 2 * math.Pi * rng.Float64()
			p := geo.Point{Lat: la.Lat + d*math.Cos(th)/111_320, Lon: la.Lon + d*math.Sin(th)/(111_320*math.Cos(la.Lat*math.Pi/180))}
			area := tocsin.SubscriberArea{Cell: geo.LeafCell(p), RadiusM: 1000 + 2000*rng.Float64()}
			if i%3 == 0 {
				z := laZIPs[rng.IntN(len(laZIPs))]
				c, _ := zips.Lookup(z)
				area = tocsin.SubscriberArea{ZIP: z, Cell: geo.LeafCell(c), RadiusM: tocsin.ZIPAreaRadiusM}
			}
			s := &tocsin.Subscriber{PhoneHash: []byte(fmt.Sprintf("h%09d", i)), Sealed: []byte("x"), Lang: tocsin.English, Active: true, Areas: []tocsin.SubscriberArea{area}}
			if err := q.SaveSubscriber(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkResolve100k resolves a 2 km circle and a ZIP code among 100,000
// subscribers stored in SQLite.
func BenchmarkResolve100k(b *testing.B) { benchmarkResolve(b, 100_000) }

// BenchmarkResolve1M does the same among 1,000,000 (seeding takes a minute).
func BenchmarkResolve1M(b *testing.B) { benchmarkResolve(b, 1_000_000) }

func benchmarkResolve(b *testing.B, n int) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	zips, _ := geo.LoadZIPs()
	seed(b, st, zips, n)
	r := &Resolver{ZIPs: zips}
	start := time.Now()
	ix, err := BuildIndex(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("index of %d areas built from the database in %v", ix.Len(), time.Since(start))
	for _, tc := range []struct {
		name string
		area tocsin.Area
	}{
		{"circle2km", tocsin.Area{Circle: &tocsin.Circle{Lat: 34.05, Lon: -118.25, RadiusM: 2000}}},
		{"zip", tocsin.Area{ZIPs: []string{"90012"}}},
	} {
		b.Run("index/"+tc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				rs, err := r.ResolveWith(ctx, st, ix, tc.area, nil)
				if err != nil {
					b.Fatal(err)
				}
				n = len(rs)
			}
			b.ReportMetric(float64(n), "recipients")
		})
		b.Run("store/"+tc.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				rs, err := r.Resolve(ctx, st, tc.area)
				if err != nil {
					b.Fatal(err)
				}
				n = len(rs)
			}
			b.ReportMetric(float64(n), "recipients")
		})
	}
}
