package alarm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTitle(t *testing.T) {
	tests := []struct {
		a    Alarm
		want string
	}{
		{testAlarm(), "[tocsin-east] CRITICAL provider.unknown_messages: twilio"},
		{Alarm{}, "[tocsin] NORMAL security alarm"},
		{Alarm{Kind: "freeze", Severity: SeverityHigh, Subject: "3\r\nBcc: x"}, "[tocsin] HIGH freeze: 3 Bcc: x"},
		{Alarm{Kind: "a\u2028b\x00c\xffd"}, "[tocsin] NORMAL a b c\uFFFDd"},
	}
	for _, tt := range tests {
		if got := tt.a.Title(); got != tt.want {
			t.Errorf("Title() = %q, want %q", got, tt.want)
		}
	}
	long := Alarm{Subject: strings.Repeat("á", 500)}.Title()
	if n := utf8.RuneCountInString(long); n != maxTitle || !strings.HasSuffix(long, "…") {
		t.Errorf("a long title has %d runes: %q", n, long)
	}
}

func TestText(t *testing.T) {
	want := `Security alarm on tocsin-east.

Kind:     provider.unknown_messages
Severity: critical
Time:     2026-11-25T14:00:00Z
Subject:  twilio

The provider lists 3 messages the ledger did not send.
Outbound messaging is frozen.

Act on it: https://tocsin.example.org/console/security
`
	if got := testAlarm().Text(); got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}
	if got := (Alarm{Kind: "freeze"}).Text(); got != "Security alarm on tocsin.\n\nKind:     freeze\n" {
		t.Errorf("a bare alarm's text %q", got)
	}
}

func TestTruncateBytes(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcdef", 5, "ab…"},
		{"ññññ", 6, "ñ…"},
		{"ññññ", 7, "ññ…"},
	} {
		if got := truncateBytes(tt.s, tt.n); got != tt.want || len(got) > tt.n {
			t.Errorf("truncateBytes(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
