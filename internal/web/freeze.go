package web

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"github.com/tocsin/tocsin/internal/web/webkit"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

func (s *Server) listFreezeOrders(w http.ResponseWriter, r *http.Request) {
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

// submitFreezeOrder stores a signed freeze or unfreeze order, or adds a
// signature to one. The sender applies orders; an unfreeze takes effect only
// with the roster's threshold of signatures.
func (s *Server) submitFreezeOrder(w http.ResponseWriter, r *http.Request) {
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
	if err := s.cfg.Store.AddFreezeSig(ctx, order.Seq, store.Sig{KeyID: body.KeyID, Signature: sig}); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	s.Auditf(ctx, names[0], "freeze."+action(order), "", order.Reason)
	s.cfg.Wake()
	orders, err := s.FreezeOrders(ctx)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusCreated, map[string]any{"orders": orders})
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

// maxFreezeReason bounds the reason an operator gives for a console freeze.
const maxFreezeReason = 300

type freezeFormData struct {
	Reason string
	Frozen webkit.FreezeStatus
}

// freezeForm asks for a reason and a confirmation before a freeze: the
// console freezes only from this page's form, never from one click.
func (s *Server) freezeForm(w http.ResponseWriter, r *http.Request) {
	if !webkit.Can(r, auth.Freeze) {
		s.Forbidden(w, r, auth.Freeze)
		return
	}
	s.renderFreezeForm(w, r, s.ConsolePage(r, "freeze.title"), http.StatusOK, "")
}

func (s *Server) renderFreezeForm(w http.ResponseWriter, r *http.Request, p *webkit.Page, status int, reason string) {
	d := freezeFormData{Reason: reason}
	if p.Freeze != nil {
		d.Frozen = *p.Freeze
	}
	p.Data = d
	s.Render(w, r, status, "console_freeze", p)
}

// consoleFreeze stops all outbound messaging at once. Any dispatcher or
// administrator may freeze, even without a key at hand: stopping is always
// safe. It takes the confirmation and the reason of the freeze form; the
// reason goes into the order and the audit trail. It is not offered while
// frozen, but a confirmed freeze is stored whatever the web tier thinks the
// state is: the sender decides, and a freeze is never refused. Unfreezing
// needs the threshold of signed unfreeze orders (tocsin unfreeze).
func (s *Server) consoleFreeze(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	op := webkit.CurrentOperator(r)
	if !webkit.Can(r, auth.Freeze) {
		s.Forbidden(w, r, auth.Freeze)
		return
	}
	p := s.ConsolePage(r, "freeze.title")
	reason := strings.Join(strings.Fields(r.PostFormValue("reason")), " ")
	if r.PostFormValue("confirm") != "yes" {
		s.renderFreezeForm(w, r, p, http.StatusOK, reason)
		return
	}
	switch {
	case reason == "":
		p.Errors["reason"] = p.T("freeze.reason.needed")
	case !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxFreezeReason:
		p.Errors["reason"] = p.T("freeze.reason.long")
	}
	var err error
	if len(p.Errors) == 0 {
		err = s.putConsoleFreeze(ctx, op.Username, reason)
		if f := tocsin.ErrorField(err); f != "" {
			p.Errors["reason"], err = tocsin.ErrorMessage(err), nil
		}
	}
	if err != nil {
		s.cfg.Log.Error("console freeze", "err", err)
		p.Error = p.T("freeze.failed")
		s.renderFreezeForm(w, r, p, http.StatusInternalServerError, reason)
		return
	}
	if len(p.Errors) > 0 {
		p.Error = p.T("form.fix")
		s.renderFreezeForm(w, r, p, http.StatusBadRequest, reason)
		return
	}
	s.Auditf(ctx, op.Username, "freeze.freeze", "", "console: "+reason)
	s.cfg.Wake()
	http.Redirect(w, r, "/console/security", http.StatusSeeOther)
}

// putConsoleFreeze stores an unsigned freeze order at the next number.
func (s *Server) putConsoleFreeze(ctx context.Context, who, reason string) error {
	last, err := s.lastOrderSeq(ctx)
	if err != nil {
		return err
	}
	o := &trust.FreezeOrder{Seq: last + 1, Freeze: true, At: s.cfg.Now(), Reason: "console: frozen by " + who + ": " + reason}
	body, err := o.Encode()
	if err != nil {
		return tocsin.FieldError("reason", "the reason cannot go into a freeze order: %v", err)
	}
	return s.cfg.Store.PutFreezeOrder(ctx, o.Seq, body)
}

type securityData struct {
	Events []store.SecurityEvent
	Orders []webkit.FreezeOrderView
	Freeze webkit.FreezeStatus
}

// securityEvents lists what the sender and the web tier refused or
// detected, and the freeze orders.
func (s *Server) securityEvents(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "security.title")
	ctx := r.Context()
	events, err := s.cfg.Store.ListSecurityEvents(ctx, 200)
	if err != nil {
		s.FormError(w, r, p, "security", err)
		return
	}
	orders, err := s.FreezeOrders(ctx)
	if err != nil {
		s.FormError(w, r, p, "security", err)
		return
	}
	st, err := s.CurrentFreeze(ctx, orders)
	if err != nil {
		s.FormError(w, r, p, "security", err)
		return
	}
	p.Data = securityData{Events: events, Orders: orders, Freeze: st}
	s.Render(w, r, http.StatusOK, "security", p)
}
