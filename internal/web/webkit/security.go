package webkit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/store"
)

// securityf records a security event; a failure to record it is logged.
// Events that anyone on the internet can cause (refused signatures) are
// limited per minute, so that a flood cannot bury the real ones: past the
// limit they are counted, and the count is recorded with the next event.
func (s *Kit) Securityf(ctx context.Context, kind, subject, format string, args ...any) {
	s.SecurityAt(ctx, "", kind, subject, fmt.Sprintf(format, args...))
}

// securityAt is securityf with a severity ("" for the default, warning).
func (s *Kit) SecurityAt(ctx context.Context, severity, kind, subject, detail string) {
	s.Log.Warn("security event", "kind", kind, "subject", subject, "detail", detail)
	suppressed, ok := s.Events().Allow(s.Now())
	if !ok {
		return
	}
	if suppressed > 0 {
		detail += fmt.Sprintf(" (and %d more events in the last minute, not recorded one by one)", suppressed)
	}
	if err := s.st.AddSecurityEvent(ctx, &store.SecurityEvent{At: s.Now(), Kind: kind, Severity: severity, Subject: subject, Detail: detail}); err != nil {
		s.Log.Error("security event not recorded", "err", err)
		return
	}
	s.Auditf(ctx, "security", "security."+kind, subject, detail)
}

// EventLimiter allows a number of recorded events per minute and counts the
// rest.
type EventLimiter struct {
	mu         sync.Mutex
	perMinute  int
	window     time.Time
	n          int
	suppressed int
}

// Allow reports whether an event at now may be recorded, and how many were
// suppressed since the last one recorded.
func (l *EventLimiter) Allow(now time.Time) (suppressed int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Minute {
		l.window, l.n = now, 0
	}
	if l.n >= l.perMinute {
		l.suppressed++
		return 0, false
	}
	l.n++
	suppressed, l.suppressed = l.suppressed, 0
	return suppressed, true
}

// Bait (BRIEF: bait and detection). Everything here answers an intruder
// with something plausible and phony, records the request's network
// details in a security event, and exposes nothing real. Network details
// are kept only for requests to bait: they come from someone who read our
// files or probed for them, never from a reporter or a subscriber.

// baitHeaders are the request headers a bait event keeps: enough to trace
// an intruder, never a credential or a cookie.
var baitHeaders = []string{"Accept", "Accept-Language", "Accept-Encoding", "Content-Type", "Referer", "Origin", "X-Forwarded-For", "X-Real-Ip", "Forwarded", "Via"}

// netDetails are what a request to bait gives away: the peer's address, the
// user agent, a few headers, and the method and path (as ":method" and
// ":path", without the query string).
func netDetails(r *http.Request) *store.NetworkDetails {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	h := map[string]string{":method": r.Method, ":path": r.URL.Path}
	for _, k := range baitHeaders {
		if v := r.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	return &store.NetworkDetails{SourceAddr: host, UserAgent: r.UserAgent(), Headers: h}
}

// baitEvent records a security event with the request's network details.
// Events at warning level (decoy URLs, which scanners hit all day) share
// the per-minute limit of events unauthenticated requests cause; higher
// ones, which mean someone used stolen bait, are always recorded.
func (s *Kit) BaitEvent(ctx context.Context, r *http.Request, kind, severity, subject, detail string) {
	s.Log.Warn("security event", "kind", kind, "severity", severity, "subject", subject)
	if severity == store.SeverityWarning {
		suppressed, ok := s.Events().Allow(s.Now())
		if !ok {
			return
		}
		if suppressed > 0 {
			detail += fmt.Sprintf(" (and %d more events in the last minute, not recorded one by one)", suppressed)
		}
	}
	e := &store.SecurityEvent{At: s.Now(), Kind: kind, Severity: severity, Subject: subject, Detail: detail, Net: netDetails(r)}
	if err := s.st.AddSecurityEvent(ctx, e); err != nil {
		s.Log.Error("security event not recorded", "err", err)
		return
	}
	// The audit trail's hash chain holds the event too, without its
	// network details (the audit trail keeps no address).
	s.Auditf(ctx, "security", "security."+kind, subject, detail)
}

// Events is the limiter of the security events that unauthenticated
// requests cause, shared by every surface.
func (s *Kit) Events() *EventLimiter { return s.events }

// NewEventLimiter allows perMinute recorded events a minute.
func NewEventLimiter(perMinute int) *EventLimiter { return &EventLimiter{perMinute: perMinute} }
