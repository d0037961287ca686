package sender

import (
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms/outbox"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// worker is a second sender process on the bundle's database: the same
// keys, its own state directory and its own outbox.
func (b *bundle) worker(t *testing.T, name string, isWorker bool) (*Sender, string) {
	t.Helper()
	dir := t.TempDir()
	box := filepath.Join(dir, "outbox.jsonl")
	ob, err := outbox.Open(box, func() time.Time { return b.now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ob.Close() })
	s, err := New(Config{Store: b.store, Keys: b.keys, Provider: ob, ZIPs: b.zips, Now: func() time.Time { return b.now },
		TrustAnchor: b.root.Public().(ed25519.PublicKey), StateDir: filepath.Join(dir, name), Worker: isWorker})
	if err != nil {
		t.Fatal(err)
	}
	return s, box
}

func linesIn(t *testing.T, path string) []outbox.Line { return outboxLines(t, path) }

// A worker delivers what the primary started, never starts an alert itself,
// and together they send each recipient the alert exactly once.
func TestWorkerSharesTheLedger(t *testing.T) {
	b := setup(t)
	b.sender.cfg.Batch = 1
	w, box := b.worker(t, "w", true)
	w.cfg.Batch = 1
	nums := b.subscribe(t, 40)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")

	w.Tick(b.ctx) // the worker sees an approved alert: not its work
	if got, _ := b.store.GetAlert(b.ctx, a.ID); got.State != tocsin.AlertApproved {
		t.Fatalf("a worker moved the alert to %s", got.State)
	}
	b.sender.Tick(b.ctx) // the primary starts it and sends a round
	for range 10 {
		w.Tick(b.ctx)
		b.sender.Tick(b.ctx)
	}
	all := append(b.lines(t), linesIn(t, box)...)
	for _, n := range nums {
		if c := countTo(all, n, a.Ref); c != 1 {
			t.Errorf("%s got the alert %d times", n, c)
		}
	}
	if byWorker := len(linesIn(t, box)); byWorker == 0 {
		t.Error("the worker sent none of the ledger")
	}
	if got, _ := b.store.GetAlert(b.ctx, a.ID); got.State != tocsin.AlertSent {
		t.Errorf("alert is %s, want sent", got.State)
	}
	if evs := b.events(t); len(evs) != 0 {
		t.Errorf("security events: %q", evs)
	}
}

// An attacker with database access cannot make a worker send: a forged
// start record, or a statement swapped under a real one.
func TestWorkerRefusesWhatNoSenderStarted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		attack func(t *testing.T, b *bundle, a *tocsin.Alert)
	}{
		{"start record forged", func(t *testing.T, b *bundle, a *tocsin.Alert) {
			st, _ := trust.DecodeStatement(a.Statement)
			d := st.Digest()
			b.attack(t, `UPDATE alerts SET state = 'sending' WHERE id = ?`, a.ID)
			b.attack(t, `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) SELECT ?, id, id, 'pending', x'00' FROM subscribers`, a.ID)
			b.attack(t, `INSERT INTO alert_starts (alert_id, digest, started_at, mac) VALUES (?, ?, ?, x'0102')`, a.ID, d[:], b.now.Unix())
		}},
		{"statement swapped after the start", func(t *testing.T, b *bundle, a *tocsin.Alert) {
			b.sender.cfg.Batch = 1
			b.sender.Tick(b.ctx) // started, a first round sent
			st, _ := trust.DecodeStatement(a.Statement)
			st.Texts["en"] = "[CONFIRMED] Your information was sent to the authorities.\nRef " + a.Ref
			forged, _ := st.Encode()
			b.attack(t, `UPDATE alerts SET statement = ? WHERE id = ?`, forged, a.ID)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := setup(t)
			w, box := b.worker(t, "w", true)
			b.subscribe(t, 30)
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			tc.attack(t, b, a)
			w.Tick(b.ctx)
			for _, l := range linesIn(t, box) {
				if strings.Contains(l.Body, "authorities") || strings.Contains(l.Body, "Ref "+a.Ref) {
					t.Fatalf("the worker sent %q", l.Body)
				}
			}
			found := false
			for _, e := range b.events(t) {
				found = found || strings.HasPrefix(e, "alert.tampered")
			}
			if !found {
				t.Errorf("no alert.tampered event: %q", b.events(t))
			}
		})
	}
}

