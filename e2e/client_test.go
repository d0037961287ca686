package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// client is a browser-like HTTP client of one server: it keeps cookies and
// never follows redirects, so tests see every 303 and where it points.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func newClient(t *testing.T, s *server) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: s.URL, hc: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is a fully read answer.
type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", req.Method, req.URL.Path, err)
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

// url resolves a path, or takes an absolute URL as it is.
func (c *client) url(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.base + path
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.url(path), nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) postForm(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) postJSON(path string, v any) response {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url(path), bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return c.do(req)
}

// mustStatus fails the test unless r has the status wanted.
func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\nLocation: %q\nbody:\n%s", what, r.status, want, r.location, truncate(r.body, 4000))
	}
}

// mustRedirect fails the test unless r is a 303 to the path wanted ("" for
// any path); it returns the Location.
func mustRedirect(t *testing.T, what string, r response, wantPath string) string {
	t.Helper()
	mustStatus(t, what, r, http.StatusSeeOther)
	u, err := url.Parse(r.location)
	if err != nil {
		t.Fatalf("%s: bad Location %q: %v", what, r.location, err)
	}
	if wantPath != "" && u.Path != wantPath {
		t.Fatalf("%s: redirect to %q, want %q", what, r.location, wantPath)
	}
	return r.location
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// sms texts body from a number to the server, through the dev webhook.
func (c *client) sms(from, body string) {
	c.t.Helper()
	r := c.postForm("/hooks/sms/dev", url.Values{"From": {from}, "Body": {body}})
	mustStatus(c.t, fmt.Sprintf("inbound text %q", body), r, http.StatusOK)
}

// outboxLine is one message the outbox provider wrote.
type outboxLine struct {
	To   string    `json:"to"`
	Body string    `json:"body"`
	At   time.Time `json:"at"`
}

// readOutbox reads every complete line of DATA/outbox.jsonl, failing the
// test on a line without the contract's fields.
func readOutbox(t *testing.T, dataDir string) []outboxLine {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "outbox.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	// A line is complete once its newline is written.
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	} else {
		b = nil
	}
	var out []outboxLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var raw map[string]any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("outbox line %d is not JSON: %v\n%s", n, err, sc.Bytes())
		}
		for _, k := range []string{"to", "body", "at"} {
			if s, ok := raw[k].(string); !ok || s == "" {
				t.Fatalf("outbox line %d has no string %q: %s", n, k, sc.Bytes())
			}
		}
		if _, err := time.Parse(time.RFC3339, raw["at"].(string)); err != nil {
			t.Fatalf("outbox line %d: at is not RFC 3339: %v", n, err)
		}
		var l outboxLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("outbox line %d: %v", n, err)
		}
		if !e164RE.MatchString(l.To) {
			t.Fatalf("outbox line %d: to %q is not E.164", n, l.To)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return out
}

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// linesTo returns the outbox lines to one number.
func linesTo(lines []outboxLine, to string) []outboxLine {
	var out []outboxLine
	for _, l := range lines {
		if l.To == to {
			out = append(out, l)
		}
	}
	return out
}

// waitOutbox polls the outbox until a message to `to` whose body contains
// want appears at index `from` or later, and returns it.
func waitOutbox(t *testing.T, s *server, from int, to, want string) outboxLine {
	t.Helper()
	var found outboxLine
	waitFor(t, fmt.Sprintf("a text to %s containing %q in the outbox", to, want), func() (bool, string) {
		lines := readOutbox(t, s.DataDir)
		for i := from; i < len(lines); i++ {
			if lines[i].To == to && strings.Contains(lines[i].Body, want) {
				found = lines[i]
				return true, ""
			}
		}
		return false, describeOutbox(lines)
	})
	return found
}

func describeOutbox(lines []outboxLine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "outbox (%d lines):\n", len(lines))
	for i, l := range lines {
		fmt.Fprintf(&b, "  %d %s %q\n", i, l.To, l.Body)
	}
	return b.String()
}

// totpClock makes second-factor codes the way an authenticator app does,
// never reusing a 30-second step: the server refuses a step already used.
type totpClock struct {
	secret string
	last   int64 // last step used, 0 for none
}

// code returns a code for the earliest step after the last one used that
// the server accepts now (it accepts one step either side of its clock),
// waiting for the clock when needed.
func (c *totpClock) code(t *testing.T) string {
	t.Helper()
	now := time.Now().Unix() / 30
	step := max(now, c.last+1)
	if step > now+1 {
		// Wait until step is within the server's window.
		time.Sleep(time.Until(time.Unix((step-1)*30, 0)))
	}
	code, err := totp.GenerateCode(c.secret, time.Unix(step*30, 0))
	if err != nil {
		t.Fatalf("TOTP code: %v", err)
	}
	c.last = step
	return code
}

var (
	csrfRE     = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	totpRE     = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7=]+)</code>`)
	alertRowRE = regexp.MustCompile(`(?s)<tr id="a-([a-z0-9]+)">(.*?)</tr>`)
	alertRefRE = regexp.MustCompile(`^\s*<td>([A-Z0-9]+)<br>`)
	alertIDRE  = regexp.MustCompile(`<code class="small alert-id">([a-z0-9]+)</code>`)
	stateRE    = regexp.MustCompile(`<td class="alert-state">([a-z_]+)</td>`)
	signersRE  = regexp.MustCompile(`(?s)<td class="signers">(\d+) / (\d+)(?:: ([^<]*))?(?:<br><span class="small">sha256 ([0-9a-f]+))?`)
	countsRE   = regexp.MustCompile(`<td>(\d+) / (\d+) / (\d+)</td>\s*$`)
)

// findCSRF returns the CSRF token of a console page.
func findCSRF(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token (hidden input csrf) in page:\n%s", truncate(page, 4000))
	}
	return html.UnescapeString(m[1])
}

// alertRow is one row of the console's alert list.
type alertRow struct {
	ID, Ref, State string
	Signed, Need   int    // signatures that verify, and how many the alert needs
	Signers        string // their names, ", "-separated
	Digest         string // the start of the statement's SHA-256, in hex
	Recipients     int    // ledger rows, sent and failed, as listed
	Sent, Failed   int
}

// findAlert returns the row of /console/alerts whose text contains text.
func findAlert(page, text string) (alertRow, bool) {
	for _, m := range alertRowRE.FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[2], html.EscapeString(text)) {
			continue
		}
		r := alertRow{ID: m[1]}
		if rm := alertRefRE.FindStringSubmatch(m[2]); rm != nil {
			r.Ref = rm[1]
		}
		if im := alertIDRE.FindStringSubmatch(m[2]); im != nil && im[1] != r.ID {
			r.ID = "" // the row and its id disagree: make the caller fail
		}
		if sm := stateRE.FindStringSubmatch(m[2]); sm != nil {
			r.State = sm[1]
		}
		if sm := signersRE.FindStringSubmatch(m[2]); sm != nil {
			r.Signed, _ = strconv.Atoi(sm[1])
			r.Need, _ = strconv.Atoi(sm[2])
			r.Signers, r.Digest = strings.TrimSpace(html.UnescapeString(sm[3])), sm[4]
		}
		if cm := countsRE.FindStringSubmatch(m[2]); cm != nil {
			r.Recipients, _ = strconv.Atoi(cm[1])
			r.Sent, _ = strconv.Atoi(cm[2])
			r.Failed, _ = strconv.Atoi(cm[3])
		}
		return r, true
	}
	return alertRow{}, false
}
