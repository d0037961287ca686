package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// txBundle is a store holding a new report r0, a draft alert a0, a pending
// sign-up su0 and an operator; writeAll changes or adds to each of them.
type txBundle struct {
	*testBundle
	op *tocsin.Operator
}

func setupTx(t *testing.T, open func(t *testing.T) store.Store) *txBundle {
	t.Helper()
	b := &txBundle{testBundle: setup(t, open)}
	must(t, b.s.CreateReport(b.ctx, newReport("r0", tocsin.ReportNew, 0)))
	b.alert(t, newAlert("a0", tocsin.AlertDraft, 0))
	must(t, b.s.CreateSignup(b.ctx, newSignup("su0", 0)))
	b.op = b.operator(t, newOperator("alma", tocsin.RoleAdmin))
	return b
}

// writeAll writes through q to every part of the store.
func (b *txBundle) writeAll(t *testing.T, q store.Querier) error {
	t.Helper()
	ctx := b.ctx
	s := newSubscriber("tx")
	steps := []func() error{
		func() error { return q.CreateReport(ctx, newReport("r1", tocsin.ReportNew, 0)) },
		func() error { return q.SetReportState(ctx, "r0", tocsin.ReportVerified) },
		func() error { return q.SaveSubscriber(ctx, s) },
		func() error { return q.UpdateSignup(ctx, "su0", tocsin.SignupDone, 1) },
		func() error { return q.RecordCodeSend(ctx, hash("tx"), now) },
		func() error {
			return q.AddInbound(ctx, &tocsin.Inbound{Provider: "p", FromSealed: []byte("x"), Body: "b", ReceivedAt: now})
		},
		func() error {
			return q.AddOutbound(ctx, &tocsin.Outbound{Kind: tocsin.OutboundReply, ToSealed: []byte("x"), Body: "b", CreatedAt: now})
		},
		func() error { return q.ApproveAlert(ctx, "a0", "alma", now) },
		func() error { return q.AddApproval(ctx, newApproval("a0", "ed25519:ka", now)) },
		func() error { return q.PutRosterVersion(ctx, 1, recBody(1)) },
		func() error { return q.AddRosterSig(ctx, 1, recSig("ka", 1)) },
		func() error { return q.PutFreezeOrder(ctx, 1, recBody(1)) },
		func() error { return q.AddFreezeSig(ctx, 1, recSig("ka", 1)) },
		func() error {
			return q.AddSecurityEvent(ctx, &store.SecurityEvent{At: now, Kind: "tx.test", Subject: "a0"})
		},
		func() error { return q.CreateLedger(ctx, "a0", []tocsin.Recipient{{SubscriberID: s.ID}}) },
		func() error { return q.CreateOperator(ctx, newOperator("beto", tocsin.RoleViewer)) },
		func() error {
			return q.CreateSession(ctx, &tocsin.Session{TokenHash: hash("tx"), OperatorID: b.op.ID, MFA: true, ExpiresAt: now.Add(time.Hour)})
		},
		func() error { return q.AppendAudit(ctx, &tocsin.AuditEntry{At: now, Actor: "alma", Action: "tx.test"}) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	// The transaction reads its own writes.
	if _, err := q.GetReport(ctx, "r1"); err != nil {
		t.Errorf("inside the transaction: %v", err)
	}
	if a, err := q.GetAlert(ctx, "a0"); err != nil || a.State != tocsin.AlertSending {
		t.Errorf("inside the transaction: alert %+v, %v; want sending", a, err)
	}
	return nil
}

// state summarises what writeAll touches, as seen outside any transaction.
type txState struct {
	report, verified, subscriber, signupDone bool
	codeSends, inbound, outbound, operators  int
	alert                                    tocsin.AlertState
	session                                  bool
	audit                                    int
	approvals, rosterVersions, rosterSigs    int
	freezeOrders, freezeSigs, securityEvents int
}

func (b *txBundle) state(t *testing.T) txState {
	t.Helper()
	var st txState
	var err error
	_, err = b.s.GetReport(b.ctx, "r1")
	st.report = err == nil
	r0, err := b.s.GetReport(b.ctx, "r0")
	must(t, err)
	st.verified = r0.State == tocsin.ReportVerified
	_, err = b.s.GetSubscriberByHash(b.ctx, hash("tx"))
	st.subscriber = err == nil
	su, err := b.s.GetSignup(b.ctx, "su0")
	must(t, err)
	st.signupDone = su.State == tocsin.SignupDone
	st.codeSends, err = b.s.CountCodeSends(b.ctx, hash("tx"), now.Add(-time.Hour))
	must(t, err)
	in, err := b.s.ListInbound(b.ctx, 100)
	must(t, err)
	out, err := b.s.ListOutbound(b.ctx, 100)
	must(t, err)
	st.inbound, st.outbound = len(in), len(out)
	st.alert = b.alertState(t, "a0")
	st.operators, err = b.s.CountOperators(b.ctx)
	must(t, err)
	_, err = b.s.GetSession(b.ctx, hash("tx"))
	st.session = err == nil
	audit, err := b.s.ListAudit(b.ctx, 100)
	must(t, err)
	st.audit = len(audit)
	approvals, err := b.s.ListApprovals(b.ctx, "a0")
	must(t, err)
	st.approvals = len(approvals)
	chain, err := b.s.RosterChain(b.ctx)
	must(t, err)
	st.rosterVersions = len(chain)
	for _, r := range chain {
		st.rosterSigs += len(r.Sigs)
	}
	orders, err := b.s.FreezeOrders(b.ctx, 0)
	must(t, err)
	st.freezeOrders = len(orders)
	for _, o := range orders {
		st.freezeSigs += len(o.Sigs)
	}
	events, err := b.s.ListSecurityEvents(b.ctx, 100)
	must(t, err)
	st.securityEvents = len(events)
	return st
}

var (
	txBefore = txState{alert: tocsin.AlertDraft, operators: 1}
	txAfter  = txState{
		report: true, verified: true, subscriber: true, signupDone: true,
		codeSends: 1, inbound: 1, outbound: 1, operators: 2,
		alert: tocsin.AlertSending, session: true, audit: 1,
		approvals: 1, rosterVersions: 1, rosterSigs: 1,
		freezeOrders: 1, freezeSigs: 1, securityEvents: 1,
	}
)

func testInTx(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Commits", func(t *testing.T) {
		b := setupTx(t, open)
		must(t, b.s.InTx(b.ctx, func(q store.Querier) error { return b.writeAll(t, q) }))
		if got := b.state(t); got != txAfter {
			t.Errorf("after commit:\n%+v\nwant\n%+v", got, txAfter)
		}
	})

	t.Run("RollsBackOnError", func(t *testing.T) {
		b := setupTx(t, open)
		errBoom := errors.New("boom")
		err := b.s.InTx(b.ctx, func(q store.Querier) error {
			if err := b.writeAll(t, q); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("InTx = %v, want fn's error", err)
		}
		if got := b.state(t); got != txBefore {
			t.Errorf("after rollback:\n%+v\nwant\n%+v", got, txBefore)
		}
	})

	t.Run("RollsBackOnStoreError", func(t *testing.T) {
		b := setupTx(t, open)
		err := b.s.InTx(b.ctx, func(q store.Querier) error {
			if err := b.writeAll(t, q); err != nil {
				return err
			}
			return q.ApproveAlert(b.ctx, "a0", "alma", now) // no longer a draft
		})
		wantCode(t, err, tocsin.ECONFLICT)
		if got := b.state(t); got != txBefore {
			t.Errorf("after rollback:\n%+v\nwant\n%+v", got, txBefore)
		}
	})

	// Transactions that read then write, from many goroutines at once, must
	// all commit: none may fail because another holds the database.
	t.Run("Concurrent", func(t *testing.T) {
		b := setup(t, open)
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					errs <- b.s.InTx(b.ctx, func(q store.Querier) error {
						if _, err := q.ListAudit(b.ctx, 1); err != nil {
							return err
						}
						return q.AppendAudit(b.ctx, &tocsin.AuditEntry{At: now, Actor: "w" + itoa(int64(w)), Action: "n" + itoa(int64(i))})
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent InTx: %v", err)
			}
		}
		got, err := b.s.ListAudit(b.ctx, 1000)
		must(t, err)
		if len(got) != workers*each {
			t.Errorf("%d audit entries, want %d", len(got), workers*each)
		}
	})
}
