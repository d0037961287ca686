package auth

import "time"

const (
	// FreeFailures is how many consecutive failed logins are allowed before
	// back-off starts.
	FreeFailures = 3
	// MaxBackoff caps the back-off delay.
	MaxBackoff = 15 * time.Minute
	// FailureWindow is how long a failure is remembered: a network source's
	// failures against an account, and an account's password failures from
	// all sources, are forgotten this long after the last one.
	FailureWindow = time.Hour
	// ManyFailures is how many password failures from any sources within
	// FailureWindow put an account under attack (see UnderAttack).
	ManyFailures = 10
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

// Locked reports whether failures consecutive failures, the last at
// lastFailure, still refuse a try at now, and until when. When not locked,
// until is the zero time. The web tier applies it to the failures of one
// network source against one account (password and code alike), and to an
// account's second-factor failures from all sources, never to an account's
// password failures: those would let anyone shut an operator out.
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

// UnderAttack reports whether an account with failures password failures,
// the last at lastFailure, is under attack at now: ManyFailures within
// FailureWindow. Such an account is not closed; it asks for the password
// and the second-factor code in one step, and answers a wrong one without
// saying which, so that a guess needs both factors at once.
func UnderAttack(failures int, lastFailure, now time.Time) bool {
	return failures >= ManyFailures && now.Sub(lastFailure) < FailureWindow
}