// A new primary (a fresh state directory, as after a host is replaced)
// refuses an alert some sender already started: the database remembers it
// under the sender's MAC even when this process does not.
func TestNewPrimaryRefusesAReplay(t *testing.T) {
	b := setup(t)
	nums := b.subscribe(t, 2)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	before := len(b.lines(t))
	b.sender.dropLeases(b.ctx)
	p2, box := b.worker(t, "p2", false)
	b.attack(t, `UPDATE alerts SET state = 'approved' WHERE id = ?`, a.ID)
	b.attack(t, `DELETE FROM deliveries WHERE alert_id = ?`, a.ID)
	p2.Tick(b.ctx)
	if n := len(linesIn(t, box)) + len(b.lines(t)) - before; n != 0 {
		t.Fatalf("%d messages after the replay", n)
	}
	b.refused(t, a, nil, "alert.refused", "already started")
	_ = nums
}

// Two primaries never act at once: the second waits for the lease.
func TestOnePrimaryAtATime(t *testing.T) {
	b := setup(t)
	b.sender.Tick(b.ctx)
	p2, _ := b.worker(t, "p2", false)
	p2.Tick(b.ctx)
	if !b.sender.roles.primary || p2.roles.primary {
		t.Fatalf("primary: first %v, second %v; want the first only", b.sender.roles.primary, p2.roles.primary)
	}
	if p2.roles.coordinator {
		t.Error("two coordinators at once")
	}
	// The first stops: the second takes over at its next round.
	b.sender.dropLeases(b.ctx)
	p2.Tick(b.ctx)
	if !p2.roles.primary || !p2.roles.coordinator {
		t.Errorf("after the first stopped the second is %+v", p2.roles)
	}
}

// Live senders share each provider's pace: two senders, half each.
func TestPaceIsShared(t *testing.T) {
	b := setup(t)
	b.sender.routes[0].Rate = 100
	b.sender.routes[0].lim.SetLimit(100)
	b.sender.Tick(b.ctx)
	if got := b.sender.routes[0].lim.Limit(); got != 100 {
		t.Fatalf("alone: limit %v, want 100", got)
	}
	w, _ := b.worker(t, "w", true)
	w.Tick(b.ctx)
	b.sender.Tick(b.ctx)
	if got := b.sender.routes[0].lim.Limit(); got != rate.Limit(50) {
		t.Errorf("with a worker: limit %v, want 50", got)
	}
	// The worker's lease lapses (it died): the whole pace comes back.
	b.now = b.now.Add(time.Minute)
	b.sender.Tick(b.ctx)
	if got := b.sender.routes[0].lim.Limit(); got != 100 {
		t.Errorf("after the worker died: limit %v, want 100", got)
	}
}

// Only the coordinator handles inbound texts: two senders, one reply.
func TestOneReplyWithTwoSenders(t *testing.T) {
	b := setup(t)
	w, box := b.worker(t, "w", true)
	b.sender.Tick(b.ctx) // the primary is coordinator
	n, _ := phone.Parse("+13105550142", "US")
	sealed, _ := b.sealer.Seal(n)
	if err := b.store.AddInbound(b.ctx, &tocsin.Inbound{Provider: "outbox", FromSealed: sealed, Body: "JOIN 90210", ReceivedAt: b.now}); err != nil {
		t.Fatal(err)
	}
	w.Tick(b.ctx) // the worker first: not its work
	if n := len(linesIn(t, box)); n != 0 {
		t.Fatalf("the worker replied (%d texts)", n)
	}
	b.sender.Tick(b.ctx)
	replies := b.sent(t, "+13105550142")
	if len(replies) != 1 {
		t.Errorf("the primary sent %d replies, want 1", len(replies))
	}
	if n := len(linesIn(t, box)); n != 0 {
		t.Errorf("the worker also replied (%d texts)", n)
	}
}

