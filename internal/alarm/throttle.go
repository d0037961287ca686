package alarm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// maxThrottled bounds the (kind, subject) pairs a Throttle remembers. Past
// it, alarms pass unthrottled: better one alarm too many than one too few.
const maxThrottled = 4096

// Throttle coalesces repeated alarms: after an alarm of some kind about
// some subject has been sent, the same pair is held back for a window,
// unless it is more severe than the one sent. The next one sent after the
// window says how many were held back since. An alarm that fails to send
// holds nothing back.
//
// A burst that stops inside the window is reported by its first alarm
// only; the security events themselves are recorded in full elsewhere.
type Throttle struct {
	next   Notifier
	window time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu         sync.Mutex
	seen       map[throttleKey]*throttled
	suppressed int
}

type throttleKey struct{ kind, subject string }

type throttled struct {
	sent       time.Time // last sent; zero after a failed attempt, so the next one goes out
	since      time.Time // when the count of held-back alarms started
	rank       int
	suppressed int // held back since then
}

var _ Notifier = (*Throttle)(nil)

// NewThrottle wraps next. now and log may be nil (time.Now, no logging).
func NewThrottle(next Notifier, window time.Duration, now func() time.Time, log *slog.Logger) *Throttle {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Throttle{next: next, window: window, now: now, log: log, seen: make(map[throttleKey]*throttled)}
}

// Suppressed returns how many alarms have been held back in all.
func (t *Throttle) Suppressed() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.suppressed
}

// Notify sends a, or holds it back and returns nil.
func (t *Throttle) Notify(ctx context.Context, a Alarm) error {
	k := throttleKey{a.Kind, a.Subject}
	prev, cur, ok := t.admit(k, a)
	if !ok {
		return nil
	}
	if prev != nil && prev.suppressed > 0 {
		a.Detail += fmt.Sprintf("\n\n(%d more like this held back since %s.)", prev.suppressed, prev.since.UTC().Format(time.RFC3339))
	}
	err := t.next.Notify(ctx, a)
	if err != nil {
		t.failed(k, prev, cur)
	}
	return err
}

// admit decides whether a goes out. If it does, it records it as sent (so
// that copies arriving while it is in flight are held back) and returns
// the previous record and the new one.
func (t *Throttle) admit(k throttleKey, a Alarm) (prev, cur *throttled, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.seen[k]
	if e != nil && !e.sent.IsZero() && now.Sub(e.sent) < t.window && rank(a.Severity) <= e.rank {
		e.suppressed++
		t.suppressed++
		t.log.Info("alarm held back", "kind", a.Kind, "subject", a.Subject, "held_back", e.suppressed)
		return nil, nil, false
	}
	if e == nil && len(t.seen) >= maxThrottled && !t.prune(now) {
		return nil, nil, true
	}
	cur = &throttled{sent: now, since: now, rank: rank(a.Severity)}
	t.seen[k] = cur
	return e, cur, true
}

// failed undoes a send that failed: the next alarm goes out, carrying the
// count of those held back before and during the attempt.
func (t *Throttle) failed(k throttleKey, prev, cur *throttled) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur == nil || t.seen[k] != cur {
		return
	}
	if prev != nil && prev.suppressed > 0 {
		cur.suppressed += prev.suppressed
		cur.since = prev.since
	}
	if cur.suppressed == 0 {
		delete(t.seen, k)
		return
	}
	cur.sent = time.Time{}
}

// prune forgets pairs whose window has passed and that hold back nothing,
// and says whether there is room now.
func (t *Throttle) prune(now time.Time) bool {
	for k, e := range t.seen {
		if e.suppressed == 0 && now.Sub(e.sent) >= t.window {
			delete(t.seen, k)
		}
	}
	return len(t.seen) < maxThrottled
}
