package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func newApproval(alertID, keyID string, signedAt time.Time) *store.Approval {
	return &store.Approval{
		AlertID:   alertID,
		Kind:      "ed25519",
		KeyID:     keyID,
		Digest:    []byte("digest:" + alertID),
		Signature: []byte("sig:" + alertID + ":" + keyID),
		SignedAt:  signedAt,
	}
}

func approvalKey(a store.Approval) string { return a.KeyID }

func wantApproval(t *testing.T, got store.Approval, want *store.Approval) {
	t.Helper()
	if got.AlertID != want.AlertID || got.Kind != want.Kind || got.KeyID != want.KeyID ||
		!bytes.Equal(got.Digest, want.Digest) || !bytes.Equal(got.Signature, want.Signature) {
		t.Errorf("approval =\n%+v\nwant\n%+v", got, *want)
	}
	wantTime(t, "SignedAt", got.SignedAt, want.SignedAt)
}

func (b *testBundle) approvals(t *testing.T, alertID string) []store.Approval {
	t.Helper()
	got, err := b.s.ListApprovals(b.ctx, alertID)
	must(t, err)
	return got
}

// signedOps are the operations on one kind of signed record, so that roster
// versions and freeze orders share their tests.
type signedOps struct {
	put    func(ctx context.Context, s store.Store, n int64, body []byte) error
	addSig func(ctx context.Context, s store.Store, n int64, sig store.Sig) error
	all    func(ctx context.Context, s store.Store) ([]store.Signed, error)
}

var (
	rosterOps = signedOps{
		put: func(ctx context.Context, s store.Store, n int64, body []byte) error {
			return s.PutRosterVersion(ctx, n, body)
		},
		addSig: func(ctx context.Context, s store.Store, n int64, sig store.Sig) error {
			return s.AddRosterSig(ctx, n, sig)
		},
		all: func(ctx context.Context, s store.Store) ([]store.Signed, error) { return s.RosterChain(ctx) },
	}
	freezeOps = signedOps{
		put: func(ctx context.Context, s store.Store, n int64, body []byte) error {
			return s.PutFreezeOrder(ctx, n, body)
		},
		addSig: func(ctx context.Context, s store.Store, n int64, sig store.Sig) error {
			return s.AddFreezeSig(ctx, n, sig)
		},
		all: func(ctx context.Context, s store.Store) ([]store.Signed, error) { return s.FreezeOrders(ctx, 0) },
	}
)

func recBody(n int64) []byte { return []byte("body " + itoa(n)) }

func recSig(key string, n int64) store.Sig {
	return store.Sig{KeyID: key, Signature: []byte("sig " + key + " " + itoa(n))}
}

// signedString renders records for comparison: "n:body[key=sig,…]".
func signedString(rs []store.Signed) string {
	var out []string
	for _, r := range rs {
		var sigs []string
		for _, s := range r.Sigs {
			sigs = append(sigs, s.KeyID+"="+string(s.Signature))
		}
		out = append(out, fmt.Sprintf("%d:%s%v", r.Seq, r.Body, sigs))
	}
	return fmt.Sprint(out)
}

func wantSigned(t *testing.T, name string, got []store.Signed, want ...store.Signed) {
	t.Helper()
	if g, w := signedString(got), signedString(want); g != w {
		t.Errorf("%s =\n%s\nwant\n%s", name, g, w)
	}
}

