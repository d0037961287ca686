package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// t0 is the fixed time every test starts at.
var t0 = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// zipTable is loaded once: it is read-only.
var zipTable = sync.OnceValues(geo.LoadZIPs)

// bundle is one running web tier on a fresh database.
type bundle struct {
	t       *testing.T
	st      *sqlite.DB
	dbPath  string
	keys    *vault.Keys
	zips    *geo.ZIPs
	clock   *fakeClock
	srv     *web.Server
	handler http.Handler // srv wrapped as cmd/tocsin/serve.go wraps it
	ts      *httptest.Server
	wakes   atomic.Int64
	trust   *testTrust // the roster and operator keys; nil unless setupSigned
	logKey  string     // the transparency log's signer key (the sender's log.key)
	cfg     web.Config
}

// setup starts a web tier; opts change the config before web.New.
func setup(t *testing.T, opts ...func(*web.Config)) *bundle {
	t.Helper()
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "tocsin.db")
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := vault.Generate()
	if err != nil {
		t.Fatalf("vault.Generate: %v", err)
	}
	zips, err := zipTable()
	if err != nil {
		t.Fatalf("LoadZIPs: %v", err)
	}
	logKey, logPub, err := tlog.NewSigner("tocsin-log")
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{t: t, st: st, dbPath: dbPath, keys: keys, zips: zips, clock: &fakeClock{t: t0}, logKey: logKey}
	cfg := web.Config{
		Store:    st,
		Sealer:   phone.NewSealer(keys.Public()),
		ZIPs:     zips,
		Now:      b.clock.Now,
		BaseURL:  "http://tocsin.test",
		Name:     "tocsin-test",
		CSRFKey:  bytes.Repeat([]byte{7}, 32),
		Wake:     func() { b.wakes.Add(1) },
		DevHooks: true,

		LogPublicKey: logPub,
	}
	for _, o := range opts {
		o(&cfg)
	}
	b.cfg = cfg
	b.restart()
	b.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { b.handler.ServeHTTP(w, r) }))
	t.Cleanup(b.ts.Close)
	return b
}

// restart replaces the web tier by a new one on the same database and
// config, as a restarted process: it remembers nothing.
func (b *bundle) restart() {
	b.t.Helper()
	srv, err := web.New(b.cfg)
	if err != nil {
		b.t.Fatalf("web.New: %v", err)
	}
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /api/")
	cop.AddInsecureBypassPattern("POST /hooks/")
	b.srv, b.handler = srv, cop.Handler(srv)
}

// client returns an HTTP client with a cookie jar that does not follow
// redirects, so tests see every 303.
func (b *bundle) client() *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// resp is a read response.
type resp struct {
	*http.Response
	body string
}

// text is the body with HTML entities decoded, for message checks.
func (r resp) text() string { return html.UnescapeString(r.body) }

func (b *bundle) do(c *http.Client, req *http.Request) resp {
	b.t.Helper()
	if c == nil {
		c = b.client()
	}
	res, err := c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("read body: %v", err)
	}
	return resp{Response: res, body: string(body)}
}

func (b *bundle) newRequest(method, path string, body io.Reader) *http.Request {
	b.t.Helper()
	req, err := http.NewRequest(method, b.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	return req
}

func (b *bundle) get(c *http.Client, path string, header ...string) resp {
	b.t.Helper()
	req := b.newRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(c, req)
}

func (b *bundle) postForm(c *http.Client, path string, v url.Values, header ...string) resp {
	b.t.Helper()
	req := b.newRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(c, req)
}

func (b *bundle) postJSON(path, body string, header ...string) resp {
	b.t.Helper()
	req := b.newRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(nil, req)
}

// dbBytes returns the bytes of the database file and its WAL and SHM files.
func (b *bundle) dbBytes() []byte {
	b.t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		data, err := os.ReadFile(b.dbPath + suffix)
		if err != nil && !os.IsNotExist(err) {
			b.t.Fatal(err)
		}
		all = append(all, data...)
	}
	return all
}

// zipPoint is the centroid of a ZIP the table must know.
func (b *bundle) zipPoint(zip string) geo.Point {
	b.t.Helper()
	p, ok := b.zips.Lookup(zip)
	if !ok {
		b.t.Fatalf("ZIP %s is not in the table", zip)
	}
	return p
}

