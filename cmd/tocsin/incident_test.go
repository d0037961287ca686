package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/stix"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// tocsin incident iocs and report, from the events and the audit trail of a
// real database: the bundle passes the STIX 2.1 validator, the report has
// its sections, and neither holds an event outside the period.
func TestIncidentCommands(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(data, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	events := []store.SecurityEvent{
		{At: now.Add(-2 * time.Hour), Kind: "canary.url", Severity: store.SeverityWarning, Subject: "/.env", Detail: "a decoy URL was requested",
			Net: &store.NetworkDetails{SourceAddr: "203.0.113.7", UserAgent: "zgrab/0.x", Headers: map[string]string{":method": "GET", ":path": "/.env"}}},
		{At: now.Add(-90 * time.Minute), Kind: "canary.credential", Severity: store.SeverityCritical, Subject: "Twilio credential from the decoy environment file",
			Net: &store.NetworkDetails{SourceAddr: "2001:db8::7", UserAgent: "twilio-python/9.0", Headers: map[string]string{":method": "GET", ":path": "/api/v1/alerts"}}},
		{At: now.Add(-80 * time.Minute), Kind: "canary.subscriber", Severity: store.SeverityCritical, Subject: "line-2", Detail: "a text tocsin did not send"},
		{At: now.Add(-72 * time.Hour), Kind: "canary.url", Severity: store.SeverityWarning, Subject: "/old",
			Net: &store.NetworkDetails{SourceAddr: "198.51.100.99", UserAgent: "old"}},
	}
	for i := range events {
		if err := st.AddSecurityEvent(ctx, &events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AppendAudit(ctx, &tocsin.AuditEntry{At: now.Add(-79 * time.Minute), Actor: "sender", Action: "freeze", Subject: "1", Detail: "auto-freeze"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	bundle := filepath.Join(t.TempDir(), "iocs.json")
	cli(t, 0, "incident", "iocs", "--data", data, "--since", "24h", "--out", bundle)
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := stix.Validate(b); err != nil {
		t.Fatalf("the bundle is not valid STIX 2.1: %v", err)
	}
	for _, want := range []string{"[ipv4-addr:value = '203.0.113.7']", "[ipv6-addr:value = '2001:db8::7']", `"type": "sighting"`} {
		if !strings.Contains(strings.ReplaceAll(string(b), `\u0027`, "'"), want) && !strings.Contains(string(b), strings.ReplaceAll(want, `": "`, `":"`)) {
			t.Errorf("the bundle lacks %s", want)
		}
	}
	if strings.Contains(string(b), "198.51.100.99") {
		t.Error("an event from before --since is in the bundle")
	}

	report := cli(t, 0, "incident", "report", "--data", data, "--since", "24h", "--touched", "provider credential", "--title", "Fake texts")
	for _, want := range []string{"Summary", "Timeline", "Indicators", "Response actions", "exposed", "203.0.113.7", "canary.subscriber"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	cli(t, 1, "incident", "iocs", "--data", data)                     // no --since
	cli(t, 1, "incident", "iocs", "--data", data, "--since", "later") // not a time
	cli(t, 1, "incident", "summon", "--data", data)
}

// TestIncidentReportFreezes: a freeze from the console and an unfreeze,
// recorded as the web tier and the sender record them (the operator's audit
// entry, the sender's event and its copy in the audit trail), are listed by
// `tocsin incident report` once each: who, when, when applied.
func TestIncidentReportFreezes(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(data, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	for _, a := range []tocsin.AuditEntry{
		{At: at, Actor: "carmen", Action: "freeze.freeze", Detail: "console"},
		{At: at.Add(5 * time.Second), Actor: "sender", Action: "security.freeze", Subject: "1", Detail: "console"},
		{At: at.Add(30 * time.Minute), Actor: "ana, bob", Action: "freeze.unfreeze", Detail: "keys rotated"},
		{At: at.Add(30*time.Minute + 5*time.Second), Actor: "sender", Action: "security.unfreeze", Subject: "2", Detail: "keys rotated"},
	} {
		if err := st.AppendAudit(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []store.SecurityEvent{
		{At: at.Add(5 * time.Second), Kind: "freeze", Severity: store.SeverityHigh, Subject: "1", Detail: "console"},
		{At: at.Add(30*time.Minute + 5*time.Second), Kind: "unfreeze", Severity: store.SeverityHigh, Subject: "2", Detail: "keys rotated"},
	} {
		if err := st.AddSecurityEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	report := cli(t, 0, "incident", "report", "--data", data, "--since", "24h")
	f := func(t time.Time) string { return t.Format("2006-01-02 15:04:05") }
	want := "- Outbound messaging: not frozen at the end of the record:\n" +
		"  - **frozen** " + f(at) + " by carmen (applied by the sender " + f(at.Add(5*time.Second)) + ") — console\n" +
		"  - unfrozen " + f(at.Add(30*time.Minute)) + " by ana, bob (applied by the sender " + f(at.Add(30*time.Minute+5*time.Second)) + ") — keys rotated\n"
	if !strings.Contains(report, want) {
		t.Errorf("the report does not list each action once:\n%s\nwant:\n%s", report, want)
	}
}
