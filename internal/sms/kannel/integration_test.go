package kannel_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/sms/kannel"
	"github.com/tocsin/tocsin/internal/sms/kannel/kanneltest"
)

const hookSecret = "integration-hook-secret-0123456789"

// hookServer stands in for tocsin's /hooks/sms/kannel: it decodes every
// call with ParseHook and hands the events over.
type hookServer struct {
	*httptest.Server
	events chan sms.Event
	errs   chan error
}

func newHookServer(t *testing.T, p *kannel.Provider) *hookServer {
	h := &hookServer{events: make(chan sms.Event, 1000), errs: make(chan error, 100)}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := p.ParseHook(sms.Hook{Provider: "kannel", URL: r.URL.String(), Form: r.URL.Query()})
		if err != nil {
			select {
			case h.errs <- err:
			default:
			}
			http.Error(w, "", http.StatusForbidden)
			return
		}
		h.events <- ev
		// An empty answer: Kannel must not turn it into a reply (the web
		// role cannot send; max-messages = 0 in the sms-service).
	}))
	t.Cleanup(h.Close)
	return h
}

func TestKannelIntegration(t *testing.T) {
	// The hook server needs a provider to decode with, and Kannel's
	// configuration needs the hook URL: a first provider, with the same
	// secret, serves for the hooks.
	hookP, err := kannel.New(kannel.Config{SendSMSURL: "http://127.0.0.1:1/cgi-bin/sendsms", Username: "u", Password: "p", HookSecret: hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	hooks := newHookServer(t, hookP)
	hookURL := hooks.URL + "/hooks/sms/kannel"
	k := kanneltest.Start(t, kanneltest.Options{InboundURL: hookP.InboundGetURL(hookURL)})

	p, err := kannel.New(kannel.Config{
		SendSMSURL: k.SendSMSURL(), Username: k.Username(), Password: k.Password(),
		From: "12345", SMSC: k.SMSCID(), DLRURL: hookURL, HookSecret: hookSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// 50 messages, GSM-7 and Spanish UCS-2, sent by 8 workers.
	type sent struct {
		to, body, id string
		ucs2         bool
		parts        int
	}
	const n = 50
	msgs := make([]sent, n)
	for i := range msgs {
		msgs[i] = sent{to: fmt.Sprintf("+1310555%04d", i), body: fmt.Sprintf("ALERT %d: checkpoint at Main & 5th, avoid the area. ¿Peña? Reply STOP to end", i)}
		msgs[i].parts = 1
		switch i % 10 {
		case 3: // UCS-2, 2 parts of 67 characters
			msgs[i].body = fmt.Sprintf("Redada %d en la calle Álvaro Obregón; evítenla. Más información: tocsin.example", i)
			msgs[i].ucs2, msgs[i].parts = true, 2
		case 5: // GSM-7, 2 parts of 153 characters
			msgs[i].body = fmt.Sprintf("ALERT %d (confirmed): immigration checkpoint on Main St between 5th and 7th Ave, "+
				"two unmarked vans and several agents. Avoid the area; know your rights: tocsin.example/rights. Reply STOP to end", i)
			msgs[i].parts = 2
		case 7:
			msgs[i].body = fmt.Sprintf("⚠ %d Retén confirmado", i)
			msgs[i].ucs2 = true
		case 9:
			msgs[i].body = fmt.Sprintf("ALERT %d\nAll clear on Main St.\nReply STOP to end", i)
		}
	}
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, n)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				to, err := phone.Parse(msgs[i].to, "US")
				if err != nil {
					errs <- err
					continue
				}
				res, err := p.Send(ctx, sms.Message{To: to, Body: msgs[i].body, IdempotencyKey: fmt.Sprintf("alert-1/%d", i),
					ValidUntil: time.Now().Add(2 * time.Hour)})
				if err != nil {
					errs <- fmt.Errorf("message %d: %w", i, err)
					continue
				}
				msgs[i].id = res.ProviderID
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Every message at fakesmsc, with the right text and coding.
	got, err := k.WaitReceived(ctx, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("fakesmsc got %d messages, want %d", len(got), n)
	}
	byTo := map[string]kanneltest.MT{}
	for _, m := range got {
		if _, dup := byTo[m.To]; dup {
			t.Errorf("two messages to %s", m.To)
		}
		byTo[m.To] = m
	}
	for i, m := range msgs {
		mt, ok := byTo[m.to]
		if !ok {
			t.Errorf("message %d never reached fakesmsc", i)
			continue
		}
		wantType := "text"
		if m.ucs2 {
			wantType = "ucs-2"
		}
		if mt.Text != m.body || mt.Type != wantType || mt.From != "12345" || mt.Parts != m.parts {
			t.Errorf("message %d arrived as %s in %d parts %q from %s, want %s in %d parts %q from 12345",
				i, mt.Type, mt.Parts, mt.Text, mt.From, wantType, m.parts, m.body)
		}
	}

	// Delivery reports: fakesmsc takes each message and Kannel reports 1
	// (delivered) to the dlr-url; the intermediate 8 (SMSC accepted) is not
	// asked for (DLRMask).
	ids := map[string]int{}
	for i, m := range msgs {
		ids[m.id] = i
	}
	accepted, delivered := map[string]bool{}, map[string]bool{}
	for len(delivered) < n {
		select {
		case ev := <-hooks.events:
			r := ev.Receipt
			if r == nil {
				t.Fatalf("unexpected event %+v", ev)
			}
			if _, ok := ids[r.ProviderID]; !ok {
				t.Fatalf("receipt for unknown id %q", r.ProviderID)
			}
			if r.At.IsZero() || time.Since(r.At) > time.Minute {
				t.Errorf("receipt time %v", r.At)
			}
			switch r.Status {
			case sms.StatusAccepted:
				accepted[r.ProviderID] = true
				t.Errorf("an intermediate report for %s, which DLRMask does not ask for", r.ProviderID)
			case sms.StatusDelivered:
				if delivered[r.ProviderID] {
					t.Errorf("two delivery reports for %s", r.ProviderID)
				}
				delivered[r.ProviderID] = true
			default:
				t.Errorf("receipt %+v", r)
			}
		case err := <-hooks.errs:
			t.Fatalf("hook rejected: %v", err)
		case <-ctx.Done():
			t.Fatalf("%d accepted and %d delivered reports of %d", len(accepted), len(delivered), n)
		}
	}

	// Inbound texts: injected at fakesmsc, they reach the hook through the
	// sms-service get-url and decode as inbound texts, with the number of
	// ours they were sent to (%P) when it is a phone number.
	inbound := []struct{ from, to, text, wantFrom, wantTo string }{
		{"+13105550199", "12345", "JOIN 10001", "+13105550199", ""},
		{"13105550198", "+13105559001", "ÚNETE 10001 por favor, señor", "+13105550198", "+13105559001"},
		{"+13105550197", "13105559002", "REPORT checkpoint\nat Main & 5th", "+13105550197", "+13105559002"},
	}
	for _, in := range inbound {
		if err := k.InjectMO(in.from, in.to, in.text); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-hooks.events:
			if ev.Inbound == nil || ev.Inbound.From.E164() != in.wantFrom || ev.Inbound.To.E164() != in.wantTo || ev.Inbound.Body != in.text {
				t.Errorf("inbound %q: got %+v, want to %q", in.text, ev.Inbound, in.wantTo)
			}
		case err := <-hooks.errs:
			t.Fatalf("hook rejected: %v", err)
		case <-ctx.Done():
			t.Fatalf("inbound %q never reached the hook", in.text)
		}
	}
	// The empty answers of the hook must not have become texts.
	time.Sleep(200 * time.Millisecond)
	if extra := len(k.Received()) - n; extra != 0 {
		t.Errorf("%d unexpected messages at fakesmsc after the inbound texts: %v", extra, k.Received()[n:])
	}

	// Kannel's own refusal of a wrong password is ErrAuth: our fault, not
	// the recipient's.
	bad, err := kannel.New(kannel.Config{SendSMSURL: k.SendSMSURL(), Username: k.Username(), Password: "wrong", HookSecret: hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	to, _ := phone.Parse("+13105550100", "US")
	_, err = bad.Send(ctx, sms.Message{To: to, Body: "x", IdempotencyKey: "bad"})
	if !errors.Is(err, sms.ErrAuth) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v, want ErrAuth without the password", err)
	}
}

// TestDirectRate checks the benchmark helper on a small run; the rate
// itself is printed, never asserted.
func TestDirectRate(t *testing.T) {
	k := kanneltest.Start(t, kanneltest.Options{LogLevel: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rate, err := kanneltest.DirectRate(ctx, k, 500, 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Kannel direct rate: %.0f msg/s (500 messages, 16 workers, no DLRs)", rate)
}

// BenchmarkKannelDirect prints Kannel's own rate with and without delivery
// reports, the yardstick for tocsin's rate through Kannel.
func BenchmarkKannelDirect(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer sink.Close()
	for _, tc := range []struct {
		name string
		o    kanneltest.DirectOptions
	}{{"noDLR", kanneltest.DirectOptions{}}, {"DLR", kanneltest.DirectOptions{DLRURL: sink.URL + "/dlr"}}} {
		b.Run(tc.name, func(b *testing.B) {
			k := kanneltest.Start(b, kanneltest.Options{LogLevel: 2})
			n := 2000 * b.N
			b.ResetTimer()
			rate, err := kanneltest.DirectRateWith(context.Background(), k, n, 32, tc.o)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(rate, "msg/s")
		})
	}
}
