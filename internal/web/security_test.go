package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
)

func checkSecurityHeaders(t *testing.T, r resp, hsts bool) {
	t.Helper()
	h := r.Header
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Errorf("%s: no Content-Security-Policy", r.Request.URL.Path)
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", r.Request.URL.Path, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows unsafe script: %q", r.Request.URL.Path, csp)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", r.Request.URL.Path, got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", r.Request.URL.Path, got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("%s: Referrer-Policy %q", r.Request.URL.Path, got)
	}
	if got := h.Get("Strict-Transport-Security"); (got != "") != hsts {
		t.Errorf("%s: Strict-Transport-Security %q, want present=%v", r.Request.URL.Path, got, hsts)
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	for _, secure := range []bool{false, true} {
		name := "plain"
		if secure {
			name = "secure"
		}
		t.Run(name, func(t *testing.T) {
			b := setup(t, func(c *web.Config) { c.Secure = secure })
			oc := b.login("headers", "admin")
			reqs := []func() resp{
				func() resp { return b.get(nil, "/") },
				func() resp { return b.get(nil, "/privacy") },
				func() resp { return b.get(nil, "/report") },
				func() resp { return b.get(nil, "/subscribe") },
				func() resp { return b.get(nil, "/alerts/NOPE") },
				func() resp { return b.get(nil, "/no/such/page") },
				func() resp { return b.get(nil, "/healthz") },
				func() resp { return b.get(nil, "/static/style.css") },
				func() resp { return b.get(nil, "/api/v1/alerts") },
				func() resp { return b.get(nil, "/lang/es?back=/report") },
				func() resp { return b.get(nil, "/console/login") },
				func() resp { return b.get(nil, "/console") },
				func() resp { return b.postJSON("/api/v1/reports", `{}`) },
				func() resp { return b.postForm(nil, "/report", url.Values{}) },
				func() resp { return b.postForm(nil, "/hooks/sms/dev", url.Values{}) },
				func() resp { return oc.get("/console") },
				func() resp { return oc.get("/console/alerts/new") },
				func() resp { return b.postForm(oc.c, "/console/alerts/new", url.Values{"csrf": {"bad"}}) },
			}
			for _, do := range reqs {
				checkSecurityHeaders(t, do(), secure)
			}
		})
	}
}

func TestSecureCookies(t *testing.T) {
	b := setup(t, func(c *web.Config) { c.Secure = true })
	op := b.newOperator("securecookie", "admin")
	_, r := b.passwordStep(op.Username, testPassword)
	wantRedirect(t, r, "/console/login/code")
	var found bool
	for _, c := range r.Cookies() {
		if c.Name == "tocsin_session" {
			found = true
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie Secure=%v HttpOnly=%v SameSite=%v", c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	}
	if !found {
		t.Error("no session cookie")
	}
}

func TestCrossSiteFormRefused(t *testing.T) {
	b := setup(t)
	form := url.Values{"category": {"raid"}, "zip": {"90210"}, "description": {"cross-site"}}
	tests := []struct {
		name   string
		path   string
		header []string
		want   int
	}{
		{"report, Sec-Fetch-Site cross-site", "/report", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"report, Origin only", "/report", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"subscribe, cross-site", "/subscribe", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"login, cross-site", "/console/login", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"report, same-origin", "/report", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
		{"report, no browser headers", "/report", nil, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postForm(nil, tt.path, form, tt.header...)
			wantStatus(t, r, tt.want)
		})
	}
	rs, err := b.st.ListReports(context.Background(), store.ReportFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Errorf("%d reports stored, want 2 (the same-site ones)", len(rs))
	}
	// The API and the hooks stay open to other origins: apps and providers.
	r := b.postJSON("/api/v1/reports", `{"category":"raid","description":"from an app","zip":"90210"}`,
		"Sec-Fetch-Site", "cross-site", "Origin", "https://app.example")
	wantStatus(t, r, http.StatusCreated)
}

func TestLangSwitch(t *testing.T) {
	b := setup(t)
	tests := []struct {
		path, loc string
	}{
		{"/lang/es?back=/report", "/report"},
		{"/lang/en?back=/subscribe", "/subscribe"},
		{"/lang/es?back=//evil.com", "/"},
		{"/lang/es?back=/%5Cevil.com", "/"},
		{"/lang/es?back=https://evil.com/", "/"},
		{"/lang/es?back=evil.com", "/"},
		{"/lang/es?back=", "/"},
		{"/lang/es", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := b.get(nil, tt.path)
			wantRedirect(t, r, tt.loc)
		})
	}
	wantStatus(t, b.get(nil, "/lang/fr?back=/"), http.StatusNotFound)

	// No Location the server sends may lead a browser off-site. Browsers
	// drop tabs and newlines inside URLs (WHATWG URL parser), so "/\t/evil.com"
	// becomes "//evil.com".
	for _, back := range []string{"/\t/evil.com", "/\n/evil.com", "/\r/evil.com", "/\t\\evil.com"} {
		// Through the handler: Go's client refuses such a Location, browsers do not.
		rec := httptest.NewRecorder()
		b.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/lang/es?back="+url.QueryEscape(back), nil))
		loc := rec.Header().Get("Location")
		cleaned := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
		if strings.HasPrefix(cleaned, "//") || strings.HasPrefix(cleaned, "/\\") || strings.Contains(cleaned, "evil.com") && !strings.HasPrefix(cleaned, "/") {
			t.Errorf("back=%q redirects off-site: Location %q", back, loc)
		}
	}

	// The cookie chooses the language.
	c := b.client()
	wantRedirect(t, b.get(c, "/lang/es?back=/"), "/")
	r := b.get(c, "/")
	if r.Header.Get("Content-Language") != "es" || !strings.Contains(r.body, `<html lang="es">`) {
		t.Errorf("after /lang/es: Content-Language %q", r.Header.Get("Content-Language"))
	}
	// The cookie wins over Accept-Language.
	c2 := b.client()
	b.get(c2, "/lang/en?back=/")
	if r := b.get(c2, "/", "Accept-Language", "es"); r.Header.Get("Content-Language") != "en" {
		t.Errorf("cookie en, Accept-Language es: Content-Language %q", r.Header.Get("Content-Language"))
	}
}

// A panic becomes a clean 500; nothing of its detail leaks.
func TestHealthz(t *testing.T) {
	b := setup(t)
	r := b.get(nil, "/healthz")
	wantStatus(t, r, http.StatusOK)
	if r.body != "ok\n" {
		t.Errorf("healthz body %q", r.body)
	}
	b.st.Close()
	r = b.get(nil, "/healthz")
	wantStatus(t, r, http.StatusServiceUnavailable)
}
