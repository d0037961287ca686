package sender

import (
	"context"
	"crypto/hmac"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
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
func (s *Sender) leaseTTL() time.Duration { return max(15*time.Second, 5*s.cfg.Poll) }

// roles are what this process does in this round.
type roles struct{ primary, coordinator bool }

// takeRoles renews this process's leases and shares the providers' pace
// among the live senders.
func (s *Sender) takeRoles(ctx context.Context) (roles, error) {
	now, ttl := s.cfg.Now(), s.leaseTTL()
	if _, err := s.cfg.Store.TryLease(ctx, leaseMember+s.state.ID, s.state.ID, now, ttl); err != nil {
		return roles{}, err
	}
	members, err := s.cfg.Store.CountLeases(ctx, leaseMember, now)
	if err != nil {
		return roles{}, err
	}
	s.sharePace(max(1, members))
	var r roles
	if r.coordinator, err = s.cfg.Store.TryLease(ctx, leaseCoordinator, s.state.ID, now, ttl); err != nil {
		return roles{}, err
	}
	if !s.cfg.Worker {
		if r.primary, err = s.cfg.Store.TryLease(ctx, leasePrimary, s.state.ID, now, ttl); err != nil {
			return roles{}, err
		}
	}
	if r != s.roles {
		s.cfg.Log.Info("sender roles", "id", s.state.ID, "primary", r.primary, "coordinator", r.coordinator, "senders", members)
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
func (s *Sender) renewLeases(ctx context.Context) {
	s.renewMu.Lock()
	defer s.renewMu.Unlock()
	now := s.cfg.Now()
	if now.Before(s.nextRenew) {
		return
	}
	s.nextRenew = now.Add(renewEvery)
	names := []string{leaseMember + s.state.ID}
	if s.roles.coordinator {
		names = append(names, leaseCoordinator)
	}
	if s.roles.primary {
		names = append(names, leasePrimary)
	}
	for _, n := range names {
		if _, err := s.cfg.Store.TryLease(ctx, n, s.state.ID, now, s.leaseTTL()); err != nil {
			s.cfg.Log.Warn("renew lease", "lease", n, "err", err)
		}
	}
}

// sharePace gives this process 1/n of each provider's configured rate.
func (s *Sender) sharePace(n int) {
	if n == s.members {
		return
	}
	s.members = n
	for _, r := range s.routes {
		if r.Rate > 0 {
			r.lim.SetLimit(rate.Limit(r.Rate / float64(n)))
		}
	}
}

// dropLeases gives this process's leases up as it stops, so that another
// takes over at once rather than after a lease's time.
func (s *Sender) dropLeases(ctx context.Context) {
	for _, name := range []string{leaseMember + s.state.ID, leaseCoordinator, leasePrimary} {
		if err := s.cfg.Store.DropLease(ctx, name, s.state.ID); err != nil {
			s.cfg.Log.Warn("drop lease", "lease", name, "err", err)
		}
	}
}

func (s *Sender) startMAC(alertID string, digest []byte, at time.Time) []byte {
	return s.cfg.Keys.MAC("alert-start", []byte(alertID), digest, []byte(strconv.FormatInt(at.Unix(), 10)))
}

// recordStart notes, in the ledger's transaction, that this sender verified
// and started the alert with this statement digest.
func (s *Sender) recordStart(ctx context.Context, q store.Querier, alertID string, digest [32]byte) error {
	at := s.cfg.Now().Truncate(time.Second)
	return q.RecordStart(ctx, &store.AlertStart{AlertID: alertID, Digest: digest[:], StartedAt: at, MAC: s.startMAC(alertID, digest[:], at)})
}

// validStart reports whether a start record was written by a sender.
func (s *Sender) validStart(a *store.AlertStart) bool {
	return len(a.Digest) == 32 && hmac.Equal(a.MAC, s.startMAC(a.AlertID, a.Digest, a.StartedAt))
}

// startedWith reports whether a sender started the alert with a statement
// of this digest: by this process's own record, or by a start record
// bearing the sender's MAC.
func (s *Sender) startedWith(ctx context.Context, q store.Querier, alertID string, digest [32]byte) (bool, error) {
	if sent, ok := s.state.Sent[alertID]; ok && sent.Digest == digest {
		return true, nil
	}
	a, err := q.GetStart(ctx, alertID)
	if tocsin.ErrorCode(err) == tocsin.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.validStart(a) && [32]byte(a.Digest) == digest, nil
}

// startsSince counts the alerts started since t by any sender (a start
// record without the sender's MAC does not count), but for except.
func (s *Sender) startsSince(ctx context.Context, q store.Querier, t time.Time, except string) (int, error) {
	ids := map[string]bool{}
	for id, sent := range s.state.Sent {
		if !sent.At.Before(t) {
			ids[id] = true
		}
	}
	starts, err := q.StartsSince(ctx, t)
	if err != nil {
		return 0, err
	}
	for _, a := range starts {
		if s.validStart(&a) {
			ids[a.AlertID] = true
		}
	}
	delete(ids, except)
	return len(ids), nil
}
