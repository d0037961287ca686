// Package alarm pushes security alarms to operators over channels that do
// not depend on the SMS provider used for alerts: a webhook (an ntfy topic,
// a chat bridge, any receiver of JSON) and e-mail over SMTP. When the SMS
// path is the thing under attack, or frozen, operators must still hear of
// it.
//
// An alarm reports; it decides nothing. Freezing, refusing and recording
// security events happen elsewhere, whether or not an alarm gets through.
//
// What it must never do:
//   - depend on the SMS path: it imports no provider package and holds no
//     provider credential, so stolen or failing SMS credentials cannot
//     silence it;
//   - carry a phone number or any other personal datum: an Alarm holds only
//     security-event data (kind, subject, detail), which callers build from
//     events that are already free of numbers;
//   - log or put in an error a webhook token, an SMTP password, or a
//     webhook URL's path and query (an ntfy topic or a chat bridge's URL is
//     itself a secret): errors name only the scheme and host;
//   - send a password in clear: SMTP authentication needs TLS, and sending
//     without TLS is allowed only to a relay on the loopback interface.
package alarm

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Severities. Any other value is treated as a normal alarm.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityNormal   = "normal"
)

// Alarm is what an operator needs to act on a security event.
//
// Callers fill it from a security event, whose fields never hold a phone
// number; they must not add one (nor a name, an address or an IP address
// of a subscriber or a reporter). An alarm leaves the service over third-
// party channels: it says that something happened and where to look, and
// the console holds the rest.
type Alarm struct {
	Kind     string    // the event's kind, e.g. "provider.unknown_messages"
	Severity string    // SeverityCritical, SeverityHigh or SeverityNormal
	At       time.Time // when the event happened
	Subject  string    // what it is about: an alert id, a provider, a roster version
	Detail   string    // why, for a person; may span lines
	Service  string    // the instance's name, so operators of several can tell them apart
	// ConsoleURL is where an operator acts on it (optional).
	ConsoleURL string
}

// Notifier delivers an alarm. Notify returns when the alarm has been handed
// to the channel (the webhook answered 2xx, the SMTP server accepted the
// message) or failed; it honours ctx's deadline and cancellation.
type Notifier interface {
	Notify(ctx context.Context, a Alarm) error
}

// maxTitle caps the title, in runes: it is a mail subject and a
// notification's first line.
const maxTitle = 160

// Title is a one-line summary: "[tocsin-east] CRITICAL provider.unknown_messages: twilio".
func (a Alarm) Title() string {
	service := orDefault(a.Service, "tocsin")
	kind := orDefault(a.Kind, "security alarm")
	t := fmt.Sprintf("[%s] %s %s", service, strings.ToUpper(orDefault(a.Severity, SeverityNormal)), kind)
	if a.Subject != "" {
		t += ": " + a.Subject
	}
	return truncateRunes(oneLine(t), maxTitle)
}

// Text is the alarm as plain text, for a mail body or a notification.
func (a Alarm) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Security alarm on %s.\n\n", oneLine(orDefault(a.Service, "tocsin")))
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-9s %s\n", name+":", oneLine(v))
		}
	}
	field("Kind", a.Kind)
	field("Severity", a.Severity)
	if !a.At.IsZero() {
		field("Time", a.At.UTC().Format(time.RFC3339))
	}
	field("Subject", a.Subject)
	if d := strings.TrimSpace(a.Detail); d != "" {
		b.WriteString("\n" + d + "\n")
	}
	if a.ConsoleURL != "" {
		fmt.Fprintf(&b, "\nAct on it: %s\n", oneLine(a.ConsoleURL))
	}
	return b.String()
}

// rank orders severities: an alarm more severe than one already sent is
// never held back.
func rank(severity string) int {
	switch severity {
	case SeverityCritical:
		return 3
	case SeverityHigh:
		return 2
	default:
		return 1
	}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// oneLine makes s safe for a header: control characters (CR and LF among
// them) and Unicode line separators become spaces, invalid UTF-8 is
// replaced, and runs of spaces collapse.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncateRunes cuts s to at most n runes, marking the cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// truncateBytes cuts s to at most n bytes on a rune boundary, marking the
// cut with "…".
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
