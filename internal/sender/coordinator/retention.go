package coordinator

import (
	"context"
	"time"

	"github.com/tocsin/tocsin/internal/sender/config"
)

// RetentionStore is what retention deletes and releases.
type RetentionStore interface {
	ExpireReports(ctx context.Context, now time.Time) (int, error)
	PurgeCodeSends(ctx context.Context, before time.Time) error
	PurgeSecurityEvents(ctx context.Context, netBefore, before time.Time) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
	ReleaseClaims(ctx context.Context, owner string, before, now time.Time) (int, error)
}

// HookMemory is the inbound service's memory of the webhook requests it
// acted on, which retention trims.
type HookMemory interface {
	Forget(ctx context.Context, now time.Time) error
}

// Retention deletes what is kept only for a time (reports, code sends,
// webhook hashes, security events' network details and events, sessions)
// and returns a dead sender's claimed ledger rows to the queue.
type Retention struct {
	cfg         *config.Config // ClaimLease, EventNetworkRetention, EventRetention, Now, Log
	store       RetentionStore
	hooks       HookMemory
	nextRelease time.Time
}

// NewRetention returns the retention of a sender.
func NewRetention(cfg *config.Config, st RetentionStore, h HookMemory) *Retention {
	return &Retention{cfg: cfg, store: st, hooks: h}
}

func (s *Retention) Expire(ctx context.Context) error {
	now := s.cfg.Now()
	if _, err := s.store.ExpireReports(ctx, now); err != nil {
		return err
	}
	if err := s.store.PurgeCodeSends(ctx, now.Add(-24*time.Hour)); err != nil {
		return err
	}
	if err := s.hooks.Forget(ctx, now); err != nil {
		return err
	}
	if err := s.store.PurgeSecurityEvents(ctx, now.Add(-s.cfg.EventNetworkRetention), now.Add(-s.cfg.EventRetention)); err != nil {
		return err
	}
	return s.store.DeleteExpiredSessions(ctx, now)
}

// DefaultClaimLease: a ledger row claimed longer ago than this by another
// sender is taken to belong to a sender that died, and goes back to the
// queue. A live sender finishes a batch in seconds.
const DefaultClaimLease = 2 * time.Minute

// ReleaseStaleClaims returns the rows of senders that died to the queue,
// looking at most every tenth of a lease.
func (s *Retention) ReleaseStaleClaims(ctx context.Context) error {
	now := s.cfg.Now()
	if now.Before(s.nextRelease) {
		return nil
	}
	s.nextRelease = now.Add(s.cfg.ClaimLease / 10)
	n, err := s.store.ReleaseClaims(ctx, "", now.Add(-s.cfg.ClaimLease), now)
	if n > 0 {
		s.cfg.Log.Warn("ledger rows of a sender that stopped answering go out again", "rows", n)
	}
	return err
}
