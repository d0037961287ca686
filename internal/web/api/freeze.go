package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"net/http"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// ListFreezeOrders lists every freeze order with who signed it.
func (s *Handler) ListFreezeOrders(w http.ResponseWriter, r *http.Request) {
	orders, err := s.FreezeOrders(r.Context())
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"orders": orders})
}

// apiFreezeSig is the body of POST /api/v1/freeze-orders: a new order (the
// next sequence number) or another signature on an existing one.
type apiFreezeSig struct {
	Body      string `json:"body"` // base64 of the canonical order
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// SubmitFreezeOrder stores a signed freeze or unfreeze order, or adds a
// signature to one. The sender applies orders; an unfreeze takes effect only
// with the roster's threshold of signatures.
func (s *Handler) SubmitFreezeOrder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body apiFreezeSig
	if err := webkit.DecodeJSON(w, r, &body, ""); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(body.Body)
	if err != nil {
		s.WriteJSONError(w, r, tocsin.FieldError("body", "the order must be standard base64"))
		return
	}
	order, err := trust.DecodeFreezeOrder(raw)
	if err != nil {
		s.WriteJSONError(w, r, tocsin.FieldError("body", "not a freeze order: %v", err))
		return
	}
	sig, err := base64.StdEncoding.DecodeString(body.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		s.WriteJSONError(w, r, tocsin.FieldError("signature", "the signature must be %d bytes in standard base64", ed25519.SignatureSize))
		return
	}
	ros, err := s.Roster(ctx)
	if err != nil || ros == nil {
		s.WriteJSONError(w, r, s.NoRoster())
		return
	}
	rs := trust.RosterSignature{KeyID: trust.KeyID(body.KeyID), Signature: sig}
	names := ros.OrderSigners(raw, []trust.RosterSignature{rs})
	if len(names) != 1 {
		s.Securityf(ctx, "freeze.refused", "", "a %s order signed by key %s, which does not verify as an admin or dispatcher", action(order), body.KeyID)
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EFORBIDDEN, "the signature does not verify as an admin's or dispatcher's"))
		return
	}
	if err := s.putOrder(ctx, order.Seq, raw); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	if err := s.st.AddFreezeSig(ctx, order.Seq, store.Sig{KeyID: body.KeyID, Signature: sig}); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	s.Auditf(ctx, names[0], "freeze."+action(order), "", order.Reason)
	s.wake()
	orders, err := s.FreezeOrders(ctx)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusCreated, map[string]any{"orders": orders})
}

// putOrder stores an order at the next sequence number, or accepts the same
// body again at its own number.
func (s *Handler) putOrder(ctx context.Context, seq int64, body []byte) error {
	last, err := s.LastOrderSeq(ctx)
	if err != nil {
		return err
	}
	if seq > last+1 || seq < 1 {
		return tocsin.FieldError("body", "the next order is number %d, not %d", last+1, seq)
	}
	if seq == last+1 {
		if err := s.liftsAFreeze(ctx, last, body); err != nil {
			return err
		}
	}
	return s.st.PutFreezeOrder(ctx, seq, body)
}

// liftsAFreeze refuses a new unfreeze order that does not follow a freeze
// order: the sender takes an unfreeze after anything else for a freeze
// order a database writer rewrote, and freezes.
func (s *Handler) liftsAFreeze(ctx context.Context, last int64, body []byte) error {
	o, err := trust.DecodeFreezeOrder(body)
	if err != nil || o.Freeze {
		return nil
	}
	prev, err := s.st.FreezeOrders(ctx, max(0, last-1))
	if err != nil {
		return err
	}
	if len(prev) > 0 && prev[len(prev)-1].Seq == last {
		if p, err := trust.DecodeFreezeOrder(prev[len(prev)-1].Body); err == nil && p.Freeze {
			return nil
		}
	}
	return tocsin.Errorf(tocsin.ECONFLICT, "there is nothing to unfreeze: the last order (number %d) is not a freeze; an unfreeze only follows a freeze order, or co-signs a pending unfreeze", last)
}

func action(o *trust.FreezeOrder) string {
	if o.Freeze {
		return "freeze"
	}
	return "unfreeze"
}
