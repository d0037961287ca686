package alarm

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a Notifier that records alarms and fails while fail is set.
type recorder struct {
	mu   sync.Mutex
	got  []Alarm
	fail bool
}

func (r *recorder) Notify(_ context.Context, a Alarm) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("channel down")
	}
	r.got = append(r.got, a)
	return nil
}

func (r *recorder) sent() []Alarm {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Alarm(nil), r.got...)
}

func TestThrottle(t *testing.T) {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	now := start
	rec := &recorder{}
	th := NewThrottle(rec, 10*time.Minute, func() time.Time { return now }, nil)
	ctx := context.Background()
	alarm := func(kind, subject, severity string) Alarm {
		return Alarm{Kind: kind, Subject: subject, Severity: severity, Detail: "d"}
	}
	steps := []struct {
		at   time.Duration
		a    Alarm
		sent bool
	}{
		{0, alarm("webhook.forged", "twilio", SeverityHigh), true},
		{time.Minute, alarm("webhook.forged", "twilio", SeverityHigh), false},
		{2 * time.Minute, alarm("webhook.forged", "twilio", SeverityNormal), false},
		{2 * time.Minute, alarm("webhook.forged", "kannel", SeverityHigh), true},     // another subject
		{3 * time.Minute, alarm("canary.used", "twilio", SeverityHigh), true},        // another kind
		{4 * time.Minute, alarm("webhook.forged", "twilio", SeverityCritical), true}, // more severe
		{5 * time.Minute, alarm("webhook.forged", "twilio", SeverityCritical), false},
		{5 * time.Minute, alarm("webhook.forged", "twilio", SeverityHigh), false},
		{15 * time.Minute, alarm("webhook.forged", "twilio", SeverityNormal), true}, // window over
	}
	want := 0
	for i, s := range steps {
		now = start.Add(s.at)
		if err := th.Notify(ctx, s.a); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if s.sent {
			want++
		}
		if got := len(rec.sent()); got != want {
			t.Fatalf("step %d (%s about %s at +%v): %d sent, want %d", i, s.a.Kind, s.a.Subject, s.at, got, want)
		}
	}
	if got := th.Suppressed(); got != 4 {
		t.Errorf("Suppressed() = %d, want 4", got)
	}
	sent := rec.sent()
	if d := sent[3].Detail; !strings.HasSuffix(d, "(2 more like this held back since 2026-11-25T14:00:00Z.)") {
		t.Errorf("escalated alarm's detail %q", d)
	}
	if d := sent[4].Detail; !strings.HasSuffix(d, "(2 more like this held back since 2026-11-25T14:04:00Z.)") {
		t.Errorf("detail after the window %q", d)
	}
	if d := sent[1].Detail; d != "d" {
		t.Errorf("an alarm with nothing held back has detail %q", d)
	}
}

// A failed send holds nothing back, and the count carries over.
func TestThrottleFailure(t *testing.T) {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	now := start
	rec := &recorder{}
	th := NewThrottle(rec, 10*time.Minute, func() time.Time { return now }, nil)
	ctx := context.Background()
	a := Alarm{Kind: "freeze", Subject: "1", Detail: "d"}

	th.Notify(ctx, a)
	th.Notify(ctx, a) // held back
	rec.fail = true
	now = start.Add(11 * time.Minute)
	if err := th.Notify(ctx, a); err == nil {
		t.Fatal("the failure was not returned")
	}
	rec.fail = false
	now = start.Add(12 * time.Minute)
	if err := th.Notify(ctx, a); err != nil {
		t.Fatal(err)
	}
	sent := rec.sent()
	if len(sent) != 2 {
		t.Fatalf("%d sent, want 2", len(sent))
	}
	if d := sent[1].Detail; !strings.HasSuffix(d, "(1 more like this held back since 2026-11-25T14:00:00Z.)") {
		t.Errorf("detail after a failure %q", d)
	}

	// A first alarm that fails leaves no trace: the next goes out plain.
	rec.fail = true
	b := Alarm{Kind: "canary.used", Subject: "key-1", Detail: "d"}
	th.Notify(ctx, b)
	rec.fail = false
	th.Notify(ctx, b)
	if sent := rec.sent(); len(sent) != 3 || sent[2].Detail != "d" {
		t.Errorf("after a failed first alarm: %v", sent)
	}
}

// Past maxThrottled pairs, alarms pass rather than being held back or
// growing memory without bound.
func TestThrottleFull(t *testing.T) {
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	rec := &recorder{}
	th := NewThrottle(rec, time.Hour, func() time.Time { return now }, nil)
	for i := range maxThrottled + 10 {
		th.Notify(context.Background(), Alarm{Kind: "k", Subject: strings.Repeat("x", i%50) + string(rune('a'+i%26)) + time.Duration(i).String()})
	}
	if got := len(rec.sent()); got != maxThrottled+10 {
		t.Errorf("%d sent, want all %d", got, maxThrottled+10)
	}
	if len(th.seen) > maxThrottled {
		t.Errorf("%d pairs remembered", len(th.seen))
	}
}
