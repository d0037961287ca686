package scalebench

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audience"
)

// Areas the benchmarks target.
var (
	circle2km = tocsin.Area{Circle: &tocsin.Circle{Lat: la.Lat, Lon: la.Lon, RadiusM: 2000}}
	zip90012  = tocsin.Area{ZIPs: []string{"90012"}}
	// everyone: every subscriber lives within 30 km of la.
	everyone = tocsin.Area{Circle: &tocsin.Circle{Lat: la.Lat, Lon: la.Lon, RadiusM: 35_000}}
)

// BenchmarkScale measures SQLite and PostgreSQL side by side at 1,000,000
// subscribers (TOCSIN_BENCH_SUBSCRIBERS to change), one sub-benchmark per
// figure, in this order on one database per store:
// BenchmarkScale/{sqlite,postgres}/{seed, index/build,
// resolve/{index,store}/{circle2km,zip}, fanout, ledger,
// round/release-claims, intake}.
//
// It runs only with TOCSIN_BENCH_SCALE=1 and is meant for -benchtime 1x:
// every sub-benchmark does its work once (repeating the queries itself) and
// only the metrics it reports count, not ns/op. scripts/bench runs it and
// prints the table. It takes about 10 minutes on 2 cores; PostgreSQL is
// skipped if no server answers at TOCSIN_TEST_POSTGRES.
//
//	TOCSIN_BENCH_SCALE=1 go test -run '^$' -bench BenchmarkScale -benchtime 1x -timeout 60m ./internal/scalebench
func BenchmarkScale(b *testing.B) {
	if os.Getenv("TOCSIN_BENCH_SCALE") == "" {
		b.Skip("set TOCSIN_BENCH_SCALE=1 to run the 1,000,000-subscriber benchmarks (scripts/bench)")
	}
	n := envInt(b, "TOCSIN_BENCH_SUBSCRIBERS", 1_000_000)
	clients := envInt(b, "TOCSIN_BENCH_CLIENTS", 32)
	intakeFor := 10 * time.Second
	if v := os.Getenv("TOCSIN_BENCH_INTAKE"); v != "" {
		var err error
		if intakeFor, err = time.ParseDuration(v); err != nil {
			b.Fatalf("TOCSIN_BENCH_INTAKE: %v", err)
		}
	}
	p := makePopulation(b, n)
	b.Run("population", func(b *testing.B) {
		b.ReportMetric(p.made.Seconds(), "s")
		b.ReportMetric(float64(n), "subscribers")
	})
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) { benchStore(b, d, p, clients, intakeFor) })
	}
}

