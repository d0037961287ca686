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
	if err != nil || size == 0 {
		t.Fatalf("checkpoint size %d, %v", size, err)
	}
	cp, err := tlog.Open(signed, vkey, "tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := b.store.LogIndex(b.ctx, tlog.LeafHash(a.Statement))
	if err != nil || idx >= size {
		t.Fatalf("the alert's statement is not under the checkpoint: %d, %v", idx, err)
	}
	entry, _ := b.store.LogEntry(b.ctx, idx)
	leaves := store.LogLeaves{Q: b.store}
	proof, err := tlog.InclusionProof(b.ctx, leaves, idx, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyInclusion(tlog.LeafHash(entry), idx, cp.Size, cp.Root, proof); err != nil {
		t.Errorf("inclusion: %v", err)
	}
	if st, _ := trust.DecodeStatement(entry); st.AlertID != a.ID {
		t.Errorf("entry for %s", st.AlertID)
	}

	// An attacker with database access appends an entry of their own.
	fake := []byte("tocsin alert statement v1\nid forged\n")
	h := tlog.LeafHash(fake)
	b.attack(t, `INSERT INTO log_leaves (idx, hash, entry) VALUES (?, ?, ?)`, size, h[:], fake)
	if err := b.sender.signCheckpoint(b.ctx); err != nil {
		t.Fatal(err)
	}
	if after, _, _ := b.store.LatestCheckpoint(b.ctx); after != size {
		t.Errorf("the sender signed a checkpoint of size %d over a forged entry", after)
	}
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "log.tampered")
	}
	if !found {
		t.Errorf("no log.tampered event: %q", b.events(t))
	}
}

// Roster versions, freeze orders and the audit trail's head go into the
// log under signed checkpoints, and the sender accepts its own entries when
// it checks the log.
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
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlog.Open(signed, vkey, "tocsin-test-log"); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for i := range size {
		e, _ := b.store.LogEntry(b.ctx, i)
		kinds[strings.SplitN(string(e), "\n", 2)[0]]++
	}
	if kinds["tocsin alert statement v1"] != 1 || kinds["tocsin roster v1"] != 1 || kinds["tocsin audit head v1"] < 1 {
		t.Errorf("log entries by kind: %v; want the statement, roster version 1 and an audit head", kinds)
	}
	// A freeze is logged too, once applied.
	b.order(t, 1, true)
	b.sender.frozen(b.ctx)
	if err := b.sender.commitAudit(b.ctx); err != nil {
		t.Fatal(err)
	}
	after, _, _ := b.store.LatestCheckpoint(b.ctx)
	found := false
	for i := size; i < after; i++ {
		e, _ := b.store.LogEntry(b.ctx, i)
		found = found || strings.HasPrefix(string(e), "tocsin freeze order v1")
	}
	if !found {
		t.Errorf("the freeze order is not under the checkpoint (log %d → %d entries)", size, after)
	}
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "log.tampered") || strings.HasPrefix(e, "audit.tampered") {
			t.Errorf("event %q", e)
		}
	}
}
