package web_test

// Attacks on logging in (issue 11): a stranger must not be able to shut an
// operator out, and guessing must stay slow. Sources are told apart by the
// loopback address a client connects from (any 127.0.0.0/8 address works
// on Linux without setup); the throttle counts /24 networks, so each source
// here is in its own /24.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// from returns a client whose connections come from the loopback address ip.
func (b *bundle) from(ip string) *http.Client {
	b.t.Helper()
	c := b.client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.Transport = &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return c
}

// source is the loopback address of the i-th source, each in its own /24.
func source(i int) string { return fmt.Sprintf("127.0.%d.1", 10+i) }

// tryLogin posts the log-in form as c: a name, a password and, unless
// empty, a code; headers are name, value pairs.
func (b *bundle) tryLogin(c *http.Client, name, pw, code string, header ...string) resp {
	b.t.Helper()
	v := url.Values{"username": {name}, "password": {pw}}
	if code != "" {
		v.Set("code", code)
	}
	return b.postForm(c, "/console/login", v, header...)
}

// wantConsole checks that c holds a full session.
func (b *bundle) wantConsole(c *http.Client) {
	b.t.Helper()
	wantStatus(b.t, b.get(c, "/console"), http.StatusOK)
}

// loginEvents returns the login.* security events, checking that none keeps
// a network detail: only requests to bait do.
func (b *bundle) loginEvents(kind, severity string) []store.SecurityEvent {
	b.t.Helper()
	var out []store.SecurityEvent
	for _, e := range b.baitEvents(kind) {
		if e.Net != nil {
			b.t.Errorf("%s keeps network details %+v", kind, e.Net)
		}
		if e.Severity == severity {
			out = append(out, e)
		}
	}
	return out
}

// The scenario: six wrong passwords for admin in seven seconds from
// one network. That network is held back, even with the right password and
// code; the real operator, from another network, logs in at once.
func TestLockoutIsPerSource(t *testing.T) {
	b := setup(t)
	op := b.newOperator("admin", "admin")
	attacker := b.from(source(0))
	for i := range 6 {
		r := b.tryLogin(attacker, "admin", fmt.Sprintf("guess number %d", i), "")
		if r.StatusCode != http.StatusUnauthorized && r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("guess %d: status %d", i, r.StatusCode)
		}
		b.clock.Advance(time.Second)
	}
	// The attacker's network waits, whatever it sends.
	r := b.tryLogin(attacker, "admin", testPassword, "")
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "Try again in") {
		t.Errorf("held-back page: %q", r.text())
	}
	// The operator, from another network: password, then code.
	operator := b.from(source(1))
	wantRedirect(t, b.tryLogin(operator, "admin", testPassword, ""), "/console/login/code")
	wantRedirect(t, b.postForm(operator, "/console/login/code", url.Values{"code": {b.code(op)}}), "/console")
	b.wantConsole(operator)
	// The attacker's network is still held back.
	wantStatus(t, b.tryLogin(attacker, "admin", "one more guess", ""), http.StatusTooManyRequests)
	if evs := b.loginEvents("login.throttled", store.SeverityWarning); len(evs) != 1 || evs[0].Subject != "admin" {
		t.Errorf("login.throttled warnings %+v, want one for admin", evs)
	}
}

// Many networks, each guessing a password or two, put the account under
// attack: it is not closed, but asks for the password and the code in one
// step and does not say which was wrong. The real operator logs in with
// both; a guess needs both factors.
func TestLockoutManySources(t *testing.T) {
	b := setup(t)
	op := b.newOperator("admin", "admin")
	for i := range auth.ManyFailures {
		r := b.tryLogin(b.from(source(i)), "admin", fmt.Sprintf("guess number %d", i), "")
		wantStatus(t, r, http.StatusUnauthorized)
		b.clock.Advance(7 * time.Second)
	}
	high := b.loginEvents("login.throttled", store.SeverityHigh)
	if len(high) != 1 || high[0].Subject != "admin" {
		t.Fatalf("high login.throttled events %+v, want one for admin", high)
	}
	// The password alone no longer opens even a pending session: the form
	// asks for the code too, and the password was not checked.
	fresh := b.from(source(50))
	r := b.tryLogin(fresh, "admin", testPassword, "")
	wantStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.text(), "Enter the code from your authenticator app together with your password") || !strings.Contains(r.body, `name="code"`) {
		t.Errorf("password alone under attack: %q", r.text())
	}
	wantRedirect(t, b.get(fresh, "/console/login/code"), "/console/login")
	// A wrong code with the right password reads exactly as a wrong
	// password: the answer is no oracle for the password.
	rightPw := b.tryLogin(b.from(source(51)), "admin", testPassword, "000000")
	wrongPw := b.tryLogin(b.from(source(52)), "admin", "guess again", b.code(op))
	if rightPw.StatusCode != http.StatusUnauthorized || rightPw.StatusCode != wrongPw.StatusCode || rightPw.body != wrongPw.body {
		t.Errorf("right password, wrong code: %d; wrong password, right code: %d; bodies equal %v", rightPw.StatusCode, wrongPw.StatusCode, rightPw.body == wrongPw.body)
	}
	// The attack goes on from more networks: still one high event.
	for i := range 20 {
		b.tryLogin(b.from(source(60+i)), "admin", fmt.Sprintf("guess number %d", 100+i), "123456")
	}
	if n := len(b.loginEvents("login.throttled", store.SeverityHigh)); n != 1 {
		t.Errorf("%d high login.throttled events, want 1 per attack", n)
	}
	// The real operator, even from a network that failed once, gets in.
	b.clock.Advance(30 * time.Second)
	operator := b.from(source(0))
	wantRedirect(t, b.tryLogin(operator, "admin", testPassword, b.code(op)), "/console")
	b.wantConsole(operator)
	// The code used is spent: the same code again is refused.
	wantStatus(t, b.tryLogin(b.from(source(90)), "admin", testPassword, b.code(op)), http.StatusUnauthorized)
}

