package incident

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/inventory"
)

// headings returns the report's lines that start with '#'.
func headings(report string) []string {
	var out []string
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// section returns the text of the report's section titled name.
func section(report, name string) string {
	_, rest, ok := strings.Cut(report, "\n## "+name+"\n")
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, "\n## ")
	return body
}

func TestReport(t *testing.T) {
	inc, _ := setup(t)
	r := Report(inc, inventory.Default(), []string{inventory.ProviderCredential})
	want := []string{"# Incident 2026-03-14-1: Canary API key used", "## Summary", "## Timeline", "## Indicators",
		"## Response actions", "## What was exposed", "## What was not exposed", "## Next steps"}
	if got := headings(r); !slices.Equal(got, want) {
		t.Fatalf("headings %q, want %q", got, want)
	}
	checks := []struct{ section, want string }{
		{"Summary", "- 5 security events: 2 critical, 2 high, 1 warning."},
		{"Summary", "- Events from 2026-03-14 09:00:05 to 2026-03-14 09:04:00 (3m55s)."},
		{"Summary", "canary.url ×2"},
		{"Summary", "- Network indicators: 3 source addresses, 2 user agents, 4 paths."},
		{"Summary", "frozen at the end of the record:\n  - **frozen** 2026-03-14 09:03:30 by the sender — unknown messages at the provider\n"},
		{"Summary", "(as named, with what they imply): provider credential."},
		{"Timeline", "| 2026-03-14 09:00:05 | event 41: canary.apikey (critical) | key k\\_7 | canary API key used; from 203.0.113.7 GET /api/v1/subscribers |"},
		{"Timeline", "| 2026-03-14 09:03:30 | audit: freeze.freeze by sender | – | unknown messages at the provider |"},
		{"Timeline", "| 2026-03-14 09:04:00 | event 45: canary.url (warning) | /wp-login.php | from 198.51.100.9 GET /wp-login.php |"},
		{"Indicators", "| 203.0.113.7 | IPv4 address | 2026-03-14 09:00:05 | 2026-03-14 09:00:09 | 2 |"},
		{"Indicators", "| python-requests/2.31.0 | user agent | 2026-03-14 09:00:05 | 2026-03-14 09:00:09 | 2 |"},
		{"Indicators", "| /api/v1/subscribers | path |"},
		{"Response actions", "- 2026-03-14 09:03:30 — sender: freeze.freeze — unknown messages at the provider\n- 2026-03-14 09:12:00 — ana: alert.create correction — correction drafted\n"},
		{"What was exposed", "- **Subscriber phone numbers** — provider credential: the provider keeps every message"},
		{"What was not exposed", "- **Report contents"},
		{"Next steps", "- [ ] Outbound messaging is frozen"},
		{"Next steps", "- [ ] Texts went out that tocsin did not send"},
		{"Next steps", "- [ ] SMS provider credentials (Twilio API key and auth token, Kannel sendsms password and hook secret): Rotate"},
	}
	for _, c := range checks {
		if !strings.Contains(section(r, c.section), c.want) {
			t.Errorf("%s lacks %q:\n%s", c.section, c.want, section(r, c.section))
		}
	}
	if strings.Contains(section(r, "Response actions"), "login.ok") {
		t.Error("a log-in is listed as a response action")
	}
	if strings.Contains(r, "CANARY") {
		t.Error("the report shows a query string")
	}
	checkTimelineOrder(t, section(r, "Timeline"))
}

func checkTimelineOrder(t *testing.T, timeline string) {
	t.Helper()
	var times []string
	for _, line := range strings.Split(timeline, "\n") {
		if strings.HasPrefix(line, "| 2") {
			times = append(times, line[2:21])
		}
	}
	if len(times) != 8 || !slices.IsSorted(times) {
		t.Errorf("timeline times %q: want the 5 events and 3 audit entries in order", times)
	}
}

// TestReportHostile puts hostile text in every field that comes from
// outside and checks that it cannot add a table cell or row, a heading, an
// HTML tag, a link or a phone number to the report.
func TestReportHostile(t *testing.T) {
	payloads := []string{
		"a | b | c",
		"x\n# Injected heading\n| fake | row |\n",
		"<script>alert(1)</script><img src=x onerror=alert(1)>",
		"`code` ``two`` [link](http://evil.example/) ![img](http://evil.example/i.png) <http://evil.example>",
		"www.evil.example me@evil.example https://evil.example/x",
		"\\| escaped pipe \\\\| double",
		"\u202egnp.exe\u200b",
		"call +1 (310) 555-0123",
	}
	for _, p := range payloads {
		inc := Incident{ID: p, Title: p, Service: p,
			Events: []Event{{ID: 1, At: at(9, 0, 0), Kind: p, Severity: p, Subject: p, Detail: p,
				Net: &Network{SourceAddr: p, UserAgent: p, Method: p, Path: "/" + p}}},
			Audit: []AuditEntry{{At: at(9, 1, 0), Actor: p, Action: "freeze." + p, Subject: p, Detail: p}},
		}
		r := Report(inc, inventory.Default(), []string{p})
		checkInert(t, p, r)
	}
}