// A standby primary with a fresh directory takes the transparency log over
// from the first: it adopts the newest signed checkpoint, signs the next
// over the first's entries and its own, and raises no false alarm; a
// forged checkpoint is not adopted.
func TestPrimaryFailover(t *testing.T) {
	b := setup(t)
	skey, vkey, err := tlog.NewSigner("tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	b.subscribe(t, 2)
	b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	b.now = b.now.Add(2 * time.Minute)
	b.sender.Tick(b.ctx) // the audit head and the roster in the log
	first, _, err := b.store.LatestCheckpoint(b.ctx)
	if err != nil || first < 2 {
		t.Fatalf("first primary's checkpoint: size %d, %v", first, err)
	}
	b.sender.dropLeases(b.ctx) // the first primary's host is lost

	p2, _ := b.worker(t, "standby", false)
	p2.cfg.LogKey, p2.cfg.LogOrigin = skey, "tocsin-test-log"
	a2 := b.alert(t, zip90210, "Second alert, from the standby.", "")
	p2.Tick(b.ctx)
	b.now = b.now.Add(2 * time.Minute)
	p2.Tick(b.ctx)
	for _, e := range b.events(t) {
		if strings.HasPrefix(e, "log.tampered") {
			t.Fatalf("false alarm on takeover: %s", e)
		}
	}
	size, signed, err := b.store.LatestCheckpoint(b.ctx)
	if err != nil || size <= first {
		t.Fatalf("the standby signed no new checkpoint: %d (first %d), %v", size, first, err)
	}
	if _, err := tlog.Open(signed, vkey, "tocsin-test-log"); err != nil {
		t.Fatal(err)
	}
	if idx, err := b.store.LogIndex(b.ctx, tlog.LeafHash(a2.Statement)); err != nil || idx >= size {
		t.Errorf("the standby's alert is not under its checkpoint: %d, %v", idx, err)
	}

	// A forged newest checkpoint (another key) is not taken over.
	b.sender.dropLeases(b.ctx)
	p2.dropLeases(b.ctx)
	other, _, _ := tlog.NewSigner("tocsin-test-log")
	forged, _ := tlog.Sign(tlog.Checkpoint{Origin: "tocsin-test-log", Size: size + 5, Root: [32]byte{1}}, other)
	if err := b.store.PutCheckpoint(b.ctx, size+5, forged); err != nil {
		t.Fatal(err)
	}
	p3, _ := b.worker(t, "third", false)
	p3.cfg.LogKey, p3.cfg.LogOrigin = skey, "tocsin-test-log"
	p3.Tick(b.ctx)
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "log.tampered") && strings.Contains(e, "does not verify")
	}
	if !found {
		t.Errorf("a forged checkpoint was taken over silently: %q", b.events(t))
	}
}

