package store

import (
	"context"
	"time"
)

// AlertStart is the primary sender's record that it verified an alert's
// statement and started it. MAC is the sender's; the store checks nothing.
type AlertStart struct {
	AlertID   string
	Digest    []byte // SHA-256 of the statement
	StartedAt time.Time
	MAC       []byte
}

// Cluster coordinates several processes sharing one database: leases that
// one process holds at a time, and the record of alerts started.
type Cluster interface {
	// TryLease takes the named lease for holder until now+ttl, or renews it
	// if holder has it; it reports false, changing nothing, while another
	// holder's lease has not expired at now.
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	// DropLease gives the lease up if holder has it.
	DropLease(ctx context.Context, name, holder string) error
	// CountLeases counts the leases whose name begins with prefix and that
	// have not expired at now.
	CountLeases(ctx context.Context, prefix string, now time.Time) (int, error)

	// RecordStart stores an alert's start; ECONFLICT if the alert has one.
	RecordStart(ctx context.Context, s *AlertStart) error
	// GetStart returns an alert's start; ENOTFOUND if it has none.
	GetStart(ctx context.Context, alertID string) (*AlertStart, error)
	// StartsSince returns the starts at or after t, oldest first.
	StartsSince(ctx context.Context, t time.Time) ([]AlertStart, error)
}

// Upkeep is the coordinator's: it tells operators of security events, and
// forgets what is kept for a time only.
type Upkeep interface {
	// UnnotifiedEvents returns, oldest first, events of the given
	// severities of which operators were not told yet.
	UnnotifiedEvents(ctx context.Context, severities []string, limit int) ([]SecurityEvent, error)
	MarkNotified(ctx context.Context, ids []int64, at time.Time) error
	// PurgeSecurityEvents forgets the network details of events before
	// netBefore and the events before before.
	PurgeSecurityEvents(ctx context.Context, netBefore, before time.Time) error
	ExpireReports(ctx context.Context, now time.Time) (int, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
	// PurgeCodeSends forgets code sends before t, per number and per block:
	// they serve the rate limits only.
	PurgeCodeSends(ctx context.Context, before time.Time) error
	// PurgeHooksSeen forgets the hashes recorded before t.
	PurgeHooksSeen(ctx context.Context, before time.Time) error
	PurgeSent(ctx context.Context, before time.Time) error
}