func checkInert(t *testing.T, payload, r string) {
	t.Helper()
	if got := headings(r); len(got) != 8 {
		t.Errorf("payload %q: headings %q", payload, got)
	}
	if strings.ContainsAny(r, "<>\u202e\u200b") {
		t.Errorf("payload %q: raw '<', '>' or a format character in the report", payload)
	}
	if i, _ := findPhone(r); i >= 0 {
		t.Errorf("payload %q: a phone number in the report", payload)
	}
	unescaped := strings.ReplaceAll(r, `\]`, "")
	for _, link := range []string{"](", "http://", "https://", "www.e", "me@"} {
		if strings.Contains(unescaped, link) {
			t.Errorf("payload %q: %q in the report", payload, link)
		}
	}
	header := 0
	for _, line := range strings.Split(r, "\n") {
		switch {
		case strings.HasPrefix(line, "| Time") || strings.HasPrefix(line, "| Indicator"):
			header = cells(line)
		case strings.HasPrefix(line, "|") && cells(line) != header:
			t.Errorf("payload %q: row %q has %d cells, want %d", payload, line, cells(line), header)
		case strings.HasPrefix(line, "|"):
		default:
			header = 0
		}
	}
	if rows := strings.Count(section(r, "Timeline"), "\n| 2026"); rows != 2 {
		t.Errorf("payload %q: %d timeline rows, want 2", payload, rows)
	}
	if rows := strings.Count(section(r, "Indicators"), "\n| "); rows != 4 {
		t.Errorf("payload %q: %d indicator table lines, want header and 3 rows", payload, rows)
	}
}

func TestReportFreezeStates(t *testing.T) {
	severe := []Event{{ID: 1, At: at(9, 0, 0), Kind: "canary.apikey", Severity: "high"}}
	tests := []struct {
		name    string
		events  []Event
		audit   []AuditEntry
		summary string
		step    string
	}{
		{"never frozen", severe, nil, "no freeze in the audit trail or the events", "- [ ] Freeze outbound messaging"},
		{"frozen then unfrozen", severe, []AuditEntry{
			{At: at(9, 1, 0), Actor: "ana", Action: "freeze.freeze"},
			{At: at(9, 30, 0), Actor: "ana", Action: "freeze.unfreeze"},
		}, "not frozen at the end of the record:\n  - **frozen** 2026-03-14 09:01:00 by ana (not applied by the sender in the record)\n  - unfrozen 2026-03-14 09:30:00 by ana (not applied", "- [ ] Freeze outbound messaging"},
		{"frozen by the sender", append(slices.Clone(severe), Event{ID: 2, At: at(9, 2, 0), Kind: "freeze", Severity: "info"}), nil,
			"frozen at the end of the record:\n  - **frozen** 2026-03-14 09:02:00 by the sender\n", "- [ ] Outbound messaging is frozen"},
		{"nothing severe", []Event{{ID: 2, At: at(9, 5, 0), Kind: "canary.url", Severity: "info"}, {ID: 1, At: at(9, 0, 0), Kind: "canary.url"}},
			nil, "it was not frozen", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Report(Incident{ID: "i", Events: tt.events, Audit: tt.audit}, inventory.Default(), nil)
			if !strings.Contains(section(r, "Summary"), tt.summary) {
				t.Errorf("summary lacks %q:\n%s", tt.summary, section(r, "Summary"))
			}
			steps := section(r, "Next steps")
			if tt.step != "" && !strings.Contains(steps, tt.step) {
				t.Errorf("next steps lack %q:\n%s", tt.step, steps)
			}
			if tt.step == "" && strings.Contains(steps, "reeze") {
				t.Errorf("next steps speak of freezing:\n%s", steps)
			}
			if tt.name == "nothing severe" && !strings.Contains(r, "- Events from 2026-03-14 09:00:00 to 2026-03-14 09:05:00 (5m0s).") {
				t.Errorf("span of events out of order:\n%s", section(r, "Summary"))
			}
		})
	}
}

