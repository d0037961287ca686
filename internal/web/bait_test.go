package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/bait"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// baitEvents returns the security events of kind, newest first.
func (b *bundle) baitEvents(kind string) []store.SecurityEvent {
	b.t.Helper()
	evs, err := b.st.ListSecurityEvents(context.Background(), 100)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []store.SecurityEvent
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// wantBaitEvent checks that exactly one event of kind was raised, with the
// request's network details.
func (b *bundle) wantBaitEvent(kind, severity, ua string) store.SecurityEvent {
	b.t.Helper()
	evs := b.baitEvents(kind)
	if len(evs) != 1 {
		b.t.Fatalf("%d %s events, want 1", len(evs), kind)
	}
	e := evs[0]
	if e.Severity != severity {
		b.t.Errorf("%s: severity %s, want %s", kind, e.Severity, severity)
	}
	if e.Net == nil || e.Net.SourceAddr != "127.0.0.1" || e.Net.UserAgent != ua || e.Net.Headers[":path"] == "" {
		b.t.Errorf("%s: network details %+v, want the request's", kind, e.Net)
	}
	for k := range e.Net.Headers {
		if strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Cookie") {
			b.t.Errorf("%s: the event keeps the %s header", kind, k)
		}
	}
	return e
}

type queueBody struct {
	Reports []struct {
		ID, Category, Description, ZIP, State string
		ReceivedAt                            string `json:"received_at"`
		Lat, Lon                              float64
	} `json:"reports"`
}

func (b *bundle) queue(key, ua string) (resp, queueBody) {
	b.t.Helper()
	r := b.get(nil, "/api/v1/reports", "Authorization", "Bearer "+key, "User-Agent", ua)
	var q queueBody
	if r.StatusCode == http.StatusOK {
		if err := json.Unmarshal([]byte(r.body), &q); err != nil {
			b.t.Fatalf("queue answer %q: %v", r.body, err)
		}
	}
	return r, q
}

