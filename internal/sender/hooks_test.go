package sender

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// toProvider is a fakeProvider whose inbound texts carry To, the number of
// ours they reached, as Twilio's and Kannel's do.
type toProvider struct{ *fakeProvider }

func (p toProvider) ParseHook(h sms.Hook) (sms.Event, error) {
	ev, err := p.fakeProvider.ParseHook(h)
	if err != nil || ev.Inbound == nil {
		return ev, err
	}
	if to, err := phone.Parse(h.Form.Get("To"), "US"); err == nil {
		ev.Inbound.To = to
	}
	return ev, nil
}

// hook queues a webhook request as the web tier seals it, and runs the
// sender once.
func (b *bundle) hook(t *testing.T, provider, sig string, form map[string]string) {
	t.Helper()
	h := sms.Hook{Provider: provider, URL: "https://example.org/hooks/sms/" + provider, Signature: sig, Form: map[string][]string{}}
	for k, v := range form {
		h.Form.Set(k, v)
	}
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := b.sealer.SealData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.store.AddHookRequest(b.ctx, &store.HookRequest{Provider: provider, Sealed: sealed, ReceivedAt: b.now}); err != nil {
		t.Fatal(err)
	}
	b.sender.Tick(b.ctx)
}

func TestSealInbound(t *testing.T) {
	b := setup(t)
	tests := []struct {
		name, from, to string // to "" = the provider did not say
	}{
		{"with To", "+13105550123", "+13105559001"},
		{"without To", "+13105550123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := &sms.InboundText{From: mustParse(t, tt.from), Body: "JOIN 90210"}
			if tt.to != "" {
				text.To = mustParse(t, tt.to)
			}
			in, err := b.sender.sealInbound(store.HookRequest{Provider: "p", ReceivedAt: b.now}, text)
			if err != nil {
				t.Fatal(err)
			}
			if in.Provider != "p" || in.Body != "JOIN 90210" || !in.ReceivedAt.Equal(b.now) {
				t.Errorf("inbound %+v", in)
			}
			if n, err := b.keys.Open(in.FromSealed); err != nil || n.E164() != tt.from {
				t.Errorf("FromSealed opens to %v, %v; want %s", n, err, tt.from)
			}
			if tt.to == "" {
				if in.ToSealed != nil {
					t.Errorf("ToSealed = %x, want nil", in.ToSealed)
				}
				return
			}
			if bytes.Contains(in.ToSealed, []byte(tt.to)) {
				t.Error("ToSealed holds the clear number")
			}
			if n, err := b.keys.Open(in.ToSealed); err != nil || n.E164() != tt.to {
				t.Errorf("ToSealed opens to %v, %v; want %s", n, err, tt.to)
			}
		})
	}
}

// A provider's inbound text to a canary subscriber is recognised by its To:
// a security event and no reply. Without To, or to another number of ours,
// it is an ordinary text.
func TestWebhookToCanary(t *testing.T) {
	const ours, canary, stranger = "+13105550100", "+13105559001", "+12025550177"
	tests := []struct {
		name       string
		to         string // "" = no To
		wantCanary bool
	}{
		{"to a canary", canary, true},
		{"to our number", ours, false},
		{"without To", "", false},
		{"to a short code", "12345", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			p := toProvider{&fakeProvider{name: "p"}}
			b.sender.routes = newRoutes([]Route{{Provider: p}})
			b.addCanary(t, "line-2", canary)
			form := map[string]string{"From": stranger, "Body": "JOIN 90210"}
			if tt.to != "" {
				form["To"] = tt.to
			}
			b.hook(t, "p", "good", form)

			var canaryEvents int
			for _, e := range b.events(t) {
				if strings.HasPrefix(e, "canary.subscriber: ") {
					canaryEvents++
				}
			}
			replies := p.calls // the replies went out through p
			if tt.wantCanary {
				if canaryEvents != 1 || replies != 0 {
					t.Errorf("%d canary events and %d replies; want 1 event and no reply", canaryEvents, replies)
				}
				if sub := b.subscriber(t, stranger); sub != nil {
					t.Error("a text to a canary subscribed its sender")
				}
			} else {
				if canaryEvents != 0 || replies != 1 {
					t.Errorf("%d canary events and %d replies; want none and one reply", canaryEvents, replies)
				}
				if sub := b.subscriber(t, stranger); sub == nil || !sub.Active {
					t.Error("JOIN did not subscribe")
				}
			}
			if hs, _ := b.store.ListHookRequests(b.ctx, 10); len(hs) != 0 {
				t.Errorf("%d hook requests left", len(hs))
			}
		})
	}
}

