package auth

import (
	"math"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{-1, 0},
		{0, 0},
		{1, 0},
		{2, 0},
		{3, time.Second},
		{4, 2 * time.Second},
		{5, 4 * time.Second},
		{6, 8 * time.Second},
		{12, 512 * time.Second},
		{13, 15 * time.Minute},
		{14, 15 * time.Minute},
		{100, 15 * time.Minute},
		{math.MaxInt, 15 * time.Minute},
	}
	for _, tt := range tests {
		if got := Backoff(tt.failures); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.failures, got, tt.want)
		}
	}
}

func TestLocked(t *testing.T) {
	last := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		failures   int
		now        time.Time
		wantLocked bool
		wantUntil  time.Time
	}{
		{"no failures", 0, last, false, time.Time{}},
		{"two failures", 2, last, false, time.Time{}},
		{"three, immediately", 3, last, true, last.Add(time.Second)},
		{"three, after 999ms", 3, last.Add(999 * time.Millisecond), true, last.Add(time.Second)},
		{"three, exactly 1s", 3, last.Add(time.Second), false, time.Time{}},
		{"five, after 3s", 5, last.Add(3 * time.Second), true, last.Add(4 * time.Second)},
		{"many, after 14m", 50, last.Add(14 * time.Minute), true, last.Add(15 * time.Minute)},
		{"many, after 15m", 50, last.Add(15 * time.Minute), false, time.Time{}},
		{"clock went back", 3, last.Add(-time.Hour), true, last.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			until, locked := Locked(tt.failures, last, tt.now)
			if locked != tt.wantLocked || !until.Equal(tt.wantUntil) {
				t.Fatalf("Locked = (%v, %v), want (%v, %v)", until, locked, tt.wantUntil, tt.wantLocked)
			}
		})
	}
}

func TestUnderAttack(t *testing.T) {
	last := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		failures int
		now      time.Time
		want     bool
	}{
		{"few failures", ManyFailures - 1, last, false},
		{"many, just now", ManyFailures, last, true},
		{"many, within the window", 50, last.Add(FailureWindow - time.Second), true},
		{"many, window over", 50, last.Add(FailureWindow), false},
		{"clock went back", ManyFailures, last.Add(-time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := UnderAttack(tt.failures, last, tt.now); got != tt.want {
				t.Errorf("UnderAttack(%d, %v) = %v, want %v", tt.failures, tt.now.Sub(last), got, tt.want)
			}
		})
	}
}
