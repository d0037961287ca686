package alarm

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

var testNow = func() time.Time { return time.Date(2026, 11, 25, 14, 0, 5, 0, time.UTC) }

// newSMTP returns an SMTP notifier for ms with c's other settings.
func newSMTP(t *testing.T, ms *mailServer, c SMTPConfig) *SMTP {
	t.Helper()
	c.Addr = ms.addr
	if c.From == "" {
		c.From = "tocsin <alarms@tocsin.example.org>"
	}
	if c.To == nil {
		c.To = []string{"ops@example.org", "Ana Pérez <ana@example.org>"}
	}
	c.Now = testNow
	s, err := NewSMTP(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// onlyMail returns the one message ms received, parsed.
func onlyMail(t *testing.T, ms *mailServer) (mailReceived, *mail.Message) {
	t.Helper()
	got := ms.received()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages, want 1", len(got))
	}
	m, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, got[0].data)
	}
	return got[0], m
}

func decodeBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("the body is not quoted-printable: %v", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestSMTPNoneOnLoopback(t *testing.T) {
	ms := startMailServer(t, serverOpts{})
	s := newSMTP(t, ms, SMTPConfig{TLS: TLSNone})
	a := testAlarm()
	a.Detail = "Mensajes que el registro no envió: 3. ¡Revisar ya! " + strings.Repeat("Línea larga sin saltos. ", 10)
	if err := s.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r, m := onlyMail(t, ms)
	if r.from != "alarms@tocsin.example.org" || strings.Join(r.to, ",") != "ops@example.org,ana@example.org" {
		t.Errorf("envelope from %q to %q", r.from, r.to)
	}
	if r.tls {
		t.Error("mode none used TLS")
	}
	h := m.Header
	want := map[string]string{
		"From":                      `"tocsin" <alarms@tocsin.example.org>`,
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"Auto-Submitted":            "auto-generated",
		"Subject":                   "[tocsin-east] CRITICAL provider.unknown_messages: twilio",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(testNow()) {
		t.Errorf("Date: %v, %v; want %v", d, err, testNow())
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[1].Name != "Ana Pérez" || to[1].Address != "ana@example.org" {
		t.Errorf("To: %v, %v", to, err)
	}
	if id := h.Get("Message-Id"); !regexp.MustCompile(`^<[A-Z2-7]{26}@tocsin\.example\.org>$`).MatchString(id) {
		t.Errorf("Message-ID %q", id)
	}
	if body := decodeBody(t, m); body != a.Text() {
		t.Errorf("body decodes to\n%s\nwant\n%s", body, a.Text())
	}
	assertLineLengths(t, r.data)
}

func TestSMTPStartTLSWithAuth(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	ms := startMailServer(t, serverOpts{tls: srvTLS, user: "alarms", pass: "s3cret"})
	s := newSMTP(t, ms, SMTPConfig{Username: "alarms", Password: "s3cret", TLSConfig: cliTLS}) // starttls by default
	if err := s.Notify(context.Background(), testAlarm()); err != nil {
		t.Fatal(err)
	}
	r, _ := onlyMail(t, ms)
	if !r.tls || !r.authed {
		t.Errorf("tls %v, authenticated %v; want both", r.tls, r.authed)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	ms := startMailServer(t, serverOpts{tls: srvTLS, implicit: true, user: "alarms", pass: "s3cret"})
	s := newSMTP(t, ms, SMTPConfig{TLS: TLSImplicit, Username: "alarms", Password: "s3cret", TLSConfig: cliTLS})
	if err := s.Notify(context.Background(), testAlarm()); err != nil {
		t.Fatal(err)
	}
	if r, _ := onlyMail(t, ms); !r.tls || !r.authed {
		t.Errorf("tls %v, authenticated %v; want both", r.tls, r.authed)
	}
}

func TestSMTPRefusals(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	tests := []struct {
		name  string
		srv   serverOpts
		cfg   SMTPConfig
		want  string
		is    error
		noCmd bool // the client must not even try MAIL or AUTH
	}{
		{"no STARTTLS offered", serverOpts{}, SMTPConfig{TLS: TLSStartTLS, TLSConfig: cliTLS}, "does not offer STARTTLS", ErrNoStartTLS, true},
		{"no STARTTLS, password not sent", serverOpts{user: "alarms", pass: "s3cret"}, SMTPConfig{Username: "alarms", Password: "s3cret"}, "does not offer STARTTLS", ErrNoStartTLS, true},
		{"untrusted certificate", serverOpts{tls: srvTLS}, SMTPConfig{}, "certificate", nil, true},
		{"wrong password", serverOpts{tls: srvTLS, user: "alarms", pass: "s3cret"}, SMTPConfig{Username: "alarms", Password: "guess", TLSConfig: cliTLS}, "auth", nil, false},
		{"server wants auth", serverOpts{tls: srvTLS, user: "alarms", pass: "s3cret"}, SMTPConfig{TLSConfig: cliTLS}, "mail from", nil, false},
		{"no auth offered", serverOpts{tls: srvTLS}, SMTPConfig{Username: "alarms", Password: "s3cret", TLSConfig: cliTLS}, "offers no authentication", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := startMailServer(t, tt.srv)
			err := newSMTP(t, ms, tt.cfg).Notify(context.Background(), testAlarm())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "guess") {
				t.Errorf("the error shows the password: %v", err)
			}
			if n := len(ms.received()); n != 0 {
				t.Errorf("the server received %d messages", n)
			}
			if cmds := ms.commands(); tt.noCmd && len(cmds) > 0 {
				t.Errorf("the client went on to %v", cmds)
			}
		})
	}
}

func TestSMTPHeaderInjection(t *testing.T) {
	ms := startMailServer(t, serverOpts{})
	s := newSMTP(t, ms, SMTPConfig{TLS: TLSNone, To: []string{"ops@example.org"}})
	a := testAlarm()
	a.Subject = "twilio\r\nBcc: thief@evil.example"
	a.Kind = "x\nX-Injected: yes"
	a.Service = "east\r\n\r\nfake body"
	a.Detail = "line\r\n.\r\nMAIL FROM:<thief@evil.example>"
	if err := s.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r, m := onlyMail(t, ms)
	if len(r.to) != 1 || r.to[0] != "ops@example.org" {
		t.Errorf("envelope to %v", r.to)
	}
	for _, k := range []string{"Bcc", "X-Injected"} {
		if v, ok := m.Header[k]; ok {
			t.Errorf("injected header %s: %v", k, v)
		}
	}
	if got, want := m.Header.Get("Subject"), "[east fake body] CRITICAL x X-Injected: yes: twilio Bcc: thief@evil.example"; got != want {
		t.Errorf("Subject %q, want %q", got, want)
	}
	if body := decodeBody(t, m); !strings.Contains(body, "line\n.\nMAIL FROM:<thief@evil.example>") {
		t.Errorf("body lost the detail:\n%s", body)
	}
}

func TestSMTPNonASCIISubject(t *testing.T) {
	ms := startMailServer(t, serverOpts{})
	s := newSMTP(t, ms, SMTPConfig{TLS: TLSNone})
	a := testAlarm()
	a.Subject = "Alerta falsa «ICE en la escuela» enviada por el proveedor — ¡verificación! " + strings.Repeat("ñ", 80)
	if err := s.Notify(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	r, m := onlyMail(t, ms)
	raw := m.Header.Get("Subject")
	if !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("Subject not RFC 2047-encoded: %q", raw)
	}
	got, err := new(mime.WordDecoder).DecodeHeader(raw)
	if err != nil || got != a.Title() {
		t.Errorf("Subject decodes to %q, %v; want %q", got, err, a.Title())
	}
	if !strings.HasSuffix(got, "…") {
		t.Errorf("a long subject is not cut: %q", got)
	}
	assertLineLengths(t, r.data)
}

// assertLineLengths checks that no header or body line passes 78
// characters (RFC 5322's recommendation; quoted-printable and folding keep
// to it).
func assertLineLengths(t *testing.T, data []byte) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if len(sc.Text()) > 78 {
			t.Errorf("line of %d characters: %q", len(sc.Text()), sc.Text())
		}
	}
}

