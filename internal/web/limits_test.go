package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/pow"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
	"github.com/tocsin/tocsin/internal/web/public"
)

// limited is a web tier with small limits, for the attacks below.
func limited(t *testing.T, mod func(*abuse.Limits)) *bundle {
	return setup(t, func(c *web.Config) {
		c.Limits = abuse.Limits{SignupsPerHour: 100, SignupsPerAreaPerHour: 100, SignupsPerPrefixPerHour: 100,
			ReportsPerHour: 100, ReportsPerAreaPerHour: 100, CodesPerHour: 100, CodesPerAreaPerHour: 100,
			APIKeyReportsPerHour: 100, PoWMaxNumber: 2000}
		mod(&c.Limits)
	})
}

const (
	reportLA  = `{"category":"raid","description":"vans","zip":"90210"}`
	reportNYC = `{"category":"raid","description":"vans","zip":"10001"}`
)

// powChallenge decodes the challenge of a 429 pow_required answer.
func powChallenge(t *testing.T, r resp) pow.Challenge {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	var body struct {
		Error     string        `json:"error"`
		Code      string        `json:"code"`
		Challenge pow.Challenge `json:"challenge"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Code != "pow_required" || body.Challenge.Challenge == "" || body.Error == "" {
		t.Fatalf("want a pow_required answer with a challenge, got %s (%v)", r.body, err)
	}
	return body.Challenge
}

func solve(t *testing.T, c pow.Challenge) string {
	t.Helper()
	s, ok := pow.Solve(c)
	if !ok {
		t.Fatal("challenge has no solution")
	}
	return s.Encode()
}

// refusals reads the counts of the limits held back, by kind.
func (b *bundle) refusals() map[string]int64 {
	b.t.Helper()
	b.login("limits-admin", "admin").get("/console/limits") // writes the counts kept in memory
	rs, err := b.st.Refusals(context.Background(), t0.Add(-time.Hour))
	if err != nil {
		b.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rs {
		out[r.Kind] += r.N
	}
	return out
}

// reportCount is how many reports the database holds.
func (b *bundle) reportCount() int {
	b.t.Helper()
	rs, err := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 1000})
	if err != nil {
		b.t.Fatal(err)
	}
	return len(rs)
}

// TestReportFloodOneAreaLeavesOthers plays one client sending reports to
// one area as fast as it can: that area's bucket runs dry and refuses (the
// refusal is counted), while a report from another area goes in.
func TestReportFloodOneAreaLeavesOthers(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerAreaPerHour = 3 })
	for range 3 {
		b.createReport(reportLA)
	}
	r := b.postJSON("/api/v1/reports", reportLA)
	wantStatus(t, r, http.StatusTooManyRequests)
	if _, code, _ := jsonError(t, r); code != "too_many_requests" {
		t.Errorf("code %q, want too_many_requests", code)
	}
	// The form says why, and keeps what was typed.
	r = b.postForm(nil, "/report", url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {"vans on Main"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "too many reports are coming from this area") || !strings.Contains(r.text(), "vans on Main") {
		t.Errorf("the form does not say why or lost the text: %.3000s", r.text())
	}
	// The flood spent its own area only.
	b.createReport(reportNYC)
	// A proof of work does not lift an area's limit.
	c := powChallenge(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, "garbage"))
	wantStatus(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, solve(t, c)), http.StatusTooManyRequests)
	if n := b.refusals()["report:cell"]; n != 3 {
		t.Errorf("report:cell refusals counted %d, want 3", n)
	}
	// An hour later the area has its share again.
	b.clock.Advance(time.Hour)
	b.createReport(reportLA)
}

// TestSignupFloodOnePrefixOrAreaLeavesOthers plays a client signing up
// numbers of one prefix, then of one area: another prefix and another area
// still sign up.
func TestSignupFloodOnePrefixOrAreaLeavesOthers(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.SignupsPerPrefixPerHour = 2; l.SignupsPerAreaPerHour = 4 })
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "310-555-0101") }))
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "310-555-0102") }))
	r := b.postForm(nil, "/subscribe", signupForm(func(v url.Values) { v.Set("phone", "310-555-0103") }))
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "too many sign-ups") || !strings.Contains(r.text(), "310-555-0103") {
		t.Errorf("429 page does not say why or lost the number: %.300s", r.text())
	}
	// Another prefix in the same area.
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "213-555-0101") }))
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "424-555-0101") }))
	// The area (90210) is spent now; another area is not.
	wantStatus(t, b.postForm(nil, "/subscribe", signupForm(func(v url.Values) { v.Set("phone", "818-555-0101") })), http.StatusTooManyRequests)
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "818-555-0101"); v.Set("zips", "10001") }))
	got := b.refusals()
	if got["signup:prefix"] != 1 || got["signup:cell"] != 1 {
		t.Errorf("refusals %v, want one of signup:prefix and one of signup:cell", got)
	}
}

// TestGlobalLimitAsksSolverForWork: once the service-wide bucket is empty,
// an anonymous caller gets a challenge, not a refusal, and one that solves
// it goes in. Nothing is stored for the request that was asked.
func TestGlobalLimitAsksSolverForWork(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerHour = 2 })
	b.createReport(reportLA)
	b.createReport(reportNYC)
	c := powChallenge(t, b.postJSON("/api/v1/reports", reportLA))
	if c.MaxNumber != 2000 || c.Algorithm != "SHA-256" {
		t.Errorf("challenge %+v", c)
	}
	r := b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, solve(t, c))
	wantStatus(t, r, http.StatusCreated)
	if n := b.reportCount(); n != 3 {
		t.Errorf("%d reports stored, want 3", n)
	}
	if got := b.refusals()["report:global"]; got != 1 {
		t.Errorf("report:global counted %d, want 1", got)
	}
}

// TestPoWReplayAndForgery plays a client that answers one challenge once
// and sends the answer again and again, and one that makes its own
// challenges: both are asked again, and nothing is stored.
func TestPoWReplayAndForgery(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerHour = 1 })
	b.createReport(reportLA)
	good := solve(t, powChallenge(t, b.postJSON("/api/v1/reports", reportLA)))
	wantStatus(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, good), http.StatusCreated)
	for range 3 {
		powChallenge(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, good))
	}
	mine := pow.Issuer{Key: []byte("the attacker's own key, 32 bytes"), MaxNumber: 1, TTL: time.Hour}
	c, err := mine.New(b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	powChallenge(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, solve(t, c)))
	// A solution to a real challenge, sent after it expired.
	late := solve(t, powChallenge(t, b.postJSON("/api/v1/reports", reportLA)))
	b.clock.Advance(21 * time.Minute)
	powChallenge(t, b.postJSON("/api/v1/reports", reportLA, public.PoWHeader, late))

	if n := b.reportCount(); n != 2 {
		t.Errorf("%d reports stored, want 2", n)
	}
	got := b.refusals()
	if got["pow:replayed"] != 3 || got["pow:refused"] != 2 {
		t.Errorf("refusals %v, want 3 pow:replayed and 2 pow:refused", got)
	}
}

// TestReportFormProofOfWork: over the service-wide limit the form comes
// back with everything typed kept and a challenge for pow.js; the form sent
// with the solution goes in; the form served meanwhile carries a challenge.
func TestReportFormProofOfWork(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerHour = 1 })
	b.createReport(reportLA)
	form := url.Values{"category": {"checkpoint"}, "zip": {"90210"}, "description": {"two SUVs at the corner"}, "ago": {"15"}}
	r := b.postForm(nil, "/report", form)
	wantStatus(t, r, http.StatusTooManyRequests)
	c := formChallenge(t, r)
	if !strings.Contains(r.text(), "two SUVs at the corner") || !strings.Contains(r.body, "data-pow-submit") {
		t.Errorf("the form lost what was typed or will not send itself: %.2000s", r.body)
	}
	form.Set("altcha", solve(t, c))
	wantRedirect(t, b.postForm(nil, "/report", form), "/report?sent=1")
	formChallenge(t, b.get(nil, "/report"))
}

func formChallenge(t *testing.T, r resp) pow.Challenge {
	t.Helper()
	m := regexp.MustCompile(`data-pow="([^"]+)"`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no challenge in the page: %.3000s", r.body)
	}
	var c pow.Challenge
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNoLoadNoWork: below the limits no form carries a challenge.
func TestNoLoadNoWork(t *testing.T) {
	b := setup(t)
	for _, p := range []string{"/report", "/subscribe"} {
		if r := b.get(nil, p); strings.Contains(r.body, "data-pow") {
			t.Errorf("%s carries a challenge with no load", p)
		}
	}
}