// Guessing codes needs the password: a stranger's guesses never close the
// code step. Someone who holds the password and guesses codes from many
// networks is held back account-wide after auth.FreeFailures wrong codes
// (a six-digit code is small), and login.code_guessing says so.
func TestLockoutCodeGuessing(t *testing.T) {
	b := setup(t)
	op := b.newOperator("admin", "admin")
	for i := range 30 {
		b.tryLogin(b.from(source(i)), "admin", fmt.Sprintf("guess number %d", i), "123456")
	}
	if got, _ := b.st.GetOperator(context.Background(), op.ID); got.CodeFailures != 0 {
		t.Fatalf("wrong passwords counted %d code failures", got.CodeFailures)
	}
	if evs := b.baitEvents("login.code_guessing"); len(evs) != 0 {
		t.Fatalf("wrong passwords raised login.code_guessing")
	}
	// The password is known: codes guessed from one network after another.
	wrong := fmt.Sprintf("%06d", (atoi(b.code(op))+500_000)%1_000_000)
	for i := range auth.FreeFailures {
		wantStatus(t, b.tryLogin(b.from(source(40+i)), "admin", testPassword, wrong), http.StatusUnauthorized)
	}
	wantStatus(t, b.tryLogin(b.from(source(50)), "admin", testPassword, b.code(op)), http.StatusTooManyRequests)
	evs := b.loginEvents("login.code_guessing", store.SeverityHigh)
	if len(evs) != 1 || evs[0].Subject != "admin" {
		t.Fatalf("login.code_guessing events %+v, want one high for admin", evs)
	}
	// After the back-off the operator logs in, which resets the count.
	b.clock.Advance(auth.Backoff(auth.FreeFailures) + time.Second)
	operator := b.from(source(51))
	wantRedirect(t, b.tryLogin(operator, "admin", testPassword, b.code(op)), "/console")
	if got, _ := b.st.GetOperator(context.Background(), op.ID); got.CodeFailures != 0 {
		t.Errorf("%d code failures after a good login", got.CodeFailures)
	}
}

// A canary operator account answers every step of these attacks byte for
// byte as a real account does.
func TestLockoutCanaryBehavesAsReal(t *testing.T) {
	script := func(t *testing.T, name string, canary bool) []string {
		b := setup(t)
		if canary {
			if err := consoleadmin.NewCanaryOperator(context.Background(), b.st, "cli", name, "admin", t0); err != nil {
				t.Fatal(err)
			}
		} else {
			b.newOperator(name, "admin")
		}
		var out []string
		note := func(r resp) { out = append(out, fmt.Sprintf("%d %s", r.StatusCode, r.body)) }
		one := b.from(source(0))
		for i := range 6 {
			note(b.tryLogin(one, name, fmt.Sprintf("guess number %d", i), ""))
			b.clock.Advance(time.Second)
		}
		for i := range auth.ManyFailures {
			note(b.tryLogin(b.from(source(1+i)), name, fmt.Sprintf("other guess %d", i), ""))
		}
		note(b.tryLogin(b.from(source(30)), name, "a guess", ""))
		note(b.tryLogin(b.from(source(31)), name, "a guess", "123456"))
		if canary && len(b.baitEvents("canary.login")) == 0 {
			t.Error("no canary.login event")
		}
		return out
	}
	real, decoy := script(t, "j.rivera", false), script(t, "j.rivera", true)
	for i := range real {
		if real[i] != decoy[i] {
			t.Errorf("step %d: a real account answers\n%.300s\na canary\n%.300s", i, real[i], decoy[i])
		}
	}
}