func TestSMTPContext(t *testing.T) {
	// A server that accepts the connection and never greets.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			accepted <- c
		}
	}()
	s, err := NewSMTP(SMTPConfig{Addr: l.Addr().String(), TLS: TLSNone, From: "a@example.org", To: []string{"b@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Notify(ctx, testAlarm()) }()
	c := <-accepted
	defer c.Close()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSMTPConfig(t *testing.T) {
	ok := SMTPConfig{Addr: "127.0.0.1:25", From: "alarms@example.org", To: []string{"ops@example.org"}}
	tests := []struct {
		name string
		edit func(*SMTPConfig)
		want string // "" means valid
	}{
		{"valid", func(*SMTPConfig) {}, ""},
		{"default port", func(c *SMTPConfig) { c.Addr = "mail.example.org" }, ""},
		{"bracketed IPv6", func(c *SMTPConfig) { c.Addr = "[::1]"; c.TLS = TLSNone }, ""},
		{"none on localhost", func(c *SMTPConfig) { c.Addr = "localhost:25"; c.TLS = TLSNone }, ""},
		{"none off loopback", func(c *SMTPConfig) { c.Addr = "mail.example.org:25"; c.TLS = TLSNone }, "only for a relay on this machine"},
		{"none on a LAN address", func(c *SMTPConfig) { c.Addr = "192.168.1.5:25"; c.TLS = "NONE" }, "only for a relay on this machine"},
		{"password in clear", func(c *SMTPConfig) { c.TLS = TLSNone; c.Username = "u"; c.Password = "p" }, "needs TLS"},
		{"bad mode", func(c *SMTPConfig) { c.TLS = "ssl" }, "not a TLS mode"},
		{"no host", func(c *SMTPConfig) { c.Addr = ":25" }, "not host:port"},
		{"bad port", func(c *SMTPConfig) { c.Addr = "mail.example.org:smtp" }, "no valid port"},
		{"bare IPv6", func(c *SMTPConfig) { c.Addr = "::1" }, "not host:port"},
		{"bad from", func(c *SMTPConfig) { c.From = "alarms" }, "not an e-mail address"},
		{"from with a newline", func(c *SMTPConfig) { c.From = "a@example.org\r\nBcc: x@evil.example" }, "one line"},
		{"no recipient", func(c *SMTPConfig) { c.To = []string{" "} }, "at least one recipient"},
		{"bad recipient", func(c *SMTPConfig) { c.To = []string{"ops@example.org", "nobody"} }, "not an e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			_, err := NewSMTP(c)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestSMTPString(t *testing.T) {
	s, err := NewSMTP(SMTPConfig{Addr: "mail.example.org", From: "a@example.org", To: []string{"b@example.org"}, TLS: TLSImplicit, Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); got != "smtp mail.example.org:465" {
		t.Errorf("String() = %q", got)
	}
	if s.tls.ServerName != "mail.example.org" || s.tls.MinVersion != tls.VersionTLS12 {
		t.Errorf("tls config %+v", s.tls)
	}
}
