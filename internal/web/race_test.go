package web_test

// Tests of limits that must hold when requests arrive at the same moment.
// A gated store holds every reader of an operator or a sign-up until n of
// them have read, which makes the check-then-write races deterministic.
//
// Each once showed a product bug, since fixed by atomic store updates.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
)

// gatedStore wraps a store; once armed with n, each GetOperator,
// GetOperatorByName and GetSignup waits, after reading, until n readers have
// arrived (or a second has passed).
type gatedStore struct {
	store.Web
	mu      sync.Mutex
	n       int
	arrived int
	release chan struct{}
}

func (g *gatedStore) arm(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n, g.arrived, g.release = n, 0, make(chan struct{})
}

func (g *gatedStore) wait() {
	g.mu.Lock()
	if g.n == 0 {
		g.mu.Unlock()
		return
	}
	g.arrived++
	rel := g.release
	if g.arrived == g.n {
		close(rel)
		g.n = 0
	}
	g.mu.Unlock()
	select {
	case <-rel:
	case <-time.After(time.Second):
	}
}

func (g *gatedStore) GetOperator(ctx context.Context, id int64) (*tocsin.Operator, error) {
	op, err := g.Web.GetOperator(ctx, id)
	g.wait()
	return op, err
}

func (g *gatedStore) GetOperatorByName(ctx context.Context, name string) (*tocsin.Operator, error) {
	op, err := g.Web.GetOperatorByName(ctx, name)
	g.wait()
	return op, err
}

func (g *gatedStore) GetSignup(ctx context.Context, id string) (*tocsin.Signup, error) {
	su, err := g.Web.GetSignup(ctx, id)
	g.wait()
	return su, err
}

func setupGated(t *testing.T) (*bundle, *gatedStore) {
	t.Helper()
	var g *gatedStore
	b := setup(t, func(c *web.Config) {
		g = &gatedStore{Web: c.Store}
		c.Store = g
	})
	return b, g
}

// concurrently sends the n requests at once and returns their responses.
func concurrently(t *testing.T, n int, do func(i int) (*http.Response, error)) []resp {
	t.Helper()
	out := make([]resp, n)
	var wg sync.WaitGroup
	var failed atomic.Bool
	for i := range n {
		wg.Go(func() {
			res, err := do(i)
			if err != nil {
				failed.Store(true)
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			out[i] = resp{Response: res, body: string(body)}
		})
	}
	wg.Wait()
	if failed.Load() {
		t.Fatal("a request failed")
	}
	return out
}

func formRequest(c *http.Client, u string, v url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// PRODUCT BUG: confirmSubmit (subscribe.go) reads Attempts, compares it with
// SignupMaxAttempts, then writes Attempts+1 as an absolute value
// (store.UpdateSignup): guesses sent together all pass the check and are
// counted once. A six-digit code can then be guessed far faster than five
// tries per sign-up allow.
func TestRaceSignupAttempts(t *testing.T) {
	b, g := setupGated(t)
	id := b.signup(signupForm(nil))
	_, code := b.signupCode(id)
	const n = 20
	g.arm(n)
	rs := concurrently(t, n, func(i int) (*http.Response, error) {
		guess := fmt.Sprintf("%06d", (atoi(code)+1+i)%1_000_000)
		return formRequest(b.client(), b.ts.URL+"/subscribe/"+id, url.Values{"code": {guess}})
	})
	judged := 0
	for _, r := range rs {
		if strings.Contains(r.text(), "not right") {
			judged++
		}
	}
	su, err := b.st.GetSignup(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if judged > tocsin.SignupMaxAttempts || su.Attempts != judged {
		t.Errorf("%d concurrent wrong codes were judged, %d counted; at most %d may be judged, and each must be counted",
			judged, su.Attempts, tocsin.SignupMaxAttempts)
	}
}

// PRODUCT BUG: totpSubmit (login.go) checks the code against TOTPLastStep of
// an operator read before its transaction, and UpdateOperator writes
// unconditionally: the same code submitted on two pending sessions at once
// logs both in, defeating the replay protection.
func TestRaceTOTPReplay(t *testing.T) {
	b, g := setupGated(t)
	op := b.newOperator("racer", "dispatcher")
	const n = 2
	clients := make([]*http.Client, n)
	for i := range clients {
		var r resp
		clients[i], r = b.passwordStep(op.Username, testPassword)
		wantRedirect(t, r, "/console/login/code")
	}
	code := b.code(op)
	g.arm(n)
	rs := concurrently(t, n, func(i int) (*http.Response, error) {
		return formRequest(clients[i], b.ts.URL+"/console/login/code", url.Values{"code": {code}})
	})
	wins := 0
	for _, r := range rs {
		if r.StatusCode == http.StatusSeeOther && r.Header.Get("Location") == "/console" {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("one TOTP code opened %d full sessions, want exactly 1", wins)
	}
}

// PRODUCT BUG: loginSubmit (login.go) checked the lock-out on an operator
// read before the password was checked, and wrote Failures+1 of that stale
// copy: wrong passwords sent together were all tried and counted once, so
// the back-off never started. Now each try is counted against its network
// before it is made: of wrong passwords sent together from one network, at
// most auth.FreeFailures are tried, the rest are refused, and every one
// tried is counted for the account.
func TestRaceLoginFailures(t *testing.T) {
	b, g := setupGated(t)
	op := b.newOperator("guessed", "dispatcher")
	const n = 8
	g.arm(n)
	rs := concurrently(t, n, func(i int) (*http.Response, error) {
		return formRequest(b.client(), b.ts.URL+"/console/login", url.Values{"username": {op.Username}, "password": {fmt.Sprintf("wrong password %d", i)}})
	})
	tried := 0
	for _, r := range rs {
		switch r.StatusCode {
		case http.StatusUnauthorized:
			tried++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("a wrong password answered %d", r.StatusCode)
		}
	}
	if tried > auth.FreeFailures {
		t.Errorf("%d concurrent wrong passwords from one network were tried, want at most %d", tried, auth.FreeFailures)
	}
	got, err := b.st.GetOperator(context.Background(), op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Failures != tried {
		t.Errorf("%d wrong passwords tried, recorded as %d failures", tried, got.Failures)
	}
}