// TestReportEmpty checks an incident with nothing in it and no component
// named: the report says so rather than claiming anything.
func TestReportEmpty(t *testing.T) {
	r := Report(Incident{ID: "i", Closed: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)}, inventory.Default(), nil)
	for _, want := range []string{
		"- Incident closed 2026-03-15 00:00:00.",
		"- 0 security events.",
		"- Network indicators: 0 source addresses, 0 user agents, 0 paths.",
		"- Compromised components: none named, so exposure is not assessed.",
		"## Timeline\n\nNothing was recorded.",
		"## Indicators\n\nNo event came with a network source.",
		"No response action is in the audit trail",
		"## What was exposed\n\nNot assessed: no compromised component was named.",
		"## What was not exposed\n\nNot assessed.",
		"- [ ] Name the compromised components",
	} {
		if !strings.Contains(r, want) {
			t.Errorf("report lacks %q:\n%s", want, r)
		}
	}
	if strings.Contains(r, "tocsin incident iocs") {
		t.Error("next steps offer to export indicators there are none of")
	}
}

func TestReportEverythingExposed(t *testing.T) {
	r := Report(Incident{ID: "i"}, inventory.Default(), []string{"the whole rack"})
	if !strings.Contains(section(r, "What was not exposed"), "Everything in the inventory was exposed.") {
		t.Errorf("not exposed:\n%s", section(r, "What was not exposed"))
	}
	r = Report(Incident{ID: "i"}, nil, []string{inventory.ServerLogs})
	if !strings.Contains(section(r, "What was exposed"), "Nothing in the inventory") {
		t.Errorf("exposed with an empty inventory:\n%s", section(r, "What was exposed"))
	}
}

// TestReportFreezeOncePerAction: an operator's freeze is in the trail
// (freeze.freeze by carmen), applied by the sender (event "freeze") and
// copied into the trail (security.freeze by sender); the report lists it
// once, with who asked, when, and when the sender applied it. So for an
// unfreeze, for the sender's own freezes and for an order out of sequence
// (freeze.gap and freeze, one order).
func TestReportFreezeOncePerAction(t *testing.T) {
	inc := Incident{ID: "i",
		Audit: []AuditEntry{
			{At: at(9, 1, 0), Actor: "carmen", Action: "freeze.freeze", Detail: "console"},
			{At: at(9, 1, 5), Actor: "sender", Action: "security.freeze", Subject: "3", Detail: "console"},
			{At: at(9, 30, 0), Actor: "ana, ben", Action: "freeze.unfreeze", Detail: "rotated"},
			{At: at(9, 30, 9), Actor: "sender", Action: "security.unfreeze", Subject: "4", Detail: "rotated"},
			{At: at(9, 40, 0), Actor: "sender", Action: "security.freeze.gap", Subject: "7"},
			{At: at(9, 40, 0), Actor: "sender", Action: "security.freeze", Subject: "7"},
			{At: at(9, 50, 0), Actor: "sender", Action: "security.freeze", Subject: "8"},
		},
		Events: []Event{
			{ID: 1, At: at(9, 1, 5), Kind: "freeze", Subject: "3", Detail: "console"},
			{ID: 2, At: at(9, 30, 9), Kind: "unfreeze", Subject: "4", Detail: "rotated"},
			{ID: 3, At: at(9, 40, 0), Kind: "freeze.gap", Subject: "7", Detail: "order 7 follows order 4"},
			{ID: 4, At: at(9, 40, 0), Kind: "freeze", Subject: "7"},
			{ID: 5, At: at(9, 50, 0), Kind: "freeze", Subject: "8", Detail: "auto-freeze (canary-subscriber)"},
		},
	}
	sum := section(Report(inc, inventory.Default(), nil), "Summary")
	want := "- Outbound messaging: frozen at the end of the record:\n" +
		"  - **frozen** 2026-03-14 09:01:00 by carmen (applied by the sender 2026-03-14 09:01:05) — console\n" +
		"  - unfrozen 2026-03-14 09:30:00 by ana, ben (applied by the sender 2026-03-14 09:30:09) — rotated\n" +
		"  - **frozen** 2026-03-14 09:40:00 by the sender — order 7 follows order 4\n" +
		"  - **frozen** 2026-03-14 09:50:00 by the sender — auto-freeze (canary-subscriber)\n"
	if !strings.Contains(sum, want) {
		t.Errorf("summary:\n%s\nwant:\n%s", sum, want)
	}
	if n := strings.Count(section(Report(inc, inventory.Default(), nil), "Response actions"), "\n- "); n != 2 {
		t.Errorf("%d freeze lines in the response actions, want carmen's and ana's only", n)
	}
}