func benchStore(b *testing.B, d driver, p *population, clients int, intakeFor time.Duration) {
	ctx := context.Background()
	n := p.len()
	st, seed := d.open(b, p)
	b.Run("seed", func(b *testing.B) {
		b.ReportMetric(seed.Seconds(), "s")
		b.ReportMetric(float64(n)/seed.Seconds(), "subscribers/s")
	})

	// The sender's in-memory index, built from the store (it is built
	// when the sender starts and every 10 minutes).
	var ix *audience.Index
	b.Run("index/build", func(b *testing.B) {
		var times []time.Duration
		for range 3 {
			start := time.Now()
			var err error
			if ix, err = audience.BuildIndex(ctx, st); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		b.ReportMetric(ms(median(times)), "ms")
		b.ReportMetric(float64(ix.Len()), "areas")
	})
	if ix == nil { // index/build filtered out by -bench
		var err error
		if ix, err = audience.BuildIndex(ctx, st); err != nil {
			b.Fatal(err)
		}
	}

	r := &audience.Resolver{ZIPs: p.zips}
	for _, tc := range []struct {
		name string
		area tocsin.Area
	}{{"circle2km", circle2km}, {"zip", zip90012}} {
		b.Run("resolve/index/"+tc.name, func(b *testing.B) {
			resolveMetrics(b, 20, func() ([]tocsin.Recipient, error) { return r.ResolveWith(ctx, st, ix, tc.area, nil) })
		})
		b.Run("resolve/store/"+tc.name, func(b *testing.B) {
			resolveMetrics(b, 10, func() ([]tocsin.Recipient, error) { return r.Resolve(ctx, st, tc.area) })
		})
	}

	ledgerRows := 0 // in the deliveries table
	b.Run("fanout", func(b *testing.B) {
		res := fanOut(b, st, p, everyone, n)
		ledgerRows += res.recipients
		b.ReportMetric(float64(res.sent-1)/res.handOff.Seconds(), "msgs/s")
		b.ReportMetric(res.start.Seconds(), "s-to-first")
		b.ReportMetric(res.total.Seconds(), "s-total")
		b.ReportMetric(float64(res.sent), "messages")
		b.Logf("%s: sender's first round (index of every area) %v; %d messages: first after %v (verify, resolve, ledger), all %v later",
			d.name, res.warm.Round(time.Millisecond), res.sent, res.start.Round(time.Millisecond), res.handOff.Round(time.Millisecond))
	})

	// The ledger of an alert to every subscriber, nearest first, with the
	// sender's MACs (computed beforehand: the sender computes them before
	// it calls CreateLedger too).
	b.Run("ledger", func(b *testing.B) {
		rs, err := r.ResolveWith(ctx, st, ix, everyone, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(rs) != n {
			b.Fatalf("the 35 km circle reaches %d of %d subscribers", len(rs), n)
		}
		a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertApproved, BodyEN: "ledger benchmark",
			Area: everyone, CreatedBy: "ana", CreatedAt: time.Now(), ValidUntil: time.Now().Add(time.Hour)}
		if err := st.CreateAlert(ctx, a); err != nil {
			b.Fatal(err)
		}
		for i := range rs {
			rs[i].MAC = p.keys.MAC("ledger", []byte(a.ID), []byte(strconv.FormatInt(rs[i].SubscriberID, 10)), []byte(strconv.Itoa(i)))
		}
		start := time.Now()
		if err := st.CreateLedger(ctx, a.ID, rs); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		ledgerRows += len(rs)
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(float64(len(rs))/took.Seconds(), "rows/s")
		// Refused, so that no sender takes up an alert it never verified.
		if err := st.RefuseAlert(ctx, a.ID); err != nil {
			b.Fatal(err)
		}
	})

	// Once a round the sender returns the claims of senders that died
	// (ReleaseClaims with no claimer of its own): its cost on the
	// deliveries table as it is now (two ledgers of every subscriber, when
	// nothing is filtered out).
	b.Run("round/release-claims", func(b *testing.B) {
		var times []time.Duration
		for range 5 {
			start := time.Now()
			if _, err := st.ReleaseClaims(ctx, "", time.Now().Add(-2*time.Minute), time.Now()); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		b.ReportMetric(ms(median(times)), "ms")
		b.ReportMetric(float64(ledgerRows), "ledger-rows")
	})

	b.Run("intake", func(b *testing.B) {
		ts := intakeServer(b, st, p)
		res := loadIntake(b, ts.URL, clients, intakeFor)
		if res.ok == 0 {
			b.Fatalf("no report accepted (%d failed)", res.failed)
		}
		b.ReportMetric(res.perSecond(), "req/s")
		b.ReportMetric(ms(res.p50), "p50-ms")
		b.ReportMetric(ms(res.p99), "p99-ms")
		b.ReportMetric(float64(res.ok), "reports")
		b.ReportMetric(float64(res.failed), "failed")
		b.ReportMetric(float64(clients), "clients")
	})
}

// resolveMetrics runs resolve once to warm up, then reps times, and reports
// the mean time per query and the number of recipients.
func resolveMetrics(b *testing.B, reps int, resolve func() ([]tocsin.Recipient, error)) {
	rs, err := resolve()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for range reps {
		if rs, err = resolve(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(ms(time.Since(start))/float64(reps), "ms/query")
	b.ReportMetric(float64(len(rs)), "recipients")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func envInt(tb testing.TB, name string, def int) int {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
