package sender

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// fakeProvider records what it accepted, fails as told, and can list and
// take webhooks, like a real gateway.
type fakeProvider struct {
	name string
	fail func(n int) error // the error for the n-th call (from 1), nil to accept

	mu       sync.Mutex
	calls    int
	accepted map[string]int // idempotency key → times accepted
	ids      []string
	listed   []sms.Record // extra records, as if sent by someone else
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Send(ctx context.Context, m sms.Message) (sms.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail != nil {
		if err := p.fail(p.calls); err != nil {
			return sms.Result{}, err
		}
	}
	if p.accepted == nil {
		p.accepted = map[string]int{}
	}
	p.accepted[m.IdempotencyKey]++
	id := fmt.Sprintf("%s-%d", p.name, p.calls)
	p.ids = append(p.ids, id)
	return sms.Result{ProviderID: id}, nil
}

func (p *fakeProvider) ListSent(ctx context.Context, since time.Time) ([]sms.Record, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []sms.Record
	for _, id := range p.ids {
		out = append(out, sms.Record{ProviderID: id})
	}
	return append(out, p.listed...), nil
}

func (p *fakeProvider) ParseHook(h sms.Hook) (sms.Event, error) {
	if h.Signature != "good" {
		return sms.Event{}, sms.ErrForged
	}
	if id := h.Form.Get("id"); id != "" {
		return sms.Event{Receipt: &sms.Receipt{ProviderID: id, Status: sms.ReceiptStatus(h.Form.Get("status"))}}, nil
	}
	n, err := phone.Parse(h.Form.Get("From"), "US")
	if err != nil {
		return sms.Event{}, err
	}
	return sms.Event{Inbound: &sms.InboundText{From: n, Body: h.Form.Get("Body"), ID: h.Form.Get("MessageSid")}}, nil
}

func temporary(n int) error { return fmt.Errorf("%w: 503", sms.ErrTemporary) }

func TestFailoverLosesAndDuplicatesNothing(t *testing.T) {
	b := setup(t)
	dead := &fakeProvider{name: "primary", fail: temporary}
	spare := &fakeProvider{name: "secondary"}
	b.sender.routes = newRoutes([]Route{{Provider: dead}, {Provider: spare}})
	b.seedSubscribers(t, 40)
	a := b.alertFor(t, zip90210, 40)
	for range 10 {
		b.sender.Tick(b.ctx)
	}
	if dead.calls < failuresBeforeFailover {
		t.Errorf("the primary was tried %d times, want at least %d", dead.calls, failuresBeforeFailover)
	}
	if len(spare.accepted) != 40 {
		t.Fatalf("the secondary accepted %d distinct messages, want 40", len(spare.accepted))
	}
	for k, n := range spare.accepted {
		if n != 1 || !strings.HasPrefix(k, "alert-"+a.ID) {
			t.Errorf("%s accepted %d times", k, n)
		}
	}
	got, _ := b.store.GetAlert(b.ctx, a.ID)
	if got.Sent != 40 {
		t.Errorf("ledger: %d sent", got.Sent)
	}
}

func TestRetriesAfter429AndNotAfterPermanent(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(n int) error
		wantCalls int
		wantSent  bool
	}{
		{"429 then accepted", func(n int) error {
			if n <= 2 {
				return fmt.Errorf("%w: 429", sms.ErrTemporary)
			}
			return nil
		}, 3, true},
		{"invalid number is not retried", func(int) error { return fmt.Errorf("%w: 21211", sms.ErrPermanent) }, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			p := &fakeProvider{name: "p", fail: tt.fail}
			b.sender.routes = newRoutes([]Route{{Provider: p}})
			b.seedSubscribers(t, 1)
			a := b.alertFor(t, zip90210, 1)
			for range 3 {
				b.sender.Tick(b.ctx)
			}
			got, _ := b.store.GetAlert(b.ctx, a.ID)
			if p.calls != tt.wantCalls || (got.Sent == 1) != tt.wantSent || (got.Failed == 1) == tt.wantSent {
				t.Errorf("calls %d, sent %d, failed %d; want %d calls, sent %v", p.calls, got.Sent, got.Failed, tt.wantCalls, tt.wantSent)
			}
		})
	}
}