// TestSignupAndCodeProofOfWork: the sign-up and code forms ask for a proof
// of work over their service-wide limits and take it.
func TestSignupAndCodeProofOfWork(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.SignupsPerHour = 1; l.CodesPerHour = 1 })
	id := b.signup(signupForm(nil))
	v := signupForm(func(v url.Values) { v.Set("phone", "213-555-0199") })
	r := b.postForm(nil, "/subscribe", v)
	if !strings.Contains(r.text(), "213-555-0199") {
		t.Error("the sign-up form lost the number")
	}
	v.Set("altcha", solve(t, formChallenge(t, r)))
	id2 := b.signup(v)

	_, code := b.signupCode(id)
	wantRedirect(t, b.postForm(nil, "/subscribe/"+id, url.Values{"code": {code}}), "/subscribe/"+id)
	_, code2 := b.signupCode(id2)
	r = b.postForm(nil, "/subscribe/"+id2, url.Values{"code": {code2}})
	c := formChallenge(t, r)
	if !strings.Contains(r.body, `value="`+code2+`"`) {
		t.Error("the code form lost the code")
	}
	wantRedirect(t, b.postForm(nil, "/subscribe/"+id2, url.Values{"code": {code2}, "altcha": {solve(t, c)}}), "/subscribe/"+id2)
}

