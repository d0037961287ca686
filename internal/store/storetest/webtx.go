package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// testWebTx checks InWebTx: one transaction, as InTx, whose querier has
// the web tier's methods only, even to a type assertion.
func testWebTx(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	ctx := b.ctx
	boom := errors.New("boom")
	err := b.s.InWebTx(ctx, func(q store.WebQuerier) error {
		must(t, q.CreateReport(ctx, newReport("r-rolled-back", tocsin.ReportNew, 0)))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InWebTx = %v, want fn's error", err)
	}
	if _, err := b.s.GetReport(ctx, "r-rolled-back"); tocsin.ErrorCode(err) != tocsin.ENOTFOUND {
		t.Errorf("a report written in a failed web transaction: %v", err)
	}
	must(t, b.s.InWebTx(ctx, func(q store.WebQuerier) error {
		if _, ok := q.(store.Querier); ok {
			t.Error("the web transaction's querier is a store.Querier")
		}
		if _, ok := q.(interface {
			CreateLedger(ctx context.Context, alertID string, rs []tocsin.Recipient) error
		}); ok {
			t.Error("the web transaction's querier can write a ledger")
		}
		return q.CreateReport(ctx, newReport("r-committed", tocsin.ReportNew, 0))
	}))
	if _, err := b.s.GetReport(ctx, "r-committed"); err != nil {
		t.Errorf("a report written in a web transaction: %v", err)
	}
}
