package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// ledgerBundle is an approved alert a1 and five subscribers, listed in the
// order the ledger sends to them, which is not the order of their ids.
type ledgerBundle struct {
	*testBundle
	subs []*tocsin.Subscriber // in sending order
	rs   []tocsin.Recipient
}

func setupLedger(t *testing.T, open func(t *testing.T) store.Store) *ledgerBundle {
	t.Helper()
	b := &ledgerBundle{testBundle: setup(t, open)}
	byID := make([]*tocsin.Subscriber, 5)
	for i := range byID {
		s := newSubscriber("s" + itoa(int64(i)))
		s.Lang = []tocsin.Language{tocsin.English, tocsin.Spanish}[i%2]
		s.Active = i != 3
		byID[i] = b.save(t, s)
	}
	for i, k := range []int{2, 0, 4, 1, 3} {
		b.subs = append(b.subs, byID[k])
		r := tocsin.Recipient{SubscriberID: byID[k].ID, DistanceM: float64(100 * (i + 1))}
		if i != 4 { // the last row has no MAC, like rows written before MACs
			r.MAC = []byte("mac:a1:" + itoa(r.SubscriberID) + ":" + itoa(int64(i)) + "\x00\xff")
		}
		b.rs = append(b.rs, r)
	}
	b.alert(t, newAlert("a1", tocsin.AlertDraft, 0))
	must(t, b.s.ApproveAlert(b.ctx, "a1", "admin1", now))
	return b
}

// sending writes the ledger of a1.
func (b *ledgerBundle) sending(t *testing.T) {
	t.Helper()
	must(t, b.s.CreateLedger(b.ctx, "a1", b.rs))
}

func (b *ledgerBundle) claim(t *testing.T, limit int) []store.DeliveryJob {
	t.Helper()
	jobs, err := b.s.ClaimDeliveries(b.ctx, "a1", limit, "w1", claimTime)
	must(t, err)
	return jobs
}

// claimed returns the sending-order index of each job's subscriber.
func (b *ledgerBundle) claimed(jobs []store.DeliveryJob) []int {
	out := make([]int, len(jobs))
	for i, j := range jobs {
		out[i] = slices.IndexFunc(b.subs, func(s *tocsin.Subscriber) bool { return s.ID == j.SubscriberID })
	}
	return out
}

// finish records status for the deliveries of a1 to the subscribers at idx.
func (b *ledgerBundle) finish(t *testing.T, status tocsin.DeliveryStatus, idx ...int) {
	t.Helper()
	var ds []tocsin.Delivery
	for _, i := range idx {
		d := tocsin.Delivery{AlertID: "a1", SubscriberID: b.subs[i].ID, Seq: i, Status: status, Attempts: 1}
		switch status {
		case tocsin.DeliverySent:
			d.ProviderID = "SM" + itoa(int64(i))
		case tocsin.DeliveryFailed:
			d.Error = "30003 unreachable"
		}
		ds = append(ds, d)
	}
	must(t, b.s.FinishDeliveries(b.ctx, ds))
}

func (b *ledgerBundle) complete(t *testing.T) bool {
	t.Helper()
	ok, err := b.s.CompleteAlert(b.ctx, "a1")
	must(t, err)
	return ok
}