// A standby primary with an empty directory refuses a replay even when the
// database writer deleted the alert's start record: the statement is in the
// transparency log.
func TestReplayAfterFailoverWithoutStartRecord(t *testing.T) {
	b := setup(t)
	skey, _, err := tlog.NewSigner("tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	b.subscribe(t, 2)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	before := len(b.lines(t))
	b.sender.dropLeases(b.ctx)
	b.attack(t, `DELETE FROM alert_starts WHERE alert_id = ?`, a.ID)
	b.attack(t, `UPDATE alerts SET state = 'approved' WHERE id = ?`, a.ID)
	b.attack(t, `DELETE FROM deliveries WHERE alert_id = ?`, a.ID)
	p2, box := b.worker(t, "standby", false)
	p2.cfg.LogKey, p2.cfg.LogOrigin = skey, "tocsin-test-log"
	p2.Tick(b.ctx)
	if n := len(linesIn(t, box)) + len(b.lines(t)) - before; n != 0 {
		t.Fatalf("%d messages after the replay", n)
	}
	b.refused(t, a, nil, "alert.refused", "transparency log already")
}

// A database writer rolls the log back (deletes the newest checkpoint and
// the log's tail) and resets the alert it held, to replay it through a
// standby: the standby saw the newest checkpoint while it waited, refuses to
// take the older one over, raises log.tampered, and starts nothing.
func TestStandbyRefusesARolledBackLog(t *testing.T) {
	b := setup(t)
	skey, _, err := tlog.NewSigner("tocsin-test-log")
	if err != nil {
		t.Fatal(err)
	}
	b.sender.cfg.LogKey, b.sender.cfg.LogOrigin = skey, "tocsin-test-log"
	p2, box := b.worker(t, "standby", false)
	p2.cfg.LogKey, p2.cfg.LogOrigin = skey, "tocsin-test-log"
	b.subscribe(t, 2)
	b.alert(t, zip90210, "First alert.", "")
	b.sender.Tick(b.ctx)
	first, _, _ := b.store.LatestCheckpoint(b.ctx)
	a2 := b.alert(t, zip90210, "Second alert.", "")
	b.sender.Tick(b.ctx)
	p2.Tick(b.ctx) // the standby watches the newest checkpoint
	before := len(b.lines(t))

	b.attack(t, `DELETE FROM log_checkpoints WHERE size > ?`, first)
	b.attack(t, `DELETE FROM log_leaves WHERE idx >= ?`, first)
	b.attack(t, `DELETE FROM alert_starts WHERE alert_id = ?`, a2.ID)
	b.attack(t, `UPDATE alerts SET state = 'approved' WHERE id = ?`, a2.ID)
	b.attack(t, `DELETE FROM deliveries WHERE alert_id = ?`, a2.ID)
	b.sender.dropLeases(b.ctx)
	p2.Tick(b.ctx)
	p2.Tick(b.ctx)
	if n := len(linesIn(t, box)) + len(b.lines(t)) - before; n != 0 {
		t.Fatalf("%d messages after the rollback", n)
	}
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "log.tampered") && strings.Contains(e, "rolled back")
	}
	if !found {
		t.Errorf("no log.tampered event for the rollback: %q", b.events(t))
	}
}

// A database writer sets a finished alert back to sending and its rows back
// to pending: nothing goes out again, and an event says why. The same for
// rows of an alert still being sent that were handed over already.
func TestRewrittenLedgerIsNotResent(t *testing.T) {
	t.Run("completed alert", func(t *testing.T) {
		b := setup(t)
		b.subscribe(t, 3)
		a := b.alert(t, zip90210, "Checkpoint at Main.", "")
		for range 3 {
			b.sender.Tick(b.ctx)
		}
		if got, _ := b.store.GetAlert(b.ctx, a.ID); got.State != tocsin.AlertSent {
			t.Fatalf("alert %s, want sent", got.State)
		}
		before := len(b.lines(t))
		b.attack(t, `UPDATE alerts SET state = 'sending' WHERE id = ?`, a.ID)
		b.attack(t, `UPDATE deliveries SET status = 'pending', provider_id = '' WHERE alert_id = ?`, a.ID)
		b.sender.Tick(b.ctx)
		if n := len(b.lines(t)) - before; n != 0 {
			t.Fatalf("%d messages after the ledger was reset", n)
		}
		b.refused(t, a, nil, "alert.tampered", "completed is sending again")
	})
	t.Run("rows of an alert in progress", func(t *testing.T) {
		b := setup(t)
		b.sender.cfg.Batch = 1
		b.subscribe(t, 30)
		a := b.alert(t, zip90210, "Checkpoint at Main.", "")
		b.sender.Tick(b.ctx) // a first round
		sent := b.count(t, a.Ref)
		b.attack(t, `UPDATE deliveries SET status = 'pending' WHERE alert_id = ? AND status = 'sent'`, a.ID)
		for range 5 {
			b.sender.Tick(b.ctx)
		}
		for _, n := range b.subscribers30(t) {
			if c := countTo(b.lines(t), n, a.Ref); c > 1 {
				t.Fatalf("%s got the alert %d times", n, c)
			}
		}
		found := false
		for _, e := range b.events(t) {
			found = found || strings.HasPrefix(e, "ledger.replayed")
		}
		if !found || sent == 0 {
			t.Errorf("no ledger.replayed event (sent %d before the rewrite): %q", sent, b.events(t))
		}
	})
}

// subscribers30 are the numbers subscribe(t, 30) joined.
func (b *bundle) subscribers30(t *testing.T) []string {
	var out []string
	for i := range 30 {
		out = append(out, "+1310555"+pad4(3000+i))
	}
	return out
}
