package trust

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/tocsin/tocsin/internal/trust/freeze"
	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// The freeze order and its codec are in package freeze; signed orders are
// replayed against the roster here.

// FreezeOrder stops or resumes all outbound messaging (see freeze.Order).
type FreezeOrder = freeze.Order

// ErrFreeze is wrapped by every error about freeze orders. The sender treats
// any such error as "frozen".
var ErrFreeze = freeze.ErrUnverified

// The freeze order's header line and the bound on its reason.
const (
	FreezeHeader   = freeze.Header
	MaxReasonBytes = freeze.MaxReasonBytes
)

// DecodeFreezeOrder parses a canonical freeze order, strictly.
func DecodeFreezeOrder(b []byte) (*FreezeOrder, error) { return freeze.Decode(b) }

// SignedOrder is an encoded freeze order with its approvals, each over
// "tocsin/freeze/v1\x00" || SHA-256(Body).
type SignedOrder struct {
	Body      []byte
	Approvals []RosterSignature
}

// FreezeState is the verified outcome of replaying freeze orders.
type FreezeState struct {
	Frozen bool
	Seq    int64     // the last order's sequence number (0 for none)
	At     time.Time // the last order's time
}

func freezeErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFreeze, fmt.Sprintf(format, args...))
}

// SignOrder signs an encoded freeze order body with an operator's key.
func SignOrder(priv ed25519.PrivateKey, body []byte) RosterSignature {
	return signBody(priv, freezeDomain, body)
}

// VerifyFreezeState replays signed freeze orders against the verified roster
// r and reports whether outbound messaging is frozen. Orders are taken in
// Seq order; the sequence must run 1, 2, 3, … without gaps or repeats and
// order times must not go back. A freeze needs a valid signature by one
// admin or dispatcher; an unfreeze needs r.Policy.UnfreezeThreshold distinct
// admins or dispatchers. Any invalid order is an error, and then frozen is
// true: the sender fails closed. No orders means not frozen.
func VerifyFreezeState(r *Roster, orders []SignedOrder) (frozen bool, err error) {
	st, err := ReplayFreeze(r, orders)
	if err != nil {
		return true, err
	}
	return st.Frozen, nil
}

// ReplayFreeze is VerifyFreezeState that also returns the sequence number and
// time of the last order. A sender should remember the highest Seq it has
// verified outside the database and treat a lower one later as a truncated
// history (frozen): deleting the newest freeze order from the database must
// not unfreeze.
func ReplayFreeze(r *Roster, orders []SignedOrder) (FreezeState, error) {
	frozen := FreezeState{Frozen: true}
	if r == nil {
		return frozen, freezeErr("no verified roster")
	}
	type dec struct {
		o   *FreezeOrder
		idx int
	}
	ds := make([]dec, 0, len(orders))
	for i, so := range orders {
		o, err := DecodeFreezeOrder(so.Body)
		if err != nil {
			return frozen, fmt.Errorf("freeze order entry %d: %w", i+1, err)
		}
		ds = append(ds, dec{o, i})
	}
	slices.SortStableFunc(ds, func(a, b dec) int {
		switch {
		case a.o.Seq < b.o.Seq:
			return -1
		case a.o.Seq > b.o.Seq:
			return 1
		}
		return 0
	})
	var st FreezeState
	need := max(1, r.Policy.UnfreezeThreshold)
	for i, d := range ds {
		o := d.o
		if want := int64(i) + 1; o.Seq != want {
			if o.Seq < want {
				return frozen, freezeErr("order %d appears twice", o.Seq)
			}
			return frozen, freezeErr("order %d is missing (next is %d)", want, o.Seq)
		}
		if o.At.Before(st.At) {
			return frozen, freezeErr("order %d is dated %s, before order %d", o.Seq, canon.FmtTime(o.At), o.Seq-1)
		}
		names := r.signers(freezeDomain, sha256.Sum256(orders[d.idx].Body), orders[d.idx].Approvals, RoleAdmin, RoleDispatcher)
		if o.Freeze && len(names) < 1 {
			return frozen, freezeErr("freeze order %d has no valid signature by an admin or dispatcher", o.Seq)
		}
		if !o.Freeze && len(names) < need {
			return frozen, freezeErr("unfreeze order %d needs %d signatures from distinct operators, has %d%s",
				o.Seq, need, len(names), listNames(names))
		}
		st = FreezeState{Frozen: o.Freeze, Seq: o.Seq, At: o.At}
	}
	return st, nil
}

// OrderSigners returns the distinct names of the admins and dispatchers of
// r whose signatures in sigs verify over the order body. A sender that
// applies orders one at a time, keeping its own record of the last one
// applied, uses it instead of ReplayFreeze.
func (r *Roster) OrderSigners(body []byte, sigs []RosterSignature) []string {
	return r.signers(freezeDomain, sha256.Sum256(body), sigs, RoleAdmin, RoleDispatcher)
}
