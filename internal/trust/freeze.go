package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrFreeze is wrapped by every error about freeze orders. The sender treats
// any such error as "frozen".
var ErrFreeze = errors.New("freeze state not verified")

// FreezeHeader is the first line of an encoded freeze order.
const FreezeHeader = "tocsin freeze order v1"

// MaxReasonBytes bounds the reason of a freeze order.
const MaxReasonBytes = 1000

// FreezeOrder stops (Freeze) or resumes (!Freeze) all outbound messaging.
type FreezeOrder struct {
	Seq    int64     // 1, 2, 3, … with no gaps
	Freeze bool      // true: freeze; false: unfreeze
	At     time.Time // UTC, second precision; not before the previous order's
	Reason string    // free text, may be empty; same character rules as alert texts
}

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

func (o *FreezeOrder) normalized() (*FreezeOrder, error) {
	if o == nil {
		return nil, freezeErr("no order")
	}
	n := *o
	if n.Seq < 1 {
		return nil, freezeErr("seq %d: sequence numbers start at 1", n.Seq)
	}
	n.At = canon.NormTime(n.At)
	if err := canon.CheckTime("order time", n.At); err != nil {
		return nil, freezeErr("%v", err)
	}
	if err := canon.CheckText("the reason", n.Reason, MaxReasonBytes); err != nil {
		return nil, freezeErr("%v", err)
	}
	return &n, nil
}

// Encode returns the canonical encoding of o (see FORMAT.md).
func (o *FreezeOrder) Encode() ([]byte, error) {
	n, err := o.normalized()
	if err != nil {
		return nil, err
	}
	action := "unfreeze"
	if n.Freeze {
		action = "freeze"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nseq %d\naction %s\nat %s\nreason %d\n%s\nend\n",
		FreezeHeader, n.Seq, action, canon.FmtTime(n.At), len(n.Reason), n.Reason)
	return b.Bytes(), nil
}

// Digest returns the SHA-256 of the canonical encoding, or zero when o does
// not encode.
func (o *FreezeOrder) Digest() [32]byte { return canon.Digest(o) }

// DecodeFreezeOrder parses a canonical freeze order, strictly.
func DecodeFreezeOrder(b []byte) (*FreezeOrder, error) {
	o, err := decodeFreezeOrder(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFreeze, err)
	}
	if ok, err := canon.Reencodes(o, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, freezeErr("order not in canonical form")
	}
	return o, nil
}

func decodeFreezeOrder(b []byte) (*FreezeOrder, error) {
	r := canon.NewReader(b)
	if err := r.Exact(FreezeHeader); err != nil {
		return nil, err
	}
	o := &FreezeOrder{}
	v, err := r.Field("seq")
	if err != nil {
		return nil, err
	}
	if o.Seq, err = canon.ParseInt("seq", v, 1, 1<<62); err != nil {
		return nil, err
	}
	if v, err = r.Field("action"); err != nil {
		return nil, err
	}
	switch v {
	case "freeze":
		o.Freeze = true
	case "unfreeze":
	default:
		return nil, fmt.Errorf("line %d: action must be freeze or unfreeze", r.Line())
	}
	if v, err = r.Field("at"); err != nil {
		return nil, err
	}
	if o.At, err = canon.ParseTime("at", v); err != nil {
		return nil, err
	}
	if v, err = r.Field("reason"); err != nil {
		return nil, err
	}
	n, err := canon.ParseInt("reason length", v, 0, MaxReasonBytes)
	if err != nil {
		return nil, err
	}
	reason, err := r.Raw(int(n))
	if err != nil {
		return nil, err
	}
	o.Reason = string(reason)
	if err := r.End(); err != nil {
		return nil, err
	}
	return o, nil
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

// Describe renders an order for a person: what it does and why.
func (o *FreezeOrder) Describe() string {
	n, err := o.normalized()
	if err != nil {
		return "INVALID FREEZE ORDER: " + err.Error() + "\n"
	}
	action := "UNFREEZE: resume outbound messaging"
	if n.Freeze {
		action = "FREEZE: stop all outbound messaging"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Order %s — %s\nAt:     %s\n", strconv.FormatInt(n.Seq, 10), action, canon.FmtTime(n.At))
	fmt.Fprintf(&b, "Reason: %s\n", strings.ReplaceAll(n.Reason, "\n", "\n        "))
	d := sha256.Sum256(encodeOrder(n))
	fmt.Fprintf(&b, "Digest: %x\n", d)
	return b.String()
}

func encodeOrder(o *FreezeOrder) []byte {
	b, _ := o.Encode()
	return b
}

// OrderSigners returns the distinct names of the admins and dispatchers of
// r whose signatures in sigs verify over the order body. A sender that
// applies orders one at a time, keeping its own record of the last one
// applied, uses it instead of ReplayFreeze.
func (r *Roster) OrderSigners(body []byte, sigs []RosterSignature) []string {
	return r.signers(freezeDomain, sha256.Sum256(body), sigs, RoleAdmin, RoleDispatcher)
}
