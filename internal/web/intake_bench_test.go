package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/abuse"
)

// BenchmarkReportIntake measures POST /api/v1/reports through the real
// handler chain on the embedded SQLite database (the BRIEF's target is
// 2,000 reports/s on 2 cores).
func BenchmarkReportIntake(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	keys, _ := vault.Generate()
	zips, err := geo.LoadZIPs()
	if err != nil {
		b.Fatal(err)
	}
	// The intake's capacity, with the abuse limits far above what it can
	// take: every report still takes its tokens (three bucket updates in
	// the database), none is refused or asked for a proof of work.
	const huge = 1 << 30
	limits := abuse.Limits{ReportsPerHour: huge, ReportsPerAreaPerHour: huge}
	srv, err := web.New(web.Config{Store: st, Sealer: phone.NewSealer(keys.Public()), ZIPs: zips, CSRFKey: make([]byte, 32), Limits: limits})
	if err != nil {
		b.Fatal(err)
	}
	bodies := []string{
		`{"category":"checkpoint","description":"six agents in vests stopping cars","zip":"90210"}`,
		`{"category":"vehicle","description":"two unmarked white vans","lat":34.0522,"lon":-118.2437,"place":"Main and 3rd"}`,
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/reports", strings.NewReader(bodies[i%2]))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}
