package web_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/web"
)

// The web tier takes provider webhooks without judging them: it holds no
// credential that could. It seals each request to the sender whole (URL as
// configured, parameters, signature header), and stores nothing in clear.
func TestProviderHooks(t *testing.T) {
	b := setup(t, func(c *web.Config) {
		c.BaseURL = "https://alerts.example.org"
		c.ProviderHooks = []string{"twilio", "kannel"}
		c.CanaryHook = "twilio"
	})
	tests := []struct {
		name, provider string
		req            func() resp
		wantForm       url.Values
		wantSig        string
		wantURL        string
	}{
		{"twilio inbound text", "twilio", func() resp {
			return b.postForm(nil, "/hooks/sms/twilio", url.Values{"From": {"+13105550123"}, "Body": {"JOIN 90210"}}, "X-Twilio-Signature", "c2lnbmF0dXJl")
		}, url.Values{"From": {"+13105550123"}, "Body": {"JOIN 90210"}}, "c2lnbmF0dXJl", "https://alerts.example.org/hooks/sms/twilio"},
		{"text to a canary on another account", "canary", func() resp {
			return b.postForm(nil, "/hooks/sms/canary", url.Values{"From": {"+13105550123"}, "To": {"+13105559001"}, "Body": {"fake"}}, "X-Twilio-Signature", "b3RoZXI=")
		}, url.Values{"From": {"+13105550123"}, "To": {"+13105559001"}, "Body": {"fake"}}, "b3RoZXI=", "https://alerts.example.org/hooks/sms/canary"},
		{"kannel dlr", "kannel", func() resp {
			return b.get(nil, "/hooks/sms/kannel?secret=s3&kind=dlr&id=m1&status=1")
		}, url.Values{"secret": {"s3"}, "kind": {"dlr"}, "id": {"m1"}, "status": {"1"}}, "", "https://alerts.example.org/hooks/sms/kannel?secret=s3&kind=dlr&id=m1&status=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := b.wakes.Load()
			r := tt.req()
			wantStatus(t, r, http.StatusOK)
			hs, err := b.st.ListHookRequests(t.Context(), 10)
			if err != nil || len(hs) == 0 {
				t.Fatalf("hook requests: %v, %v", hs, err)
			}
			h := hs[len(hs)-1]
			if h.Provider != tt.provider || bytesContain(h.Sealed, "+13105550123") {
				t.Errorf("stored %q, in clear: %v", h.Provider, bytesContain(h.Sealed, "+13105550123"))
			}
			raw, err := b.keys.OpenData(h.Sealed)
			if err != nil {
				t.Fatal(err)
			}
			var got tocsin.ProviderHook
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if got.URL != tt.wantURL || got.Signature != tt.wantSig || got.Form.Encode() != tt.wantForm.Encode() {
				t.Errorf("sealed hook = %+v", got)
			}
			if b.wakes.Load() == before {
				t.Error("the sender was not woken")
			}
		})
	}
	// A provider that is not configured has no hook.
	other := setup(t)
	if r := other.postForm(nil, "/hooks/sms/twilio", url.Values{"From": {"+13105550123"}}); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("unconfigured twilio hook: status %d", r.StatusCode)
	}
	if r := other.postForm(nil, "/hooks/sms/canary", url.Values{"From": {"+13105550123"}}); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("unconfigured canary hook: status %d", r.StatusCode)
	}
}

func bytesContain(b []byte, s string) bool { return strings.Contains(string(b), s) }

// With the Kannel hook secret, the web tier checks Kannel's calls itself: a
// call without the secret is refused and raises an event; a delivery report
// reaches the receipts; an inbound text is queued with its number sealed.
func TestKannelHookChecked(t *testing.T) {
	b := setup(t, func(c *web.Config) {
		c.ProviderHooks = []string{"kannel"}
		c.KannelHookSecret = "a-hook-secret-of-some-length"
	})
	wantStatus(t, b.get(nil, "/hooks/sms/kannel?kind=dlr&id=m1&status=1"), http.StatusForbidden)
	wantStatus(t, b.get(nil, "/hooks/sms/kannel?secret=wrong-secret-of-some-length&kind=dlr&id=m1&status=1"), http.StatusForbidden)
	events, err := b.st.ListSecurityEvents(t.Context(), 10)
	if err != nil || len(events) != 2 || events[0].Kind != "webhook.forged" {
		t.Errorf("events = %+v, %v", events, err)
	}
	wantStatus(t, b.get(nil, "/hooks/sms/kannel?secret=a-hook-secret-of-some-length&kind=dlr&id=m1&status=1"), http.StatusOK)
	db, err := sql.Open("sqlite", "file:"+b.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status string
	if err := db.QueryRow(`SELECT status FROM receipts WHERE provider_id = 'm1'`).Scan(&status); err != nil || status != "delivered" {
		t.Fatalf("receipt for m1: %q, %v; want delivered", status, err)
	}
	wantStatus(t, b.get(nil, "/hooks/sms/kannel?secret=a-hook-secret-of-some-length&kind=mo&from=%2B13105550123&text=JOIN+90210"), http.StatusOK)
	in, err := b.st.ListInbound(t.Context(), 10)
	if err != nil || len(in) != 1 || in[0].Body != "JOIN 90210" || bytesContain(in[0].FromSealed, "+13105550123") {
		t.Fatalf("inbound = %+v, %v", in, err)
	}
	if n, err := b.keys.Open(in[0].FromSealed); err != nil || n.E164() != "+13105550123" {
		t.Errorf("sealed number opens to %v, %v", n, err)
	}
	wantStatus(t, b.get(nil, "/hooks/sms/kannel?secret=a-hook-secret-of-some-length&kind=what"), http.StatusBadRequest)
}
