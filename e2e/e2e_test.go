package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tocsin/tocsin/internal/sender/vault"
)

const (
	resident  = "+13105550123" // follows 90210, then texts STOP
	neighbour = "+13105550124" // joins 90210 before the second alert
)

var refRE = regexp.MustCompile(`\nVerif(?:y|ica): http://[0-9.:]+/v/([A-Z0-9]{6})$`)

// TestAlertLoop is the acceptance test: a resident subscribes by text, a
// report comes in, an administrator enrols, logs in with two factors,
// verifies the report and composes an alert, an operator signs it with
// `tocsin alert approve` and her own key, the resident receives it with a
// reference anyone can check, and after STOP receives nothing more.
func TestAlertLoop(t *testing.T) {
	// The operators' keys and roster version 1 come first: the server
	// loads the trust anchor when it starts.
	s := startSignedServer(t)
	c := newClient(t, s)

	// 1. A resident subscribes by text.
	c.sms(resident, "JOIN 90210")
	waitOutbox(t, s, 0, resident, "90210")

	// 2. Someone reports a checkpoint through the API.
	r := c.postJSON("/api/v1/reports", map[string]string{"category": "checkpoint", "description": "agents stopping cars", "zip": "90210"})
	mustStatus(t, "POST /api/v1/reports", r, http.StatusCreated)
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || created.ID == "" {
		t.Fatalf("report answer has no id: %v\n%s", err, r.body)
	}

	// 3. The first administrator enrols with the link the server printed.
	clock := enrolAdmin(t, c, s.EnrolLink)

	// 4. Log in: password, then a code from a step not used yet. The
	// console is closed before (to another browser: enrolment started a
	// session in the first), and the code used to enrol is refused.
	c = newClient(t, s)
	mustRedirect(t, "GET /console before login", c.get("/console"), "/console/login")
	r = c.postForm("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}})
	mustRedirect(t, "POST /console/login", r, "/console/login/code")
	used, err := totp.GenerateCode(clock.secret, time.Unix(clock.last*30, 0))
	if err != nil {
		t.Fatal(err)
	}
	r = c.postForm("/console/login/code", url.Values{"code": {used}})
	if r.status == http.StatusSeeOther {
		t.Fatalf("the code already used to enrol was accepted again (303 to %q)", r.location)
	}
	mustRedirect(t, "GET /console with a pending session", c.get("/console"), "/console/login")
	login(t, c, "admin", adminPassword, clock)

	// 5. Verify the report from the queue.
	r = c.get("/console")
	mustStatus(t, "GET /console", r, http.StatusOK)
	if !strings.Contains(r.body, `id="r-`+created.ID+`"`) {
		t.Fatalf("report %s not in the console queue:\n%s", created.ID, truncate(r.body, 4000))
	}
	csrf := findCSRF(t, r.body)
	r = c.postForm("/console/reports/"+created.ID+"/state", url.Values{"state": {"verified"}})
	mustStatus(t, "POST report state without CSRF token", r, http.StatusForbidden)
	r = c.postForm("/console/reports/"+created.ID+"/state", url.Values{"state": {"verified"}, "csrf": {csrf}})
	mustRedirect(t, "verify report", r, "/console")
	r = c.get("/console?state=verified")
	mustStatus(t, "GET /console?state=verified", r, http.StatusOK)
	if !strings.Contains(r.body, `class="state-verified" id="r-`+created.ID+`"`) {
		t.Fatalf("report %s is not shown as verified:\n%s", created.ID, truncate(r.body, 4000))
	}

	// 6. Compose, preview and save an alert to 90210; one operator signs
	// it (one recipient: one signature is enough).
	first := alertDraft{
		bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.",
		bodyES: "Retén confirmado en Main y 3rd. Eviten la zona.",
		zips:   "90210",
	}
	if n := previewAlert(t, c, csrf, first); n != 1 {
		t.Fatalf("preview reaches %d subscribers, want 1", n)
	}
	row := saveDraft(t, c, csrf, first)
	if row.Need != 1 {
		t.Errorf("an alert to one subscriber needs %d signatures, want 1", row.Need)
	}
	if out := approveCLI(t, s, row.ID, "ana"); !strings.Contains(out, "Signatures: 1 of 1") || !strings.Contains(out, "Enough operators have signed") {
		t.Errorf("tocsin alert approve did not report the alert approved:\n%s", out)
	}

	// 7. The resident gets it, ending with a reference anyone can check.
	got := waitOutbox(t, s, 0, resident, first.bodyEN)
	m := refRE.FindStringSubmatch(got.Body)
	if m == nil {
		t.Fatalf("alert text %q does not end with a Ref code", got.Body)
	}
	ref := m[1]
	if row.Ref != "" && row.Ref != ref {
		t.Errorf("text carries Ref %s, console lists Ref %s", ref, row.Ref)
	}
	r = c.get("/alerts/" + ref)
	mustStatus(t, "GET /alerts/"+ref, r, http.StatusOK)
	if !strings.Contains(r.body, first.bodyEN) {
		t.Errorf("public page of Ref %s does not show the alert text:\n%s", ref, truncate(r.body, 4000))
	}
	r = c.get("/api/v1/alerts")
	mustStatus(t, "GET /api/v1/alerts", r, http.StatusOK)
	var list struct {
		Alerts []struct {
			Ref  string `json:"ref"`
			Text string `json:"text"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil {
		t.Fatalf("GET /api/v1/alerts: %v\n%s", err, r.body)
	}
	listed := false
	for _, a := range list.Alerts {
		listed = listed || (a.Ref == ref && strings.Contains(a.Text, first.bodyEN) && strings.HasSuffix(a.Text, "/v/"+ref)) // the text as signed and sent
	}
	if !listed {
		t.Errorf("GET /api/v1/alerts does not list Ref %s with its text:\n%s", ref, r.body)
	}

	// 8. STOP is honoured: a later alert to the same area skips the resident
	// but reaches a neighbour who joined since.
	c.sms(resident, "STOP")
	waitOutbox(t, s, 0, resident, "unsubscribed")
	c.sms(neighbour, "JOIN 90210")
	waitOutbox(t, s, 0, neighbour, "90210")
	before := len(linesTo(readOutbox(t, s.DataDir), resident))

	second := alertDraft{bodyEN: "Checkpoint moved to Main and 5th. Avoid the area.", zips: "90210"}
	if n := previewAlert(t, c, csrf, second); n != 1 {
		t.Errorf("second preview reaches %d subscribers, want 1 (the neighbour only)", n)
	}
	saveAndApprove(t, s, c, csrf, second, "bob")
	if done := waitAlertState(t, c, second.bodyEN, "sent"); done.Signers != "bob" || done.Sent != 1 {
		t.Errorf("sent alert is listed as %+v, want signed by bob and sent to 1", done)
	}
	waitOutbox(t, s, 0, neighbour, second.bodyEN)
	lines := readOutbox(t, s.DataDir)
	if after := len(linesTo(lines, resident)); after != before {
		t.Errorf("the resident got %d more texts after STOP:\n%s", after-before, describeOutbox(lines))
	}
}

// TestHelpAndVersion checks the command line's help, version and errors.
func TestHelpAndVersion(t *testing.T) {
	web := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string // in stdout and stderr together
		match    *regexp.Regexp
	}{
		{"help", []string{"--help"}, 0, []string{"serve", "sender", "init", "key", "alert", "freeze", "unfreeze", "operator", "version"}, nil},
		{"version", []string{"version"}, 0, nil, regexp.MustCompile(`^tocsin \S+ \(revision .+\)\n$`)},
		{"serve help", []string{"serve", "--help"}, 0, []string{"TOCSIN_LISTEN", "TOCSIN_DATA", "TOCSIN_ROLE"}, nil},
		{"sender help", []string{"sender", "--help"}, 0, []string{"TOCSIN_DB", "TOCSIN_HEALTH"}, nil},
		{"alert show help", []string{"alert", "show", "--help"}, 0, []string{"TOCSIN_SERVER", "TOCSIN_KEY"}, nil},
		{"canary help", []string{"canary", "-h"}, 0, []string{"tocsin canary subscriber add"}, nil},
		{"--version", []string{"--version"}, 0, nil, regexp.MustCompile(`^tocsin \S+ \(revision .+\)\n$`)},
		{"unknown command", []string{"frobnicate"}, 2, []string{"unknown command", "frobnicate"}, nil},
		{"sender on a public port", []string{"sender", "--data", t.TempDir(), "--db", filepath.Join(t.TempDir(), "x.db"), "--health", "0.0.0.0:9090"}, 1, []string{"loopback"}, nil},
		{"web role without the sender's key", []string{"serve", "--role", "web", "--data", web, "--listen", "127.0.0.1:0"}, 1, []string{"sender's public key"}, nil},
		{"web role without the log's key", []string{"serve", "--role", "web", "--data", webWithSenderPub(t), "--listen", "127.0.0.1:0"}, 1, []string{"log.pub", "--log-pub"}, nil},
		{"web role with a log key that is not one", []string{"serve", "--role", "web", "--data", webWithSenderPub(t), "--log-pub", notAKey(t), "--listen", "127.0.0.1:0"}, 1, []string{"log.pub"}, nil},
		{"init without an administrator", []string{"init", "--data", t.TempDir()}, 1, []string{"--admin"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, tt.args...)
			out := res.stdout + res.stderr
			if res.code != tt.code {
				t.Errorf("tocsin %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), res.code, tt.code, out)
			}
			for _, want := range tt.contains {
				if !strings.Contains(out, want) {
					t.Errorf("tocsin %s: output lacks %q:\n%s", strings.Join(tt.args, " "), want, out)
				}
			}
			if tt.match != nil && !tt.match.MatchString(res.stdout) {
				t.Errorf("tocsin %s: stdout %q does not match %s", strings.Join(tt.args, " "), res.stdout, tt.match)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(web, "keys", "sender.key")); err == nil {
		t.Error("tocsin serve --role web made a sender key")
	}
}

// webWithSenderPub is a web role's directory with the sender's public key
// only.
func webWithSenderPub(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := t.TempDir()
	if _, _, err := vault.LoadOrCreate(src); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(src, vault.PublicFile), filepath.Join(dir, "keys", vault.PublicFile))
	return dir
}

// notAKey is a file that does not hold a log key.
func notAKey(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "log.pub")
	if err := os.WriteFile(p, []byte("not a key\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOperatorAddCLI adds an operator from the command line and checks the
// link it prints works on a server using the same data directory.
func TestOperatorAddCLI(t *testing.T) {
	data := t.TempDir()
	res := runCLI(t, "operator", "add", "--data", data, "--name", "ana", "--role", "dispatcher")
	if res.code != 0 {
		t.Fatalf("operator add: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	link := enrolLinkRE.FindString(res.stdout)
	if link == "" {
		t.Fatalf("operator add printed no /enrol/ link:\n%s", res.stdout)
	}

	s := startServerWith(t, serverOptions{dataDir: data})
	if l := enrolLinkRE.FindString(s.Stdout.String()); l != "" {
		t.Errorf("server printed a first-administrator link although an operator exists: %s", l)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	r := newClient(t, s).get(u.Path)
	mustStatus(t, "GET "+u.Path, r, http.StatusOK)
	if !strings.Contains(r.body, "ana") || !totpRE.MatchString(r.body) {
		t.Errorf("enrolment page for ana lacks the name or the TOTP secret:\n%s", truncate(r.body, 4000))
	}

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"bad role", []string{"--name", "bob", "--role", "superuser"}, "admin, dispatcher or viewer"},
		{"short name", []string{"--name", "b", "--role", "viewer"}, "2 to 40 characters"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, append([]string{"operator", "add", "--data", t.TempDir()}, tt.args...)...)
			if res.code == 0 {
				t.Fatalf("operator add %v succeeded:\n%s", tt.args, res.stdout)
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("operator add %v: stderr lacks %q:\n%s", tt.args, tt.want, res.stderr)
			}
			if strings.Contains(res.stdout, "/enrol/") {
				t.Errorf("operator add %v printed a link:\n%s", tt.args, res.stdout)
			}
		})
	}
}

// TestNoPhoneNumberInTheClear subscribes numbers every way there is, files
// a report by text and stops a subscription, then looks for the numbers in
// every file the server keeps (except the dev outbox, which holds them by
// design, as a real provider would) and in everything it printed.
func TestNoPhoneNumberInTheClear(t *testing.T) {
	s := startServer(t)
	c := newClient(t, s)

	// Inbound texts, with the sender's number written in different ways.
	texts := []struct{ from, e164, body, reply string }{
		{"+13105550123", "+13105550123", "JOIN 90210", "90210"},
		{"(310) 555-0124", "+13105550124", "JOIN 90210 90211", "90211"},
		{"310-555-0125", "+13105550125", "JOIN 90210", "90210"},
		{"+1 310 555 0126", "+13105550126", "ALTA 90210", "90210"},
		{"310-555-0125", "+13105550125", "REPORT 90210 checkpoint at Main", "your report was received"},
		{"+13105550126", "+13105550126", "STOP", ""},
		{"+13105550123", "+13105550123", "HELP", "STOP to end"},
	}
	for _, tt := range texts {
		n := len(readOutbox(t, s.DataDir))
		c.sms(tt.from, tt.body)
		if tt.reply != "" {
			waitOutbox(t, s, n, tt.e164, tt.reply)
		} else {
			waitOutbox(t, s, n, tt.e164, "") // any reply
		}
	}

	// A web sign-up, confirmed with the code texted to the number.
	const web = "+13105550127"
	n := len(readOutbox(t, s.DataDir))
	r := c.postForm("/subscribe", url.Values{"phone": {"(310) 555-0127"}, "zips": {"90210"}, "lang": {"en"}})
	loc := mustRedirect(t, "POST /subscribe", r, "")
	if !strings.HasPrefix(loc, "/subscribe/") {
		t.Fatalf("POST /subscribe redirects to %q, want /subscribe/{id}", loc)
	}
	r = c.get(loc)
	mustStatus(t, "GET "+loc, r, http.StatusOK)
	if strings.Contains(r.body, "0127") {
		t.Errorf("the confirmation page shows the number:\n%s", truncate(r.body, 4000))
	}
	msg := waitOutbox(t, s, n, web, "confirmation code")
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(msg.Body)
	if code == nil {
		t.Fatalf("code text has no six-digit code: %q", msg.Body)
	}
	r = c.postForm(loc, url.Values{"code": {code[1]}})
	mustRedirect(t, "POST "+loc, r, loc)
	waitOutbox(t, s, n, web, "you are subscribed")

	numbers := []string{"+13105550123", "+13105550124", "+13105550125", "+13105550126", web}

	// The scanner works: the outbox holds every number by design.
	outbox, err := os.ReadFile(filepath.Join(s.DataDir, "outbox.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, num := range numbers {
		if len(findNumbers(outbox, []string{num})) == 0 || !strings.Contains(string(outbox), `"to":"`+num+`"`) {
			t.Errorf("no text to %s in the outbox: the test did not exercise that number", num)
		}
	}

	// While running (the WAL and shared-memory files are live), then after a
	// clean stop.
	t.Logf("while running: scanned %s", strings.Join(scanDataDir(t, s.DataDir, numbers), ", "))
	s.stop(t)
	t.Logf("after stop: scanned %s", strings.Join(scanDataDir(t, s.DataDir, numbers), ", "))
	for name, out := range map[string][]byte{"stdout": s.Stdout.Bytes(), "stderr": s.Stderr.Bytes()} {
		for _, f := range findNumbers(out, numbers) {
			t.Errorf("the server's %s holds a phone number: %s", name, f)
		}
	}
	scanDatabase(t, filepath.Join(s.DataDir, "tocsin.db"), numbers)
}
