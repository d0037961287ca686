// Package storetest is the one contract suite every store.Store
// implementation must pass, run against a real database.
//
// It must never reach past the store.Store interface into an implementation,
// and it must never be imported by non-test code.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// Run runs the contract suite. open must return a new, empty store for each
// call, independent of every other (the subtests run in parallel); Run closes
// it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Reports", func(t *testing.T) { testReports(t, open) })
	t.Run("Subscribers", func(t *testing.T) { testSubscribers(t, open) })
	t.Run("AreaCandidates", func(t *testing.T) { testAreaCandidates(t, open) })
	t.Run("Signups", func(t *testing.T) { testSignups(t, open) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, open) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, open) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open) })
	t.Run("Operators", func(t *testing.T) { testOperators(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("Trust", func(t *testing.T) { testTrust(t, open) })
	t.Run("Gateways", func(t *testing.T) { testGateways(t, open) })
	t.Run("EarlyReceipt", func(t *testing.T) { testEarlyReceipt(t, open) })
	t.Run("ActiveAreas", func(t *testing.T) { testActiveAreas(t, open) })
	t.Run("InTx", func(t *testing.T) { testInTx(t, open) })
	t.Run("WebTx", func(t *testing.T) { testWebTx(t, open) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, open) })
	t.Run("LeaseRace", func(t *testing.T) { testLeaseRace(t, open) })
	t.Run("AlertStarts", func(t *testing.T) { testAlertStarts(t, open) })
	t.Run("SecurityEvents", func(t *testing.T) { testSecurityEvents(t, open) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open) })
	t.Run("CanaryOperator", func(t *testing.T) { testCanaryOperator(t, open) })
	t.Run("Notices", func(t *testing.T) { testNotices(t, open) })
	t.Run("TakeTokens", func(t *testing.T) { testTakeTokens(t, open) })
	t.Run("TakeTokensRace", func(t *testing.T) { testTakeTokensRace(t, open) })
	t.Run("Refusals", func(t *testing.T) { testRefusals(t, open) })
	t.Run("SpendChallenge", func(t *testing.T) { testSpendChallenge(t, open) })
	t.Run("Counts", func(t *testing.T) { testCounts(t, open) })
}

// now is the suite's fixed clock: whole minutes, because stores may keep
// times at second precision and report times rounded to the minute.
var now = time.Date(2026, time.March, 14, 15, 9, 0, 0, time.UTC)

// claimTime is when the suite's worker "w1" claims ledger rows.
var claimTime = now

// testBundle is what a subtest needs.
type testBundle struct {
	ctx context.Context
	s   store.Store
}

// setup marks the subtest parallel and opens a fresh store for it.
func setup(t *testing.T, open func(t *testing.T) store.Store) *testBundle {
	t.Helper()
	t.Parallel()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &testBundle{ctx: t.Context(), s: s}
}

// must fails the test at once on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails the test unless err carries the tocsin error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := tocsin.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

// wantTime fails the test unless got and want are the same instant.
func wantTime(t *testing.T, name string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

// ids returns a short name for each element: what the order tests compare.
func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func hash(s string) []byte { return []byte("hash:" + s) }

func itoa(i int64) string { return fmt.Sprint(i) }
