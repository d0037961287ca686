package auth

import "time"

const (
	// FreeFailures is how many consecutive failed logins are allowed before
	// back-off starts.
	FreeFailures = 3
	// MaxBackoff caps the back-off delay.
	MaxBackoff = 15 * time.Minute
)

// Backoff returns how long to refuse logins after failures consecutive
// failures: nothing for fewer than 3, then 1s, 2s, 4s, … doubling, capped at
// 15 minutes.
func Backoff(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	n := failures - FreeFailures
	// 2^10 s already exceeds the cap; avoid overflow for large n.
	if n >= 10 {
		return MaxBackoff
	}
	return min(time.Second<<n, MaxBackoff)
}

// Locked reports whether an account with failures consecutive failures, the
// last at lastFailure, is still locked at now, and until when. When not
// locked, until is the zero time. Callers should apply it to both the
// password and the second-factor step.
func Locked(failures int, lastFailure, now time.Time) (until time.Time, locked bool) {
	d := Backoff(failures)
	if d == 0 {
		return time.Time{}, false
	}
	until = lastFailure.Add(d)
	if now.Before(until) {
		return until, true
	}
	return time.Time{}, false
}
