package webkit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// roster returns the latest roster version that verifies back to the trust
// anchor, or nil when there is none. The web tier checks signatures only to
// answer signers at once and to show who has signed; the sender checks
// everything again, and only its check counts.
func (s *Kit) Roster(ctx context.Context) (*trust.Roster, error) {
	r, _, err := store.VerifiedRoster(ctx, s.st, ed25519.PublicKey(s.TrustAnchor))
	return r, err
}

// noRoster is the answer when no roster version verifies: without a trust
// anchor the server was started before tocsin init (or without its keys),
// and a restart loads it.
func (s *Kit) NoRoster() error {
	if len(s.TrustAnchor) == 0 {
		return tocsin.Errorf(tocsin.ECONFLICT, "this server has no trust anchor loaded: if an administrator has run tocsin init, restart tocsin serve (and tocsin sender) so that they load keys/trust-anchor.pub; otherwise an administrator must run tocsin init")
	}
	return tocsin.Errorf(tocsin.ECONFLICT, "there is no verified roster yet: no roster version in the database verifies back to this server's trust anchor (tocsin init writes version 1; tocsin roster show on the server says what is wrong)")
}

// FreezeOrderView is a freeze order as the API and the console show it.
type FreezeOrderView struct {
	Seq     int64     `json:"seq"`
	Freeze  bool      `json:"freeze"`
	Reason  string    `json:"reason"`
	Body    string    `json:"body"` // base64 of the canonical order: what a signer signs
	Signers []string  `json:"signers"`
	At      time.Time `json:"-"`
	// odd: the order does not decode, or does not follow the one before by
	// one; the sender takes it as a freeze whatever it says.
	odd bool
}

// FreezeOrders returns every freeze order as the API and console show it.
func (s *Kit) FreezeOrders(ctx context.Context) ([]FreezeOrderView, error) {
	orders, err := s.st.FreezeOrders(ctx, 0)
	if err != nil {
		return nil, err
	}
	r, err := s.Roster(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]FreezeOrderView, 0, len(orders))
	var prev int64
	for _, o := range orders {
		v := FreezeOrderView{Seq: o.Seq, Body: base64.StdEncoding.EncodeToString(o.Body), Signers: []string{}, odd: o.Seq != prev+1}
		prev = o.Seq
		if fo, err := trust.DecodeFreezeOrder(o.Body); err == nil && fo.Seq == o.Seq {
			v.Freeze, v.Reason, v.At = fo.Freeze, fo.Reason, fo.At
		} else {
			v.odd = true
		}
		if r != nil {
			v.Signers = append(v.Signers, r.OrderSigners(o.Body, store.RosterSigs(o.Sigs))...)
		}
		out = append(out, v)
	}
	return out, nil
}

// FreezeStatus is the state of outbound messaging as the console shows it.
type FreezeStatus struct {
	Frozen bool
	Since  time.Time // when the order that froze was given
	Reason string    // its reason
	Need   int       // the signatures an unfreeze needs
	// Pending is the newest unfreeze order still waiting for signatures
	// while frozen, if any.
	Pending *FreezeOrderView
}

// currentFreeze replays the freeze orders as the sender does, roughly:
// a freeze, or an order that does not decode or breaks the sequence,
// freezes; an unfreeze counts once it has the roster's threshold of
// signatures.
func (s *Kit) CurrentFreeze(ctx context.Context, orders []FreezeOrderView) (FreezeStatus, error) {
	ros, err := s.Roster(ctx)
	if err != nil {
		return FreezeStatus{}, err
	}
	st := FreezeStatus{Need: 1}
	if ros != nil {
		st.Need = max(1, ros.Policy.UnfreezeThreshold)
	}
	for i, o := range orders {
		switch {
		case o.Freeze || o.odd:
			st.Frozen, st.Since, st.Reason, st.Pending = true, o.At, o.Reason, nil
		case len(o.Signers) >= st.Need:
			st = FreezeStatus{Need: st.Need}
		case st.Frozen:
			st.Pending = &orders[i]
		}
	}
	return st, nil
}

// freezeNow reads the orders and says whether messaging is frozen.
func (s *Kit) FreezeNow(ctx context.Context) (FreezeStatus, error) {
	orders, err := s.FreezeOrders(ctx)
	if err != nil {
		return FreezeStatus{}, err
	}
	return s.CurrentFreeze(ctx, orders)
}

// LastOrderSeq is the number of the newest freeze order (0 for none).
func (s *Kit) LastOrderSeq(ctx context.Context) (int64, error) {
	orders, err := s.st.FreezeOrders(ctx, 0)
	if err != nil || len(orders) == 0 {
		return 0, err
	}
	return orders[len(orders)-1].Seq, nil
}
