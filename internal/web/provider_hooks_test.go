package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
}

func bytesContain(b []byte, s string) bool { return strings.Contains(string(b), s) }
