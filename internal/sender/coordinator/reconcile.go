// Package coordinator is the periodic work one sender of a cluster does
// for all (the holder of the coordinator lease): retention, reconciliation
// of what the providers say they sent with what the sender sent, and the
// response to high and critical security events with the operators'
// alarm. Each is a type of its own with a Tick; none sends a message.
package coordinator

import (
	"context"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"

	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/starts"
)

// ReconcileStore is what reconciliation reads and writes.
type ReconcileStore interface {
	events.Querier
	starts.AlertsQuerier
	InTx(ctx context.Context, fn func(q store.Querier) error) error
	KnownSent(ctx context.Context, provider string, ids []string) (map[string]bool, error)
	PurgeSent(ctx context.Context, before time.Time) error
}

// Reconciler compares the providers' lists of messages sent from our
// account with what the sender handed over.
type Reconciler struct {
	cfg       *config.Config // ReconcileEvery, Now, Log
	store     ReconcileStore
	events    *events.Recorder
	guard     *guard.Guard
	starts    *starts.Book
	response  *response.Responder
	providers func() []sms.Provider // the Sender's routes' providers, now
	next      time.Time
	last      time.Time
}

// NewReconciler returns the reconciliation of a sender; providers lists
// the providers it sends through.
func NewReconciler(cfg *config.Config, st ReconcileStore, ev *events.Recorder, g *guard.Guard, b *starts.Book, r *response.Responder, providers func() []sms.Provider) *Reconciler {
	return &Reconciler{cfg: cfg, store: st, events: ev, guard: g, starts: b, response: r, providers: providers}
}

// reconcileOverlap re-reads a little of the last period, for messages the
// provider lists late.
const reconcileOverlap = 2 * time.Minute

// Tick asks each provider that can list its messages what it sent from
// our account, and compares with what the sender handed over. A message the
// sender did not send means someone else holds our credentials: it raises a
// security event and freezes all outbound messaging.
func (s *Reconciler) Tick(ctx context.Context) error {
	now := s.cfg.Now()
	if now.Before(s.next) {
		return nil
	}
	s.next = now.Add(s.cfg.ReconcileEvery)
	since := s.last.Add(-reconcileOverlap)
	if s.last.IsZero() {
		since = now.Add(-s.cfg.ReconcileEvery - reconcileOverlap)
	}
	for _, p := range s.providers() {
		l, ok := p.(sms.Lister)
		if !ok {
			continue
		}
		if err := s.reconcileOne(ctx, p.Name(), l, since); err != nil {
			return err
		}
	}
	s.last = now
	return s.store.PurgeSent(ctx, now.Add(-48*time.Hour))
}

func (s *Reconciler) reconcileOne(ctx context.Context, name string, l sms.Lister, since time.Time) error {
	recs, err := l.ListSent(ctx, since)
	if err != nil {
		return fmt.Errorf("reconcile %s: %w", name, err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ProviderID
	}
	known, err := s.store.KnownSent(ctx, name, ids)
	if err != nil {
		return err
	}
	signed, err := s.starts.SignedTexts(ctx, s.store)
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
	err = s.store.InTx(ctx, func(q store.Querier) error {
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