func testDeliveries(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("CreateLedger", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		a, err := b.s.GetAlert(b.ctx, "a1")
		must(t, err)
		if a.State != tocsin.AlertSending || a.Recipients != len(b.rs) {
			t.Errorf("after CreateLedger: state %q, recipients %d; want sending, %d", a.State, a.Recipients, len(b.rs))
		}
		wantCode(t, b.s.CreateLedger(b.ctx, "a1", b.rs), tocsin.ECONFLICT)
		if got := b.claimed(b.claim(t, 100)); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("ledger order = %v, want the recipients' order", got)
		}
	})

	t.Run("CreateLedgerOnlyFromApproved", func(t *testing.T) {
		for _, st := range []tocsin.AlertState{tocsin.AlertDraft, tocsin.AlertSending, tocsin.AlertSent, tocsin.AlertCancelled} {
			t.Run(string(st), func(t *testing.T) {
				b := setup(t, open)
				b.alert(t, newAlert("a1", st, 0))
				wantCode(t, b.s.CreateLedger(b.ctx, "a1", []tocsin.Recipient{{SubscriberID: 1}}), tocsin.ECONFLICT)
				if got := b.alertState(t, "a1"); got != st {
					t.Errorf("state = %q, want %q unchanged", got, st)
				}
				jobs, err := b.s.ClaimDeliveries(b.ctx, "a1", 10, "w1", claimTime)
				must(t, err)
				if len(jobs) != 0 {
					t.Errorf("refused CreateLedger left %d deliveries", len(jobs))
				}
			})
		}
	})

	// A ledger that names a subscriber twice is refused whole: nothing is
	// written and the alert stays approved (an alert left sending with half
	// a ledger would be completed as sent).
	t.Run("CreateLedgerRefusesDuplicates", func(t *testing.T) {
		b := setupLedger(t, open)
		rs := slices.Concat(b.rs, b.rs[:1]) // the first recipient twice
		wantCode(t, b.s.CreateLedger(b.ctx, "a1", rs), tocsin.EINVALID)
		if got := b.alertState(t, "a1"); got != tocsin.AlertApproved {
			t.Errorf("state after a failed CreateLedger = %q, want approved", got)
		}
		jobs, err := b.s.ClaimDeliveries(b.ctx, "a1", 100, "w1", claimTime)
		must(t, err)
		if len(jobs) != 0 {
			t.Errorf("failed CreateLedger left %d deliveries", len(jobs))
		}
	})

	t.Run("ClaimInSeqOrder", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		jobs := b.claim(t, 2)
		if got := b.claimed(jobs); !slices.Equal(got, []int{0, 1}) {
			t.Fatalf("first claim = %v, want [0 1]", got)
		}
		if jobs[0].Seq >= jobs[1].Seq {
			t.Errorf("seqs %d, %d not increasing", jobs[0].Seq, jobs[1].Seq)
		}
		b.finish(t, tocsin.DeliverySent, 0, 1)
		if got := b.claimed(b.claim(t, 2)); !slices.Equal(got, []int{2, 3}) {
			t.Fatalf("second claim = %v, want [2 3]", got)
		}
	})

	t.Run("ClaimJobFields", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		for i, j := range b.claim(t, 10) {
			s := b.subs[i]
			if j.AlertID != "a1" || j.SubscriberID != s.ID || j.Status != tocsin.DeliverySending || j.Attempts != 1 {
				t.Errorf("job %d = %+v", i, j.Delivery)
			}
			if !bytes.Equal(j.Sealed, s.Sealed) || j.Lang != s.Lang || j.Active != s.Active {
				t.Errorf("job %d: sealed %q lang %q active %v; want %q %q %v", i, j.Sealed, j.Lang, j.Active, s.Sealed, s.Lang, s.Active)
			}
			if !bytes.Equal(j.MAC, b.rs[i].MAC) || !bytes.Equal(j.PhoneHash, s.PhoneHash) {
				t.Errorf("job %d: mac %q phone hash %q; want %q %q", i, j.MAC, j.PhoneHash, b.rs[i].MAC, s.PhoneHash)
			}
		}
	})

	// A ledger row whose subscriber is not there (deleted, or a row a
	// database writer made up) does not make the claim fail: it comes back
	// without a number and inactive, beside the others, each filled.
	t.Run("ClaimMissingSubscriber", func(t *testing.T) {
		b := setupLedger(t, open)
		rs := slices.Clone(b.rs)
		rs[1].SubscriberID = 1 << 40 // nobody
		must(t, b.s.CreateLedger(b.ctx, "a1", rs))
		jobs := b.claim(t, 10)
		if len(jobs) != len(rs) {
			t.Fatalf("claimed %d rows, want %d", len(jobs), len(rs))
		}
		for i, j := range jobs {
			switch {
			case i == 1 && (j.SubscriberID != 1<<40 || j.Sealed != nil || j.PhoneHash != nil || j.Active):
				t.Errorf("job for nobody = %+v, want no number, inactive", j)
			case i != 1 && !bytes.Equal(j.Sealed, b.subs[i].Sealed):
				t.Errorf("job %d: sealed %q, want %q", i, j.Sealed, b.subs[i].Sealed)
			}
		}
	})

	// Rows claimed by one worker are never claimed by another; a sender
	// that crashed after claiming left rows sending, and ReleaseClaims (run
	// when a sender starts) puts them back, counting the attempt.
	t.Run("ClaimReclaimsSending", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		b.claim(t, 2) // the sender dies here
		if got := b.claimed(b.claim(t, 1)); !slices.Equal(got, []int{2}) {
			t.Fatalf("a second claim took %v, want only [2]: claimed rows must not be claimed twice", got)
		}
		n, err := b.s.ReleaseClaims(b.ctx, "w1", claimTime.Add(-time.Hour), claimTime)
		must(t, err)
		if n != 3 {
			t.Errorf("released %d rows, want 3", n)
		}
		jobs := b.claim(t, 3)
		if got := b.claimed(jobs); !slices.Equal(got, []int{0, 1, 2}) {
			t.Fatalf("claim after a crash = %v, want [0 1 2]", got)
		}
		for i, want := range []int{2, 2, 2} {
			if jobs[i].Attempts != want {
				t.Errorf("job %d attempts = %d, want %d", i, jobs[i].Attempts, want)
			}
		}
	})

	// Several senders share a ledger: a starting sender releases its own
	// rows and the stale rows of a dead one, never a live one's.
	t.Run("ReleaseOwnAndStaleClaims", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		_, err := b.s.ClaimDeliveries(b.ctx, "a1", 1, "live", claimTime)
		must(t, err)
		_, err = b.s.ClaimDeliveries(b.ctx, "a1", 1, "dead", claimTime.Add(-time.Hour))
		must(t, err)
		_, err = b.s.ClaimDeliveries(b.ctx, "a1", 1, "me", claimTime)
		must(t, err)
		// "slow" claimed long ago but is alive (a slow provider's pace).
		_, err = b.s.ClaimDeliveries(b.ctx, "a1", 1, "slow", claimTime.Add(-time.Hour))
		must(t, err)
		_, err = b.s.TryLease(b.ctx, "member/slow", "slow", claimTime, time.Minute)
		must(t, err)
		n, err := b.s.ReleaseClaims(b.ctx, "me", claimTime.Add(-10*time.Minute), claimTime)
		must(t, err)
		if n != 2 {
			t.Errorf("released %d rows, want 2 (mine and the dead sender's; not the live slow one's)", n)
		}
		jobs := b.claim(t, 10)
		if got := b.claimed(jobs); !slices.Equal(got, []int{1, 2, 4}) {
			t.Errorf("claimable after release: %v, want [1 2 4] (row 0 is the live sender's, row 3 the slow one's)", got)
		}
	})

	t.Run("ClaimSkipsFinished", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		b.claim(t, 5)
		b.finish(t, tocsin.DeliverySent, 0, 3)
		b.finish(t, tocsin.DeliveryFailed, 1)
		b.finish(t, tocsin.DeliverySkipped, 4)
		_, err := b.s.ReleaseClaims(b.ctx, "w1", claimTime.Add(-time.Hour), claimTime)
		must(t, err)
		if got := b.claimed(b.claim(t, 10)); !slices.Equal(got, []int{2}) {
			t.Errorf("claim = %v, want only the unfinished [2]", got)
		}
		b.finish(t, tocsin.DeliverySent, 2)
		if jobs := b.claim(t, 10); len(jobs) != 0 {
			t.Errorf("claim after everything finished = %v", b.claimed(jobs))
		}
	})

	t.Run("ClaimOnlyThisAlert", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		b.alert(t, newAlert("a2", tocsin.AlertDraft, 0))
		must(t, b.s.ApproveAlert(b.ctx, "a2", "admin1", now))
		must(t, b.s.CreateLedger(b.ctx, "a2", b.rs[:2]))
		jobs, err := b.s.ClaimDeliveries(b.ctx, "a2", 10, "w1", claimTime)
		must(t, err)
		for _, j := range jobs {
			if j.AlertID != "a2" {
				t.Errorf("claim of a2 returned %+v", j.Delivery)
			}
		}
		if got := b.claimed(jobs); !slices.Equal(got, []int{0, 1}) {
			t.Errorf("claim of a2 = %v, want [0 1]", got)
		}
		if got := b.claimed(b.claim(t, 10)); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("claim of a1 = %v: a2's claim touched a1", got)
		}
	})

	t.Run("Complete", func(t *testing.T) {
		b := setupLedger(t, open)
		b.sending(t)
		if b.complete(t) {
			t.Fatal("completed with every row pending")
		}
		b.claim(t, 5)
		b.finish(t, tocsin.DeliverySent, 0, 2, 3)
		b.finish(t, tocsin.DeliveryFailed, 1)
		if b.complete(t) {
			t.Fatal("completed with a row still sending")
		}
		if got := b.alertState(t, "a1"); got != tocsin.AlertSending {
			t.Fatalf("state = %q, want sending", got)
		}
		b.finish(t, tocsin.DeliverySkipped, 4)
		if !b.complete(t) {
			t.Fatal("not completed with every row finished")
		}
		a, err := b.s.GetAlert(b.ctx, "a1")
		must(t, err)
		if a.State != tocsin.AlertSent || a.Recipients != 5 || a.Sent != 3 || a.Failed != 1 {
			t.Errorf("alert: state %q recipients %d sent %d failed %d; want sent 5 3 1", a.State, a.Recipients, a.Sent, a.Failed)
		}
		if b.complete(t) {
			t.Error("completed a second time")
		}
	})

	t.Run("CompleteEmptyLedger", func(t *testing.T) {
		b := setupLedger(t, open)
		must(t, b.s.CreateLedger(b.ctx, "a1", nil))
		if !b.complete(t) {
			t.Fatal("an alert with no recipients did not complete")
		}
		a, err := b.s.GetAlert(b.ctx, "a1")
		must(t, err)
		if a.State != tocsin.AlertSent || a.Recipients != 0 || a.Sent != 0 || a.Failed != 0 {
			t.Errorf("alert: state %q recipients %d sent %d failed %d", a.State, a.Recipients, a.Sent, a.Failed)
		}
	})

	t.Run("CompleteOnlySending", func(t *testing.T) {
		for _, st := range []tocsin.AlertState{tocsin.AlertDraft, tocsin.AlertApproved, tocsin.AlertSent, tocsin.AlertCancelled} {
			t.Run(string(st), func(t *testing.T) {
				b := setup(t, open)
				b.alert(t, newAlert("a1", st, 0))
				ok, err := b.s.CompleteAlert(b.ctx, "a1")
				must(t, err)
				if ok {
					t.Errorf("CompleteAlert of a %s alert reported done", st)
				}
				if got := b.alertState(t, "a1"); got != st {
					t.Errorf("state = %q, want %q unchanged", got, st)
				}
			})
		}
	})
}
