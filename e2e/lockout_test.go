package e2e

import (
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newClientFrom is a client whose connections come from the loopback
// address ip: another network source for the server's log-in throttle,
// which counts /24 networks (any 127.0.0.0/8 address works on Linux).
func newClientFrom(t *testing.T, s *server, ip string) *client {
	t.Helper()
	c := newClient(t, s)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.hc.Transport = &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return c
}

// TestLockoutCannotShutOutTheOperator plays issue 11 against the real
// binary: six wrong passwords for admin within seven seconds from one
// network, then the real operator logs in with password and code from
// another. Then many networks guess: the account asks for password and code
// in one step, and the operator still logs in. Nothing the server keeps
// holds the operator's address.
func TestLockoutCannotShutOutTheOperator(t *testing.T) {
	s := startServer(t)
	admin := newClient(t, s)
	clock := enrolAdmin(t, admin, s.EnrolLink)

	attacker := newClient(t, s) // from 127.0.0.1
	start := time.Now()
	for i := range 6 {
		r := attacker.postForm("/console/login", url.Values{"username": {"admin"}, "password": {fmt.Sprintf("guess number %d", i)}})
		if r.status != http.StatusUnauthorized && r.status != http.StatusTooManyRequests {
			t.Fatalf("guess %d: status %d", i, r.status)
		}
	}
	if d := time.Since(start); d > 7*time.Second {
		t.Logf("six guesses took %v", d)
	}
	// The attacker's network is held back, even with the right password.
	r := attacker.postForm("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}})
	mustStatus(t, "the right password from the attacker's network", r, http.StatusTooManyRequests)

	// The operator, from another network, logs in at once.
	const operatorAddr = "127.1.0.1"
	operator := newClientFrom(t, s, operatorAddr)
	login(t, operator, "admin", adminPassword, clock)
	mustStatus(t, "GET /console", operator.get("/console"), http.StatusOK)

	// Many networks, one guess each: the account is under attack.
	for i := range 10 {
		guesser := newClientFrom(t, s, fmt.Sprintf("127.2.%d.1", i))
		r := guesser.postForm("/console/login", url.Values{"username": {"admin"}, "password": {fmt.Sprintf("other guess %d", i)}})
		mustStatus(t, "a guess from another network", r, http.StatusUnauthorized)
	}
	// The password alone opens nothing now, not even the code step.
	late := newClientFrom(t, s, "127.3.0.1")
	r = late.postForm("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}})
	mustStatus(t, "the password alone under attack", r, http.StatusUnauthorized)
	if !strings.Contains(r.body, `name="code"`) {
		t.Errorf("the form under attack does not ask for the code:\n%s", truncate(r.body, 3000))
	}
	// The operator gives both at once and is in.
	again := newClientFrom(t, s, operatorAddr)
	r = again.postForm("/console/login", url.Values{"username": {"admin"}, "password": {adminPassword}, "code": {clock.code(t)}})
	mustRedirect(t, "password and code in one step", r, "/console")
	sec := again.get("/console/security")
	mustStatus(t, "GET /console/security", sec, http.StatusOK)
	for _, want := range []string{"login.throttled", "under attack"} {
		if !strings.Contains(sec.body, want) {
			t.Errorf("/console/security does not show %q", want)
		}
	}

	// No file the server keeps, and nothing it printed, holds the
	// operator's address.
	s.stop(t)
	err := filepath.WalkDir(s.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "127.1.0") || strings.Contains(string(b), "127.2.") {
			t.Errorf("%s holds a log-in's address", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if out := s.Stdout.String() + s.Stderr.String(); strings.Contains(out, "127.1.0") || strings.Contains(out, "127.2.") {
		t.Error("the server printed a log-in's address")
	}
}