// A real key reads the queue; a canary key of the same form gets phony
// reports of the same shape, nothing real, and raises canary.apikey with
// the request's details.
func TestCanaryAPIKey(t *testing.T) {
	b := setup(t)
	const secret = "Unmarked van at the corner of Alameda and 7th, three agents."
	b.createReport(`{"category":"vehicle","description":"` + secret + `","zip":"90021"}`)
	ctx := context.Background()
	real, err := consoleadmin.NewAPIKey(ctx, b.st, "cli", "partner network", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	canary, err := consoleadmin.NewAPIKey(ctx, b.st, "cli", "backup job", true, t0)
	if err != nil {
		t.Fatal(err)
	}
	form := regexp.MustCompile(`^tsk_[0-9A-Za-z]{40}$`)
	if !form.MatchString(real) || !form.MatchString(canary) {
		t.Fatalf("keys %q and %q do not share the API key form", real, canary)
	}

	r, q := b.queue(real, "partner/1.0")
	wantStatus(t, r, http.StatusOK)
	if len(q.Reports) != 1 || q.Reports[0].Description != secret {
		t.Fatalf("the real key reads %+v", q)
	}
	if len(b.baitEvents("canary.apikey")) != 0 {
		t.Fatal("a real key raised canary.apikey")
	}

	r, q = b.queue(canary, "python-requests/2.32")
	wantStatus(t, r, http.StatusOK)
	if len(q.Reports) < 3 {
		t.Fatalf("the canary key got %d reports, want a plausible queue", len(q.Reports))
	}
	for _, rp := range q.Reports {
		if rp.Description == secret || rp.ID == "" || rp.Lat == 0 || rp.ZIP == "" || rp.Category == "" {
			t.Errorf("phony report %+v", rp)
		}
	}
	if strings.Contains(r.body, secret) {
		t.Error("the canary key's answer holds a real report")
	}
	b.wantBaitEvent("canary.apikey", store.SeverityCritical, "python-requests/2.32")
	trail, err := b.st.ListAudit(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range trail {
		found = found || e.Action == "security.canary.apikey"
		if strings.Contains(e.Detail, "127.0.0.1") || strings.Contains(e.Detail, "python-requests") {
			t.Errorf("the audit trail keeps a network detail: %+v", e)
		}
	}
	if !found {
		t.Error("the canary.apikey event is not in the audit trail")
	}
	// The same phony queue on the next call, and ten minutes later the
	// same reports with the same times: it looks like a live system.
	_, again := b.queue(canary, "python-requests/2.32")
	if len(again.Reports) != len(q.Reports) || again.Reports[0].ID != q.Reports[0].ID {
		t.Error("the phony queue changes between two calls")
	}
	b.clock.Advance(10 * time.Minute)
	_, later := b.queue(canary, "python-requests/2.32")
	byID := map[string]string{}
	for _, rp := range later.Reports {
		byID[rp.ID] = rp.ReceivedAt
	}
	for _, rp := range q.Reports {
		if at, ok := byID[rp.ID]; ok && at != rp.ReceivedAt {
			t.Errorf("phony report %s was received at %s, ten minutes later at %s", rp.ID, rp.ReceivedAt, at)
		}
	}

	// Bad keys: a clear error, nothing read.
	for _, bad := range []string{"", "tsk_short", "Basic abc", strings.Replace(real, real[10:14], "zzzz", 1)} {
		r := b.get(nil, "/api/v1/reports", "Authorization", "Bearer "+bad)
		wantStatus(t, r, http.StatusUnauthorized)
		if strings.Contains(r.body, secret) {
			t.Errorf("key %q read the queue", bad)
		}
	}
	if err := b.st.RevokeAPIKey(ctx, real[:12], t0); err != nil {
		t.Fatal(err)
	}
	r, _ = b.queue(real, "partner/1.0")
	wantStatus(t, r, http.StatusUnauthorized)
}

var (
	envLine = regexp.MustCompile(`(?m)^TOCSIN_([A-Z_]+)=(.*)$`)
	forms   = map[string]*regexp.Regexp{
		"TWILIO_ACCOUNT_SID": regexp.MustCompile(`^AC[0-9a-f]{32}$`),
		"TWILIO_API_KEY":     regexp.MustCompile(`^SK[0-9a-f]{32}$`),
		"TWILIO_API_SECRET":  regexp.MustCompile(`^[0-9A-Za-z]{32}$`),
		"TWILIO_AUTH_TOKEN":  regexp.MustCompile(`^[0-9a-f]{32}$`),
		"API_KEY":            regexp.MustCompile(`^tsk_[0-9A-Za-z]{40}$`),
	}
)

// A scanner's favourite URLs answer with plausible files whose credentials
// are canaries in their real counterparts' form; fetching one is a warning,
// using what it holds is critical, wherever it is presented.
func TestDecoyFilesAndCanaryCredentials(t *testing.T) {
	b := setup(t)
	r := b.get(nil, "/.env", "User-Agent", "Mozilla/5.0 zgrab/0.x")
	wantStatus(t, r, http.StatusOK)
	b.wantBaitEvent("canary.url", store.SeverityWarning, "Mozilla/5.0 zgrab/0.x")
	creds := map[string]string{}
	for _, m := range envLine.FindAllStringSubmatch(r.body, -1) {
		creds[m[1]] = m[2]
	}
	for name, re := range forms {
		if !re.MatchString(creds[name]) {
			t.Errorf("the decoy .env's %s is %q, not in its real form", name, creds[name])
		}
	}
	if r2 := b.get(nil, "/.env"); r2.body != r.body {
		t.Error("the decoy .env changes between two requests")
	}
	// Nothing real in any decoy: not the web key, not a subscriber, not
	// a real report.
	for _, p := range bait.DecoyPaths() {
		body := b.get(nil, p).body
		if strings.Contains(body, string([]byte{7, 7, 7, 7})) || strings.Contains(body, "BEGIN") {
			t.Errorf("%s holds key material", p)
		}
		for _, n := range regexp.MustCompile(`\+1\d{10}`).FindAllString(body, -1) {
			if n[5:10] != "55501" && n != "+12135550143" {
				t.Errorf("%s holds %s, not a 555-01xx number kept for fiction", p, n)
			}
		}
	}

	// The Twilio key and secret presented as Basic auth, anywhere.
	req := b.newRequest(http.MethodGet, "/api/v1/alerts", nil)
	req.SetBasicAuth(creds["TWILIO_API_KEY"], creds["TWILIO_API_SECRET"])
	req.Header.Set("User-Agent", "twilio-python/9.0")
	b.do(nil, req)
	// Anyone can fetch the decoys: using what they hold is an alarm, not a
	// trigger that could freeze the alerts (that would let anyone stop them).
	e := b.wantBaitEvent("canary.decoy_credential", store.SeverityHigh, "twilio-python/9.0")
	if !strings.Contains(e.Subject, "Twilio") {
		t.Errorf("subject %q", e.Subject)
	}
	// The decoy API key: a phony queue, and a critical event.
	r, q := b.queue(creds["API_KEY"], "curl/8.5.0")
	wantStatus(t, r, http.StatusOK)
	if len(q.Reports) == 0 {
		t.Error("the decoy API key got no phony queue")
	}
	if n := len(b.baitEvents("canary.decoy_credential")); n != 2 {
		t.Errorf("%d canary.decoy_credential events, want 2", n)
	}
}

// A canary operator account never logs in; an attempt gets exactly the
// answer of a wrong password for a real account, and raises canary.login.
func TestCanaryOperatorAccount(t *testing.T) {
	b := setup(t)
	b.newOperator("ana", "admin")
	if err := consoleadmin.NewCanaryOperator(context.Background(), b.st, "cli", "j.rivera", "admin", t0); err != nil {
		t.Fatal(err)
	}
	_, realWrong := b.passwordStep("ana", "not the password")
	c := b.client()
	req := b.newRequest(http.MethodPost, "/console/login", strings.NewReader(url.Values{"username": {"j.rivera"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "hydra")
	canary := b.do(c, req)
	if canary.StatusCode != realWrong.StatusCode || canary.body != realWrong.body {
		t.Errorf("a canary account answers %d %q; a wrong password %d %q", canary.StatusCode, canary.body, realWrong.StatusCode, realWrong.body)
	}
	if r := b.get(c, "/console"); r.StatusCode == http.StatusOK {
		t.Fatal("the canary account reached the console")
	}
	e := b.wantBaitEvent("canary.login", store.SeverityHigh, "hydra")
	if e.Subject != "j.rivera" {
		t.Errorf("subject %q", e.Subject)
	}
	// The backup decoy offers the canary account to try.
	if body := b.get(nil, "/backup.sql").body; !strings.Contains(body, "j.rivera") || strings.Contains(body, "\tana\t") {
		t.Error("the decoy backup should list the canary account and no real one")
	}
}
