package sender

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// security records a security event and logs it. Failing to record one is
// an error: the caller must not go on as if it had been seen.
func (s *Sender) security(ctx context.Context, q store.Querier, kind, subject, detail string) error {
	return s.securityEvent(ctx, q, &store.SecurityEvent{Kind: kind, Subject: subject, Detail: detail})
}

// roster returns the latest roster version that verifies back to the trust
// anchor. A version that does not verify is ignored, and raised once as a
// security event; nil means no version verifies (nothing can be approved).
func (s *Sender) roster(ctx context.Context) (*trust.Roster, error) {
	r, verr, err := store.VerifiedRoster(ctx, s.cfg.Store, ed25519.PublicKey(s.cfg.TrustAnchor))
	if err != nil {
		return nil, err
	}
	if verr != nil && verr.Error() != s.lastRosterErr {
		s.lastRosterErr = verr.Error()
		if err := s.security(ctx, s.cfg.Store, "roster.rejected", "", verr.Error()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// frozen applies new freeze orders and reports whether outbound messaging
// is frozen. Any freeze order freezes, signed or not (stopping is always
// safe), wherever it stands in the sequence; an unfreeze order takes effect
// only with the roster's unfreeze threshold of signatures, in sequence, and
// one still waiting for them never stops a later freeze. What a database
// writer can do to the table (a gap, an order out of place, a body that
// does not decode, the applied order deleted or replaced) freezes and
// raises an event. It fails closed.
func (s *Sender) frozen(ctx context.Context) bool {
	s.freezeMu.Lock()
	defer s.freezeMu.Unlock()
	if s.ownFreeze != "" {
		s.publishFreeze(ctx)
	}
	f, err := s.applyFreezeOrders(ctx)
	if err != nil {
		s.cfg.Log.Error("freeze state unreadable: treating as frozen", "err", err)
		return true
	}
	return f
}

// maxFreezeEvents bounds the events one pass over the orders raises.
const maxFreezeEvents = 20

// freezeEvent is a security event applying freeze orders raises.
type freezeEvent struct {
	kind, subject, detail string
}

func (s *Sender) applyFreezeOrders(ctx context.Context) (bool, error) {
	cur := s.state.Freeze
	orders, err := s.cfg.Store.FreezeOrders(ctx, max(0, cur.Seq-1))
	if err != nil {
		return true, err
	}
	next, events := s.checkApplied(cur, orders)
	last := cur.Seq
	if len(orders) > 0 && orders[0].Seq == cur.Seq {
		if cur.Digest == noOrder {
			last = cur.Seq - 1 // the deleted order's number, taken again: a new order
		} else {
			orders = orders[1:]
		}
	}
	// The state is that of the latest order in effect. A freeze always is,
	// and so is anything a database writer made of the sequence; an
	// unfreeze only with the threshold of signatures, and only in sequence.
	// An unfreeze still waiting for signatures holds the record where it is
	// (its signatures may yet come) but never stops a later freeze.
	var applied []trust.FreezeOrder
	var r *trust.Roster
	for _, o := range orders {
		gap := o.Seq != last+1
		prev := last
		last = o.Seq
		order, err := trust.DecodeFreezeOrder(o.Body)
		switch {
		case err != nil || order.Seq != o.Seq:
			events = append(events, freezeEvent{"freeze.malformed", fmt.Sprint(o.Seq), fmt.Sprintf("order %d does not decode: treated as a freeze", o.Seq)})
			next = frozenAt(o)
		case gap:
			events = append(events, freezeEvent{"freeze.gap", fmt.Sprint(o.Seq), fmt.Sprintf("order %d follows order %d: the orders between are missing; treated as a freeze", o.Seq, prev)})
			next = frozenAt(o)
			if order.Freeze {
				applied = append(applied, *order)
			}
		case order.Freeze:
			next = frozenAt(o)
			applied = append(applied, *order)
		default:
			if r == nil {
				if r, err = s.roster(ctx); err != nil {
					return true, err
				}
			}
			if r != nil && len(r.OrderSigners(o.Body, store.RosterSigs(o.Sigs))) >= max(1, r.Policy.UnfreezeThreshold) {
				next = state.FreezeState{Seq: o.Seq, Frozen: false, Digest: bodyDigest(o.Body)}
				applied = append(applied, *order)
			}
			// Otherwise it waits for signatures; later orders still count.
		}
	}
	if next != s.state.Freeze {
		if err := s.state.SaveFreeze(next); err != nil {
			return true, err
		}
	}
	for _, o := range applied {
		kind := "freeze"
		if !o.Freeze {
			kind = "unfreeze"
		}
		events = append(events, freezeEvent{kind, fmt.Sprint(o.Seq), o.Reason})
	}
	if n := len(events); n > maxFreezeEvents {
		// A writer who inserts a thousand orders gets one event for the
		// rest, not a thousand.
		events = append(events[:maxFreezeEvents-1], freezeEvent{"freeze.malformed", "", fmt.Sprintf("%d more orders out of sequence, malformed or applied: treated as freezes", n-maxFreezeEvents+1)})
	}
	for _, e := range events {
		if err := s.security(ctx, s.cfg.Store, e.kind, e.subject, e.detail); err != nil {
			return true, err
		}
	}
	return s.state.Freeze.Frozen, nil
}

// checkApplied compares the order the sender applied last with what the
// table holds at its number now (the first of orders): deleted or replaced,
// the table was rewritten, which freezes. The record then holds what is
// there now, so that the event is raised once.
func (s *Sender) checkApplied(cur state.FreezeState, orders []store.Signed) (state.FreezeState, []freezeEvent) {
	if cur.Seq == 0 {
		return cur, nil
	}
	now := noOrder
	if len(orders) > 0 && orders[0].Seq == cur.Seq {
		now = bodyDigest(orders[0].Body)
	}
	switch {
	case now == cur.Digest || cur.Digest == noOrder:
		// Unchanged, or deleted and reported already (an order at its
		// number now is a new one).
		return cur, nil
	case cur.Digest == "" && now != noOrder:
		// A record written before digests were kept: take the order as it
		// is now.
		cur.Digest = now
		return cur, nil
	}
	what := "deleted"
	if now != noOrder {
		what = "replaced"
	}
	return state.FreezeState{Seq: cur.Seq, Frozen: true, Digest: now}, []freezeEvent{{"freeze.rewritten", fmt.Sprint(cur.Seq),
		fmt.Sprintf("order %d, the last the sender applied, was %s in the database: the freeze orders were rewritten; treated as a freeze", cur.Seq, what)}}
}

// noOrder is the digest recorded for an applied order since deleted.
const noOrder = "none"

// frozenAt is the state after order o froze.
func frozenAt(o store.Signed) state.FreezeState {
	return state.FreezeState{Seq: o.Seq, Frozen: true, Digest: bodyDigest(o.Body)}
}

func bodyDigest(body []byte) string {
	d := sha256.Sum256(body)
	return hex.EncodeToString(d[:])
}

// errRefused marks an alert the sender will not send.
var errRefused = errors.New("alert refused")

// refusal is why an alert is refused.
type refusal struct{ why string }

func (r refusal) Error() string { return r.why }

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %w", errRefused, refusal{fmt.Sprintf(format, args...)})
}