// wantStatus fails the test unless r has status code want.
func wantStatus(t *testing.T, r resp, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%.2000s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.body)
	}
}

// wantRedirect fails unless r is a 303 to loc.
func wantRedirect(t *testing.T, r resp, loc string) {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != loc {
		t.Fatalf("%s %s: Location %q, want %q", r.Request.Method, r.Request.URL.Path, got, loc)
	}
}

// jsonError decodes an API error body.
func jsonError(t *testing.T, r resp) (msg, code, field string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON; body %q", ct, r.body)
	}
	var e struct {
		Error string `json:"error"`
		Code  string `json:"code"`
		Field string `json:"field"`
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.body, err)
	}
	if e.Error == "" {
		t.Fatalf("error body %q has no \"error\"", r.body)
	}
	return e.Error, e.Code, e.Field
}

// operatorClient is a signed-in console session.
type operatorClient struct {
	b    *bundle
	c    *http.Client
	op   *tocsin.Operator
	pw   string
	csrf string
}

const testPassword = "correct horse battery staple"

// newOperator creates an enrolled operator directly in the store.
func (b *bundle) newOperator(name, role string) *tocsin.Operator {
	b.t.Helper()
	ctx := context.Background()
	if _, err := consoleadmin.NewOperator(ctx, b.st, name, role, b.clock.Now()); err != nil {
		b.t.Fatalf("NewOperator: %v", err)
	}
	op, err := b.st.GetOperatorByName(ctx, name)
	if err != nil {
		b.t.Fatal(err)
	}
	op.PasswordHash, err = auth.HashPassword(testPassword, auth.TestParams())
	if err != nil {
		b.t.Fatal(err)
	}
	op.TOTPSecret, _, err = auth.NewTOTP("tocsin-test", name)
	if err != nil {
		b.t.Fatal(err)
	}
	op.Enrolled = true
	if err := b.st.UpdateOperator(ctx, op); err != nil {
		b.t.Fatal(err)
	}
	return op
}

// code is the current TOTP code of op at the fake clock.
func (b *bundle) code(op *tocsin.Operator) string {
	b.t.Helper()
	c, err := auth.TOTPCode(op.TOTPSecret, b.clock.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

// passwordStep submits the password and returns the pending-session client.
func (b *bundle) passwordStep(name, pw string) (*http.Client, resp) {
	b.t.Helper()
	c := b.client()
	r := b.postForm(c, "/console/login", url.Values{"username": {name}, "password": {pw}})
	return c, r
}

// login creates an operator of role and signs it in with both factors.
func (b *bundle) login(name, role string) *operatorClient {
	b.t.Helper()
	op := b.newOperator(name, role)
	return b.loginAs(op)
}

// loginAs signs op in with both factors at the current clock.
func (b *bundle) loginAs(op *tocsin.Operator) *operatorClient {
	b.t.Helper()
	c, r := b.passwordStep(op.Username, testPassword)
	wantRedirect(b.t, r, "/console/login/code")
	r = b.postForm(c, "/console/login/code", url.Values{"code": {b.code(op)}})
	wantRedirect(b.t, r, "/console")
	oc := &operatorClient{b: b, c: c, op: op, pw: testPassword}
	oc.csrf = oc.fetchCSRF("/console")
	return oc
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// fetchCSRF reads the CSRF token from a console page.
func (oc *operatorClient) fetchCSRF(path string) string {
	oc.b.t.Helper()
	r := oc.b.get(oc.c, path)
	wantStatus(oc.b.t, r, http.StatusOK)
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		oc.b.t.Fatalf("no CSRF token on %s", path)
	}
	return html.UnescapeString(m[1])
}

// post submits a console form with the session's CSRF token.
func (oc *operatorClient) post(path string, v url.Values) resp {
	oc.b.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", oc.csrf)
	return oc.b.postForm(oc.c, path, v)
}

func (oc *operatorClient) get(path string) resp {
	oc.b.t.Helper()
	return oc.b.get(oc.c, path)
}

// createReport stores a report through the API and returns its id.
func (b *bundle) createReport(body string) string {
	b.t.Helper()
	r := b.postJSON("/api/v1/reports", body)
	wantStatus(b.t, r, http.StatusCreated)
	var out struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil || out.ID == "" {
		b.t.Fatalf("201 body %q has no id (%v)", r.body, err)
	}
	return out.ID
}
