package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
	"github.com/tocsin/tocsin/internal/web/public"
)

// TestOversizedForms sends every form a body over its limit: each answers
// 413 with a page in the visitor's language (never a 500, and never a
// wrong-password or expired-form answer as if the fields were empty), and
// nothing is recorded.
func TestOversizedForms(t *testing.T) {
	b := setup(t)
	oc := b.login("ana", "admin")
	enrol, err := consoleadmin.NewOperator(context.Background(), b.st, "newbie", "dispatcher", b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := b.postForm(nil, "/subscribe", url.Values{"phone": {"+13105550123"}, "zips": {"90210"}, "lang": {"en"}})
	wantStatus(t, r, http.StatusSeeOther)
	signup := r.Header.Get("Location")
	pending, _ := b.passwordStep("ana", testPassword)
	ctx := context.Background()
	// recorded sums up what a form could leave: audit entries, security
	// events, reports, sign-up attempts, operators' failures and enrolment.
	recorded := func() string {
		audit, err := b.st.ListAudit(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		events, err := b.st.ListSecurityEvents(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		reports, err := b.st.ListReports(ctx, store.ReportFilter{})
		if err != nil {
			t.Fatal(err)
		}
		su, err := b.st.GetSignup(ctx, path.Base(signup))
		if err != nil {
			t.Fatal(err)
		}
		ana, err := b.st.GetOperatorByName(ctx, "ana")
		if err != nil {
			t.Fatal(err)
		}
		newbie, err := b.st.GetOperatorByName(ctx, "newbie")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d audit entries, %d events, %d reports, %d sign-up attempts, %d failures, enrolled %t",
			len(audit), len(events), len(reports), su.Attempts, ana.Failures, newbie.Enrolled)
	}
	big := func(limit int64) string { return "x=" + strings.Repeat("a", int(limit)) }

	tests := []struct {
		path   string
		client *http.Client
		limit  int64
	}{
		{"/verify", nil, web.MaxBody},
		{"/report", nil, public.MaxReportForm},
		{"/subscribe", nil, web.MaxBody},
		{signup, nil, web.MaxBody},
		{enrol, nil, web.MaxBody},
		{"/console/login", nil, web.MaxBody},
		{"/console/login/code", pending, web.MaxBody},
		{"/console/reports/nope/state", oc.c, web.MaxBody},
		{"/console/alerts/new", oc.c, web.MaxBody},
		{"/console/freeze", oc.c, web.MaxBody},
		{"/console/canaries", oc.c, web.MaxBody},
		{"/console/notices", oc.c, web.MaxBody},
		{"/console/logout", oc.c, web.MaxBody},
	}
	for _, lang := range []struct{ accept, want string }{{"en", "The form is too large"}, {"es", "El formulario es demasiado grande"}} {
		for _, tt := range tests {
			t.Run(lang.accept+tt.path, func(t *testing.T) {
				before := recorded()
				req := b.newRequest(http.MethodPost, tt.path, strings.NewReader(big(tt.limit)))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Accept-Language", lang.accept)
				c := tt.client
				if c == nil {
					c = b.client()
				}
				r := b.do(c, req)
				if r.StatusCode != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413\n%.500s", r.StatusCode, r.body)
				}
				if !strings.Contains(r.text(), lang.want) || r.Header.Get("Content-Language") != lang.accept {
					t.Errorf("the page (language %q) does not say %q:\n%.2000s", r.Header.Get("Content-Language"), lang.want, r.body)
				}
				if after := recorded(); after != before {
					t.Errorf("the oversized form was recorded: %s, then %s", before, after)
				}
			})
		}
	}
}

// TestOversizedRequests: the API and the webhooks answer a body over 64 KiB
// with 413 and the JSON error code too_large.
func TestOversizedRequests(t *testing.T) {
	b := setup(t)
	tests := []struct{ path, contentType, body string }{
		{"/api/v1/reports", "application/json", `{"description":"` + strings.Repeat("a", web.MaxBody) + `"}`},
		{"/api/v1/alerts/nope/approvals", "application/json", `{"signature":"` + strings.Repeat("a", web.MaxBody) + `"}`},
		{"/api/v1/freeze-orders", "application/json", `{"body":"` + strings.Repeat("a", web.MaxBody) + `"}`},
		{"/hooks/sms/dev", "application/x-www-form-urlencoded", "Body=" + strings.Repeat("a", web.MaxBody)},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req := b.newRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			r := b.do(nil, req)
			wantStatus(t, r, http.StatusRequestEntityTooLarge)
			if _, code, _ := jsonError(t, r); code != "too_large" {
				t.Errorf("error code %q, want too_large", code)
			}
		})
	}
}