// X-Forwarded-For is anyone's to write: it names the client only when the
// peer is a configured trusted proxy, and then only its rightmost address
// that is not a trusted proxy.
func TestLockoutForwardedFor(t *testing.T) {
	t.Run("no trusted proxy", func(t *testing.T) {
		b := setup(t)
		b.newOperator("admin", "admin")
		attacker := b.from(source(0))
		for i := range 6 {
			b.tryLogin(attacker, "admin", "guess", "", "X-Forwarded-For", fmt.Sprintf("198.51.%d.7", i))
		}
		wantStatus(t, b.tryLogin(attacker, "admin", testPassword, "", "X-Forwarded-For", "203.0.113.9"), http.StatusTooManyRequests)
	})
	t.Run("trusted proxy", func(t *testing.T) {
		b := setup(t, func(c *web.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		op := b.newOperator("admin", "admin")
		for range 6 {
			b.tryLogin(nil, "admin", "guess", "", "X-Forwarded-For", "198.51.100.7")
		}
		// Prepending addresses does not make the attacker someone else.
		wantStatus(t, b.tryLogin(nil, "admin", testPassword, "", "X-Forwarded-For", "203.0.113.50, 198.51.100.7"), http.StatusTooManyRequests)
		// The operator, behind the same proxy.
		c := b.client()
		wantRedirect(t, b.tryLogin(c, "admin", testPassword, "", "X-Forwarded-For", "203.0.113.9"), "/console/login/code")
		// A peer that is not a trusted proxy is its own source, whatever
		// it claims.
		untrusted := b.from(source(3))
		for i := range 6 {
			b.tryLogin(untrusted, "admin", "guess", "", "X-Forwarded-For", fmt.Sprintf("203.0.%d.9", i))
		}
		wantStatus(t, b.tryLogin(untrusted, "admin", testPassword, "", "X-Forwarded-For", "203.0.113.9"), http.StatusTooManyRequests)
		// The operator finishes logging in.
		wantRedirect(t, b.postForm(c, "/console/login/code", url.Values{"code": {b.code(op)}}), "/console")
	})
}

// Nothing the throttle or its events leave in the database holds the
// client's address, in text or in bytes, and the source is forgotten after
// the window.
func TestLockoutKeepsNoAddress(t *testing.T) {
	b := setup(t, func(c *web.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	op := b.newOperator("admin", "admin")
	const v4, v6 = "198.51.100.77", "2001:db8:77:4455::1"
	for _, addr := range []string{v4, v6} {
		for i := range auth.FreeFailures {
			b.tryLogin(nil, "admin", fmt.Sprintf("guess %d", i), "", "X-Forwarded-For", addr)
		}
		if r := b.tryLogin(b.client(), "admin", testPassword, b.code(op), "X-Forwarded-For", addr); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: status %d, want held back", addr, r.StatusCode)
		}
	}
	for i := range auth.ManyFailures { // under attack: the high event too
		b.tryLogin(nil, "admin", "guess", "", "X-Forwarded-For", fmt.Sprintf("198.51.%d.77", i))
	}
	if len(b.loginEvents("login.throttled", store.SeverityHigh)) != 1 {
		t.Error("no high login.throttled event")
	}
	b.loginEvents("login.throttled", store.SeverityWarning)
	db := b.dbBytes()
	for _, needle := range [][]byte{[]byte("198.51."), []byte("2001:db8"), {198, 51, 100, 77}, netip.MustParseAddr(v6).AsSlice()[:8]} {
		if strings.Contains(string(db), string(needle)) {
			t.Errorf("the database holds %q", needle)
		}
	}
	entries, err := b.st.ListAudit(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Detail+e.Subject, "198.51.") || strings.Contains(e.Detail+e.Subject, "2001:db8") {
			t.Errorf("audit entry %+v holds the address", e)
		}
	}
	// After the window the source is a stranger again: its next wrong
	// password is tried, not held back.
	b.clock.Advance(2*auth.FailureWindow + time.Second)
	wantStatus(t, b.tryLogin(nil, "admin", "guess", "", "X-Forwarded-For", v4), http.StatusUnauthorized)
}

// TestLockoutTellsNoNames: ten wrong passwords from ten networks turn a
// real account to the one-form log-in; a made-up name must answer the same
// way, or the switch tells real operator names from made-up ones (found by
// an attack run on the real binary).
func TestLockoutTellsNoNames(t *testing.T) {
	b := setup(t)
	b.newOperator("admin", "admin")
	for i := range auth.ManyFailures {
		for _, name := range []string{"admin", "nobody"} {
			b.tryLogin(b.from(source(i)), name, fmt.Sprintf("guess number %d", i), "")
		}
		b.clock.Advance(7 * time.Second)
	}
	for _, code := range []string{"", "123456"} {
		real := b.tryLogin(b.from(source(50)), "admin", "another guess", code)
		madeUp := b.tryLogin(b.from(source(51)), "nobody", "another guess", code)
		if real.StatusCode != madeUp.StatusCode || real.text() != madeUp.text() {
			t.Errorf("code %q: a real name answers %d %q, a made-up one %d %q", code, real.StatusCode, real.text(), madeUp.StatusCode, madeUp.text())
		}
	}
}
