package sender

import (
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// These tests play the attackers of the threat model: an operator acting
// alone, a thief of one key, and anyone with write access to the database.
// In each, nothing may be sent and a security event must say why.

var zip90210 = tocsin.Area{ZIPs: []string{"90210"}}

// subscribe joins n numbers to 90210 and returns them.
func (b *bundle) subscribe(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		num := "+1310555" + pad4(3000+i)
		b.text(t, num, "JOIN 90210")
		out = append(out, num)
	}
	return out
}

// refused checks that nobody got the alert, that it is refused, and that a
// security event of kind mentions want.
func (b *bundle) refused(t *testing.T, a *tocsin.Alert, numbers []string, kind, want string) {
	t.Helper()
	for _, n := range numbers {
		if b.gotAlert(t, n, a.Ref) {
			t.Fatalf("%s got the alert", n)
		}
	}
	got, err := b.store.GetAlert(b.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tocsin.AlertRefused {
		t.Errorf("state = %s, want refused", got.State)
	}
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, kind+": ") && strings.Contains(e, want) {
			return
		}
	}
	t.Errorf("no %s event mentioning %q; events: %q", kind, want, b.events(t))
}

func TestApprovalsAreVerified(t *testing.T) {
	tests := []struct {
		name    string
		bound   int
		signers []string
		want    string // in the refusal; "" means sent
	}{
		{name: "one signature for a small audience", bound: 25, signers: []string{"ana"}},
		{name: "k signatures", bound: 100, signers: []string{"ana", "bob"}},
		{name: "k-1 signatures", bound: 100, signers: []string{"ana"}, want: "need 2 signatures"},
		{name: "the same operator twice", bound: 100, signers: []string{"ana", "ana"}, want: "need 2 signatures"},
		{name: "a key not in the roster", bound: 100, signers: []string{"ana", "mallory"}, want: "need 2 signatures"},
		{name: "a viewer does not count", bound: 100, signers: []string{"ana", "cy"}, want: "need 2 signatures"},
		{name: "no signature at all", bound: 25, signers: nil, want: "need 1 signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 3)
			a := b.draftFor(t, zip90210, "Checkpoint at Main.", "", tt.bound)
			b.sign(t, a, tt.signers...)
			if err := b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now); err != nil {
				t.Fatal(err)
			}
			b.sender.Tick(b.ctx)
			if tt.want == "" {
				for _, n := range nums {
					if !b.gotAlert(t, n, a.Ref) {
						t.Errorf("%s did not get the alert; events %q", n, b.events(t))
					}
				}
				return
			}
			b.refused(t, a, nums, "alert.refused", tt.want)
		})
	}
}

// A signature over a different statement (other text, area or validity)
// does not approve this one.
func TestSignatureOverSomethingElse(t *testing.T) {
	tests := []struct {
		name   string
		change func(st *trust.Statement)
	}{
		{"other text", func(st *trust.Statement) { st.Texts["en"] = "[UNCONFIRMED] All clear, go home.\nRef X" }},
		{"other area", func(st *trust.Statement) { st.ZIPs = []string{"10001"} }},
		{"longer validity", func(st *trust.Statement) { st.ValidUntil = st.ValidUntil.Add(time.Hour) }},
		{"larger audience", func(st *trust.Statement) { st.MaxRecipients = 10 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 2)
			a := b.draftFor(t, zip90210, "Checkpoint at Main.", "", 5)
			signed, _ := trust.DecodeStatement(a.Statement)
			tt.change(signed)
			for _, n := range []string{"ana", "bob"} {
				ap, err := trust.SignStatement(b.ops[n], signed, b.now)
				if err != nil {
					t.Fatal(err)
				}
				b.store.AddApproval(b.ctx, &store.Approval{AlertID: a.ID, Kind: string(ap.Kind), KeyID: string(ap.KeyID), Digest: ap.Digest[:], Signature: ap.Signature, SignedAt: b.now})
			}
			b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now)
			b.sender.Tick(b.ctx)
			b.refused(t, a, nums, "alert.refused", "signature")
		})
	}
}

