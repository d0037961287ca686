package sender

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// withLog gives the sender a log key and returns the verifier key.
func (b *bundle) withLog(t *testing.T) string {
	t.Helper()
	skey, vkey, err := tlog.NewSigner("tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	return vkey
}

// noticeStatement is a notice as the console drafts it.
func (b *bundle) noticeStatement(id, body string) *trust.NoticeStatement {
	return &trust.NoticeStatement{ID: id, Origin: "tocsin-test-log", CreatedAt: b.now, ValidFrom: b.now, ValidUntil: b.now.Add(trust.MaxNoticeValidity),
		Titles: map[string]string{"en": "Fake texts"}, Bodies: map[string]string{"en": body}}
}

// approvedNotice stores a notice signed by the named operators and marks it
// approved, as the web tier does at quorum (or a database writer at will).
func (b *bundle) approvedNotice(t *testing.T, body string, signers ...string) *tocsin.Notice {
	t.Helper()
	st := b.noticeStatement(tocsin.NewID(), body)
	enc, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	n := &tocsin.Notice{ID: st.ID, TitleEN: "Fake texts", BodyEN: body, Statement: enc, CreatedBy: "root-admin", CreatedAt: b.now}
	if err := b.store.CreateNotice(b.ctx, n); err != nil {
		t.Fatal(err)
	}
	for _, name := range signers {
		ap, err := trust.SignNotice(b.ops[name], st, b.now)
		if err != nil {
			t.Fatal(err)
		}
		b.addNoticeApproval(t, n.ID, ap)
	}
	if err := b.store.ApproveNotice(b.ctx, n.ID); err != nil {
		t.Fatal(err)
	}
	return n
}

func (b *bundle) addNoticeApproval(t *testing.T, id string, ap *trust.Approval) {
	t.Helper()
	if err := b.store.AddNoticeApproval(b.ctx, &store.Approval{AlertID: id, Kind: string(ap.Kind), KeyID: string(ap.KeyID),
		Digest: ap.Digest[:], Signature: ap.Signature, SignedAt: ap.SignedAt}); err != nil {
		t.Fatal(err)
	}
}

// inLog reports whether entry is in the log under a checkpoint that
// verifies with vkey.
func (b *bundle) inLog(t *testing.T, vkey string, entry []byte) bool {
	t.Helper()
	size, signed, err := b.store.LatestCheckpoint(b.ctx)
	if err != nil {
		return false
	}
	cp, err := tlog.Open(signed, vkey, "tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	i, err := b.store.LogIndex(b.ctx, tlog.LeafHash(entry))
	if err != nil || i >= size {
		return false
	}
	proof, err := tlog.InclusionProof(b.ctx, store.LogLeaves{Q: b.store}, i, size)
	return err == nil && tlog.VerifyInclusion(tlog.LeafHash(entry), i, size, cp.Root, proof) == nil
}

func (b *bundle) noticeState(t *testing.T, id string) tocsin.NoticeState {
	t.Helper()
	n, err := b.store.GetNotice(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return n.State
}

func hasEvent(events []string, kind string) bool {
	for _, e := range events {
		if strings.HasPrefix(e, kind+":") {
			return true
		}
	}
	return false
}

// A notice signed by two operators is published: its statement in the log
// under a checkpoint the sender signed, then marked published.
func TestNoticePublished(t *testing.T) {
	b := setup(t)
	vkey := b.withLog(t)
	n := b.approvedNotice(t, "We did not send them.", "ana", "bob")
	b.sender.Tick(b.ctx)
	if got := b.noticeState(t, n.ID); got != tocsin.NoticePublished {
		t.Fatalf("state %s, want published; events %q", got, b.events(t))
	}
	if !b.inLog(t, vkey, n.Statement) {
		t.Fatal("the published notice is not in the log under a signed checkpoint")
	}
	pub, _ := b.store.GetNotice(b.ctx, n.ID)
	if pub.PublishedBy != "ana, bob" {
		t.Errorf("published by %q", pub.PublishedBy)
	}
	if evs := b.events(t); len(evs) != 0 {
		t.Errorf("events %q", evs)
	}
	// Later rounds accept the notice in the log and sign on.
	b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	if hasEvent(b.events(t), "log.tampered") {
		t.Errorf("events %q", b.events(t))
	}
}

// Notices the sender refuses: never in the log, never published, and a
// security event for each.
func TestNoticeAttacks(t *testing.T) {
	tests := []struct {
		name   string
		attack func(t *testing.T, b *bundle) *tocsin.Notice
		event  string
	}{
		{"one operator", func(t *testing.T, b *bundle) *tocsin.Notice {
			return b.approvedNotice(t, "We were hacked.", "ana")
		}, "notice.refused"},
		{"one operator, marked approved by a database writer", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We were hacked.")
			st, _ := trust.DecodeNotice(n.Statement)
			ap, _ := trust.SignNotice(b.ops["ana"], st, b.now)
			b.addNoticeApproval(t, n.ID, ap)
			return n
		}, "notice.refused"},
		{"a viewer as second signer", func(t *testing.T, b *bundle) *tocsin.Notice {
			return b.approvedNotice(t, "We were hacked.", "ana", "cy")
		}, "notice.refused"},
		{"an alert signature replayed as a notice signature", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We were hacked.", "ana")
			a := b.draft(t, zip90210, "Checkpoint at Main.", "")
			st, _ := trust.DecodeStatement(a.Statement)
			ap, _ := trust.SignStatement(b.ops["bob"], st, b.now)
			b.addNoticeApproval(t, n.ID, ap) // as signed, over the alert's digest
			nst, _ := trust.DecodeNotice(n.Statement)
			ap.Digest = nst.Digest() // bob's key, alert domain, notice digest
			ap.Signature = ed25519.Sign(b.ops["bob"], append([]byte("tocsin/alert-approval/v1\x00"), ap.Digest[:]...))
			b.addNoticeApproval(t, n.ID, ap) // replaces the first: one approval per key
			return n
		}, "notice.refused"},
		{"text edited after approval", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We did not send them.", "ana", "bob")
			b.attack(t, `UPDATE notices SET body_en = ? WHERE id = ?`, "Your information was sent to the authorities.", n.ID)
			return n
		}, "notice.tampered"},
		{"statement and text edited after approval", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We did not send them.", "ana", "bob")
			st := b.noticeStatement(n.ID, "Your information was sent to the authorities.")
			enc, _ := st.Encode()
			b.attack(t, `UPDATE notices SET body_en = ?, statement = ? WHERE id = ?`, st.Bodies["en"], enc, n.ID)
			n.Statement = enc
			return n
		}, "notice.tampered"},
		{"a notice for another log", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We did not send them.", "ana", "bob")
			st, _ := trust.DecodeNotice(n.Statement)
			st.Origin = "someone-elses-log"
			enc, _ := st.Encode()
			b.attack(t, `UPDATE notices SET statement = ? WHERE id = ?`, enc, n.ID)
			n.Statement = enc
			return n
		}, "notice.tampered"},
		{"expired", func(t *testing.T, b *bundle) *tocsin.Notice {
			n := b.approvedNotice(t, "We did not send them.", "ana", "bob")
			b.now = b.now.Add(trust.MaxNoticeValidity)
			return n
		}, "notice.refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			vkey := b.withLog(t)
			n := tt.attack(t, b)
			b.sender.Tick(b.ctx)
			if got := b.noticeState(t, n.ID); got != tocsin.NoticeRefused {
				t.Errorf("state %s, want refused", got)
			}
			if b.inLog(t, vkey, n.Statement) {
				t.Error("the notice is in the log")
			}
			if !hasEvent(b.events(t), tt.event) {
				t.Errorf("no %s event: %q", tt.event, b.events(t))
			}
		})
	}
}

// A notice statement a database writer appends to the log itself, unsigned,
// is never signed over.
func TestForgedNoticeInTheLog(t *testing.T) {
	b := setup(t)
	b.withLog(t)
	b.sender.Tick(b.ctx)
	size, _, _ := b.store.LatestCheckpoint(b.ctx)
	n := b.approvedNotice(t, "We were hacked.", "ana") // one signature: not enough
	h := tlog.LeafHash(n.Statement)
	b.attack(t, `INSERT INTO log_leaves (idx, hash, entry) VALUES (?, ?, ?)`, size, h[:], n.Statement)
	b.attack(t, `UPDATE notices SET state = 'published', published_by = 'ana, bob', published_at = ? WHERE id = ?`, b.now.Unix(), n.ID)
	if err := b.sender.signCheckpoint(b.ctx); err != nil {
		t.Fatal(err)
	}
	if after, _, _ := b.store.LatestCheckpoint(b.ctx); after != size {
		t.Errorf("the sender signed a checkpoint of size %d over a forged notice", after)
	}
	if !hasEvent(b.events(t), "log.tampered") {
		t.Errorf("no log.tampered event: %q", b.events(t))
	}
}
