package sender

import (
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// Every alert's statement is in the transparency log before its first
// message, under a checkpoint the sender signed; an entry the sender did not
// append stops it signing and raises an event.
func TestTransparencyLog(t *testing.T) {
	b := setup(t)
	skey, vkey, err := tlog.NewSigner("tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	b.subscribe(t, 2)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)

	size, signed, err := b.store.LatestCheckpoint(b.ctx)
	if err != nil || size != 1 {
		t.Fatalf("checkpoint size %d, %v; want 1", size, err)
	}
	cp, err := tlog.Open(signed, vkey, "tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	entry, err := b.store.LogEntry(b.ctx, 0)
	if err != nil || string(entry) != string(a.Statement) {
		t.Fatalf("log entry 0 is not the alert's statement: %v", err)
	}
	leaves := store.LogLeaves{Q: b.store}
	proof, err := tlog.InclusionProof(b.ctx, leaves, 0, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyInclusion(tlog.LeafHash(entry), 0, cp.Size, cp.Root, proof); err != nil {
		t.Errorf("inclusion: %v", err)
	}
	if st, _ := trust.DecodeStatement(entry); st.AlertID != a.ID {
		t.Errorf("entry for %s", st.AlertID)
	}

	// An attacker with database access appends an entry of their own.
	fake := []byte("tocsin alert statement v1\nid forged\n")
	h := tlog.LeafHash(fake)
	b.attack(t, `INSERT INTO log_leaves (idx, hash, entry) VALUES (1, ?, ?)`, h[:], fake)
	if err := b.sender.signCheckpoint(b.ctx); err != nil {
		t.Fatal(err)
	}
	if size, _, _ := b.store.LatestCheckpoint(b.ctx); size != 1 {
		t.Errorf("the sender signed a checkpoint of size %d over a forged entry", size)
	}
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "log.tampered")
	}
	if !found {
		t.Errorf("no log.tampered event: %q", b.events(t))
	}
}

// The audit trail's head goes into the log, under a signed checkpoint, and
// the sender accepts its own head entries when it checks the log.
func TestAuditHeadCommitted(t *testing.T) {
	b := setup(t)
	skey, vkey, _ := tlog.NewSigner("tocsin-test-log")
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	b.subscribe(t, 1)
	b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx) // one statement in the log; audit entries written
	if err := b.sender.commitAudit(b.ctx); err != nil {
		t.Fatal(err)
	}
	size, signed, err := b.store.LatestCheckpoint(b.ctx)
	if err != nil || size != 2 {
		t.Fatalf("checkpoint size %d, %v; want the statement and an audit head", size, err)
	}
	if _, err := tlog.Open(signed, vkey, "tocsin-test-log"); err != nil {
		t.Fatal(err)
	}
	entry, _ := b.store.LogEntry(b.ctx, 1)
	if !strings.HasPrefix(string(entry), "tocsin audit head v1\n") {
		t.Errorf("entry 1 = %q", entry)
	}
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "log.tampered") || strings.HasPrefix(e, "audit.tampered") {
			t.Errorf("event %q", e)
		}
	}
}
