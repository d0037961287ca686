package sender

import (
	"context"
	"time"
)

// Wake asks the sender to look for work now. In the all-in-one process the
// web tier calls it after queueing work, so nothing waits for the next poll.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	defer s.dropLeases(context.WithoutCancel(ctx))
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Tick does one round of every kind of work this process's roles give it
// (see cluster.go). Errors are logged, and the next round tries again:
// nothing is lost, because nothing is deleted before it is done.
func (s *Sender) Tick(ctx context.Context) {
	if !s.released {
		// Rows this sender left claimed when it crashed go back to the
		// queue. The provider may have taken some of them: sent again, they
		// carry the same idempotency key, which providers that have one
		// honour.
		n, err := s.cfg.Store.ReleaseClaims(ctx, s.state.ID, s.cfg.Now().Add(-s.cfg.ClaimLease), s.cfg.Now())
		if err != nil {
			s.cfg.Log.Error("release claims", "err", err)
			return
		}
		if n > 0 {
			s.cfg.Log.Warn("resuming after a crash: ledger rows claimed but not finished go out again", "rows", n)
		}
		s.released = true
	}
	r, err := s.takeRoles(ctx, s.routes)
	if err != nil {
		s.cfg.Log.Error("sender leases", "err", err)
		return
	}
	if !r.primary {
		s.primed = false // another primary may sign meanwhile: take the log over again on return
	}
	if r.primary && !s.primed {
		if err := s.svc.log.AdoptCheckpoint(ctx); err != nil {
			s.cfg.Log.Error("take the log over", "err", err)
			return
		}
		if err := s.svc.log.SignCheckpoint(ctx); err != nil { // the first start signs the empty log
			s.cfg.Log.Error("sign the log's checkpoint", "err", err)
			return
		}
		if err := s.svc.fanout.WarmIndex(ctx); err != nil {
			s.cfg.Log.Error("build the recipient index", "err", err)
			return
		}
		s.primed = true
	}
	type step struct {
		name string
		fn   func(context.Context) error
	}
	var steps []step
	if r.coordinator {
		steps = append(steps, []step{
			{"canaries", s.svc.canary.Check},
			{"hooks", s.svc.inbound.Hooks},
			{"inbound", s.svc.inbound.Inbound},
			{"signups", s.svc.signups.Tick},
			{"outbound", s.svc.inbound.Send},
		}...)
	}
	if r.primary {
		steps = append(steps, step{"start alerts", s.svc.fanout.StartAlerts}, step{"notices", s.svc.log.PublishNotices})
	}
	steps = append(steps, step{"deliver alerts", s.svc.fanout.DeliverAlerts})
	if r.coordinator {
		steps = append(steps, []step{
			{"expire", s.svc.retention.Expire},
			{"reconcile", s.svc.reconciler.Tick},
			{"claims", s.svc.retention.ReleaseStaleClaims},
			{"events", s.svc.incidents.Tick},
		}...)
	}
	if r.primary {
		steps = append(steps, step{"audit", s.svc.log.CommitAuditEvery})
	} else {
		steps = append(steps, step{"watch log", s.svc.log.WatchCheckpoint})
	}
	for _, st := range steps {
		if ctx.Err() != nil {
			return
		}
		if err := st.fn(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("sender step failed", "step", st.name, "err", err)
		}
	}
}
