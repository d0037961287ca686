package sqlrow

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin/internal/store"
)

// EventCols are the columns of a security event, in Event's order.
const EventCols = "id, at, kind, severity, subject, detail, source_addr, user_agent, headers, notified_at"

// Limits on what an attacker's request may leave in a security event.
const (
	maxNetField = 512
	maxHeaders  = 32
)

// EventArgs validates e and returns its values for an INSERT of every
// column of EventCols but id and notified_at, in that order.
func EventArgs(e *store.SecurityEvent) ([]any, error) {
	if e.Kind == "" {
		return nil, fmt.Errorf("a security event needs a kind")
	}
	switch e.Severity {
	case "":
		e.Severity = store.SeverityWarning
	case store.SeverityInfo, store.SeverityWarning, store.SeverityHigh, store.SeverityCritical:
	default:
		return nil, fmt.Errorf("severity %q is not info, warning, high or critical", e.Severity)
	}
	var addr, ua, headers string
	if n := e.Net; n != nil {
		addr, ua = clip(n.SourceAddr), clip(n.UserAgent)
		h := make(map[string]string, len(n.Headers))
		for k, v := range n.Headers {
			if len(h) == maxHeaders {
				break
			}
			h[clip(k)] = clip(v)
		}
		if len(h) > 0 {
			var err error
			if headers, err = Marshal(h); err != nil {
				return nil, err
			}
		}
	}
	return []any{Unix(e.At), e.Kind, e.Severity, e.Subject, e.Detail, addr, ua, headers}, nil
}

// clip bounds a field an attacker chose, keeping valid UTF-8.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	for len(s) > maxNetField {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// Event scans the columns of EventCols.
func Event(sc Scanner, e *store.SecurityEvent) error {
	var at, notified int64
	var addr, ua, headers string
	if err := sc.Scan(&e.ID, &at, &e.Kind, &e.Severity, &e.Subject, &e.Detail, &addr, &ua, &headers, &notified); err != nil {
		return err
	}
	e.At, e.NotifiedAt = FromUnix(at), FromUnix(notified)
	if addr != "" || ua != "" || headers != "" {
		e.Net = &store.NetworkDetails{SourceAddr: addr, UserAgent: ua}
		if headers != "" {
			if err := Unmarshal(headers, &e.Net.Headers); err != nil {
				return err
			}
		}
	}
	return nil
}
