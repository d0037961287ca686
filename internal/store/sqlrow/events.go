package sqlrow

import (
	"context"
	"fmt"
	"strings"
	"time"
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

// AddSecurityEvent records a security event and sets its ID.
func AddSecurityEvent(ctx context.Context, c Conn, e *store.SecurityEvent) error {
	args, err := EventArgs(e)
	if err != nil {
		return invalid("%v", err)
	}
	if err := c.QueryRow(ctx, `INSERT INTO security_events (at, kind, severity, subject, detail, source_addr, user_agent, headers)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, args...).Scan(&e.ID); err != nil {
		return fmt.Errorf("add security event: %w", err)
	}
	return nil
}

// ListSecurityEvents returns the newest events first.
func ListSecurityEvents(ctx context.Context, c Conn, limit int) ([]store.SecurityEvent, error) {
	return events(ctx, c, `SELECT `+EventCols+` FROM security_events ORDER BY at DESC, id DESC LIMIT ?`, limit)
}

// SecurityEventsBetween returns the events in [from, to), oldest first.
func SecurityEventsBetween(ctx context.Context, c Conn, from, to time.Time) ([]store.SecurityEvent, error) {
	return events(ctx, c, `SELECT `+EventCols+` FROM security_events WHERE at >= ? AND at < ? ORDER BY at, id`, Unix(from), Unix(to))
}

// UnnotifiedEvents returns, oldest first, the events of these severities
// of which operators were not told yet.
func UnnotifiedEvents(ctx context.Context, c Conn, severities []string, limit int) ([]store.SecurityEvent, error) {
	cond, arg, err := c.In("severity", severities)
	if err != nil {
		return nil, err
	}
	return events(ctx, c, `SELECT `+EventCols+` FROM security_events WHERE notified_at = 0 AND `+cond+` ORDER BY id LIMIT ?`, arg, limit)
}

// MarkNotified records that operators were told of these events.
func MarkNotified(ctx context.Context, c Conn, ids []int64, at time.Time) error {
	cond, arg, err := c.In("id", ids)
	if err != nil {
		return err
	}
	if _, err := c.Exec(ctx, `UPDATE security_events SET notified_at = ? WHERE `+cond, Unix(at), arg); err != nil {
		return fmt.Errorf("mark notified: %w", err)
	}
	return nil
}

// PurgeSecurityEvents forgets the network details of events before
// netBefore, then the events before before.
func PurgeSecurityEvents(ctx context.Context, c Conn, netBefore, before time.Time) error {
	if _, err := c.Exec(ctx, `UPDATE security_events SET source_addr = '', user_agent = '', headers = ''
		WHERE at < ? AND (source_addr != '' OR user_agent != '' OR headers != '')`, Unix(netBefore)); err != nil {
		return fmt.Errorf("purge event network details: %w", err)
	}
	if _, err := c.Exec(ctx, `DELETE FROM security_events WHERE at < ?`, Unix(before)); err != nil {
		return fmt.Errorf("purge security events: %w", err)
	}
	return nil
}

func events(ctx context.Context, c Conn, query string, args ...any) ([]store.SecurityEvent, error) {
	var out []store.SecurityEvent
	err := c.Each(ctx, query, args, func(sc Scanner) error {
		var e store.SecurityEvent
		if err := Event(sc, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list security events: %w", err)
	}
	return out, nil
}
