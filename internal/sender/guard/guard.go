// Package guard is what stops the sender: the roster that verifies back to
// the trust anchor (who may approve) and the freeze orders (whether
// anything may go out). Every service asks the one Guard; it fails closed.
package guard

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/state"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Store is the part of the store the Guard reads and writes: the roster
// chain and the freeze orders, and the events it raises.
type Store interface {
	store.Trust
	events.Querier
}

// Guard holds the roster last verified and the sender's freeze state.
type Guard struct {
	cfg           *config.Config // TrustAnchor, Now, Log
	store         Store
	state         *state.Dir
	events        *events.Recorder
	lastRosterErr string
	mu            sync.Mutex // one lane at a time applies freeze orders
	ownFreeze     string     // the reason of the sender's own freeze, until written as an order
}

// New returns the Guard of a sender.
func New(cfg *config.Config, st Store, dir *state.Dir, ev *events.Recorder) *Guard {
	return &Guard{cfg: cfg, store: st, state: dir, events: ev}
}

// Roster returns the latest roster version that verifies back to the trust
// anchor. A version that does not verify is ignored, and raised once as a
// security event; nil means no version verifies (nothing can be approved).
func (s *Guard) Roster(ctx context.Context) (*trust.Roster, error) {
	r, verr, err := store.VerifiedRoster(ctx, s.store, ed25519.PublicKey(s.cfg.TrustAnchor))
	if err != nil {
		return nil, err
	}
	if verr != nil && verr.Error() != s.lastRosterErr {
		s.lastRosterErr = verr.Error()
		if err := s.events.Security(ctx, s.store, "roster.rejected", "", verr.Error()); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Frozen applies new freeze orders and reports whether outbound messaging
// is frozen. Any freeze order freezes, signed or not (stopping is always
// safe), wherever it stands in the sequence; an unfreeze order takes effect
// only with the roster's unfreeze threshold of signatures, in sequence, and
// one still waiting for them never stops a later freeze. What a database
// writer can do to the table (a gap, an order out of place, a body that
// does not decode, the applied order deleted or replaced) freezes and
// raises an event. It fails closed.
func (s *Guard) Frozen(ctx context.Context) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
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

func (s *Guard) applyFreezeOrders(ctx context.Context) (bool, error) {
	cur := s.state.Freeze
	orders, err := s.store.FreezeOrders(ctx, max(0, cur.Seq-1))
	if err != nil {
		return true, err
	}
	next, events := s.checkApplied(cur, orders)
	last := cur.Seq
	// afterFreeze says whether the order before the next one is a freeze:
	// an unfreeze is only ever made to lift a freeze (tocsin unfreeze
	// co-signs a pending unfreeze rather than add one), so an unfreeze
	// after anything else is a freeze order rewritten by a database writer.
	afterFreeze := cur.Frozen
	if len(orders) > 0 && orders[0].Seq == cur.Seq {
		if cur.Digest == noOrder {
			last = cur.Seq - 1 // the deleted order's number, taken again: a new order
		} else {
			if o, err := trust.DecodeFreezeOrder(orders[0].Body); err == nil {
				afterFreeze = o.Freeze
			}
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
		case !afterFreeze:
			events = append(events, freezeEvent{"freeze.malformed", fmt.Sprint(o.Seq), fmt.Sprintf("order %d is an unfreeze that follows no freeze (a freeze order rewritten?): treated as a freeze", o.Seq)})
			next = frozenAt(o)
		default:
			if r == nil {
				if r, err = s.Roster(ctx); err != nil {
					return true, err
				}
			}
			if r != nil && len(r.OrderSigners(o.Body, store.RosterSigs(o.Sigs))) >= max(1, r.Policy.UnfreezeThreshold) {
				next = state.FreezeState{Seq: o.Seq, Frozen: false, Digest: bodyDigest(o.Body)}
				applied = append(applied, *order)
			}
			// Otherwise it waits for signatures; later orders still count.
		}
		afterFreeze = err == nil && order.Seq == o.Seq && order.Freeze
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
		if err := s.events.Security(ctx, s.store, e.kind, e.subject, e.detail); err != nil {
			return true, err
		}
	}
	return s.state.Freeze.Frozen, nil
}

// checkApplied compares the order the sender applied last with what the
// table holds at its number now (the first of orders): deleted or replaced,
// the table was rewritten, which freezes. The record then holds what is
// there now, so that the event is raised once.
func (s *Guard) checkApplied(cur state.FreezeState, orders []store.Signed) (state.FreezeState, []freezeEvent) {
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

// FreezeWith freezes this sender at once, in its own record, without the
// database: an intrusion the sender detected itself stops it whatever a
// database writer does to the freeze orders, and whether or not the
// transaction that saw it commits. The order it then writes for the
// console, the log and the other senders of a cluster (publishFreeze) is
// written apart from that transaction, and failing to write it changes
// nothing here. The position in the orders stays: the operators' next
// signed unfreeze lifts it.
func (s *Guard) FreezeWith(reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ownFreeze = reason
	if s.state.Freeze.Frozen {
		return nil
	}
	f := s.state.Freeze
	f.Frozen = true
	return s.state.SaveFreeze(f)
}

// publishFreeze writes the freeze order of the sender's own freeze, if one
// waits (stopping needs no signature), after the last order in the table.
// Called with mu held.
func (s *Guard) publishFreeze(ctx context.Context) {
	reason := s.ownFreeze
	s.ownFreeze = ""
	err := func() error {
		orders, err := s.store.FreezeOrders(ctx, 0)
		if err != nil {
			return err
		}
		seq := max(s.state.Freeze.Seq, int64(0)) + 1
		if n := len(orders); n > 0 {
			seq = max(seq, orders[n-1].Seq+1)
		}
		body, err := (&trust.FreezeOrder{Seq: seq, Freeze: true, At: s.cfg.Now(), Reason: reason}).Encode()
		if err != nil {
			return err
		}
		return s.store.PutFreezeOrder(ctx, seq, body)
	}()
	if err == nil {
		return
	}
	s.cfg.Log.Error("the sender's own freeze could not be written as an order; it is frozen all the same", "err", err)
	if err := s.events.Security(ctx, s.store, "freeze.unrecorded", "", "the sender froze itself, but its freeze order could not be written to the database: "+err.Error()); err != nil {
		s.cfg.Log.Error("security event", "err", err)
	}
}

// Approvals are the stored approvals as trust checks them (a digest of
// the wrong length is left out).
func Approvals(as []store.Approval) []trust.Approval {
	out := make([]trust.Approval, 0, len(as))
	for _, a := range as {
		if len(a.Digest) != 32 {
			continue
		}
		out = append(out, trust.Approval{AlertID: a.AlertID, Digest: [32]byte(a.Digest), Kind: trust.Kind(a.Kind),
			KeyID: trust.KeyID(a.KeyID), Signature: a.Signature, SignedAt: a.SignedAt})
	}
	return out
}
