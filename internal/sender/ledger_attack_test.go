package sender

import (
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
)

// A database writer adds or edits rows of a sending alert's ledger. Each
// row the sender did not write is skipped with one ledger.forged event; the
// rest of the alert goes out, each recipient once, and the alert completes.
func TestForgedLedgerRowDoesNotStallTheAlert(t *testing.T) {
	tests := []struct {
		name   string
		attack string // with the alert id as ?1
		forged bool   // a ledger.forged event is expected
	}{
		{"a recipient's row copied to another seq", `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac)
			SELECT alert_id, subscriber_id, 99, 'pending', mac FROM deliveries WHERE alert_id = ?1 AND seq = 0`, true},
		{"a row for nobody", `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) VALUES (?1, 987654, 50, 'pending', x'00')`, true},
		{"a row whose subscriber id is text", `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) VALUES (?1, 'mallory', 51, 'pending', x'00')`, true},
		{"a row whose seq is text", `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) VALUES (?1, 1, 'x', 'pending', x'00')`, false},
		{"a row's mac made an integer", `UPDATE deliveries SET mac = 7 WHERE alert_id = ?1 AND seq = 1`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			nums := b.subscribe(t, 3)
			a := b.alert(t, zip90210, "Checkpoint at Main.", "")
			approved, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertApproved}, 1)
			if err := b.sender.startAlert(b.ctx, approved[0]); err != nil {
				t.Fatal(err)
			}
			b.attack(t, tt.attack, a.ID)
			for range 3 {
				b.sender.Tick(b.ctx)
			}
			got := 0
			for _, n := range nums {
				if c := countTo(b.lines(t), n, a.Ref); c > 1 {
					t.Errorf("%s got the alert %d times", n, c)
				} else {
					got += c
				}
			}
			want := len(nums)
			if tt.name == "a row's mac made an integer" {
				want-- // that recipient's row is the forged one
			}
			if got != want {
				t.Fatalf("%d of %d recipients got the alert: the ledger stalled; events %q", got, want, b.events(t))
			}
			if st := alertOf(t, b, a.ID).State; st != tocsin.AlertSent {
				t.Errorf("alert state %s, want sent", st)
			}
			if n := b.eventCount(t, "ledger.forged"); tt.forged && n != 1 {
				t.Errorf("%d ledger.forged events, want 1: %q", n, b.events(t))
			}
		})
	}
}

// An alert whose ledger a writer made unreadable for good does not hold
// up the alerts behind it, and is a security event, not only a log line.
func TestStalledAlertDoesNotBlockOthers(t *testing.T) {
	b := setup(t)
	nums := b.subscribe(t, 2)
	older := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.now = b.now.Add(1e9)
	newer := b.alert(t, zip90210, "Checkpoint at Elm.", "")
	for _, a := range []*tocsin.Alert{older, newer} {
		approved := alertOf(t, b, a.ID)
		if err := b.sender.startAlert(b.ctx, *approved); err != nil {
			t.Fatal(err)
		}
	}
	b.attack(t, `CREATE TRIGGER mallory BEFORE UPDATE ON deliveries WHEN NEW.alert_id = '`+newer.ID+`' BEGIN SELECT RAISE(ABORT, 'mallory'); END`)
	for range 5 { // stallRounds
		b.sender.Tick(b.ctx)
	}
	for _, n := range nums {
		if !b.gotAlert(t, n, older.Ref) {
			t.Errorf("%s did not get the older alert: the stalled one held it up", n)
		}
	}
	if n := b.eventCount(t, "ledger.stalled"); n != 1 {
		t.Errorf("%d ledger.stalled events, want 1: %q", n, b.events(t))
	}
	b.sender.Tick(b.ctx)
	if n := b.eventCount(t, "ledger.stalled"); n != 1 {
		t.Errorf("ledger.stalled raised again: %d", n)
	}
}

func alertOf(t *testing.T, b *bundle, id string) *tocsin.Alert {
	t.Helper()
	a, err := b.store.GetAlert(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A writer who sets a forged row back to pending every round gets one
// ledger.forged event a minute, not one a round.
func TestForgedLedgerRowSetBackRaisesFewEvents(t *testing.T) {
	b := setup(t)
	b.subscribe(t, 1)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	approved, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertApproved}, 1)
	if err := b.sender.startAlert(b.ctx, approved[0]); err != nil {
		t.Fatal(err)
	}
	b.attack(t, `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) VALUES (?, 987654, 50, 'pending', x'00')`, a.ID)
	// A row another sender holds keeps the alert sending meanwhile.
	b.attack(t, `INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac, claimed_by, claimed_at) VALUES (?, 987655, 60, 'sending', x'00', 'other', ?)`, a.ID, b.now.Add(time.Hour).Unix())
	for range 5 {
		b.attack(t, `UPDATE deliveries SET status = 'pending' WHERE alert_id = ? AND seq = 50`, a.ID)
		b.sender.Tick(b.ctx)
	}
	if n := b.eventCount(t, "ledger.forged"); n != 1 {
		t.Errorf("%d ledger.forged events in five rounds within a minute, want 1", n)
	}
	b.now = b.now.Add(forgedEvery)
	b.attack(t, `UPDATE deliveries SET status = 'pending' WHERE alert_id = ? AND seq = 50`, a.ID)
	b.sender.Tick(b.ctx)
	if n := b.eventCount(t, "ledger.forged"); n != 2 {
		t.Errorf("%d ledger.forged events a minute later, want 2", n)
	}
	if e := b.events(t)[0]; !strings.Contains(e, "5 ledger rows") {
		t.Errorf("the second event does not count the rows held back: %s", e)
	}
}