// testSigned runs the tests roster versions and freeze orders share.
func testSigned(t *testing.T, open func(t *testing.T) store.Store, ops signedOps) {
	t.Run("Empty", func(t *testing.T) {
		b := setup(t, open)
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("records of an empty store: %s", signedString(got))
		}
	})

	t.Run("PutInOrder", func(t *testing.T) {
		b := setup(t, open)
		for _, n := range []int64{3, 1, 2} {
			must(t, ops.put(b.ctx, b.s, n, recBody(n)))
		}
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got, store.Signed{Seq: 1, Body: recBody(1)}, store.Signed{Seq: 2, Body: recBody(2)}, store.Signed{Seq: 3, Body: recBody(3)})
	})

	t.Run("PutIdempotent", func(t *testing.T) {
		b := setup(t, open)
		must(t, ops.put(b.ctx, b.s, 1, recBody(1)))
		must(t, ops.addSig(b.ctx, b.s, 1, recSig("k1", 1)))
		must(t, ops.put(b.ctx, b.s, 1, recBody(1))) // again, same body
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got, store.Signed{Seq: 1, Body: recBody(1), Sigs: []store.Sig{recSig("k1", 1)}})
	})

	t.Run("PutConflict", func(t *testing.T) {
		b := setup(t, open)
		must(t, ops.put(b.ctx, b.s, 1, recBody(1)))
		wantCode(t, ops.put(b.ctx, b.s, 1, recBody(2)), tocsin.ECONFLICT)
		wantCode(t, ops.put(b.ctx, b.s, 1, append(recBody(1), 0)), tocsin.ECONFLICT)
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got, store.Signed{Seq: 1, Body: recBody(1)}) // the first body stands
	})

	t.Run("Sigs", func(t *testing.T) {
		b := setup(t, open)
		must(t, ops.put(b.ctx, b.s, 1, recBody(1)))
		must(t, ops.put(b.ctx, b.s, 2, recBody(2)))
		for _, k := range []string{"kc", "ka", "kb"} {
			must(t, ops.addSig(b.ctx, b.s, 1, recSig(k, 1)))
		}
		must(t, ops.addSig(b.ctx, b.s, 2, recSig("kb", 2)))
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got,
			store.Signed{Seq: 1, Body: recBody(1), Sigs: []store.Sig{recSig("ka", 1), recSig("kb", 1), recSig("kc", 1)}},
			store.Signed{Seq: 2, Body: recBody(2), Sigs: []store.Sig{recSig("kb", 2)}})
	})

	t.Run("SigReplaced", func(t *testing.T) {
		b := setup(t, open)
		must(t, ops.put(b.ctx, b.s, 1, recBody(1)))
		must(t, ops.addSig(b.ctx, b.s, 1, recSig("ka", 1)))
		must(t, ops.addSig(b.ctx, b.s, 1, recSig("ka", 1))) // the same again
		again := store.Sig{KeyID: "ka", Signature: []byte("another signature")}
		must(t, ops.addSig(b.ctx, b.s, 1, again))
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got, store.Signed{Seq: 1, Body: recBody(1), Sigs: []store.Sig{again}})
	})

	t.Run("SigNotFound", func(t *testing.T) {
		b := setup(t, open)
		must(t, ops.put(b.ctx, b.s, 1, recBody(1)))
		wantCode(t, ops.addSig(b.ctx, b.s, 2, recSig("ka", 2)), tocsin.ENOTFOUND)
		got, err := ops.all(b.ctx, b.s)
		must(t, err)
		wantSigned(t, "records", got, store.Signed{Seq: 1, Body: recBody(1)})
	})
}

