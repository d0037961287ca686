package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// readRequestSkew is how far from the server's clock a signed read request
// may be dated.
const readRequestSkew = 5 * time.Minute

// listableStates are the states tocsin alert list --state names; "pending"
// is a draft with a statement still valid: it waits for signatures.
var listableStates = map[string][]tocsin.AlertState{
	"pending":  {tocsin.AlertDraft},
	"approved": {tocsin.AlertApproved},
	"sending":  {tocsin.AlertSending},
	"sent":     {tocsin.AlertSent},
}

// apiReadRequest is the body of POST /api/v1/alerts/list.
type apiReadRequest struct {
	Request   string `json:"request"` // base64 of the canonical read request
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
}

// listedAlert is one alert in the answer.
type listedAlert struct {
	ID         string    `json:"id"`
	Ref        string    `json:"ref"`
	State      string    `json:"state"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	ValidUntil time.Time `json:"valid_until"`
	Text       string    `json:"text"`
	Signers    []string  `json:"signers"`
	Need       int       `json:"need"`
}

// ListAlertsSigned answers tocsin alert list: the alerts in one state, for
// an admin or dispatcher of the verified roster who signed the request
// with their roster key, so that approvers without a console account find
// what waits for them. Nothing else opens the list of pending alerts; a
// request by a key outside the roster raises a security event.
func (s *Handler) ListAlertsSigned(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body apiReadRequest
	if err := webkit.DecodeJSON(w, r, &body, ""); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	states, err := s.checkReadRequest(ctx, body)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	out, err := s.listedAlerts(ctx, states)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"alerts": out})
}

// checkReadRequest verifies the request and returns the states it asks for.
func (s *Handler) checkReadRequest(ctx context.Context, body apiReadRequest) ([]tocsin.AlertState, error) {
	raw, err := base64.StdEncoding.DecodeString(body.Request)
	if err != nil {
		return nil, tocsin.FieldError("request", "the request must be standard base64")
	}
	q, err := trust.DecodeReadRequest(raw)
	if err != nil {
		return nil, tocsin.FieldError("request", "%v", err)
	}
	verb, state, _ := strings.Cut(q.What, " ")
	states, ok := listableStates[state]
	if verb != "alerts" || !ok {
		return nil, tocsin.FieldError("request", "the request must ask for alerts pending, approved, sending or sent")
	}
	if now := s.Now(); q.At.Before(now.Add(-readRequestSkew)) || q.At.After(now.Add(readRequestSkew)) {
		return nil, tocsin.Errorf(tocsin.EINVALID, "the request was signed at %s and the server's time is %s: check your computer's clock (a request is good for %s)",
			q.At.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), readRequestSkew)
	}
	sig, err := base64.StdEncoding.DecodeString(body.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, tocsin.FieldError("signature", "the signature must be %d bytes in standard base64", ed25519.SignatureSize)
	}
	ros, err := s.Roster(ctx)
	if err != nil {
		return nil, err
	}
	if ros == nil {
		return nil, s.NoRoster()
	}
	if _, ok := ros.ReadRequestSigner(raw, trust.RosterSignature{KeyID: trust.KeyID(body.KeyID), Signature: sig}); !ok {
		s.Securityf(ctx, "alertlist.refused", "", "a request to list alerts signed by key %q, which does not verify as an admin's or dispatcher's of roster version %d", body.KeyID, ros.Version)
		return nil, tocsin.Errorf(tocsin.EFORBIDDEN, "the signature does not verify as an admin's or dispatcher's key in the roster")
	}
	return states, nil
}

// listedAlerts is the answer: each alert with who has signed it so far.
func (s *Handler) listedAlerts(ctx context.Context, states []tocsin.AlertState) ([]listedAlert, error) {
	alerts, err := s.st.ListAlerts(ctx, states, 100)
	if err != nil {
		return nil, err
	}
	ros, err := s.Roster(ctx)
	if err != nil {
		return nil, err
	}
	out := []listedAlert{}
	for _, a := range alerts {
		st, err := trust.DecodeStatement(a.Statement)
		if err != nil || (a.State == tocsin.AlertDraft && !s.Now().Before(st.ValidUntil)) {
			continue // no statement to sign, or expired: nothing waits
		}
		as, err := s.st.ListApprovals(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		v, _ := trust.CheckApprovals(ros, st, st.MaxRecipients, webkit.Approvals(as))
		la := listedAlert{ID: a.ID, Ref: a.Ref, State: string(a.State), CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt,
			ValidUntil: st.ValidUntil, Text: st.Texts["en"], Signers: v.Signers, Need: v.Need}
		if la.Signers == nil {
			la.Signers = []string{}
		}
		out = append(out, la)
	}
	return out, nil
}
