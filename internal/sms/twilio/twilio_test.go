package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/sms/twilio"
	"github.com/tocsin/tocsin/internal/sms/twilio/twiliotest"
)

const (
	account  = "AC0123456789abcdef0123456789abcdef"
	apiKey   = "SKfedcba9876543210fedcba9876543210"
	secret   = "keysecretkeysecretkeysecret01234"
	token    = "authtokenauthtokenauthtoken56789"
	ourFrom  = "+13105550100"
	service  = "MGaaaabbbbccccddddeeeeffff00001111"
	callback = "https://alerts.example.org/hooks/sms/twilio"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock shared by the provider and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func baseConfig(clk *clock) twilio.Config {
	return twilio.Config{
		AccountSID: account, APIKey: apiKey, APISecret: secret, AuthToken: token,
		From: ourFrom, StatusCallback: callback, Now: clk.Now,
	}
}

type env struct {
	p    *twilio.Provider
	fake *twiliotest.Server
	clk  *clock
}

func setup(t *testing.T, cfgMod func(*twilio.Config), optMod func(*twiliotest.Options)) env {
	t.Helper()
	clk := &clock{t: t0}
	o := twiliotest.Options{AccountSID: account, APIKey: apiKey, APISecret: secret, AuthToken: token, Now: clk.Now}
	if optMod != nil {
		optMod(&o)
	}
	fake := twiliotest.New(t, o)
	cfg := baseConfig(clk)
	cfg.BaseURL = fake.URL
	if cfgMod != nil {
		cfgMod(&cfg)
	}
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return env{p: p, fake: fake, clk: clk}
}

func number(t *testing.T, s string) phone.Number {
	t.Helper()
	n, err := phone.Parse(s, "US")
	if err != nil {
		t.Fatalf("phone.Parse(%q): %v", s, err)
	}
	return n
}

func TestNew(t *testing.T) {
	clk := &clock{t: t0}
	tests := []struct {
		name string
		mod  func(*twilio.Config)
		want string // "" = valid; else a fragment of the error
	}{
		{"valid with From", nil, ""},
		{"valid with service", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", service }, ""},
		{"valid without callback", func(c *twilio.Config) { c.StatusCallback = "" }, ""},
		{"loopback http callback", func(c *twilio.Config) { c.StatusCallback = "http://127.0.0.1:9/hooks/sms/twilio" }, ""},
		{"account SID prefix", func(c *twilio.Config) { c.AccountSID = "XX" + account[2:] }, "AccountSID"},
		{"account SID as API key", func(c *twilio.Config) { c.APIKey = account }, "account SID"},
		{"API key prefix", func(c *twilio.Config) { c.APIKey = "PK" + apiKey[2:] }, "API key SID"},
		{"auth token as secret", func(c *twilio.Config) { c.APISecret = token }, "auth token"},
		{"no secret", func(c *twilio.Config) { c.APISecret = "" }, "APISecret"},
		{"no auth token", func(c *twilio.Config) { c.AuthToken = "" }, "AuthToken"},
		{"both senders", func(c *twilio.Config) { c.MessagingServiceSID = service }, "not both"},
		{"no sender", func(c *twilio.Config) { c.From = "" }, "From or MessagingServiceSID"},
		{"From not E.164", func(c *twilio.Config) { c.From = "3105550100" }, "E.164"},
		{"service prefix", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", "XX"+service[2:] }, "MessagingServiceSID"},
		{"http callback", func(c *twilio.Config) { c.StatusCallback = "http://alerts.example.org/hooks/sms/twilio" }, "https"},
		{"relative callback", func(c *twilio.Config) { c.StatusCallback = "/hooks/sms/twilio" }, "StatusCallback"},
		{"base URL with path", func(c *twilio.Config) { c.BaseURL = "http://127.0.0.1:1/x" }, "BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(clk)
			if tt.mod != nil {
				tt.mod(&cfg)
			}
			_, err := twilio.New(cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("New: error %v, want one mentioning %q", err, tt.want)
			}
			if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), token)) {
				t.Fatalf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestConfigPrintsNoSecret(t *testing.T) {
	cfg := baseConfig(&clock{t: t0})
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprint(p), fmt.Sprintf("%+v", p)} {
		if strings.Contains(s, secret) || strings.Contains(s, token) || strings.Contains(s, ourFrom) {
			t.Errorf("printed form leaks: %s", s)
		}
	}
}

func TestSend(t *testing.T) {
	tests := []struct {
		name        string
		mod         func(*twilio.Config)
		wantFrom    string
		wantService string
	}{
		{"from a number", nil, ourFrom, ""},
		{"from a messaging service", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", service }, "", service},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.mod, nil)
			to := number(t, "(310) 555-0123")
			res, err := e.p.Send(context.Background(), sms.Message{
				To: to, Body: "ALERTA: retén en Main St", IdempotencyKey: "k1", ValidUntil: t0.Add(15 * time.Minute),
			})
			if err != nil {
				t.Fatal(err)
			}
			sent := e.fake.Sent()
			if len(sent) != 1 {
				t.Fatalf("fake accepted %d messages, want 1", len(sent))
			}
			got := sent[0]
			want := twiliotest.Message{
				SID: res.ProviderID, To: to.E164(), From: tt.wantFrom, MessagingServiceSID: tt.wantService,
				Body: "ALERTA: retén en Main St", StatusCallback: callback, ValidityPeriod: 900,
				Status: "queued", DateCreated: t0, DateSent: t0, AuthUser: apiKey,
			}
			if got != want {
				t.Fatalf("fake received\n %+v\nwant\n %+v", got, want)
			}
			if !strings.HasPrefix(res.ProviderID, "SM") {
				t.Errorf("ProviderID %q", res.ProviderID)
			}
		})
	}
}

func TestValidityPeriod(t *testing.T) {
	tests := []struct {
		name       string
		validUntil time.Time
		want       int // 0: not sent to Twilio
		expired    bool
	}{
		{"no validity", time.Time{}, 0, false},
		{"90 s", t0.Add(90 * time.Second), 90, false},
		{"rounds down", t0.Add(90*time.Second + 900*time.Millisecond), 90, false},
		{"one second", t0.Add(time.Second), 1, false},
		{"clamped to Twilio's maximum", t0.Add(20 * time.Hour), 36000, false},
		{"exactly the maximum", t0.Add(10 * time.Hour), 36000, false},
		{"under a second left", t0.Add(500 * time.Millisecond), 0, true},
		{"now", t0, 0, true},
		{"past", t0.Add(-time.Minute), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, nil, nil)
			_, err := e.p.Send(context.Background(), sms.Message{To: number(t, "3105550123"), Body: "x", ValidUntil: tt.validUntil})
			sent := e.fake.Sent()
			if tt.expired {
				if !errors.Is(err, sms.ErrPermanent) || errors.Is(err, sms.ErrTemporary) {
					t.Fatalf("err = %v, want ErrPermanent", err)
				}
				if len(sent) != 0 {
					t.Fatalf("an expired message reached Twilio")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := sent[0].ValidityPeriod; got != tt.want {
				t.Fatalf("ValidityPeriod = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	const victim = "+13105550177"
	tests := []struct {
		name      string
		cfg       func(*twilio.Config)
		fault     func(*twiliotest.Server)
		status    int
		code      int
		temporary bool
		auth      bool
	}{
		{"429", nil, func(s *twiliotest.Server) { s.Fail(1, 429) }, 429, 20429, true, false},
		{"500", nil, func(s *twiliotest.Server) { s.Fail(1, 500) }, 500, 20500, true, false},
		{"503", nil, func(s *twiliotest.Server) { s.Fail(1, 503) }, 503, 20503, true, false},
		{"502 HTML from a proxy", nil, func(s *twiliotest.Server) { s.Fail(1, 502) }, 502, 0, true, false},
		{"400 21211 invalid To", nil, func(s *twiliotest.Server) { s.Reject(victim, 21211) }, 400, 21211, false, false},
		{"400 21610 unsubscribed", nil, func(s *twiliotest.Server) { s.Reject(victim, 21610) }, 400, 21610, false, false},
		{"400 21614 not mobile", nil, func(s *twiliotest.Server) { s.Reject(victim, 21614) }, 400, 21614, false, false},
		{"400 21408 region", nil, func(s *twiliotest.Server) { s.Reject(victim, 21408) }, 400, 21408, false, false},
		{"401 wrong secret", func(c *twilio.Config) { c.APISecret = "wrongsecretwrongsecretwrongsecr1" }, nil, 401, 20003, false, true},
		{"404 wrong account", func(c *twilio.Config) { c.AccountSID = "AC" + strings.Repeat("9", 32) }, nil, 404, 20404, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.cfg, nil)
			if tt.fault != nil {
				tt.fault(e.fake)
			}
			_, err := e.p.Send(context.Background(), sms.Message{To: number(t, victim), Body: "x"})
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, sms.ErrTemporary); got != tt.temporary {
				t.Errorf("Is(ErrTemporary) = %v, want %v: %v", got, tt.temporary, err)
			}
			if got := errors.Is(err, sms.ErrPermanent); got != !tt.temporary {
				t.Errorf("Is(ErrPermanent) = %v, want %v: %v", got, !tt.temporary, err)
			}
			if got := errors.Is(err, twilio.ErrAuth); got != tt.auth {
				t.Errorf("Is(ErrAuth) = %v, want %v", got, tt.auth)
			}
			if errors.Is(err, twilio.ErrMaybeSent) {
				t.Errorf("an answered request counts as maybe sent: %v", err)
			}
			var api *twilio.APIError
			if !errors.As(err, &api) {
				t.Fatalf("not an *APIError: %v", err)
			}
			if api.Status != tt.status || api.Code != tt.code {
				t.Errorf("status %d code %d, want %d %d", api.Status, api.Code, tt.status, tt.code)
			}
			if strings.Contains(err.Error(), victim[2:]) || strings.Contains(err.Error(), "5550177") {
				t.Errorf("error leaks the number: %v", err)
			}
			if len(e.fake.Sent()) != 0 {
				t.Errorf("a failed send was accepted")
			}
		})
	}
}

func TestSendRetryAfter429Storm(t *testing.T) {
	e := setup(t, nil, nil)
	e.fake.Fail(3, 429)
	m := sms.Message{To: number(t, "3105550123"), Body: "x", IdempotencyKey: "k"}
	var res sms.Result
	var err error
	for range 4 {
		if res, err = e.p.Send(context.Background(), m); !errors.Is(err, sms.ErrTemporary) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if sent := e.fake.Sent(); len(sent) != 1 || sent[0].SID != res.ProviderID {
		t.Fatalf("fake holds %+v, want exactly the one message", sent)
	}
}

func TestSendTimeout(t *testing.T) {
	tests := []struct {
		name string
		hc   *http.Client
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"context deadline", nil, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
		{"HTTP client timeout", &http.Client{Timeout: 50 * time.Millisecond}, func() (context.Context, context.CancelFunc) {
			return context.Background(), func() {}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, func(c *twilio.Config) { c.HTTPClient = tt.hc }, nil)
			e.fake.Delay(time.Minute) // ends when the client gives up
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := e.p.Send(ctx, sms.Message{To: number(t, "3105550123"), Body: "x"})
			if !errors.Is(err, sms.ErrTemporary) || errors.Is(err, sms.ErrPermanent) {
				t.Fatalf("err = %v, want ErrTemporary", err)
			}
			if !errors.Is(err, twilio.ErrMaybeSent) {
				t.Errorf("a request that was written and not answered should be ErrMaybeSent: %v", err)
			}
			if strings.Contains(err.Error(), account) {
				t.Errorf("error carries the request URL: %v", err)
			}
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := baseConfig(&clock{t: t0})
	cfg.BaseURL = "http://" + addr
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Send(context.Background(), sms.Message{To: number(t, "3105550123"), Body: "x"})
	if !errors.Is(err, sms.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	if errors.Is(err, twilio.ErrMaybeSent) {
		t.Errorf("a refused connection cannot have sent anything: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Send(ctx, sms.Message{To: number(t, "3105550123"), Body: "x"}); !errors.Is(err, sms.ErrTemporary) {
		t.Fatalf("cancelled context: err = %v", err)
	}
}

func TestListSent(t *testing.T) {
	since := t0.Add(time.Minute)
	tests := []struct {
		name     string
		mod      func(*twilio.Config)
		wantFrom string // the From filter sent to Twilio
		// inject returns the SIDs ListSent should report among the
		// injected messages.
		inject func(s *twiliotest.Server) []string
	}{
		{"from a number", nil, ourFrom, func(s *twiliotest.Server) []string {
			stolen := s.InjectSent(twiliotest.Message{To: "+13105550199", From: ourFrom, Body: "FAKE: your data was sent to the authorities", DateSent: since.Add(3 * time.Minute)})
			s.InjectSent(twiliotest.Message{To: "+13105550198", From: "+13105550111", Body: "other number", DateSent: since.Add(3 * time.Minute)})
			s.InjectSent(twiliotest.Message{To: "+13105550197", From: ourFrom, Body: "too old", DateSent: since.Add(-time.Second)})
			edge := s.InjectSent(twiliotest.Message{To: "+13105550196", From: ourFrom, Body: "at since", DateSent: since})
			return []string{stolen.SID, edge.SID}
		}},
		{"from a messaging service", func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", service }, "", func(s *twiliotest.Server) []string {
			stolen := s.InjectSent(twiliotest.Message{To: "+13105550199", From: "+13105550100", MessagingServiceSID: service, Body: "FAKE", DateSent: since.Add(3 * time.Minute)})
			s.InjectSent(twiliotest.Message{To: "+13105550198", From: "+13105550111", MessagingServiceSID: "MG" + strings.Repeat("0", 32), Body: "other service", DateSent: since.Add(3 * time.Minute)})
			s.InjectSent(twiliotest.Message{To: "+13105550197", MessagingServiceSID: service, Body: "too old", DateSent: since.Add(-2 * time.Second)})
			return []string{stolen.SID}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.mod, func(o *twiliotest.Options) { o.MaxPageSize = 2 })
			var want []string
			for i := range 5 {
				e.clk.Set(since.Add(time.Duration(i) * time.Minute))
				res, err := e.p.Send(context.Background(), sms.Message{To: number(t, fmt.Sprintf("31055501%02d", 20+i)), Body: fmt.Sprint("alert ", i)})
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, res.ProviderID)
			}
			want = append(want, tt.inject(e.fake)...)

			// since with a fraction: Twilio filters by the second.
			recs, err := e.p.ListSent(context.Background(), since.Add(300*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs {
				got = append(got, r.ProviderID)
				if r.To.IsZero() || r.Body == "" || r.SentAt.Before(since) {
					t.Errorf("incomplete record %+v", r)
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("ListSent = %v\nwant %v (%d records over pages of 2)", got, want, len(want))
			}
			qs := e.fake.ListQueries()
			if len(qs) < 3 {
				t.Fatalf("%d list requests, want paging over at least 3 pages", len(qs))
			}
			// Twilio's "DateSent>=…" arrives as the parameter "DateSent>".
			if got := qs[0].Get("DateSent>"); got != since.Format(time.RFC3339) {
				t.Errorf("DateSent>= %q, want %q", got, since.Format(time.RFC3339))
			}
			if got := qs[0].Get("From"); got != tt.wantFrom {
				t.Errorf("From filter %q, want %q", got, tt.wantFrom)
			}
		})
	}
}

func TestListSentErrors(t *testing.T) {
	e := setup(t, func(c *twilio.Config) { c.APISecret = "wrongsecretwrongsecretwrongsecr1" }, nil)
	if _, err := e.p.ListSent(context.Background(), t0); !errors.Is(err, twilio.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
}

// signed builds a hook as the web tier would hand it over, signed with the
// fake's independent implementation of Twilio's algorithm.
func signed(authToken, rawURL string, form url.Values) sms.Hook {
	return sms.Hook{Provider: "twilio", URL: rawURL, Form: form, Signature: twiliotest.Sign(authToken, rawURL, form)}
}

func providerWithToken(t *testing.T, authToken string) *twilio.Provider {
	t.Helper()
	cfg := baseConfig(&clock{t: t0})
	cfg.AuthToken = authToken
	p, err := twilio.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Twilio's published request-validation example: auth token "12345", URL
// https://mycompany.com/myapp.php?foo=1&bar=2 and a <Gather> POST.
//
// Sources (checked with the search tool):
//   - Twilio's docs code sample for "Validate Signature of Request",
//     github.com/TwilioDevEd/api-snippets
//     security/signature_validation/signature_validation.5.x.php (a stored
//     version): Caller and From "+14158675310", signature
//     "GvWf1cFY/Q7PnoempGyD5oXAezc=" (the same page: www.twilio.com/docs/usage/security).
//   - The same snippet repository, signature_validation.5.x.py, and the
//     twilio-php library's docs/usage/validation.rst: Caller and From
//     "+14158675309", signature "RSOYDt4T1cUTdK1PDd93/VVr8B8=".
//
// The values in our brief ("+12349013030" with "GvWf1cFY/Q7PnoempGyD5oXAezc=")
// are not a published pair: "+12349013030" comes from the Go snippet
// (signature_validation.1.x.go), which uses URL https://example.com/myapp and
// a token from the environment. That mix does not verify, and the test says so.
func publishedForm(caller string) url.Values {
	return url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {caller},
		"Digits":  {"1234"},
		"From":    {caller},
		"To":      {"+18005551212"},
	}
}

const publishedURL = "https://mycompany.com/myapp.php?foo=1&bar=2"

func TestVerifyPublishedExamples(t *testing.T) {
	p := providerWithToken(t, "12345")
	tests := []struct {
		name   string
		caller string
		sig    string
		valid  bool
	}{
		{"docs example (+14158675310)", "+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc=", true},
		{"older docs example (+14158675309)", "+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		{"brief's mix is not a published pair", "+12349013030", "GvWf1cFY/Q7PnoempGyD5oXAezc=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sms.Hook{Provider: "twilio", URL: publishedURL, Form: publishedForm(tt.caller), Signature: tt.sig}
			err := p.Verify(h)
			if tt.valid && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !tt.valid && !errors.Is(err, sms.ErrForged) {
				t.Fatalf("Verify = %v, want ErrForged", err)
			}
			// The fake's signer agrees with the published values.
			if got := twiliotest.Sign("12345", publishedURL, publishedForm(tt.caller)); (got == tt.sig) != tt.valid {
				t.Errorf("twiliotest.Sign = %s", got)
			}
			// A voice <Gather> is no SMS event: ParseHook refuses it,
			// but not as a forgery.
			if tt.valid {
				if _, err := p.ParseHook(h); err == nil || errors.Is(err, sms.ErrForged) {
					t.Errorf("ParseHook = %v, want a non-forgery error", err)
				}
			}
		})
	}
}

func TestVerifyForged(t *testing.T) {
	p := providerWithToken(t, "12345")
	good := func() sms.Hook {
		return sms.Hook{Provider: "twilio", URL: publishedURL, Form: publishedForm("+14158675310"), Signature: "GvWf1cFY/Q7PnoempGyD5oXAezc="}
	}
	tests := []struct {
		name string
		mod  func(*sms.Hook)
	}{
		{"tampered parameter", func(h *sms.Hook) { h.Form.Set("Digits", "9999") }},
		{"added parameter", func(h *sms.Hook) { h.Form.Set("Body", "STOP") }},
		{"removed parameter", func(h *sms.Hook) { h.Form.Del("Digits") }},
		{"repeated parameter", func(h *sms.Hook) { h.Form.Add("Digits", "1234") }},
		{"http instead of https", func(h *sms.Hook) { h.URL = strings.Replace(h.URL, "https:", "http:", 1) }},
		{"other host", func(h *sms.Hook) { h.URL = strings.Replace(h.URL, "mycompany.com", "evil.example", 1) }},
		{"other query", func(h *sms.Hook) { h.URL = strings.Replace(h.URL, "foo=1", "foo=2", 1) }},
		{"query moved into the form", func(h *sms.Hook) {
			h.URL = "https://mycompany.com/myapp.php"
			h.Form.Set("foo", "1")
			h.Form.Set("bar", "2")
		}},
		{"no URL", func(h *sms.Hook) { h.URL = "" }},
		{"missing signature", func(h *sms.Hook) { h.Signature = "" }},
		{"truncated signature", func(h *sms.Hook) { h.Signature = strings.TrimSuffix(h.Signature, "=") }},
		{"signature under another token", func(h *sms.Hook) { h.Signature = twiliotest.Sign("54321", h.URL, h.Form) }},
	}
	if err := p.Verify(good()); err != nil {
		t.Fatalf("control: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := good()
			tt.mod(&h)
			if err := p.Verify(h); !errors.Is(err, sms.ErrForged) {
				t.Fatalf("Verify = %v, want ErrForged", err)
			}
			if _, err := p.ParseHook(h); !errors.Is(err, sms.ErrForged) {
				t.Fatalf("ParseHook = %v, want ErrForged", err)
			}
		})
	}
}

func TestParseHookStatus(t *testing.T) {
	e := setup(t, nil, nil)
	e.clk.Set(t0.Add(time.Hour))
	tests := []struct {
		status    string
		errorCode string
		want      sms.ReceiptStatus // "" = unknown, an error
	}{
		{"queued", "", sms.StatusAccepted},
		{"accepted", "", sms.StatusAccepted},
		{"scheduled", "", sms.StatusAccepted},
		{"sending", "", sms.StatusAccepted},
		{"sent", "", sms.StatusAccepted},
		{"delivered", "", sms.StatusDelivered},
		{"read", "", sms.StatusDelivered},
		{"undelivered", "30003", sms.StatusUndelivered},
		{"failed", "30008", sms.StatusFailed},
		{"canceled", "", sms.StatusFailed},
		{"exploded", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.status, func(t *testing.T) {
			form := url.Values{
				"AccountSid": {account}, "ApiVersion": {"2010-04-01"},
				"MessageSid": {"SM0123"}, "SmsSid": {"SM0123"},
				"MessageStatus": {tt.status}, "SmsStatus": {tt.status},
				"From": {ourFrom}, "To": {"+13105550123"},
			}
			if tt.errorCode != "" {
				form.Set("ErrorCode", tt.errorCode)
			}
			ev, err := e.p.ParseHook(signed(token, callback, form))
			if tt.want == "" {
				if err == nil || errors.Is(err, sms.ErrForged) {
					t.Fatalf("err = %v, want an unknown-status error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sms.Receipt{ProviderID: "SM0123", Status: tt.want, Error: tt.errorCode, At: t0.Add(time.Hour)}
			if ev.Inbound != nil || ev.Receipt == nil || *ev.Receipt != want {
				t.Fatalf("event %+v, want receipt %+v", ev, want)
			}
		})
	}
}

func TestParseHookInbound(t *testing.T) {
	e := setup(t, nil, nil)
	inbound := func(from, body string) url.Values {
		return url.Values{
			"AccountSid": {account}, "ApiVersion": {"2010-04-01"}, "MessageSid": {"SMin"}, "SmsSid": {"SMin"},
			"SmsMessageSid": {"SMin"}, "SmsStatus": {"received"}, "NumMedia": {"0"}, "NumSegments": {"1"},
			"From": {from}, "To": {ourFrom}, "Body": {body}, "FromZip": {"90210"}, "FromCountry": {"US"},
		}
	}
	to := func(to string, f url.Values) url.Values {
		if to == "" {
			f.Del("To")
		} else {
			f.Set("To", to)
		}
		return f
	}
	tests := []struct {
		name     string
		form     url.Values
		wantFrom string // "" = an error, not a forgery
		wantTo   string // "" = zero
		wantBody string
	}{
		{"JOIN", inbound("+13105550123", "JOIN 90210"), "+13105550123", ourFrom, "JOIN 90210"},
		{"empty body", inbound("+13105550123", ""), "+13105550123", ourFrom, ""},
		{"Spanish", inbound("+13105550123", "ALTO"), "+13105550123", ourFrom, "ALTO"},
		{"to another number of ours", to("+13105559001", inbound("+13105550123", "hi")), "+13105550123", "+13105559001", "hi"},
		{"without To", to("", inbound("+13105550123", "JOIN 90210")), "+13105550123", "", "JOIN 90210"},
		{"to a short code", to("12345", inbound("+13105550123", "STOP")), "+13105550123", "", "STOP"},
		{"to a channel address", to("whatsapp:+13105550100", inbound("+13105550123", "hola")), "+13105550123", "", "hola"},
		{"from a channel address", inbound("whatsapp:+13105550123", "hola"), "", "", ""},
		{"from a short code", inbound("12", "hi"), "", "", ""},
		{"neither status nor text", url.Values{"AccountSid": {account}, "MessageSid": {"SM1"}}, "", "", ""},
		{"without MessageSid", withoutSid(inbound("+13105550123", "STOP")), "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := e.p.ParseHook(signed(token, callback, tt.form))
			if tt.wantFrom == "" {
				if err == nil || errors.Is(err, sms.ErrForged) {
					t.Fatalf("err = %v, want a non-forgery error", err)
				}
				if strings.Contains(err.Error(), "5550123") {
					t.Errorf("error leaks the number: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Receipt != nil || ev.Inbound == nil || ev.Inbound.From.E164() != tt.wantFrom || ev.Inbound.Body != tt.wantBody {
				t.Fatalf("event %+v", ev)
			}
			if got := ev.Inbound.To.E164(); got != tt.wantTo {
				t.Errorf("To = %q, want %q", got, tt.wantTo)
			}
			if ev.Inbound.ID != "SMin" {
				t.Errorf("ID = %q, want the MessageSid SMin", ev.Inbound.ID)
			}
		})
	}
}

func withoutSid(f url.Values) url.Values {
	f.Del("MessageSid")
	f.Del("SmsMessageSid")
	f.Del("SmsSid")
	return f
}

// TestStatusCallbackEndToEnd: send, let the fake POST a signed status
// callback to our receiver, and decode it as the sender would.
func TestStatusCallbackEndToEnd(t *testing.T) {
	type got struct {
		ev  sms.Event
		err error
	}
	results := make(chan got, 1)
	var p *twilio.Provider
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		// The configured public URL, not one rebuilt from the request.
		h := sms.Hook{Provider: "twilio", URL: "http://" + r.Host + "/hooks/sms/twilio", Form: r.PostForm, Signature: r.Header.Get("X-Twilio-Signature")}
		ev, err := p.ParseHook(h)
		results <- got{ev, err}
		if errors.Is(err, sms.ErrForged) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	e := setup(t, func(c *twilio.Config) { c.StatusCallback = recv.URL + "/hooks/sms/twilio" }, nil)
	p = e.p

	res, err := p.Send(context.Background(), sms.Message{To: number(t, "3105550123"), Body: "x"})
	if err != nil {
		t.Fatal(err)
	}
	status, err := e.fake.StatusCallback(res.ProviderID, "undelivered", "30003")
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusNoContent {
		t.Fatalf("receiver answered %d", status)
	}
	r := <-results
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.ev.Receipt == nil || r.ev.Receipt.ProviderID != res.ProviderID || r.ev.Receipt.Status != sms.StatusUndelivered || r.ev.Receipt.Error != "30003" {
		t.Fatalf("event %+v", r.ev)
	}
}

// The canary account's verifier: signed by that account's token, an
// inbound text; signed by any other token (the sending account's), or for
// another account, a forgery; a status callback, an error.
func TestVerifier(t *testing.T) {
	const other = "AC00000000000000000000000000000042"
	const otherToken = "canaryAccountAuthToken0123456789"
	v, err := twilio.NewVerifier(other, otherToken)
	if err != nil {
		t.Fatal(err)
	}
	text := url.Values{"AccountSid": {other}, "From": {"+13105550123"}, "To": {"+13105559001"}, "Body": {"hi"}, "MessageSid": {"SM1"}}
	ev, err := v.ParseHook(signed(otherToken, callback, text))
	if err != nil || ev.Inbound == nil || ev.Inbound.ID != "SM1" || ev.Inbound.To.E164() != "+13105559001" {
		t.Fatalf("a signed text: %+v, %v", ev, err)
	}
	if _, err := v.ParseHook(signed(token, callback, text)); !errors.Is(err, sms.ErrForged) {
		t.Errorf("signed with the sending account's token: %v, want a forgery", err)
	}
	elsewhere := url.Values{"AccountSid": {account}, "From": {"+13105550123"}, "Body": {"hi"}, "MessageSid": {"SM2"}}
	if _, err := v.ParseHook(signed(otherToken, callback, elsewhere)); !errors.Is(err, sms.ErrForged) {
		t.Errorf("for another account: %v, want a forgery", err)
	}
	status := url.Values{"AccountSid": {other}, "MessageSid": {"SM3"}, "MessageStatus": {"delivered"}}
	if _, err := v.ParseHook(signed(otherToken, callback, status)); err == nil || errors.Is(err, sms.ErrForged) {
		t.Errorf("a status callback: %v, want an error that is not a forgery", err)
	}
	if _, err := twilio.NewVerifier(other, ""); err == nil {
		t.Error("a verifier without a token")
	}
}