func testTrust(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Approvals", func(t *testing.T) {
		b := setup(t, open)
		b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		b.alert(t, newAlert("a2", tocsin.AlertDraft, 0))
		if got := b.approvals(t, "a1"); len(got) != 0 {
			t.Fatalf("approvals of a new alert: %+v", got)
		}
		kb := newApproval("a1", "ed25519:kb", now)
		ka := newApproval("a1", "ed25519:ka", now.Add(time.Minute))
		other := newApproval("a2", "ed25519:ka", now)
		for _, a := range []*store.Approval{kb, ka, other} {
			must(t, b.s.AddApproval(b.ctx, a))
		}
		got := b.approvals(t, "a1")
		if g := ids(got, approvalKey); !slices.Equal(g, []string{"ed25519:ka", "ed25519:kb"}) {
			t.Fatalf("approvals of a1 = %v, want ka, kb", g)
		}
		wantApproval(t, got[0], ka)
		wantApproval(t, got[1], kb)
		got = b.approvals(t, "a2")
		if len(got) != 1 {
			t.Fatalf("approvals of a2 = %+v, want one", got)
		}
		wantApproval(t, got[0], other)
		if got := b.approvals(t, "nope"); len(got) != 0 {
			t.Errorf("approvals of a missing alert: %+v", got)
		}
	})

	// A second approval by the same key replaces the first.
	t.Run("ApprovalReplaced", func(t *testing.T) {
		b := setup(t, open)
		b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
		must(t, b.s.AddApproval(b.ctx, newApproval("a1", "ed25519:ka", now)))
		must(t, b.s.AddApproval(b.ctx, newApproval("a1", "ed25519:kb", now)))
		again := newApproval("a1", "ed25519:ka", now.Add(time.Hour))
		again.Kind, again.Digest, again.Signature = "webauthn", []byte("another digest"), []byte("another signature")
		must(t, b.s.AddApproval(b.ctx, again))
		got := b.approvals(t, "a1")
		if g := ids(got, approvalKey); !slices.Equal(g, []string{"ed25519:ka", "ed25519:kb"}) {
			t.Fatalf("approvals = %v, want ka, kb once each", g)
		}
		wantApproval(t, got[0], again)
	})

	t.Run("ApprovalNotFound", func(t *testing.T) {
		b := setup(t, open)
		wantCode(t, b.s.AddApproval(b.ctx, newApproval("nope", "ed25519:ka", now)), tocsin.ENOTFOUND)
		if got := b.approvals(t, "nope"); len(got) != 0 {
			t.Errorf("approvals of a missing alert: %+v", got)
		}
	})

	t.Run("Refuse", func(t *testing.T) {
		for _, st := range []tocsin.AlertState{tocsin.AlertApproved, tocsin.AlertSending} {
			t.Run(string(st), func(t *testing.T) {
				b := setup(t, open)
				a := b.alert(t, newAlert("a1", st, 0))
				must(t, b.s.RefuseAlert(b.ctx, "a1"))
				got, err := b.s.GetAlert(b.ctx, "a1")
				must(t, err)
				a.State = tocsin.AlertRefused
				wantAlert(t, got, a)
				wantCode(t, b.s.RefuseAlert(b.ctx, "a1"), tocsin.ECONFLICT)
				if ok, err := b.s.CompleteAlert(b.ctx, "a1"); err != nil || ok {
					t.Errorf("CompleteAlert of a refused alert = %v, %v", ok, err)
				}
				if got := b.alertState(t, "a1"); got != tocsin.AlertRefused {
					t.Errorf("state = %q, want refused", got)
				}
			})
		}
	})

	t.Run("RefuseOnlyApprovedOrSending", func(t *testing.T) {
		for _, st := range []tocsin.AlertState{tocsin.AlertDraft, tocsin.AlertSent, tocsin.AlertCancelled, tocsin.AlertRefused} {
			t.Run(string(st), func(t *testing.T) {
				b := setup(t, open)
				b.alert(t, newAlert("a1", st, 0))
				wantCode(t, b.s.RefuseAlert(b.ctx, "a1"), tocsin.ECONFLICT)
				if got := b.alertState(t, "a1"); got != st {
					t.Errorf("state = %q, want %q unchanged", got, st)
				}
			})
		}
	})

	t.Run("RefuseNotFound", func(t *testing.T) {
		b := setup(t, open)
		wantCode(t, b.s.RefuseAlert(b.ctx, "nope"), tocsin.ENOTFOUND)
	})

	t.Run("Roster", func(t *testing.T) { testSigned(t, open, rosterOps) })
	t.Run("Freeze", func(t *testing.T) { testSigned(t, open, freezeOps) })

	// Roster versions and freeze orders are numbered apart.
	t.Run("RosterAndFreezeApart", func(t *testing.T) {
		b := setup(t, open)
		must(t, b.s.PutRosterVersion(b.ctx, 1, []byte("roster")))
		must(t, b.s.PutFreezeOrder(b.ctx, 1, []byte("freeze")))
		must(t, b.s.AddRosterSig(b.ctx, 1, recSig("ka", 1)))
		wantCode(t, b.s.AddFreezeSig(b.ctx, 2, recSig("ka", 2)), tocsin.ENOTFOUND)
		wantCode(t, b.s.AddRosterSig(b.ctx, 2, recSig("ka", 2)), tocsin.ENOTFOUND)
		chain, err := b.s.RosterChain(b.ctx)
		must(t, err)
		wantSigned(t, "RosterChain", chain, store.Signed{Seq: 1, Body: []byte("roster"), Sigs: []store.Sig{recSig("ka", 1)}})
		orders, err := b.s.FreezeOrders(b.ctx, 0)
		must(t, err)
		wantSigned(t, "FreezeOrders", orders, store.Signed{Seq: 1, Body: []byte("freeze")})
	})

	t.Run("FreezeOrdersAfter", func(t *testing.T) {
		b := setup(t, open)
		for n := int64(1); n <= 3; n++ {
			must(t, b.s.PutFreezeOrder(b.ctx, n, recBody(n)))
			must(t, b.s.AddFreezeSig(b.ctx, n, recSig("ka", n)))
		}
		rec := func(n int64) store.Signed {
			return store.Signed{Seq: n, Body: recBody(n), Sigs: []store.Sig{recSig("ka", n)}}
		}
		tests := []struct {
			after int64
			want  []store.Signed
		}{
			{-1, []store.Signed{rec(1), rec(2), rec(3)}},
			{0, []store.Signed{rec(1), rec(2), rec(3)}},
			{1, []store.Signed{rec(2), rec(3)}},
			{2, []store.Signed{rec(3)}},
			{3, nil},
			{10, nil},
		}
		for _, tt := range tests {
			got, err := b.s.FreezeOrders(b.ctx, tt.after)
			must(t, err)
			wantSigned(t, "FreezeOrders("+itoa(tt.after)+")", got, tt.want...)
		}
	})

	t.Run("SecurityEvents", func(t *testing.T) {
		b := setup(t, open)
		got, err := b.s.ListSecurityEvents(b.ctx, 10)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("events of an empty store: %+v", got)
		}
		// Added out of time order: the list is by time.
		var added []*store.SecurityEvent
		for i, e := range []struct {
			kind string
			ago  time.Duration
		}{{"alert.refused", 2 * time.Minute}, {"freeze", 0}, {"roster.rejected", time.Minute}} {
			ev := &store.SecurityEvent{At: now.Add(-e.ago), Kind: e.kind, Subject: "s" + itoa(int64(i)), Detail: "why " + itoa(int64(i))}
			must(t, b.s.AddSecurityEvent(b.ctx, ev))
			if ev.ID == 0 || slices.ContainsFunc(added, func(a *store.SecurityEvent) bool { return a.ID == ev.ID }) {
				t.Fatalf("AddSecurityEvent gave ID %d", ev.ID)
			}
			added = append(added, ev)
		}
		kind := func(e store.SecurityEvent) string { return e.Kind }
		got, err = b.s.ListSecurityEvents(b.ctx, 10)
		must(t, err)
		if g := ids(got, kind); !slices.Equal(g, []string{"freeze", "roster.rejected", "alert.refused"}) {
			t.Fatalf("ListSecurityEvents = %v, want newest first", g)
		}
		for i, e := range got {
			w := added[[]int{1, 2, 0}[i]]
			if e.ID != w.ID || !e.At.Equal(w.At) || e.Kind != w.Kind || e.Subject != w.Subject || e.Detail != w.Detail {
				t.Errorf("event %d = %+v, want %+v", i, e, *w)
			}
		}
		got, err = b.s.ListSecurityEvents(b.ctx, 2)
		must(t, err)
		if g := ids(got, kind); !slices.Equal(g, []string{"freeze", "roster.rejected"}) {
			t.Errorf("ListSecurityEvents(2) = %v", g)
		}
	})
}
