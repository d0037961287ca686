package kannel

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sms"
)

const (
	testSecret   = "hook-secret-0123456789abcdef"
	testPassword = "sendsms-Pa55word"
)

var testNow = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func testConfig(sendURL string) Config {
	return Config{
		SendSMSURL: sendURL, Username: "tocsin", Password: testPassword, From: "12345", SMSC: "carrier1",
		DLRURL: "https://tocsin.example/hooks/sms/kannel", HookSecret: testSecret,
		Now: func() time.Time { return testNow },
	}
}

func mustNumber(t testing.TB, s string) phone.Number {
	t.Helper()
	n, err := phone.Parse(s, "US")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNew(t *testing.T) {
	good := testConfig("http://127.0.0.1:13013/cgi-bin/sendsms")
	tests := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{"good", func(*Config) {}, true},
		{"no DLRs", func(c *Config) { c.DLRURL = "" }, true},
		{"no send URL", func(c *Config) { c.SendSMSURL = "" }, false},
		{"send URL with query", func(c *Config) { c.SendSMSURL += "?username=x" }, false},
		{"ftp send URL", func(c *Config) { c.SendSMSURL = "ftp://127.0.0.1/" }, false},
		{"no username", func(c *Config) { c.Username = "" }, false},
		{"no password", func(c *Config) { c.Password = "" }, false},
		{"no secret", func(c *Config) { c.HookSecret = "" }, false},
		{"short secret", func(c *Config) { c.HookSecret = "short" }, false},
		{"secret needing escapes", func(c *Config) { c.HookSecret = "secret/with+slash=0123456789" }, false},
		{"DLR URL with percent", func(c *Config) { c.DLRURL = "https://x.example/a%20b" }, false},
		{"DLR URL not http", func(c *Config) { c.DLRURL = "mailto:x@example.org" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			_, err := New(c)
			if (err == nil) != tc.ok {
				t.Fatalf("New: %v, want ok=%v", err, tc.ok)
			}
			if err != nil && (strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), testSecret)) {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestSendParameters(t *testing.T) {
	var (
		mu  sync.Mutex
		got []*http.Request
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("0: Accepted for delivery"))
	}))
	defer srv.Close()
	p, err := New(testConfig(srv.URL + "/cgi-bin/sendsms"))
	if err != nil {
		t.Fatal(err)
	}
	to := mustNumber(t, "+13105550123")
	tests := []struct {
		name     string
		msg      sms.Message
		coding   string // "" means not sent (GSM-7)
		validity string
	}{
		{"GSM-7", sms.Message{To: to, Body: "ALERT: checkpoint at Main & 5th. Reply STOP to end", IdempotencyKey: "a1"}, "", ""},
		{"GSM-7 with é ñ ¿", sms.Message{To: to, Body: "¿Peña? Redada en la calle Peña, ¡cuidado!", IdempotencyKey: "a2"}, "", ""},
		{"Spanish UCS-2", sms.Message{To: to, Body: "Redada en la calle Álvaro Obregón; evítenla", IdempotencyKey: "a3"}, "2", ""},
		{"emoji", sms.Message{To: to, Body: "⚠ checkpoint", IdempotencyKey: "a4"}, "2", ""},
		{"validity rounds up", sms.Message{To: to, Body: "x", IdempotencyKey: "a5", ValidUntil: testNow.Add(90*time.Minute + time.Second)}, "", "91"},
		{"validity one minute", sms.Message{To: to, Body: "x", IdempotencyKey: "a6", ValidUntil: testNow.Add(10 * time.Second)}, "", "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			res, err := p.Send(context.Background(), tc.msg)
			if err != nil {
				t.Fatal(err)
			}
			if want := MessageID(tc.msg.IdempotencyKey); res.ProviderID != want {
				t.Errorf("ProviderID %q, want %q", res.ProviderID, want)
			}
			again, err := p.Send(context.Background(), tc.msg)
			if err != nil || again.ProviderID != res.ProviderID {
				t.Errorf("a retry got id %q (%v), want the same %q", again.ProviderID, err, res.ProviderID)
			}
			mu.Lock()
			r := got[0]
			mu.Unlock()
			if r.Method != http.MethodGet || r.URL.Path != "/cgi-bin/sendsms" {
				t.Errorf("%s %s", r.Method, r.URL.Path)
			}
			q := r.URL.Query()
			want := map[string]string{
				"username": "tocsin", "password": testPassword, "from": "12345", "to": "+13105550123",
				"text": tc.msg.Body, "charset": "UTF-8", "coding": tc.coding, "smsc": "carrier1",
				"dlr-mask": "19", "validity": tc.validity,
				"dlr-url": "https://tocsin.example/hooks/sms/kannel?secret=" + testSecret + "&kind=dlr&id=" +
					res.ProviderID + "&status=%d&smscid=%F&at=%T&reply=%A",
			}
			for k, v := range want {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, q.Get(k), v)
				}
			}
			// Kannel decodes the query once: its escapes must arrive as %d.
			if !strings.Contains(r.URL.RawQuery, "status%3D%25d") {
				t.Errorf("dlr-url escapes not encoded as Kannel expects: %s", r.URL.RawQuery)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	to := mustNumber(t, "+13105550123")
	tests := []struct {
		name      string
		status    int
		body      string
		delay     time.Duration
		closed    bool
		msg       *sms.Message
		want      error // nil, sms.ErrTemporary, sms.ErrPermanent or sms.ErrAuth
		maybeSent bool
	}{
		{name: "accepted", status: 202, body: "0: Accepted for delivery"},
		{name: "queued for later", status: 202, body: "3: Queued for later delivery"},
		{name: "200", status: 200, body: "Sent."},
		{name: "queue full", status: 503, body: "Sending failed.", want: sms.ErrTemporary},
		{name: "500", status: 500, want: sms.ErrTemporary},
		{name: "429", status: 429, want: sms.ErrTemporary},
		{name: "authorization failed", status: 403, body: "Authorization failed for sendsms", want: sms.ErrAuth},
		{name: "bad parameters", status: 400, body: "Missing receiver number, rejected", want: sms.ErrPermanent},
		{name: "denied number", status: 403, body: "Number(s) +13105550123 has/have been denied by white- and/or black-lists.", want: sms.ErrPermanent},
		{name: "redirect", status: 302, want: sms.ErrPermanent},
		{name: "connection refused", closed: true, want: sms.ErrTemporary},
		{name: "timeout", status: 202, delay: 2 * time.Second, want: sms.ErrTemporary, maybeSent: true},
		{name: "no recipient", msg: &sms.Message{Body: "x"}, want: sms.ErrPermanent},
		{name: "empty text", msg: &sms.Message{To: to}, want: sms.ErrPermanent},
		{name: "expired", msg: &sms.Message{To: to, Body: "x", ValidUntil: testNow.Add(-time.Second)}, want: sms.ErrPermanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.delay > 0 {
					select {
					case <-time.After(tc.delay):
					case <-r.Context().Done():
						return
					}
				}
				if tc.status/100 == 3 {
					w.Header().Set("Location", "/elsewhere?to=+13105550123")
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			if tc.closed {
				srv.Close()
			}
			p, err := New(testConfig(srv.URL + "/cgi-bin/sendsms"))
			if err != nil {
				t.Fatal(err)
			}
			m := sms.Message{To: to, Body: "hello", IdempotencyKey: "k"}
			if tc.msg != nil {
				m = *tc.msg
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err = p.Send(ctx, m)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("Send: %v", err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("Send: %v, want %v", err, tc.want)
			}
			if errors.Is(err, ErrMaybeSent) != tc.maybeSent {
				t.Errorf("ErrMaybeSent = %v, want %v (%v)", !tc.maybeSent, tc.maybeSent, err)
			}
			if err != nil {
				for _, secret := range []string{testPassword, testSecret, "3105550123", "password="} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q leaks %q", err, secret)
					}
				}
			}
		})
	}
}

