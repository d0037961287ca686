package consoleadmin

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// maxFreezeReason bounds the reason an operator gives for a console freeze.
const maxFreezeReason = 300

type freezeFormData struct {
	Reason string
	Frozen webkit.FreezeStatus
}

// FreezeForm asks for a reason and a confirmation before a freeze: the
// console freezes only from this page's form, never from one click.
func (s *Handler) FreezeForm(w http.ResponseWriter, r *http.Request) {
	if !webkit.Can(r, auth.Freeze) {
		s.Forbidden(w, r, auth.Freeze)
		return
	}
	s.renderFreezeForm(w, r, s.ConsolePage(r, "freeze.title"), http.StatusOK, "")
}

func (s *Handler) renderFreezeForm(w http.ResponseWriter, r *http.Request, p *webkit.Page, status int, reason string) {
	d := freezeFormData{Reason: reason}
	if p.Freeze != nil {
		d.Frozen = *p.Freeze
	}
	p.Data = d
	s.Render(w, r, status, "console_freeze", p)
}

// Freeze stops all outbound messaging at once. Any dispatcher or
// administrator may freeze, even without a key at hand: stopping is always
// safe. It takes the confirmation and the reason of the freeze form; the
// reason goes into the order and the audit trail. It is not offered while
// frozen, but a confirmed freeze is stored whatever the web tier thinks the
// state is: the sender decides, and a freeze is never refused. Unfreezing
// needs the threshold of signed unfreeze orders (tocsin unfreeze).
func (s *Handler) Freeze(w http.ResponseWriter, r *http.Request) {
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
		s.Log.Error("console freeze", "err", err)
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
	s.wake()
	http.Redirect(w, r, "/console/security", http.StatusSeeOther)
}

// putConsoleFreeze stores an unsigned freeze order at the next number.
func (s *Handler) putConsoleFreeze(ctx context.Context, who, reason string) error {
	last, err := s.LastOrderSeq(ctx)
	if err != nil {
		return err
	}
	o := &trust.FreezeOrder{Seq: last + 1, Freeze: true, At: s.Now(), Reason: "console: frozen by " + who + ": " + reason}
	body, err := o.Encode()
	if err != nil {
		return tocsin.FieldError("reason", "the reason cannot go into a freeze order: %v", err)
	}
	return s.st.PutFreezeOrder(ctx, o.Seq, body)
}

type securityData struct {
	Events []store.SecurityEvent
	Orders []webkit.FreezeOrderView
	Freeze webkit.FreezeStatus
}

// SecurityEvents lists what the sender and the web tier refused or
// detected, and the freeze orders.
func (s *Handler) SecurityEvents(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "security.title")
	ctx := r.Context()
	events, err := s.st.ListSecurityEvents(ctx, 200)
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