func TestReconciliationFreezesOnAMessageWeDidNotSend(t *testing.T) {
	b := setup(t)
	p := &fakeProvider{name: "p"}
	b.sender.routes = newRoutes([]Route{{Provider: p}})
	nums := b.subscribe(t, 2) // two welcome replies go through p
	b.sender.Tick(b.ctx)
	if ev := b.events(t); len(ev) != 0 {
		t.Fatalf("events before any stranger: %q", ev)
	}
	// Someone with our credentials sends through the provider directly.
	p.listed = append(p.listed, sms.Record{ProviderID: "SMstolen"})
	b.now = b.now.Add(2 * time.Minute)
	b.sender.Tick(b.ctx)
	found := false
	for _, e := range b.events(t) {
		found = found || strings.HasPrefix(e, "provider.unknown_messages: ") && strings.Contains(e, "SMstolen")
	}
	if !found {
		t.Fatalf("no provider.unknown_messages event: %q", b.events(t))
	}
	if !b.sender.frozen(b.ctx) {
		t.Fatal("outbound messaging is not frozen")
	}
	before := len(b.lines(t))
	b.text(t, nums[0], "HELP")
	if len(p.ids) != 2 || len(b.lines(t)) != before {
		t.Errorf("a text went out while frozen")
	}
}

func TestWebhooks(t *testing.T) {
	b := setup(t)
	p := &fakeProvider{name: "p"}
	b.sender.routes = newRoutes([]Route{{Provider: p}})
	hook := func(sig string, form map[string]string) {
		h := sms.Hook{Provider: "p", URL: "https://example.org/hooks/sms/p", Signature: sig, Form: map[string][]string{}}
		for k, v := range form {
			h.Form.Set(k, v)
		}
		raw, _ := json.Marshal(h)
		sealed, _ := b.sealer.SealData(raw)
		if err := b.store.AddHookRequest(b.ctx, &store.HookRequest{Provider: "p", Sealed: sealed, ReceivedAt: b.now}); err != nil {
			t.Fatal(err)
		}
		b.sender.Tick(b.ctx)
	}
	hook("good", map[string]string{"From": "+13105550100", "Body": "JOIN 90210"})
	if sub := b.subscriber(t, "+13105550100"); sub == nil || !sub.Active {
		t.Fatal("a signed inbound JOIN did not subscribe")
	}
	hook("forged", map[string]string{"From": "+13105550100", "Body": "STOP"})
	if sub := b.subscriber(t, "+13105550100"); !sub.Active {
		t.Fatal("a forged STOP took effect")
	}
	if ev := b.events(t); len(ev) != 1 || !strings.HasPrefix(ev[0], "webhook.forged") {
		t.Errorf("events = %q, want one webhook.forged", ev)
	}
	a := b.alertFor(t, zip90210, 1)
	b.sender.Tick(b.ctx)
	id := p.ids[len(p.ids)-1]
	hook("good", map[string]string{"id": id, "status": "delivered"})
	c, err := b.store.DeliveryCounts(b.ctx, a.ID)
	if err != nil || c.Delivered != 1 || c.Accepted != 1 {
		t.Errorf("counts %+v, %v; want 1 accepted, 1 delivered", c, err)
	}
	if hs, _ := b.store.ListHookRequests(b.ctx, 10); len(hs) != 0 {
		t.Errorf("%d hook requests left", len(hs))
	}
}

// A copy of a verified alert that the provider lists but the sender never
// recorded (its answer was lost, and the message was sent again) is not a
// stranger: no freeze. Any other text is.
func TestReconciliationKnowsLostAnswers(t *testing.T) {
	b := setup(t)
	p := &fakeProvider{name: "p"}
	b.sender.routes = newRoutes([]Route{{Provider: p}})
	b.subscribe(t, 1)
	a := b.alert(t, zip90210, "Checkpoint at Main.", "")
	b.sender.Tick(b.ctx)
	st, _ := trustDecode(a.Statement)
	p.listed = append(p.listed, sms.Record{ProviderID: "SMlost", Body: st.Texts["en"]})
	b.now = b.now.Add(2 * time.Minute)
	b.sender.Tick(b.ctx)
	if b.sender.frozen(b.ctx) {
		t.Fatalf("a lost answer's copy froze messaging: %q", b.events(t))
	}
	p.listed = append(p.listed, sms.Record{ProviderID: "SMfake", Body: "[CONFIRMED] Your information has been sent to the authorities.\nRef " + a.Ref})
	b.now = b.now.Add(2 * time.Minute)
	b.sender.Tick(b.ctx)
	if !b.sender.frozen(b.ctx) {
		t.Fatal("a text we never signed did not freeze messaging")
	}
}
