package events

import (
	"sync"
	"time"
)

// Limit lets one security event of a kind through per subject and
// period, and counts what it held back into the next: a database writer
// who puts the same forged rows back every round gets an event a period,
// not one a round.
type Limit struct {
	mu   sync.Mutex
	next map[string]time.Time
	held map[string]int
}

// Allow adds n occurrences for subject at now and reports whether to raise
// the event now, with how many occurrences it covers.
func (l *Limit) Allow(subject string, n int, now time.Time, every time.Duration) (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next == nil {
		l.next, l.held = map[string]time.Time{}, map[string]int{}
	}
	total := l.held[subject] + n
	if now.Before(l.next[subject]) {
		l.held[subject] = total
		return total, false
	}
	delete(l.held, subject)
	l.next[subject] = now.Add(every)
	return total, true
}