// An attacker with database access writes or edits alerts directly.
func TestDatabaseWriterCannotSend(t *testing.T) {
	t.Run("alert row inserted approved", func(t *testing.T) {
		b := setup(t)
		nums := b.subscribe(t, 2)
		b.attack(t, `INSERT INTO alerts (id, ref, state, confirmed, all_clear, body_en, body_es, area, report_ids, created_by, created_at, valid_until)
			VALUES ('evil0000evil0000', 'EVIL77', 'approved', 0, 0, 'Your information was sent to the authorities.', '', '{"zips":["90210"]}', '[]', 'x', ?, ?)`,
			b.now.Unix(), b.now.Add(time.Hour).Unix())
		b.sender.Tick(b.ctx)
		b.refused(t, &tocsin.Alert{ID: "evil0000evil0000", Ref: "EVIL77"}, nums, "alert.refused", "no valid signed statement")
	})
	t.Run("signed alert's text edited after approval", func(t *testing.T) {
		b := setup(t)
		nums := b.subscribe(t, 2)
		a := b.alert(t, zip90210, "Checkpoint at Main.", "")
		st, _ := trust.DecodeStatement(a.Statement)
		st.Texts["en"] = "[CONFIRMED] Your information was sent to the authorities.\nRef " + a.Ref
		forged, _ := st.Encode()
		b.attack(t, `UPDATE alerts SET statement = ?, body_en = ? WHERE id = ?`, forged, st.Texts["en"], a.ID)
		b.sender.Tick(b.ctx)
		b.refused(t, a, nums, "alert.refused", "need 2 signatures")
	})
	t.Run("replayed after sending", func(t *testing.T) {
		b := setup(t)
		nums := b.subscribe(t, 2)
		a := b.alert(t, zip90210, "Checkpoint at Main.", "")
		b.sender.Tick(b.ctx)
		before := len(b.lines(t))
		b.attack(t, `UPDATE alerts SET state = 'approved' WHERE id = ?`, a.ID)
		b.attack(t, `DELETE FROM deliveries WHERE alert_id = ?`, a.ID)
		b.sender.Tick(b.ctx)
		if after := len(b.lines(t)); after != before {
			t.Fatalf("%d more messages after the replay", after-before)
		}
		b.refused(t, a, nil, "alert.refused", "already sent")
		_ = nums
	})
	t.Run("statement swapped while sending", func(t *testing.T) {
		b := setup(t)
		b.sender.cfg.Batch = 1
		nums := b.subscribe(t, 15)
		a := b.alert(t, zip90210, "Checkpoint at Main.", "")
		b.sender.Tick(b.ctx) // ledger and a first round of ten
		st, _ := trust.DecodeStatement(a.Statement)
		st.Texts["en"] = "[CONFIRMED] Your information was sent to the authorities.\nRef " + a.Ref
		forged, _ := st.Encode()
		b.attack(t, `UPDATE alerts SET statement = ? WHERE id = ?`, forged, a.ID)
		b.sender.Tick(b.ctx)
		for _, l := range b.lines(t) {
			if strings.Contains(l.Body, "authorities") {
				t.Fatalf("forged text sent to %s", l.To)
			}
		}
		b.refused(t, a, nil, "alert.tampered", "not the one the sender verified")
		_ = nums
	})
	t.Run("ledger row inserted for someone else", func(t *testing.T) {
		b := setup(t)
		b.subscribe(t, 1)
		b.text(t, "+12125550999", "JOIN 10001") // outside the area
		a := b.draftFor(t, zip90210, "Checkpoint at Main.", "", 25)
		b.sign(t, a, "ana")
		b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now)
		approved, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertApproved}, 1)
		if err := b.sender.startAlert(b.ctx, approved[0]); err != nil {
			t.Fatal(err)
		}
		b.attack(t, `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) SELECT ?, id, -1, 'pending', x'00' FROM subscribers WHERE lang = 'en' AND id NOT IN (SELECT subscriber_id FROM deliveries WHERE alert_id = ?)`, a.ID, a.ID)
		b.sender.Tick(b.ctx)
		if b.gotAlert(t, "+12125550999", a.Ref) {
			t.Fatal("a forged ledger row was sent")
		}
		if !b.gotAlert(t, "+13105553000", a.Ref) {
			t.Error("the real recipient did not get the alert")
		}
		found := false
		for _, e := range b.events(t) {
			found = found || strings.HasPrefix(e, "ledger.forged")
		}
		if !found {
			t.Errorf("no ledger.forged event: %q", b.events(t))
		}
	})
	t.Run("queued text inserted", func(t *testing.T) {
		b := setup(t)
		n, _ := phoneParse("+13105550777")
		sealed, _ := b.sealer.Seal(n)
		b.attack(t, `INSERT INTO outbound (kind, to_sealed, body, created_at) VALUES ('reply', ?, 'Your information was sent to the authorities.', ?)`, sealed, b.now.Unix())
		b.sender.Tick(b.ctx)
		if len(b.sent(t, "+13105550777")) != 0 {
			t.Fatal("a forged queued text was sent")
		}
		found := false
		for _, e := range b.events(t) {
			found = found || strings.HasPrefix(e, "outbound.forged")
		}
		if !found {
			t.Errorf("no outbound.forged event: %q", b.events(t))
		}
	})
}

