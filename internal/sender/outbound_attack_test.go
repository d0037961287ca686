package sender

import (
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/sender/state"
)

// A database writer keeps copies of queued texts (a trigger) and puts them
// back after they were sent, again and again, after a restart too: each
// text goes out once, and the copies raise one outbound.replayed event.
func TestQueuedTextReplayed(t *testing.T) {
	b := setup(t)
	const num = "+13105550142"
	b.attack(t, `CREATE TABLE mallory AS SELECT * FROM outbound WHERE 0`)
	b.attack(t, `CREATE TRIGGER mallory AFTER INSERT ON outbound BEGIN INSERT INTO mallory SELECT * FROM outbound WHERE id = NEW.id; END`)
	b.text(t, num, "JOIN 90210")
	b.text(t, num, "STOP") // an opted-out number's confirmation too
	sent := len(b.sent(t, num))
	if sent != 2 {
		t.Fatalf("%d replies, want 2 (JOIN, STOP)", sent)
	}
	replay := func() {
		b.attack(t, `INSERT INTO outbound (kind, to_sealed, body, created_at, mac) SELECT kind, to_sealed, body, created_at, mac FROM mallory`)
	}
	for range 3 {
		replay()
		b.sender.Tick(b.ctx)
	}
	if n := len(b.sent(t, num)); n != sent {
		t.Fatalf("%d more texts after the copies were put back: %q", n-sent, b.sent(t, num)[sent:])
	}
	if n := b.eventCount(t, "outbound.replayed"); n != 1 {
		t.Errorf("%d outbound.replayed events, want 1: %q", n, b.events(t))
	}
	// Restarted, the sender still knows what it sent.
	b.sender = b.newSender(t, b.sender.cfg.Provider.(*outboxProvider), b.root.Public().(ed25519PublicKey))
	replay()
	b.sender.Tick(b.ctx)
	if n := len(b.sent(t, num)); n != sent {
		t.Fatalf("%d more texts after a restart", n-sent)
	}
	// Past their time to live, copies are stale and refused for that; the
	// record forgets them.
	b.now = b.now.Add(state.TextsTTL + time.Hour)
	replay()
	b.sender.Tick(b.ctx)
	if n := len(b.sent(t, num)); n != sent {
		t.Fatalf("%d more texts once the copies were stale", n-sent)
	}
	if n := len(b.sender.state.Texts.Queued); n != 0 {
		t.Errorf("the record still holds %d stale texts", n)
	}
}

// Two equal replies queued in the same second are two texts, not a text
// and its copy: both go out.
func TestEqualRepliesBothSent(t *testing.T) {
	b := setup(t)
	const num = "+13105550143"
	first := b.text(t, num, "HELP")
	second := b.text(t, num, "HELP")
	if len(first) != 1 || len(second) != 1 || first[0] != second[0] {
		t.Fatalf("replies %q then %q, want the same one each time", first, second)
	}
	if n := b.eventCount(t, "outbound.replayed"); n != 0 {
		t.Errorf("%d outbound.replayed events for two genuine texts", n)
	}
}

// Forged queued texts inserted every round raise one outbound.forged event
// a minute, not one a text.
func TestForgedQueuedTextsRaiseFewEvents(t *testing.T) {
	b := setup(t)
	n, _ := phoneParse("+13105550777")
	sealed, _ := b.sealer.Seal(n)
	for range 3 {
		for range 2 {
			b.attack(t, `INSERT INTO outbound (kind, to_sealed, body, created_at) VALUES ('reply', ?, 'Your information was sent to the authorities.', ?)`, sealed, b.now.Unix())
		}
		b.sender.Tick(b.ctx)
	}
	if len(b.sent(t, "+13105550777")) != 0 {
		t.Fatal("a forged queued text was sent")
	}
	if n := b.eventCount(t, "outbound.forged"); n != 1 {
		t.Errorf("%d outbound.forged events in three rounds within a minute, want 1", n)
	}
	b.now = b.now.Add(time.Minute)
	b.attack(t, `INSERT INTO outbound (kind, to_sealed, body, created_at) VALUES ('reply', ?, 'x', ?)`, sealed, b.now.Unix())
	b.sender.Tick(b.ctx)
	if e := b.events(t)[0]; !strings.HasPrefix(e, "outbound.forged: 5 queued texts") {
		t.Errorf("the next event does not count the texts held back: %s", e)
	}
}
