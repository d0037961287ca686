// Package freeze is the trust core's freeze order (FORMAT.md): the order
// that stops or resumes all outbound messaging, its encoding, digest and
// strict decoding. Replaying signed orders against the roster is in
// package trust, which names these types as its own.
package freeze

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrUnverified is wrapped by every error about freeze orders. The sender
// treats any such error as "frozen".
var ErrUnverified = errors.New("freeze state not verified")

// Header is the first line of an encoded freeze order.
const Header = "tocsin freeze order v1"

// MaxReasonBytes bounds the reason of a freeze order.
const MaxReasonBytes = 1000

// Order stops (Freeze) or resumes (!Freeze) all outbound messaging.
type Order struct {
	Seq    int64     // 1, 2, 3, … with no gaps
	Freeze bool      // true: freeze; false: unfreeze
	At     time.Time // UTC, second precision; not before the previous order's
	Reason string    // free text, may be empty; same character rules as alert texts
}

func (o *Order) normalized() (*Order, error) {
	if o == nil {
		return nil, errf("no order")
	}
	n := *o
	if n.Seq < 1 {
		return nil, errf("seq %d: sequence numbers start at 1", n.Seq)
	}
	n.At = canon.NormTime(n.At)
	if err := canon.CheckTime("order time", n.At); err != nil {
		return nil, errf("%v", err)
	}
	if err := canon.CheckText("the reason", n.Reason, MaxReasonBytes); err != nil {
		return nil, errf("%v", err)
	}
	return &n, nil
}

// Encode returns the canonical encoding of o (see FORMAT.md).
func (o *Order) Encode() ([]byte, error) {
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
		Header, n.Seq, action, canon.FmtTime(n.At), len(n.Reason), n.Reason)
	return b.Bytes(), nil
}

// Digest returns the SHA-256 of the canonical encoding, or zero when o does
// not encode.
func (o *Order) Digest() [32]byte { return canon.Digest(o) }

// Decode parses a canonical freeze order, strictly.
func Decode(b []byte) (*Order, error) {
	o, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnverified, err)
	}
	if ok, err := canon.Reencodes(o, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, errf("order not in canonical form")
	}
	return o, nil
}

func decode(b []byte) (*Order, error) {
	r := canon.NewReader(b)
	if err := r.Exact(Header); err != nil {
		return nil, err
	}
	o := &Order{}
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

// Describe renders an order for a person: what it does and why.
func (o *Order) Describe() string {
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

func encodeOrder(o *Order) []byte {
	b, _ := o.Encode()
	return b
}

func errf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnverified, fmt.Sprintf(format, args...))
}