// A roster version not signed by the previous threshold, or a key written
// straight into the database, gives no power to approve.
func TestRosterChainIsVerified(t *testing.T) {
	b := setup(t)
	nums := b.subscribe(t, 2)
	r1 := b.rosterV1(t)
	// Version 2 adds mallory as a dispatcher, signed by mallory alone.
	mallory := b.newKey(t, "mallory")
	r2 := *r1
	r2.Version, r2.Prev, r2.IssuedAt = 2, r1.Digest(), b.now
	r2.Members = append(append([]trust.Member(nil), r1.Members...), trust.Member{Name: "mallory", Role: "dispatcher", Keys: []ed25519PublicKey{mallory.Public().(ed25519PublicKey)}})
	b.putRoster(t, &r2, mallory)
	a := b.draftFor(t, zip90210, "Checkpoint at Main.", "", 100)
	b.sign(t, a, "ana", "mallory")
	b.store.ApproveAlert(b.ctx, a.ID, "ana", b.now)
	b.sender.Tick(b.ctx)
	b.refused(t, a, nums, "alert.refused", "need 2 signatures")
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "roster.rejected: ") && strings.Contains(e, "version 2")
	}
	if !found {
		t.Errorf("no roster.rejected event naming version 2: %q", b.events(t))
	}
}

func TestFreeze(t *testing.T) {
	b := setup(t)
	b.sender.cfg.Batch = 1
	nums := b.subscribe(t, 30)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx) // ledger and one round of ten batches
	sentBefore := b.count(t, a.Ref)
	if sentBefore == 0 || sentBefore == len(nums) {
		t.Fatalf("%d sent after one round; the test needs a fan-out in progress", sentBefore)
	}
	// Any operator may freeze; this order is not even signed.
	b.order(t, 1, true)
	b.sender.Tick(b.ctx)
	if n := b.count(t, a.Ref); n != sentBefore {
		t.Fatalf("%d more sent after the freeze", n-sentBefore)
	}
	// Unfreezing needs the threshold (2): one signature is not enough.
	b.order(t, 2, false, "ana")
	b.sender.Tick(b.ctx)
	if n := b.count(t, a.Ref); n != sentBefore {
		t.Fatalf("%d more sent after an unfreeze signed by one operator", n-sentBefore)
	}
	b.signOrder(t, 2, "bob")
	for range 5 {
		b.sender.Tick(b.ctx)
	}
	if n := b.count(t, a.Ref); n != len(nums) {
		t.Errorf("%d of %d sent after the unfreeze", n, len(nums))
	}
}

// A stray unfreeze, signed by one operator while nothing is frozen, must not
// disable the kill switch: a later freeze still freezes.
func TestFreezeAfterStrayUnfreeze(t *testing.T) {
	b := setup(t)
	b.sender.cfg.Batch = 1
	b.subscribe(t, 30)
	b.order(t, 1, true)         // frozen
	b.order(t, 2, false, "ana") // a pending unfreeze: one of two signatures
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	b.order(t, 3, true)
	b.sender.Tick(b.ctx)
	if n := b.count(t, a.Ref); n != 0 {
		t.Fatalf("%d sent after a freeze that followed a stray unfreeze", n)
	}
	// The old unfreeze gathering its second signature does not undo the
	// later freeze.
	b.signOrder(t, 2, "bob")
	b.sender.Tick(b.ctx)
	if n := b.count(t, a.Ref); n != 0 {
		t.Fatalf("%d sent: an unfreeze older than the freeze took effect", n)
	}
}

// A crash after the sender recorded an alert as started but before its
// ledger was committed does not lose the alert: it is verified again and
// sent once. A committed alert is never started again.
func TestCrashBeforeLedgerCommit(t *testing.T) {
	b := setup(t)
	nums := b.subscribe(t, 3)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	st, _ := trust.DecodeStatement(a.Statement)
	if err := b.sender.state.RecordSent(a.ID, st.Digest(), b.now); err != nil {
		t.Fatal(err)
	}
	// Restart: a new sender reads the state directory again.
	b.sender = b.newSender(t, b.sender.cfg.Provider.(*outboxProvider), b.root.Public().(ed25519PublicKey))
	b.sender.Tick(b.ctx)
	for _, n := range nums {
		if c := countTo(b.lines(t), n, a.Ref); c != 1 {
			t.Errorf("%s got the alert %d times", n, c)
		}
	}
	if !b.sender.state.Sent[a.ID].Committed {
		t.Error("the alert is not recorded as committed")
	}
}

func countTo(lines []outboxLine, to, ref string) int {
	n := 0
	for _, l := range lines {
		if l.To == to && strings.Contains(l.Body, "Ref "+ref) {
			n++
		}
	}
	return n
}
