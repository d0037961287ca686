package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDoctor(t *testing.T) {
	tests := []struct {
		name string
		args []string
		exit int
		want string
		not  string // a finding that must not be there
	}{
		{"a clean trial", []string{"--role", "all"}, 0, "outbox provider sends nothing", ""},
		{"credentials in the web role", []string{"--role", "web", "--provider", "twilio", "--twilio-api-secret", "s3cret"}, 1, "provider credentials in the web role", ""},
		{"webhooks over http", []string{"--base-url", "http://alerts.example.org"}, 1, "is not HTTPS", ""},
		{"auth token instead of an API key", []string{"--provider", "twilio", "--twilio-auth-token", "tok", "--base-url", "https://a.example.org"}, 1, "create an API key", ""},
		{"account SID as API key", []string{"--provider", "twilio", "--twilio-api-key", "AC0123", "--twilio-auth-token", "tok"}, 1, "is the account SID", ""},
		{"dev hook open on loopback", []string{"--role", "all"}, 0, "POST /hooks/sms/dev is open", ""},
		{"dev hook open to the internet", []string{"--role", "all", "--base-url", "https://alerts.example.org"}, 1, "POST /hooks/sms/dev is open", ""},
		{"web role with Twilio's hook, no auth token", []string{"--role", "web", "--provider", "twilio", "--base-url", "https://alerts.example.org", "--sms-number", "+13105550100"}, 0, "", "twilio-auth-token"},
		{"dev hook listening on every address", []string{"--role", "all", "--listen", "0.0.0.0:8080"}, 1, "--listen 0.0.0.0:8080 is not a loopback address", ""},
		{"dev hook listening on a public address", []string{"--role", "all", "--listen", "203.0.113.7:80"}, 1, "is not a loopback address", ""},
		{"web role as the docs write it", []string{"--role", "web", "--base-url", "https://alerts.example.org", "--sms-number", "+13105550100"}, 0, "ok: nothing to report", "hooks/sms/dev"},
		{"web role without the public number", []string{"--role", "web", "--base-url", "https://alerts.example.org"}, 0, "warning no --sms-number", ""},
		{"real provider without the public number", []string{"--role", "all", "--provider", "twilio", "--twilio-api-key", "SK1", "--twilio-api-secret", "s", "--twilio-auth-token", "tok", "--twilio-from", "+13105550100", "--base-url", "https://a.example.org"}, 0, "(--twilio-from is +13105550100)", ""},
		{"real provider with two public numbers", []string{"--role", "all", "--provider", "kannel", "--base-url", "https://a.example.org", "--sms-number", "+13105550100", "--sms-number", "+13105550101,+13105550102"}, 0, "", "sms-number"},
		{"a trial needs no public number", []string{"--role", "all"}, 0, "", "sms-number"},
		{"the sender shows no page", []string{"--role", "sender", "--provider", "kannel"}, 0, "", "sms-number"},
		{"public number not in E.164 form", []string{"--sms-number", "310-555-0100"}, 1, "is not in E.164 form", ""},
		{"dev hook closed with a real provider", []string{"--role", "all", "--provider", "kannel", "--base-url", "https://alerts.example.org"}, 0, "", "hooks/sms/dev"},
		{"canary account without its token", []string{"--role", "sender", "--canary-hook", "twilio"}, 1, "canary account's auth token is missing", ""},
		{"canary account is the sending account", []string{"--role", "sender", "--provider", "twilio", "--twilio-auth-token", "tok", "--canary-hook", "twilio", "--canary-twilio-auth-token", "tok"}, 1, "is the sending account's auth token", ""},
		{"canary token in the web role", []string{"--role", "web", "--canary-hook", "twilio", "--canary-twilio-auth-token", "tok2"}, 1, "canary-twilio-auth-token", ""},
		{"no alarm channel", []string{"--role", "sender"}, 0, "no alarm channel", ""},
		{"an alarm webhook", []string{"--role", "sender", "--alarm-webhook-url", "https://ntfy.example.org/t0cs1n"}, 0, "", "no alarm channel"},
		{"alarms by e-mail", []string{"--role", "all", "--alarm-smtp-addr", "smtp.example.org:587", "--alarm-smtp-from", "a@example.org", "--alarm-smtp-to", "b@example.org"}, 0, "", "no alarm channel"},
		{"kannel hook secret that can send", []string{"--provider", "kannel", "--kannel-password", "same", "--kannel-hook-secret", "same"}, 1, "must not be able to send", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cli(t, tt.exit, append([]string{"doctor", "--data", t.TempDir()}, tt.args...)...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("doctor said:\n%s\nwant %q", out, tt.want)
			}
			if tt.not != "" && strings.Contains(out, tt.not) {
				t.Errorf("doctor said:\n%s\nwant nothing about %q", out, tt.not)
			}
		})
	}
}

// TestDoctorMissingDataDir: doctor on a data directory that does not exist
// (a typo in --data) fails instead of reporting a clean configuration.
func TestDoctorMissingDataDir(t *testing.T) {
	for _, role := range []string{"all", "web", "sender"} {
		out := cli(t, 1, "doctor", "--role", role, "--data", filepath.Join(t.TempDir(), "nothere"), "--base-url", "https://alerts.example.org")
		if !strings.Contains(out, "does not exist") {
			t.Errorf("doctor --role %s said:\n%s", role, out)
		}
	}
}