// TestAPIKeyHasItsOwnLimit: a partner key skips the proof of work and the
// service-wide limit, and has a bucket of its own.
func TestAPIKeyHasItsOwnLimit(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerHour = 1; l.APIKeyReportsPerHour = 2 })
	key, err := consoleadmin.NewAPIKey(context.Background(), b.st, "cli", "partner", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	b.createReport(reportLA)
	for range 2 {
		wantStatus(t, b.postJSON("/api/v1/reports", reportLA, "Authorization", "Bearer "+key), http.StatusCreated)
	}
	r := b.postJSON("/api/v1/reports", reportLA, "Authorization", "Bearer "+key)
	wantStatus(t, r, http.StatusTooManyRequests)
	if _, code, _ := jsonError(t, r); code != "too_many_requests" {
		t.Errorf("code %q", code)
	}
	wantStatus(t, b.postJSON("/api/v1/reports", reportLA, "Authorization", "Bearer tsk_0000000000000000000000000000000000000000"), http.StatusUnauthorized)
	if got := b.refusals()["apikey"]; got != 1 {
		t.Errorf("apikey refusals %d, want 1", got)
	}
}

// TestLimitsSharedAcrossReplicas: two web replicas on one database share
// the buckets: a client cannot double its share by alternating.
func TestLimitsSharedAcrossReplicas(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerAreaPerHour = 2 })
	other, err := web.New(web.Config{Store: b.st, Sealer: phone.NewSealer(b.keys.Public()), ZIPs: b.zips, Now: b.clock.Now,
		CSRFKey: []byte("another replica, another key...."), Limits: abuse.Limits{ReportsPerAreaPerHour: 2}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(other)
	t.Cleanup(ts.Close)
	post := func(base string) int {
		resp, err := http.Post(base+"/api/v1/reports", "application/json", strings.NewReader(reportLA))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	got := []int{post(b.ts.URL), post(ts.URL), post(b.ts.URL), post(ts.URL)}
	want := []int{201, 201, 429, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v, want %v", got, want)
		}
	}
}

// TestLimitsConsole shows the counts to operators.
func TestLimitsConsole(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.ReportsPerAreaPerHour = 1 })
	b.createReport(reportLA)
	for range 4 {
		wantStatus(t, b.postJSON("/api/v1/reports", reportLA), http.StatusTooManyRequests)
	}
	page := b.login("ana", "viewer").get("/console/limits")
	wantStatus(t, page, http.StatusOK)
	row := regexp.MustCompile(`(?s)<tr data-kind="report:cell">.*?</tr>`).FindString(page.body)
	if !strings.Contains(row, "<td>4</td><td>4</td>") {
		t.Errorf("report:cell row %q does not show 4 refusals", row)
	}
}

// TestCodeFloodOneAreaLeavesOthers plays a client guessing codes for
// sign-ups of one area: that area's bucket refuses, another area's sign-up
// is confirmed.
func TestCodeFloodOneAreaLeavesOthers(t *testing.T) {
	b := limited(t, func(l *abuse.Limits) { l.CodesPerAreaPerHour = 2 })
	la := b.signup(signupForm(nil))
	ny := b.signup(signupForm(func(v url.Values) { v.Set("phone", "212-555-0101"); v.Set("zips", "10001") }))
	for range 2 {
		wantStatus(t, b.postForm(nil, "/subscribe/"+la, url.Values{"code": {"000000"}}), http.StatusBadRequest)
	}
	r := b.postForm(nil, "/subscribe/"+la, url.Values{"code": {"000000"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "too many codes") {
		t.Errorf("429 page does not say why: %.300s", r.text())
	}
	_, code := b.signupCode(ny)
	wantRedirect(t, b.postForm(nil, "/subscribe/"+ny, url.Values{"code": {code}}), "/subscribe/"+ny)
	if got := b.refusals()["code:cell"]; got != 1 {
		t.Errorf("code:cell refusals %d, want 1", got)
	}
}
