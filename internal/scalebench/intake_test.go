package scalebench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/abuse"
)

// intakeResult is what one load run measured.
type intakeResult struct {
	ok, failed int           // 2xx answers; anything else, and transport errors
	elapsed    time.Duration // first request sent to last answer read
	p50, p99   time.Duration // latency of the 2xx answers
}

func (r intakeResult) perSecond() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// intakeServer is the web tier as tocsin serve runs it, on st, listening
// on 127.0.0.1: web.Server's handler chain behind the same cross-origin
// protection and http.Server time limits as cmd/tocsin.
func intakeServer(tb testing.TB, st store.Store, p *population) *httptest.Server {
	tb.Helper()
	// Capacity, not the abuse limits: they stay in the path (every report
	// takes its tokens) but far above what the load reaches.
	const huge = 1 << 30
	limits := abuse.Limits{ReportsPerHour: huge, ReportsPerAreaPerHour: huge}
	srv, err := web.New(web.Config{Store: st, Sealer: phone.NewSealer(p.keys.Public()), ZIPs: p.zips, CSRFKey: make([]byte, 32), Limits: limits})
	if err != nil {
		tb.Fatal(err)
	}
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /api/")
	cop.AddInsecureBypassPattern("POST /hooks/")
	ts := httptest.NewUnstartedServer(cop.Handler(srv))
	ts.Config.ReadHeaderTimeout, ts.Config.ReadTimeout, ts.Config.WriteTimeout = 10*time.Second, 60*time.Second, 60*time.Second
	ts.Config.IdleTimeout, ts.Config.MaxHeaderBytes = 120*time.Second, 32<<10
	ts.Start()
	tb.Cleanup(ts.Close)
	return ts
}

// intakeBodies alternate a report by ZIP code and one by latitude and
// longitude, as BenchmarkReportIntake does.
var intakeBodies = [][]byte{
	[]byte(`{"category":"checkpoint","description":"six agents in vests stopping cars","zip":"90210"}`),
	[]byte(`{"category":"vehicle","description":"two unmarked white vans","lat":34.0522,"lon":-118.2437,"place":"Main and 3rd"}`),
}

// loadIntake posts reports to POST /api/v1/reports from clients goroutines
// at once, each sending its next request as soon as the last is answered
// (closed loop) over keep-alive connections, for d after a short warm-up.
// Only 2xx answers count.
func loadIntake(tb testing.TB, base string, clients int, d time.Duration) intakeResult {
	tb.Helper()
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := base + "/api/v1/reports"
	post := func(ctx context.Context, body []byte) (bool, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return false, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return false, err
		}
		io.Copy(io.Discard, resp.Body) // read to the end: the connection is kept
		resp.Body.Close()
		return resp.StatusCode/100 == 2, nil
	}
	run := func(d time.Duration, record bool) intakeResult {
		var mu sync.Mutex
		var res intakeResult
		var lat []time.Duration
		var wg sync.WaitGroup
		begin := time.Now()
		end := begin.Add(d)
		for c := range clients {
			wg.Go(func() {
				var mine []time.Duration
				ok, failed := 0, 0
				for i := c; time.Now().Before(end); i++ {
					t := time.Now()
					good, err := post(context.Background(), intakeBodies[i%len(intakeBodies)])
					if good {
						ok++
						mine = append(mine, time.Since(t))
					} else {
						failed++
						if err != nil && failed == 1 {
							tb.Logf("client %d: %v", c, err)
						}
					}
				}
				mu.Lock()
				res.ok += ok
				res.failed += failed
				lat = append(lat, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		res.elapsed = time.Since(begin)
		if record && len(lat) > 0 {
			slices.Sort(lat)
			res.p50, res.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		}
		return res
	}
	run(time.Second, false) // opens the connections and warms the server
	return run(d, true)
}
