package sender

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// nopProvider accepts every message at once and remembers when the first
// one came: the "provider that does nothing" of the BRIEF's targets.
type nopProvider struct {
	n     atomic.Int64
	once  sync.Once
	first chan time.Time
}

func (p *nopProvider) Name() string { return "nop" }

func (p *nopProvider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	p.n.Add(1)
	p.once.Do(func() { p.first <- time.Now() })
	return sms.Result{ProviderID: "nop"}, nil
}

// seedSubscribers writes n active subscribers of 90210 straight into the
// store, sealed and hashed with the sender's keys.
func (b *bundle) seedSubscribers(tb testing.TB, n int) {
	tb.Helper()
	p, _ := b.zips.Lookup("90210")
	area := []tocsin.SubscriberArea{{ZIP: "90210", Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}
	err := b.store.InTx(b.ctx, func(q store.Querier) error {
		for i := range n {
			num, err := phone.Parse(fmt.Sprintf("+1310%07d", 2_000_000+i), "US")
			if err != nil {
				return err
			}
			sealed, err := b.sealer.Seal(num)
			if err != nil {
				return err
			}
			s := &tocsin.Subscriber{PhoneHash: b.keys.Hash(num), Sealed: sealed, Lang: tocsin.English, Active: true, Areas: area}
			if err := q.SaveSubscriber(b.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkFanOut measures the sender's own capacity: verifying a signed
// alert, writing its ledger and handing every message to a provider that
// does nothing, on the embedded SQLite store. Only msgs/s counts: ns/op
// includes seeding the subscribers.
func BenchmarkFanOut(b *testing.B) {
	const n = 20_000
	var total time.Duration
	for range b.N {
		bb := setup(b)
		bb.seedSubscribers(b, n)
		prov := &nopProvider{first: make(chan time.Time, 1)}
		bb.sender.routes = newRoutes([]Route{{Provider: prov}})
		if batch := os.Getenv("TOCSIN_BENCH_BATCH"); batch != "" {
			bb.sender.cfg.Batch, _ = strconv.Atoi(batch)
		}
		bb.alertFor(b, zip90210, n)
		start := time.Now()
		for prov.n.Load() < n {
			bb.sender.Tick(bb.ctx)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
}

// BenchmarkApprovalToFirstMessage measures the time from the last approval
// (the alert handed to a running sender, which is woken) to the first
// message handed to the provider, for an alert to 1,000 subscribers.
func BenchmarkApprovalToFirstMessage(b *testing.B) {
	var total time.Duration
	for range b.N {
		bb := setup(b)
		bb.seedSubscribers(b, 1000)
		prov := &nopProvider{first: make(chan time.Time, 1)}
		bb.sender.routes = newRoutes([]Route{{Provider: prov}})
		bb.sender.cfg.Now = time.Now
		bb.now = time.Now()
		ctx, cancel := context.WithCancel(bb.ctx)
		go bb.sender.Run(ctx)
		a := bb.draftFor(b, zip90210, "Checkpoint at Main.", "", 1100)
		bb.sign(b, a, "ana", "bob")
		approved := time.Now()
		if err := bb.store.ApproveAlert(bb.ctx, a.ID, "ana", approved); err != nil {
			b.Fatal(err)
		}
		bb.sender.Wake()
		first := <-prov.first
		total += first.Sub(approved)
		cancel()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/first-message")
}

// alertFor creates an approved alert signed by two operators whose
// statement allows n recipients.
func (b *bundle) alertFor(tb testing.TB, area tocsin.Area, n int) *tocsin.Alert {
	tb.Helper()
	a := b.draftFor(tb, area, "Checkpoint at Main.", "", n+n/10)
	b.sign(tb, a, "ana", "bob")
	if err := b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now); err != nil {
		tb.Fatal(err)
	}
	return a
}

// slowProvider takes latency to accept each message, as Twilio's API does
// (about 150 ms), and records when each was accepted.
type slowProvider struct {
	latency time.Duration
	mu      sync.Mutex
	at      []time.Time
}

func (p *slowProvider) Name() string { return "slow" }

func (p *slowProvider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	start := time.Now()
	select {
	case <-time.After(p.latency):
	case <-ctx.Done():
		return sms.Result{}, ctx.Err()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = append(p.at, start) // the moment the request went out
	return sms.Result{ProviderID: fmt.Sprintf("slow-%d", len(p.at))}, nil
}

// BenchmarkPacing sends 3,000 messages to a provider whose every request
// takes 150 ms, at a configured 200 messages/s (30 requests in flight), and
// reports the rate reached, its error against the configured one, and the
// most requests started in any one second (which must not exceed the rate).
func BenchmarkPacing(b *testing.B) {
	const n, rate = 3000, 200.0
	for range b.N {
		bb := setup(b)
		bb.seedSubscribers(b, n)
		p := &slowProvider{latency: 150 * time.Millisecond}
		bb.sender.routes = newRoutes([]Route{{Provider: p, Rate: rate}})
		bb.sender.cfg.Workers, bb.sender.cfg.Batch = 64, 500
		bb.alertFor(b, zip90210, n)
		for {
			p.mu.Lock()
			done := len(p.at)
			p.mu.Unlock()
			if done >= n {
				break
			}
			bb.sender.Tick(bb.ctx)
		}
		slices.SortFunc(p.at, func(a, b time.Time) int { return a.Compare(b) })
		got := float64(n-1) / p.at[n-1].Sub(p.at[0]).Seconds()
		peak, j := 0, 0
		for i := range p.at { // the most starts in any window of one second
			for p.at[i].Sub(p.at[j]) >= time.Second {
				j++
			}
			peak = max(peak, i-j+1)
		}
		b.ReportMetric(got, "msgs/s")
		b.ReportMetric(100*(got-rate)/rate, "%error")
		b.ReportMetric(float64(peak), "peak-per-second")
	}
}
