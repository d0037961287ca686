package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/hooks"
)

func TestDevInbound(t *testing.T) {
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"bad From", url.Values{"From": {"not-a-number"}, "Body": {"JOIN 90210"}}, "From"},
		{"short From", url.Values{"From": {"12345"}, "Body": {"JOIN 90210"}}, "From"},
		{"no From", url.Values{"Body": {"JOIN 90210"}}, "From"},
		{"Body over 1600 bytes", url.Values{"From": {testNumber}, "Body": {strings.Repeat("a", hooks.MaxSMSBody+1)}}, "Body"},
		{"Body of 801 two-byte runes", url.Values{"From": {testNumber}, "Body": {strings.Repeat("ñ", 801)}}, "Body"},
		{"Body not UTF-8", url.Values{"From": {testNumber}, "Body": {"JOIN \xff\xfe"}}, "Body"},
	}
	b := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postForm(nil, "/hooks/sms/dev", tt.form)
			wantStatus(t, r, http.StatusBadRequest)
			if _, _, field := jsonError(t, r); field != tt.field {
				t.Errorf("field %q, want %q", field, tt.field)
			}
		})
	}
	if in, _ := b.st.ListInbound(context.Background(), 10); len(in) != 0 {
		t.Errorf("%d inbound rows stored from bad requests", len(in))
	}

	t.Run("good", func(t *testing.T) {
		body := strings.Repeat("b", hooks.MaxSMSBody-len("JOIN 90210 ")) // exactly at the limit
		body = "JOIN 90210 " + body
		r := b.postForm(nil, "/hooks/sms/dev", url.Values{"From": {"(310) 555-0123"}, "Body": {body}},
			"Sec-Fetch-Site", "cross-site", "Origin", "https://provider.example")
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
			t.Errorf("Content-Type %q, want text/xml", ct)
		}
		if !strings.Contains(r.body, "<Response></Response>") {
			t.Errorf("body %q is not empty TwiML", r.body)
		}
		if b.wakes.Load() != 1 {
			t.Errorf("sender woken %d times", b.wakes.Load())
		}
		in, err := b.st.ListInbound(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 {
			t.Fatalf("%d inbound rows, want 1", len(in))
		}
		m := in[0]
		if m.Provider != "dev" || m.Body != body || !m.ReceivedAt.Equal(t0) {
			t.Errorf("inbound %+v", m)
		}
		n, err := b.keys.Open(m.FromSealed)
		if err != nil {
			t.Fatalf("FromSealed does not open with the sender's key: %v", err)
		}
		if n.E164() != testNumber {
			t.Errorf("FromSealed opens to %v", n)
		}
		for _, s := range []string{testNumber, "3105550123", "555-0123"} {
			if bytes.Contains(m.FromSealed, []byte(s)) {
				t.Errorf("FromSealed contains %q", s)
			}
		}
		if bytes.Contains(b.dbBytes(), []byte("3105550123")) {
			t.Error("the database files contain the number in the clear")
		}
	})
}

func TestDevInboundOffWithoutDevHooks(t *testing.T) {
	b := setup(t, func(c *web.Config) { c.DevHooks = false })
	r := b.postForm(nil, "/hooks/sms/dev", url.Values{"From": {testNumber}, "Body": {"JOIN 90210"}})
	if r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("status %d, want 404 when dev hooks are off", r.StatusCode)
	}
	if in, _ := b.st.ListInbound(context.Background(), 10); len(in) != 0 {
		t.Error("an inbound text was stored with dev hooks off")
	}
}

func TestDevInboundTooLarge(t *testing.T) {
	b := setup(t)
	r := b.postForm(nil, "/hooks/sms/dev", url.Values{"From": {testNumber}, "Body": {strings.Repeat("z", web.MaxBody)}})
	wantStatus(t, r, http.StatusRequestEntityTooLarge)
	if _, code, _ := jsonError(t, r); code != tocsin.ETOOLARGE {
		t.Errorf("code %q", code)
	}
}