func TestParseHookForged(t *testing.T) {
	p, err := New(testConfig("http://127.0.0.1:1/cgi-bin/sendsms"))
	if err != nil {
		t.Fatal(err)
	}
	dlr := "kind=dlr&id=k1&status=1"
	tests := []struct{ name, query string }{
		{"no secret", dlr},
		{"empty secret", "secret=&" + dlr},
		{"wrong secret", "secret=hook-secret-0123456789abcdeX&" + dlr},
		{"prefix of the secret", "secret=hook-secret&" + dlr},
		{"secret plus more", "secret=" + testSecret + "0&" + dlr},
		{"secret in another case", "secret=" + strings.ToUpper(testSecret) + "&" + dlr},
		{"sendsms password instead", "secret=" + testPassword + "&" + dlr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form, _ := url.ParseQuery(tc.query)
			ev, err := p.ParseHook(sms.Hook{Provider: "kannel", Form: form})
			if !errors.Is(err, sms.ErrForged) {
				t.Fatalf("ParseHook = %+v, %v; want ErrForged", ev, err)
			}
		})
	}
	if _, err := p.ParseHook(sms.Hook{Provider: "kannel"}); !errors.Is(err, sms.ErrForged) {
		t.Errorf("nil form: %v, want ErrForged", err)
	}
}

