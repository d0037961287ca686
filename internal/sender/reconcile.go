package sender

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"

	"github.com/tocsin/tocsin/internal/sender/response"
)

// reconcileOverlap re-reads a little of the last period, for messages the
// provider lists late.
const reconcileOverlap = 2 * time.Minute

// reconcile asks each provider that can list its messages what it sent from
// our account, and compares with what the sender handed over. A message the
// sender did not send means someone else holds our credentials: it raises a
// security event and freezes all outbound messaging.
func (s *Sender) reconcile(ctx context.Context) error {
	now := s.cfg.Now()
	if now.Before(s.nextReconcile) {
		return nil
	}
	s.nextReconcile = now.Add(s.cfg.ReconcileEvery)
	since := s.lastReconciled.Add(-reconcileOverlap)
	if s.lastReconciled.IsZero() {
		since = now.Add(-s.cfg.ReconcileEvery - reconcileOverlap)
	}
	for _, r := range s.routes {
		l, ok := r.Provider.(sms.Lister)
		if !ok {
			continue
		}
		if err := s.reconcileOne(ctx, r.Provider.Name(), l, since); err != nil {
			return err
		}
	}
	s.lastReconciled = now
	return s.cfg.Store.PurgeSent(ctx, now.Add(-48*time.Hour))
}

func (s *Sender) reconcileOne(ctx context.Context, name string, l sms.Lister, since time.Time) error {
	recs, err := l.ListSent(ctx, since)
	if err != nil {
		return fmt.Errorf("reconcile %s: %w", name, err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ProviderID
	}
	known, err := s.cfg.Store.KnownSent(ctx, name, ids)
	if err != nil {
		return err
	}
	signed, err := s.starts.SignedTexts(ctx, s.cfg.Store)
	if err != nil {
		return err
	}
	var unknown []string
	for _, r := range recs {
		switch {
		case known[r.ProviderID]:
		case r.Body != "" && signed[r.Body] != "":
			// Not recorded, yet the text of an alert we verified: a send
			// whose answer was lost (a timeout) and then retried. A duplicate,
			// not a stranger: noted, not frozen.
			s.cfg.Log.Warn("provider lists an unrecorded copy of a verified alert (a lost answer, retried)", "provider", name, "id", r.ProviderID)
		default:
			unknown = append(unknown, r.ProviderID)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	why := fmt.Sprintf("%s lists %d message(s) sent from our account that tocsin did not send (first: %s): a credential may be stolen; outbound messaging frozen", name, len(unknown), unknown[0])
	err = s.cfg.Store.InTx(ctx, func(q store.Querier) error {
		if err := s.events.Event(ctx, q, &store.SecurityEvent{Kind: "provider.unknown_messages", Severity: store.SeverityCritical, Subject: name, Detail: why}); err != nil {
			return err
		}
		return s.response.Respond(ctx, q, response.RuleReconcileUnknown, "reconciliation: "+why, "")
	})
	if err != nil {
		return err
	}
	s.guard.Frozen(ctx)
	return nil
}
