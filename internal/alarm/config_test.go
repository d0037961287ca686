package alarm

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestConfigNothing(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.RegisterFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	n, err := New(c)
	if n != nil || err != nil {
		t.Errorf("New with no channel = %v, %v; want nil, nil", n, err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // each must appear; none means valid
	}{
		{"webhook", []string{"--alarm-webhook-url", "https://ntfy.sh/tocsin-7f3a", "--alarm-webhook-token", "tk"}, nil},
		{"smtp", []string{"--alarm-smtp-addr", "mail.example.org", "--alarm-smtp-from", "a@example.org", "--alarm-smtp-to", "b@example.org, Ana <c@example.org>", "--alarm-smtp-username", "u", "--alarm-smtp-password", "p"}, nil},
		{"relay on loopback", []string{"--alarm-smtp-addr", "127.0.0.1:25", "--alarm-smtp-tls", "none", "--alarm-smtp-from", "a@example.org", "--alarm-smtp-to", "b@example.org"}, nil},
		{"token without URL", []string{"--alarm-webhook-token", "tk"}, []string{"--alarm-webhook-token is set but --alarm-webhook-url is not"}},
		{"smtp without address", []string{"--alarm-smtp-to", "b@example.org"}, []string{"--alarm-smtp-addr is needed"}},
		{"everything wrong at once", []string{
			"--alarm-webhook-url", "ntfy.sh/topic", "--alarm-webhook-format", "xml",
			"--alarm-smtp-addr", "mail.example.org", "--alarm-smtp-tls", "none", "--alarm-smtp-to", "nobody", "--alarm-smtp-password", "p",
		}, []string{
			"--alarm-webhook-url: must start with https://",
			`--alarm-webhook-format: "xml" is not a format`,
			"--alarm-smtp-tls: TLS mode none is allowed only for a relay on this machine",
			"--alarm-smtp-password is set but --alarm-smtp-username is not",
			"--alarm-smtp-from: needed",
			`--alarm-smtp-to: "nobody" is not a comma-separated list`,
		}},
		{"clear-text token", []string{"--alarm-webhook-url", "http://ntfy.example.org/t", "--alarm-webhook-token", "tk"}, []string{"--alarm-webhook-token: would be sent in clear"}},
		{"bad mode", []string{"--alarm-smtp-addr", "mail.example.org", "--alarm-smtp-tls", "ssl", "--alarm-smtp-from", "a@example.org", "--alarm-smtp-to", "b@example.org"}, []string{`--alarm-smtp-tls: "ssl" is not a TLS mode`}},
		{"bad address", []string{"--alarm-smtp-addr", "mail.example.org:x", "--alarm-smtp-from", "a", "--alarm-smtp-to", " "}, []string{"--alarm-smtp-addr: ", "--alarm-smtp-from: ", "--alarm-smtp-to: needs at least one recipient"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			c.RegisterFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.Validate()
			n, err2 := New(c)
			if (err == nil) != (err2 == nil) {
				t.Errorf("Validate %v but New %v", err, err2)
			}
			if len(tt.want) == 0 {
				if err != nil || n == nil {
					t.Errorf("New = %v, %v; want a notifier", n, err)
				}
				return
			}
			if err == nil || n != nil {
				t.Fatalf("New = %v, %v; want an error", n, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not say %q", err, w)
				}
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != len(tt.want) {
				t.Errorf("%d problems reported, want %d:\n%v", got, len(tt.want), err)
			}
		})
	}
}

// New wires both channels, throttled, and fills what alarms leave empty.
func TestConfigNew(t *testing.T) {
	srvTLS, cliTLS := testCert(t)
	ms := startMailServer(t, serverOpts{tls: srvTLS, user: "alarms", pass: "s3cret"})
	h := startHook(t, http.StatusOK, "")
	now := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	c := Config{
		WebhookURL: h.URL + "/t", WebhookFormat: FormatJSON,
		SMTPAddr: ms.addr, SMTPFrom: "alarms@example.org", SMTPTo: "ops@example.org,oncall@example.org",
		SMTPUsername: "alarms", SMTPPassword: "s3cret",
		Service: "tocsin-east", ConsoleURL: "https://tocsin.example.org/console", Throttle: time.Minute,
		TLSConfig: cliTLS, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now },
	}
	n, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	a := Alarm{Kind: "canary.used", Severity: SeverityCritical, Subject: "key-7", Detail: "A canary API key was used."}
	for range 3 {
		if err := n.Notify(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(h.requests()); got != 1 {
		t.Errorf("webhook got %d requests, want 1 (throttled)", got)
	}
	r, m := onlyMail(t, ms)
	if len(r.to) != 2 || !r.tls || !r.authed {
		t.Errorf("mail to %v, tls %v, authed %v", r.to, r.tls, r.authed)
	}
	body := decodeBody(t, m)
	for _, want := range []string{"Security alarm on tocsin-east.", "Time:     2026-11-25T14:00:00Z", "Act on it: https://tocsin.example.org/console"} {
		if !strings.Contains(body, want) {
			t.Errorf("body does not say %q:\n%s", want, body)
		}
	}
	if !strings.Contains(logs.String(), "alarm held back") || strings.Count(logs.String(), "\n") != 2 {
		t.Errorf("logs:\n%s", logs.String())
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	c := Config{WebhookURL: "https://ntfy.sh/secret-topic", WebhookToken: "tk_secret", SMTPAddr: "mail.example.org",
		SMTPUsername: "alarms", SMTPPassword: "pw_secret"}
	var b bytes.Buffer
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "alarm", c)
	for _, s := range []string{b.String(), c.String()} {
		for _, secret := range []string{"secret-topic", "tk_secret", "pw_secret"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shows %s", s, secret)
			}
		}
		if !strings.Contains(s, "https://ntfy.sh/") || !strings.Contains(s, "mail.example.org") {
			t.Errorf("%q hides too much", s)
		}
	}
}
