package scalebench

import (
	"context"
	"crypto/ed25519"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// nopProvider accepts every message at once: the "provider that does
// nothing" of the BRIEF's targets. It remembers when the first and the
// last message came.
type nopProvider struct {
	n           atomic.Int64
	mu          sync.Mutex
	first, last time.Time
}

func (p *nopProvider) Name() string { return "nop" }

func (p *nopProvider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	now := time.Now()
	n := p.n.Add(1)
	p.mu.Lock()
	if p.first.IsZero() {
		p.first = now
	}
	if now.After(p.last) {
		p.last = now
	}
	p.mu.Unlock()
	// A distinct id per message, as real providers give (the sender
	// records them for reconciliation and receipts).
	return sms.Result{ProviderID: "nop-" + strconv.FormatInt(n, 10)}, nil
}

// trustSetup is a roster, version 1, signed by its root key and stored,
// with two dispatchers who approve alerts.
type trustSetup struct {
	anchor ed25519.PublicKey
	ops    map[string]ed25519.PrivateKey
}

func newTrust(tb testing.TB, st store.Store, now time.Time) *trustSetup {
	tb.Helper()
	ctx := context.Background()
	rootPub, root, _ := ed25519.GenerateKey(nil)
	ts := &trustSetup{anchor: rootPub, ops: map[string]ed25519.PrivateKey{}}
	r := &trust.Roster{Version: 1, IssuedAt: now.Add(-time.Hour), Policy: trust.DefaultPolicy()}
	for _, m := range []struct{ name, role string }{{"root-admin", "admin"}, {"ana", "dispatcher"}, {"bob", "dispatcher"}} {
		pub, priv, _ := ed25519.GenerateKey(nil)
		ts.ops[m.name] = priv
		r.Members = append(r.Members, trust.Member{Name: m.name, Role: m.role, Keys: []ed25519.PublicKey{pub}})
	}
	body, err := r.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.PutRosterVersion(ctx, 1, body); err != nil {
		tb.Fatal(err)
	}
	sig := trust.SignRoster(root, body)
	if err := st.AddRosterSig(ctx, 1, store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature}); err != nil {
		tb.Fatal(err)
	}
	return ts
}

// approvedAlert creates an alert to area, bounded at bound recipients,
// signed by ana and bob over its statement, and approved.
func (ts *trustSetup) approvedAlert(tb testing.TB, st store.Store, area tocsin.Area, bound int, now time.Time) *tocsin.Alert {
	tb.Helper()
	ctx := context.Background()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, BodyEN: "Checkpoint at Main and 3rd.",
		Area: area, CreatedBy: "ana", CreatedAt: now, ValidUntil: now.Add(3 * time.Hour)}
	s := trust.StatementOf(a, nil, bound)
	var err error
	if a.Statement, err = s.Encode(); err != nil {
		tb.Fatal(err)
	}
	if err := st.CreateAlert(ctx, a); err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"ana", "bob"} {
		ap, err := trust.SignStatement(ts.ops[name], s, now)
		if err != nil {
			tb.Fatal(err)
		}
		if err := st.AddApproval(ctx, &store.Approval{AlertID: a.ID, Kind: string(ap.Kind), KeyID: string(ap.KeyID),
			Digest: ap.Digest[:], Signature: ap.Signature, SignedAt: ap.SignedAt}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := st.ApproveAlert(ctx, a.ID, "ana", now); err != nil {
		tb.Fatal(err)
	}
	return a
}

// fanOutResult is what one fan-out measured.
type fanOutResult struct {
	sent         int
	start        time.Duration // Tick called to the first message: verification, resolution, ledger
	handOff      time.Duration // the first message to the last
	total        time.Duration // Tick called to the last message
	warm         time.Duration // the sender's first round: its index of every area
	recipients   int
	sentRecorded int
}

// fanOut runs the real sender (sender.New, sender.Tick) on st against a
// provider that does nothing, for an approved alert to area, until every
// recipient has been handed over: the sender verifies the statement and its
// signatures against the roster, resolves the audience from its in-memory
// index, writes the ledger with its MACs, then claims batches, checks each
// row's MAC, opens each number and records each outcome.
func fanOut(tb testing.TB, st store.Store, p *population, area tocsin.Area, want int) fanOutResult {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().Add(-time.Second).Truncate(time.Second)
	ts := newTrust(tb, st, now)
	prov := &nopProvider{}
	s, err := sender.New(sender.Config{Store: st, Keys: p.keys, Routes: []sender.Route{{Provider: prov}}, ZIPs: p.zips,
		TrustAnchor: ts.anchor, StateDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	var r fanOutResult
	t0 := time.Now()
	s.Tick(ctx) // the first round builds the sender's index of every area
	r.warm = time.Since(t0)

	a := ts.approvedAlert(tb, st, area, trust.AudienceBound(want), now)
	deadline := time.Now().Add(30 * time.Minute)
	start := time.Now()
	for prov.n.Load() < int64(want) {
		s.Tick(ctx)
		if time.Now().After(deadline) {
			tb.Fatalf("after 30 minutes %d of %d messages handed over", prov.n.Load(), want)
		}
		if prov.n.Load() == 0 {
			got, err := st.GetAlert(ctx, a.ID)
			if err != nil {
				tb.Fatal(err)
			}
			if got.State == tocsin.AlertRefused {
				evs, _ := st.ListSecurityEvents(ctx, 5)
				tb.Fatalf("the sender refused the alert: %+v", evs)
			}
		}
	}
	prov.mu.Lock()
	first, last := prov.first, prov.last
	prov.mu.Unlock()
	r.sent = int(prov.n.Load())
	r.start, r.handOff, r.total = first.Sub(start), last.Sub(first), last.Sub(start)
	s.Tick(ctx) // completes the alert
	got, err := st.GetAlert(ctx, a.ID)
	if err != nil {
		tb.Fatal(err)
	}
	r.recipients, r.sentRecorded = got.Recipients, got.Sent
	if got.State != tocsin.AlertSent || got.Sent != want {
		tb.Errorf("alert %s, %d of %d recorded sent; want sent, %d", got.State, got.Sent, got.Recipients, want)
	}
	return r
}