func TestParseHookDLR(t *testing.T) {
	p, err := New(testConfig("http://127.0.0.1:1/cgi-bin/sendsms"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 14, 52, 23, 0, time.UTC)
	tests := []struct {
		status, reply string
		want          sms.ReceiptStatus
		wantErr       string
		bad           bool
	}{
		{status: "1", want: sms.StatusDelivered},
		{status: "2", reply: "id:abc sub:001 dlvrd:000 stat:UNDELIV err:001", want: sms.StatusUndelivered, wantErr: "id:abc sub:001 dlvrd:000 stat:UNDELIV err:001"},
		{status: "2", want: sms.StatusUndelivered, wantErr: "kannel dlr 2"},
		{status: "4", want: sms.StatusAccepted},
		{status: "8", reply: "ACK/", want: sms.StatusAccepted},
		{status: "16", reply: "NACK/0x0000000b/Invalid Destination Address", want: sms.StatusFailed, wantErr: "NACK/0x0000000b/Invalid Destination Address"},
		{status: "3", bad: true},
		{status: "32", bad: true},
		{status: "", bad: true},
		{status: "x", bad: true},
	}
	for _, tc := range tests {
		t.Run("status="+tc.status, func(t *testing.T) {
			// Fill the dlr-url the way Kannel does, then decode it.
			raw := p.DLRURLFor("k0123")
			raw = strings.NewReplacer("%d", url.QueryEscape(tc.status), "%F", "8baf82f2", "%T", "1795618343",
				"%A", url.QueryEscape(tc.reply)).Replace(raw)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := p.ParseHook(sms.Hook{Provider: "kannel", URL: raw, Form: u.Query()})
			if tc.bad {
				if !errors.Is(err, ErrBadHook) {
					t.Fatalf("ParseHook = %+v, %v; want ErrBadHook", ev, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Inbound != nil || ev.Receipt == nil {
				t.Fatalf("event %+v", ev)
			}
			want := sms.Receipt{ProviderID: "k0123", Status: tc.want, Error: tc.wantErr, At: at}
			if *ev.Receipt != want {
				t.Errorf("receipt %+v, want %+v", *ev.Receipt, want)
			}
		})
	}
	// Without %T the receipt is stamped with the clock.
	form := url.Values{"secret": {testSecret}, "kind": {"dlr"}, "id": {"k1"}, "status": {"1"}}
	ev, err := p.ParseHook(sms.Hook{Form: form})
	if err != nil || !ev.Receipt.At.Equal(testNow) {
		t.Errorf("no at: %+v, %v", ev.Receipt, err)
	}
}

func TestParseHookInbound(t *testing.T) {
	p, err := New(testConfig("http://127.0.0.1:1/cgi-bin/sendsms"))
	if err != nil {
		t.Fatal(err)
	}
	utf16be := string([]byte{0x00, 'J', 0x00, 'O', 0x00, 'I', 0x00, 'N', 0x00, ' ', 0x00, 0xe1})
	const absent = "(absent)" // no to parameter at all, as from an older get-url
	tests := []struct {
		name, from, to, text, charset string
		wantFrom, wantTo, wantBody    string // wantTo "" = zero
		bad                           bool
	}{
		{name: "E.164", from: "+13105550123", to: "+13105550100", text: "JOIN 10001", charset: "UTF-8", wantFrom: "+13105550123", wantTo: "+13105550100", wantBody: "JOIN 10001"},
		{name: "international digits", from: "13105550123", to: "13105550100", text: "STOP", wantFrom: "+13105550123", wantTo: "+13105550100", wantBody: "STOP"},
		{name: "00 prefix", from: "0013105550123", to: "0013105550100", text: "ALTO", wantFrom: "+13105550123", wantTo: "+13105550100", wantBody: "ALTO"},
		{name: "national", from: "3105550123", to: "3105550100", text: "HELP", wantFrom: "+13105550123", wantTo: "+13105550100", wantBody: "HELP"},
		{name: "Mexico", from: "525512345678", to: "12345", text: "ÚNETE 10001", wantFrom: "+525512345678", wantBody: "ÚNETE 10001"},
		{name: "spaces kept", from: "+13105550123", to: "12345", text: "REPORT  two  spaces", wantFrom: "+13105550123", wantBody: "REPORT  two  spaces"},
		{name: "not recoded UCS-2", from: "+13105550123", to: "12345", text: utf16be, charset: "UTF-16BE", wantFrom: "+13105550123", wantBody: "JOIN á"},
		{name: "to a short code", from: "+13105550123", to: "12345", text: "JOIN 10001", wantFrom: "+13105550123", wantBody: "JOIN 10001"},
		{name: "empty to", from: "+13105550123", to: "", text: "JOIN 10001", wantFrom: "+13105550123", wantBody: "JOIN 10001"},
		{name: "no to", from: "+13105550123", to: absent, text: "JOIN 10001", wantFrom: "+13105550123", wantBody: "JOIN 10001"},
		{name: "to not a number", from: "+13105550123", to: "Movistar", text: "JOIN 10001", wantFrom: "+13105550123", wantBody: "JOIN 10001"},
		{name: "alphanumeric sender", from: "Movistar", to: "+13105550100", text: "promo", bad: true},
		{name: "no sender", from: "", to: "+13105550100", text: "x", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := p.InboundGetURL("https://tocsin.example/hooks/sms/kannel")
			raw = strings.NewReplacer("%p", url.QueryEscape(tc.from), "%P", url.QueryEscape(tc.to), "%b", url.QueryEscape(tc.text),
				"%c", "0", "%C", url.QueryEscape(tc.charset)).Replace(raw)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			form := u.Query()
			if tc.to == absent {
				form.Del("to")
			}
			ev, err := p.ParseHook(sms.Hook{Provider: "kannel", URL: raw, Form: form})
			if tc.bad {
				if !errors.Is(err, ErrBadHook) {
					t.Fatalf("ParseHook = %+v, %v; want ErrBadHook", ev, err)
				}
				if err != nil && tc.from != "" && strings.Contains(err.Error(), tc.from) {
					t.Errorf("error repeats the sender: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Receipt != nil || ev.Inbound == nil {
				t.Fatalf("event %+v", ev)
			}
			if ev.Inbound.From.E164() != tc.wantFrom || ev.Inbound.Body != tc.wantBody {
				t.Errorf("inbound from %s body %q, want %s %q", ev.Inbound.From.E164(), ev.Inbound.Body, tc.wantFrom, tc.wantBody)
			}
			if got := ev.Inbound.To.E164(); got != tc.wantTo {
				t.Errorf("To = %q, want %q", got, tc.wantTo)
			}
		})
	}
}

func TestParseHookBad(t *testing.T) {
	p, err := New(testConfig("http://127.0.0.1:1/cgi-bin/sendsms"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		provider string
		form     url.Values
	}{
		{"unknown kind", "kannel", url.Values{"secret": {testSecret}, "kind": {"wap"}}},
		{"no kind", "kannel", url.Values{"secret": {testSecret}}},
		{"dlr without id", "kannel", url.Values{"secret": {testSecret}, "kind": {"dlr"}, "status": {"1"}}},
		{"dlr with odd id", "kannel", url.Values{"secret": {testSecret}, "kind": {"dlr"}, "id": {"a b"}, "status": {"1"}}},
		{"another provider", "twilio", url.Values{"secret": {testSecret}, "kind": {"dlr"}, "id": {"k"}, "status": {"1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.ParseHook(sms.Hook{Provider: tc.provider, Form: tc.form}); !errors.Is(err, ErrBadHook) {
				t.Fatalf("ParseHook: %v, want ErrBadHook", err)
			}
		})
	}
}

func TestURLs(t *testing.T) {
	tests := []struct{ hook, wantDLR, wantMO string }{
		{"https://t.example/hooks/sms/kannel",
			"https://t.example/hooks/sms/kannel?secret=" + testSecret + "&kind=dlr&id=k1&status=%d&smscid=%F&at=%T&reply=%A",
			"https://t.example/hooks/sms/kannel?secret=" + testSecret + "&kind=mo&from=%p&to=%P&text=%b&coding=%c&charset=%C"},
		{"https://t.example/hooks/sms/kannel?site=a",
			"https://t.example/hooks/sms/kannel?site=a&secret=" + testSecret + "&kind=dlr&id=k1&status=%d&smscid=%F&at=%T&reply=%A",
			"https://t.example/hooks/sms/kannel?site=a&secret=" + testSecret + "&kind=mo&from=%p&to=%P&text=%b&coding=%c&charset=%C"},
	}
	for _, tc := range tests {
		c := testConfig("http://127.0.0.1:1/cgi-bin/sendsms")
		c.DLRURL = tc.hook
		p, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.DLRURLFor("k1"); got != tc.wantDLR {
			t.Errorf("DLRURLFor = %s\nwant %s", got, tc.wantDLR)
		}
		if got := p.InboundGetURL(tc.hook); got != tc.wantMO {
			t.Errorf("InboundGetURL = %s\nwant %s", got, tc.wantMO)
		}
	}
}

func TestMessageID(t *testing.T) {
	a, b := MessageID("alert-1/+13105550123"), MessageID("alert-1/+13105550124")
	if a == b || a != MessageID("alert-1/+13105550123") || !urlSafe(a) || strings.Contains(a, "3105550123") {
		t.Errorf("MessageID: %s %s", a, b)
	}
}

// The canary carrier's verifier: its own secret and kind=mo only.
func TestVerifier(t *testing.T) {
	const secret = "canary-gateway-secret-0123"
	v, err := NewVerifier(secret, "")
	if err != nil {
		t.Fatal(err)
	}
	mo := url.Values{"secret": {secret}, "kind": {"mo"}, "from": {"+13105550123"}, "to": {"+13105559001"}, "text": {"hi"}}
	ev, err := v.ParseHook(sms.Hook{Provider: "canary", Form: mo})
	if err != nil || ev.Inbound == nil || ev.Inbound.To.E164() != "+13105559001" || ev.Inbound.Body != "hi" {
		t.Fatalf("a text with the secret: %+v, %v", ev, err)
	}
	bad := url.Values{"secret": {"another-secret-0123456789"}, "kind": {"mo"}, "from": {"+13105550123"}, "text": {"hi"}}
	if _, err := v.ParseHook(sms.Hook{Provider: "canary", Form: bad}); !errors.Is(err, sms.ErrForged) {
		t.Errorf("another secret: %v, want a forgery", err)
	}
	dlr := url.Values{"secret": {secret}, "kind": {"dlr"}, "id": {"m1"}, "status": {"1"}}
	if _, err := v.ParseHook(sms.Hook{Provider: "canary", Form: dlr}); err == nil || errors.Is(err, sms.ErrForged) {
		t.Errorf("a delivery report: %v, want an error that is not a forgery", err)
	}
	if _, err := NewVerifier("short", ""); err == nil {
		t.Error("a short secret was accepted")
	}
}
