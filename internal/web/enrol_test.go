package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

var secretRE = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`)

func TestEnrolment(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	link, err := consoleadmin.NewOperator(ctx, b.st, "newbie", "dispatcher", b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "/enrol/") {
		t.Fatalf("link %q", link)
	}
	// Not enrolled yet: no password logs in.
	_, r := b.passwordStep("newbie", "")
	wantStatus(t, r, http.StatusUnauthorized)

	page := b.get(nil, link)
	wantStatus(t, page, http.StatusOK)
	m := secretRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("the enrolment page shows no TOTP secret")
	}
	secret := m[1]
	// The secret is stable across visits until the link is used.
	if again := secretRE.FindStringSubmatch(b.get(nil, link).body); again == nil || again[1] != secret {
		t.Error("the secret changes between visits")
	}
	code := func() string {
		c, err := auth.TOTPCode(secret, b.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const pw = "a long enough passphrase"
	bad := []struct {
		name string
		form url.Values
		want string
	}{
		{"passwords differ", url.Values{"password": {pw}, "password2": {pw + "x"}, "code": {code()}}, "the two passwords differ"},
		{"password too short", url.Values{"password": {"short"}, "password2": {"short"}, "code": {code()}}, "password"},
		{"wrong code", url.Values{"password": {pw}, "password2": {pw}, "code": {"000000"}}, "that code is not right"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postForm(nil, link, tt.form)
			wantStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(r.text(), tt.want) {
				t.Errorf("page does not say %q", tt.want)
			}
		})
	}
	// Enrolment proved the password and the code: the session starts
	// there, with no wait for the next code.
	newbie := b.client()
	wantRedirect(t, b.postForm(newbie, link, url.Values{"password": {pw}, "password2": {pw}, "code": {code()}}), "/console")
	wantStatus(t, b.get(newbie, "/console"), http.StatusOK)
	// The link is spent.
	wantStatus(t, b.get(nil, link), http.StatusNotFound)
	wantStatus(t, b.postForm(nil, link, url.Values{"password": {pw}, "password2": {pw}, "code": {code()}}), http.StatusNotFound)

	// The enrolment code cannot be used again to log in; the next one can.
	c, r := b.passwordStep("newbie", pw)
	wantRedirect(t, r, "/console/login/code")
	wantStatus(t, b.postForm(c, "/console/login/code", url.Values{"code": {code()}}), http.StatusBadRequest)
	b.clock.Advance(30 * time.Second)
	wantRedirect(t, b.postForm(c, "/console/login/code", url.Values{"code": {code()}}), "/console")
}

func TestEnrolmentLinks(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	link, err := consoleadmin.NewOperator(ctx, b.st, "late", "viewer", b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, b.get(nil, "/enrol/not-a-token"), http.StatusNotFound)
	b.clock.Advance(72*time.Hour + time.Second)
	wantStatus(t, b.get(nil, link), http.StatusNotFound)

	for _, tt := range []struct{ name, role string }{{"x", "admin"}, {"okname", "superuser"}, {strings.Repeat("n", 41), "admin"}} {
		if _, err := consoleadmin.NewOperator(ctx, b.st, tt.name, tt.role, b.clock.Now()); err == nil {
			t.Errorf("NewOperator(%q, %q) succeeded", tt.name, tt.role)
		}
	}
	if _, err := consoleadmin.NewOperator(ctx, b.st, "late", "viewer", b.clock.Now()); err == nil {
		t.Error("a second operator with the same name was created")
	}
}

// PRODUCT BUG: enrolData.QR (enrol.go) is a string, so html/template
// replaces the data: URL in <img src> with "#ZgotmplZ" and the QR code never
// shows. Fix: make QR a template.URL (the server builds it; it is safe).
func TestEnrolmentQRCode(t *testing.T) {
	b := setup(t)
	link, err := consoleadmin.NewOperator(context.Background(), b.st, "qr", "viewer", b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	page := b.get(nil, link)
	wantStatus(t, page, http.StatusOK)
	if img := regexp.MustCompile(`<img[^>]*>`).FindString(page.body); !strings.Contains(img, `src="data:image/png;base64,`) {
		t.Errorf("the enrolment page has no QR code: %s", img)
	}
}