func mustParse(t *testing.T, s string) phone.Number {
	t.Helper()
	n, err := phone.Parse(s, "US")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebhookReplayed plays someone who captured one signed inbound text
// (a HELP, with its MessageSid) and posts it again: once to the running
// sender, once after deleting its record from the database, and once to a
// sender started afresh. The text is acted on once (one reply); each
// replay raises webhook.replayed and draws nothing.
func TestWebhookReplayed(t *testing.T) {
	b := setup(t)
	p := &fakeProvider{name: "p"}
	b.sender.routes = newRoutes([]Route{{Provider: p}})
	form := map[string]string{"From": "+12025550177", "Body": "HELP", "MessageSid": "SM0123456789"}
	replayed := func() int {
		n := 0
		for _, e := range b.events(t) {
			if strings.HasPrefix(e, "webhook.replayed: ") {
				n++
			}
		}
		return n
	}
	b.hook(t, "p", "good", form)
	if p.calls != 1 || replayed() != 0 {
		t.Fatalf("the first request: %d replies, %d replay events; want 1 and 0", p.calls, replayed())
	}
	b.hook(t, "p", "good", form)
	if p.calls != 1 || replayed() != 1 {
		t.Errorf("the same request again: %d replies, %d replay events; want 1 and 1", p.calls, replayed())
	}
	// A database writer forgets the hash: the running sender remembers.
	b.attack(t, `DELETE FROM hooks_seen`)
	b.hook(t, "p", "good", form)
	if p.calls != 1 || replayed() != 2 {
		t.Errorf("after hooks_seen was emptied: %d replies, %d replay events; want 1 and 2", p.calls, replayed())
	}
	// Another text (another MessageSid) is answered; a new sender (a
	// restart, or another coordinator) knows it from the database.
	form2 := map[string]string{"From": "+12025550177", "Body": "HELP", "MessageSid": "SM99"}
	b.hook(t, "p", "good", form2)
	s2, err := New(Config{Store: b.store, Keys: b.keys, Routes: []Route{{Provider: p}}, ZIPs: b.zips, Now: func() time.Time { return b.now }, StateDir: b.state})
	if err != nil {
		t.Fatal(err)
	}
	b.sender = s2
	b.hook(t, "p", "good", form2)
	if p.calls != 2 || replayed() != 3 {
		t.Errorf("a second text, then replayed to a new sender: %d replies, %d replay events; want 2 and 3", p.calls, replayed())
	}
	// Past the replay window the hash is forgotten (the same id is then
	// taken as new: the window bounds how old a replay must be).
	b.now = b.now.Add(HookReplayWindow + time.Hour)
	b.sender.Tick(b.ctx)
	db, err := sql.Open("sqlite", "file:"+b.dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var left int
	if err := db.QueryRowContext(b.ctx, `SELECT count(*) FROM hooks_seen`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d hashes kept past the replay window (%v)", left, err)
	}
	if b.sender.svc.inbound.Remembered() != 0 {
		t.Errorf("%d hashes kept in memory past the replay window", b.sender.svc.inbound.Remembered())
	}
	if hs, _ := b.store.ListHookRequests(b.ctx, 10); len(hs) != 0 {
		t.Errorf("%d hook requests left", len(hs))
	}
}
