package sender

import (
	"context"
	"time"

	"golang.org/x/time/rate"
	"sync"
)

// Several sender processes may share one database. Every one of them
// delivers ledger rows (claims keep each row to one sender) and renews a
// member lease, so that each takes its share of every provider's pace. The
// rest runs in one process at a time, the holder of a lease:
//   - coordinator (any sender): webhooks, inbound texts, sign-up codes,
//     replies, retention, reconciliation, and the release of rows claimed by
//     a sender that died;
//   - primary (a sender not started as a worker): verifying and starting
//     alerts, and the transparency log, whose state the primary keeps in
//     its own directory.
//
// A worker delivers an alert it did not start only if the primary's start
// record carries the sender's MAC over that alert and the digest of the
// statement it now reads: a database writer can neither forge a start nor
// swap the statement of a started alert.
const (
	leaseCoordinator = "coordinator"
	leasePrimary     = "primary"
	leaseMember      = "member/"
)

// leaseTTL is how long a lease outlives its last renewal: a few polls.
func (s *cluster) leaseTTL() time.Duration { return max(15*time.Second, 5*s.cfg.Poll) }

// roles are what this process does in this round.
type roles struct{ primary, coordinator bool }

// leaseStore is where the leases are.
type leaseStore interface {
	TryLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	CountLeases(ctx context.Context, prefix string, now time.Time) (int, error)
	DropLease(ctx context.Context, name, holder string) error
}

// cluster is this process's part in the cluster of senders: the leases it
// holds, and so the roles it plays this round.
type cluster struct {
	cfg       *Config // Poll, Worker, Now, Log
	store     leaseStore
	id        string
	roles     roles
	renewMu   sync.Mutex // lanes renew the leases between batches
	nextRenew time.Time
	members   int // live senders sharing the providers' pace
}

// takeRoles renews this process's leases and shares the providers' pace
// among the live senders.
func (s *cluster) takeRoles(ctx context.Context, routes []*route) (roles, error) {
	now, ttl := s.cfg.Now(), s.leaseTTL()
	if _, err := s.store.TryLease(ctx, leaseMember+s.id, s.id, now, ttl); err != nil {
		return roles{}, err
	}
	members, err := s.store.CountLeases(ctx, leaseMember, now)
	if err != nil {
		return roles{}, err
	}
	s.sharePace(routes, max(1, members))
	var r roles
	if r.coordinator, err = s.store.TryLease(ctx, leaseCoordinator, s.id, now, ttl); err != nil {
		return roles{}, err
	}
	if !s.cfg.Worker {
		if r.primary, err = s.store.TryLease(ctx, leasePrimary, s.id, now, ttl); err != nil {
			return roles{}, err
		}
	}
	if r != s.roles {
		s.cfg.Log.Info("sender roles", "id", s.id, "primary", r.primary, "coordinator", r.coordinator, "senders", members)
	}
	s.roles = r
	return r, nil
}

// renewEvery bounds how often leases are renewed between batches.
const renewEvery = 2 * time.Second

// renewLeases renews, between batches of a long round, the leases this
// process holds, so that none lapses while it works (a lapsed member lease
// would let its claimed rows go to another sender, and its share of the
// pace to the others).
func (s *cluster) renewLeases(ctx context.Context) {
	s.renewMu.Lock()
	defer s.renewMu.Unlock()
	now := s.cfg.Now()
	if now.Before(s.nextRenew) {
		return
	}
	s.nextRenew = now.Add(renewEvery)
	names := []string{leaseMember + s.id}
	if s.roles.coordinator {
		names = append(names, leaseCoordinator)
	}
	if s.roles.primary {
		names = append(names, leasePrimary)
	}
	for _, n := range names {
		if _, err := s.store.TryLease(ctx, n, s.id, now, s.leaseTTL()); err != nil {
			s.cfg.Log.Warn("renew lease", "lease", n, "err", err)
		}
	}
}

// sharePace gives this process 1/n of each provider's configured rate.
func (s *cluster) sharePace(routes []*route, n int) {
	if n == s.members {
		return
	}
	s.members = n
	for _, r := range routes {
		if r.Rate > 0 {
			r.lim.SetLimit(rate.Limit(r.Rate / float64(n)))
		}
	}
}

// dropLeases gives this process's leases up as it stops, so that another
// takes over at once rather than after a lease's time.
func (s *cluster) dropLeases(ctx context.Context) {
	for _, name := range []string{leaseMember + s.id, leaseCoordinator, leasePrimary} {
		if err := s.store.DropLease(ctx, name, s.id); err != nil {
			s.cfg.Log.Warn("drop lease", "lease", name, "err", err)
		}
	}
}
