package sender

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"

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

// frozen applies new freeze orders, in sequence from the last applied, and
// reports whether outbound messaging is frozen. Any freeze order freezes,
// signed or not (stopping is always safe); an unfreeze order takes effect
// only with the roster's unfreeze threshold of signatures, and one still
// waiting for them never stops a later freeze. It fails closed.
func (s *Sender) frozen(ctx context.Context) bool {
	s.freezeMu.Lock()
	defer s.freezeMu.Unlock()
	f, err := s.applyFreezeOrders(ctx)
	if err != nil {
		s.cfg.Log.Error("freeze state unreadable: treating as frozen", "err", err)
		return true
	}
	return f
}

func (s *Sender) applyFreezeOrders(ctx context.Context) (bool, error) {
	orders, err := s.cfg.Store.FreezeOrders(ctx, s.state.freeze.Seq)
	if err != nil {
		return true, err
	}
	// The state is that of the latest order in effect: a freeze always is;
	// an unfreeze only with the threshold of signatures. An unfreeze still
	// waiting for signatures holds the record where it is (its signatures
	// may yet come) but never stops a later freeze from taking effect.
	next, last := s.state.freeze, s.state.freeze.Seq
	var applied []trust.FreezeOrder
	var r *trust.Roster
	for _, o := range orders {
		if o.Seq != last+1 {
			break // a gap: nothing after it is in order yet
		}
		last = o.Seq
		order, err := trust.DecodeFreezeOrder(o.Body)
		if err != nil || order.Seq != o.Seq {
			// A malformed order in the sequence: freeze, and say so.
			if err := s.security(ctx, s.cfg.Store, "freeze.malformed", fmt.Sprint(o.Seq), fmt.Sprintf("order %d does not decode: treated as a freeze", o.Seq)); err != nil {
				return true, err
			}
			next = freezeState{Seq: o.Seq, Frozen: true}
			continue
		}
		if order.Freeze {
			next = freezeState{Seq: o.Seq, Frozen: true}
			applied = append(applied, *order)
			continue
		}
		if r == nil {
			if r, err = s.roster(ctx); err != nil {
				return true, err
			}
		}
		if r != nil && len(r.OrderSigners(o.Body, store.RosterSigs(o.Sigs))) >= max(1, r.Policy.UnfreezeThreshold) {
			next = freezeState{Seq: o.Seq, Frozen: false}
			applied = append(applied, *order)
		}
		// Otherwise it waits for signatures; later orders still count.
	}
	if next != s.state.freeze {
		if err := s.state.saveFreeze(next); err != nil {
			return true, err
		}
		for _, o := range applied {
			kind := "freeze"
			if !o.Freeze {
				kind = "unfreeze"
			}
			if err := s.security(ctx, s.cfg.Store, kind, fmt.Sprint(o.Seq), o.Reason); err != nil {
				return true, err
			}
		}
	}
	return s.state.freeze.Frozen, nil
}

// errRefused marks an alert the sender will not send.
var errRefused = errors.New("alert refused")

// refusal is why an alert is refused.
type refusal struct{ why string }

func (r refusal) Error() string { return r.why }

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %w", errRefused, refusal{fmt.Sprintf(format, args...)})
}
