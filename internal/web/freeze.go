package web

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"net/http"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// freezeOrderView is a freeze order as the API and the console show it.
type freezeOrderView struct {
	Seq     int64    `json:"seq"`
	Freeze  bool     `json:"freeze"`
	Reason  string   `json:"reason"`
	Body    string   `json:"body"` // base64 of the canonical order: what a signer signs
	Signers []string `json:"signers"`
	// odd: the order does not decode, or does not follow the one before by
	// one; the sender takes it as a freeze whatever it says.
	odd bool
}

func (s *Server) freezeOrders(ctx context.Context) ([]freezeOrderView, error) {
	orders, err := s.cfg.Store.FreezeOrders(ctx, 0)
	if err != nil {
		return nil, err
	}
	r, err := s.roster(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]freezeOrderView, 0, len(orders))
	var prev int64
	for _, o := range orders {
		v := freezeOrderView{Seq: o.Seq, Body: base64.StdEncoding.EncodeToString(o.Body), Signers: []string{}, odd: o.Seq != prev+1}
		prev = o.Seq
		if fo, err := trust.DecodeFreezeOrder(o.Body); err == nil && fo.Seq == o.Seq {
			v.Freeze, v.Reason = fo.Freeze, fo.Reason
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

func (s *Server) listFreezeOrders(w http.ResponseWriter, r *http.Request) {
	orders, err := s.freezeOrders(r.Context())
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": orders})
}

// apiFreezeSig is the body of POST /api/v1/freeze-orders: a new order (the
// next sequence number) or another signature on an existing one.
type apiFreezeSig struct {
	Body      string `json:"body"` // base64 of the canonical order
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// submitFreezeOrder stores a signed freeze or unfreeze order, or adds a
// signature to one. The sender applies orders; an unfreeze takes effect only
// with the roster's threshold of signatures.
func (s *Server) submitFreezeOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body apiFreezeSig
	if err := decodeJSON(w, r, &body, ""); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(body.Body)
	if err != nil {
		s.writeJSONError(w, r, tocsin.FieldError("body", "the order must be standard base64"))
		return
	}
	order, err := trust.DecodeFreezeOrder(raw)
	if err != nil {
		s.writeJSONError(w, r, tocsin.FieldError("body", "not a freeze order: %v", err))
		return
	}
	sig, err := base64.StdEncoding.DecodeString(body.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		s.writeJSONError(w, r, tocsin.FieldError("signature", "the signature must be %d bytes in standard base64", ed25519.SignatureSize))
		return
	}
	ros, err := s.roster(ctx)
	if err != nil || ros == nil {
		s.writeJSONError(w, r, s.noRoster())
		return
	}
	rs := trust.RosterSignature{KeyID: trust.KeyID(body.KeyID), Signature: sig}
	names := ros.OrderSigners(raw, []trust.RosterSignature{rs})
	if len(names) != 1 {
		s.securityf(ctx, "freeze.refused", "", "a %s order signed by key %s, which does not verify as an admin or dispatcher", action(order), body.KeyID)
		s.writeJSONError(w, r, tocsin.Errorf(tocsin.EFORBIDDEN, "the signature does not verify as an admin's or dispatcher's"))
		return
	}
	if err := s.putOrder(ctx, order.Seq, raw); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	if err := s.cfg.Store.AddFreezeSig(ctx, order.Seq, store.Sig{KeyID: body.KeyID, Signature: sig}); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.auditf(ctx, names[0], "freeze."+action(order), "", order.Reason)
	s.cfg.Wake()
	orders, err := s.freezeOrders(ctx)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"orders": orders})
}

// putOrder stores an order at the next sequence number, or accepts the same
// body again at its own number.
func (s *Server) putOrder(ctx context.Context, seq int64, body []byte) error {
	last, err := s.lastOrderSeq(ctx)
	if err != nil {
		return err
	}
	if seq > last+1 || seq < 1 {
		return tocsin.FieldError("body", "the next order is number %d, not %d", last+1, seq)
	}
	return s.cfg.Store.PutFreezeOrder(ctx, seq, body)
}

func (s *Server) lastOrderSeq(ctx context.Context) (int64, error) {
	orders, err := s.cfg.Store.FreezeOrders(ctx, 0)
	if err != nil || len(orders) == 0 {
		return 0, err
	}
	return orders[len(orders)-1].Seq, nil
}

func action(o *trust.FreezeOrder) string {
	if o.Freeze {
		return "freeze"
	}
	return "unfreeze"
}

// consoleFreeze stops all outbound messaging at once. Any dispatcher or
// administrator may freeze, even without a key at hand: stopping is always
// safe. Unfreezing
// needs the threshold of signed unfreeze orders (tocsin unfreeze).
func (s *Server) consoleFreeze(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	op := currentOperator(r)
	if !can(r, auth.Freeze) {
		http.Error(w, "Your role cannot freeze messaging; ask a dispatcher or an administrator.", http.StatusForbidden)
		return
	}
	last, err := s.lastOrderSeq(ctx)
	if err == nil {
		o := &trust.FreezeOrder{Seq: last + 1, Freeze: true, At: s.cfg.Now(), Reason: "console: frozen by " + op.Username}
		var body []byte
		if body, err = o.Encode(); err == nil {
			err = s.cfg.Store.PutFreezeOrder(ctx, o.Seq, body)
		}
	}
	if err != nil {
		http.Error(w, tocsin.ErrorMessage(err), statusOf(tocsin.ErrorCode(err)))
		return
	}
	s.auditf(ctx, op.Username, "freeze.freeze", "", "console")
	s.cfg.Wake()
	http.Redirect(w, r, "/console/security", http.StatusSeeOther)
}

type securityData struct {
	Events []store.SecurityEvent
	Orders []freezeOrderView
	Frozen bool
}

// securityEvents lists what the sender and the web tier refused or
// detected, and the freeze orders.
func (s *Server) securityEvents(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "security.title")
	ctx := r.Context()
	events, err := s.cfg.Store.ListSecurityEvents(ctx, 200)
	if err != nil {
		s.formError(w, r, p, "security", err)
		return
	}
	orders, err := s.freezeOrders(ctx)
	if err != nil {
		s.formError(w, r, p, "security", err)
		return
	}
	d := securityData{Events: events, Orders: orders}
	for _, o := range orders { // as the sender sees it, roughly: the last order that took effect
		if o.Freeze || o.odd {
			d.Frozen = true
		} else if ros, _ := s.roster(ctx); ros != nil && len(o.Signers) >= max(1, ros.Policy.UnfreezeThreshold) {
			d.Frozen = false
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "security", p)
}
