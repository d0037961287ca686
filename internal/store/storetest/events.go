package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func testSecurityEvents(t *testing.T, open func(t *testing.T) store.Store) {
	b := setup(t, open)
	hostile := strings.Repeat("é", 600) // more than a field holds
	evs := []store.SecurityEvent{
		{At: now.Add(-40 * 24 * time.Hour), Kind: "canary.apikey", Severity: store.SeverityHigh, Subject: "key 1", Detail: "old",
			Net: &store.NetworkDetails{SourceAddr: "203.0.113.7", UserAgent: "curl/8.5", Headers: map[string]string{"Accept": "*/*"}}},
		{At: now, Kind: "alert.refused", Subject: "a1", Detail: "no statement"},
		{At: now.Add(time.Minute), Kind: "canary.subscriber", Severity: store.SeverityCritical, Subject: "canary 1",
			Net: &store.NetworkDetails{SourceAddr: "2001:db8::1", UserAgent: hostile}},
	}
	for i := range evs {
		must(t, b.s.AddSecurityEvent(b.ctx, &evs[i]))
	}
	wantCode(t, b.s.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: now, Kind: "x", Severity: "apocalyptic"}), tocsin.EINVALID)
	wantCode(t, b.s.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: now}), tocsin.EINVALID)

	got, err := b.s.SecurityEventsBetween(b.ctx, now.Add(-50*24*time.Hour), now.Add(time.Hour))
	must(t, err)
	if len(got) != 3 || got[0].Kind != "canary.apikey" || got[2].Kind != "canary.subscriber" {
		t.Fatalf("SecurityEventsBetween = %+v", got)
	}
	if got[1].Severity != store.SeverityWarning || got[1].Net != nil {
		t.Errorf("an event without severity or request: %+v", got[1])
	}
	if n := got[0].Net; n == nil || n.SourceAddr != "203.0.113.7" || n.UserAgent != "curl/8.5" || n.Headers["Accept"] != "*/*" {
		t.Errorf("network details: %+v", got[0].Net)
	}
	if ua := got[2].Net.UserAgent; len(ua) > 512 || !strings.HasPrefix(ua, "éé") {
		t.Errorf("a 1,200-byte user agent was kept as %d bytes", len(ua))
	}

	un, err := b.s.UnnotifiedEvents(b.ctx, []string{store.SeverityHigh, store.SeverityCritical}, 10)
	must(t, err)
	if len(un) != 2 {
		t.Fatalf("UnnotifiedEvents = %d events, want the high and the critical", len(un))
	}
	must(t, b.s.MarkNotified(b.ctx, []int64{un[0].ID}, now))
	un, err = b.s.UnnotifiedEvents(b.ctx, []string{store.SeverityHigh, store.SeverityCritical}, 10)
	must(t, err)
	if len(un) != 1 || un[0].Kind != "canary.subscriber" {
		t.Errorf("after one was marked: %+v", un)
	}

	// Network details go after 30 days, events after a year.
	must(t, b.s.PurgeSecurityEvents(b.ctx, now.Add(-30*24*time.Hour), now.Add(-365*24*time.Hour)))
	got, err = b.s.SecurityEventsBetween(b.ctx, now.Add(-50*24*time.Hour), now.Add(time.Hour))
	must(t, err)
	if len(got) != 3 || got[0].Net != nil || got[2].Net == nil {
		t.Errorf("after purging details older than 30 days: %+v", got)
	}
	must(t, b.s.PurgeSecurityEvents(b.ctx, now, now.Add(-24*time.Hour)))
	got, err = b.s.SecurityEventsBetween(b.ctx, now.Add(-50*24*time.Hour), now.Add(time.Hour))
	must(t, err)
	if len(got) != 2 {
		t.Errorf("after purging events older than a day: %d left, want 2", len(got))
	}
}
