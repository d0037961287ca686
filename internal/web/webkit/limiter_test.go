package webkit

import (
	"testing"
	"time"
)

func TestEventLimiter(t *testing.T) {
	l := &EventLimiter{perMinute: 3}
	t0 := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	steps := []struct {
		at         time.Duration
		ok         bool
		suppressed int
	}{
		{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, true, 0},
		{3 * time.Second, false, 0}, {4 * time.Second, false, 0}, // counted, not recorded
		{61 * time.Second, true, 2}, // a new minute: recorded, with the count of the two
		{62 * time.Second, true, 0},
	}
	for i, s := range steps {
		suppressed, ok := l.Allow(t0.Add(s.at))
		if ok != s.ok || suppressed != s.suppressed {
			t.Errorf("step %d: ok %v suppressed %d, want %v %d", i, ok, suppressed, s.ok, s.suppressed)
		}
	}
}
