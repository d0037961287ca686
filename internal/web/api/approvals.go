package api

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// AlertStatement serves exactly what an approval signs.
func (s *Handler) AlertStatement(w http.ResponseWriter, r *http.Request) {
	a, err := s.st.GetAlert(r.Context(), r.PathValue("id"))
	if err != nil || len(a.Statement) == 0 {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.ENOTFOUND, "no alert with that id has a statement"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(a.Statement)
}

// apiApproval is the body of POST /api/v1/alerts/{id}/approvals.
type apiApproval struct {
	Kind      string    `json:"kind"`
	KeyID     string    `json:"key_id"`
	Digest    string    `json:"digest"` // hex SHA-256 of the statement the signer saw
	Signature string    `json:"signature"`
	SignedAt  time.Time `json:"signed_at"`
}

// approvalResult says where the alert stands after an approval.
type approvalResult struct {
	Signers  []string `json:"signers"`
	Need     int      `json:"need"`
	Approved bool     `json:"approved"`
	// Frozen: the alert is approved while outbound messaging is frozen;
	// it waits for an unfreeze signed by UnfreezeNeed operators.
	Frozen       bool `json:"frozen,omitempty"`
	UnfreezeNeed int  `json:"unfreeze_need,omitempty"`
}

// SubmitApproval takes one operator's signature over an alert's statement.
// The signature authenticates the request: a key that is not in the
// verified roster, or a signature that does not verify, is refused and
// raises a security event. When enough operators have signed, the alert is
// handed to the sender, which verifies it all again.
func (s *Handler) SubmitApproval(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body apiApproval
	if err := webkit.DecodeJSON(w, r, &body, "signed_at"); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	res, err := s.approve(ctx, r.PathValue("id"), body)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	if res.Approved {
		if st, err := s.FreezeNow(ctx); err == nil && st.Frozen {
			res.Frozen, res.UnfreezeNeed = true, st.Need
		}
	}
	webkit.WriteJSON(w, http.StatusCreated, res)
}

func (s *Handler) approve(ctx context.Context, id string, body apiApproval) (*approvalResult, error) {
	a, err := s.st.GetAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.State != tocsin.AlertDraft && a.State != tocsin.AlertApproved {
		return nil, tocsin.Errorf(tocsin.ECONFLICT, "the alert is %s: it takes no more approvals", a.State)
	}
	st, err := trust.DecodeStatement(a.Statement)
	if err != nil {
		return nil, tocsin.Errorf(tocsin.ECONFLICT, "the alert has no valid statement to sign")
	}
	return s.takeApproval(ctx, signedThing{what: "alert", id: a.ID, digest: st.Digest(), validUntil: st.ValidUntil,
		verify: trust.VerifyApproval, expired: "compose a new one", add: s.st.AddApproval,
		wrong: "the signature does not verify over this alert's statement (it may have been signed over other text, area or validity)",
		quorum: func(ctx context.Context, r *trust.Roster) (*approvalResult, error) {
			return s.approveIfQuorum(ctx, a, st, r)
		},
	}, body)
}

// approveIfQuorum hands the alert to the sender once enough distinct
// operators have signed for the audience the statement allows.
func (s *Handler) approveIfQuorum(ctx context.Context, a *tocsin.Alert, st *trust.Statement, r *trust.Roster) (*approvalResult, error) {
	as, err := s.st.ListApprovals(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	v, qerr := trust.CheckApprovals(r, st, st.MaxRecipients, webkit.Approvals(as))
	res := &approvalResult{Signers: v.Signers, Need: v.Need}
	if res.Signers == nil {
		res.Signers = []string{}
	}
	if qerr != nil {
		return res, nil
	}
	if a.State == tocsin.AlertDraft {
		err := s.st.ApproveAlert(ctx, a.ID, strings.Join(v.Signers, ", "), s.Now())
		if err != nil && tocsin.ErrorCode(err) != tocsin.ECONFLICT {
			return nil, err
		}
		s.Auditf(ctx, strings.Join(v.Signers, ", "), "alert.approve", a.ID, fmt.Sprintf("%d of %d signatures", len(v.Signers), v.Need))
		s.wake()
	}
	res.Approved = true
	return res, nil
}

func parseApproval(alertID string, b apiApproval) (*trust.Approval, error) {
	if b.Kind != string(trust.KindEd25519) {
		return nil, tocsin.FieldError("kind", "the signature kind must be %q", trust.KindEd25519)
	}
	sig, err := base64.StdEncoding.DecodeString(b.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, tocsin.FieldError("signature", "the signature must be %d bytes in standard base64", ed25519.SignatureSize)
	}
	d, err := hex.DecodeString(b.Digest)
	if err != nil || len(d) != 32 {
		return nil, tocsin.FieldError("digest", "the digest must be 64 hex digits")
	}
	digest := [32]byte(d)
	if b.KeyID == "" || len(b.KeyID) > 64 {
		return nil, tocsin.FieldError("key_id", "give the signing key's id")
	}
	return &trust.Approval{AlertID: alertID, Digest: digest, Kind: trust.KindEd25519, KeyID: trust.KeyID(b.KeyID), Signature: sig, SignedAt: b.SignedAt}, nil
}

// keyOf is the member's public key with this id.
func keyOf(m *trust.Member, id trust.KeyID) ed25519.PublicKey {
	for _, k := range m.Keys {
		if trust.KeyIDOf(k) == id {
			return k
		}
	}
	return nil
}

// signedThing is what an approval signs: an alert's or a notice's
// statement, by its digest, with the check of its own signature domain,
// and how its approvals are stored and counted.
type signedThing struct {
	what       string // "alert" or "notice", in messages and audit actions
	id         string
	digest     [32]byte
	validUntil time.Time
	verify     func(ed25519.PublicKey, [32]byte, *trust.Approval) error
	wrong      string // what a signature over something else is told
	expired    string // what to do once it has expired
	add        func(context.Context, *store.Approval) error
	quorum     func(context.Context, *trust.Roster) (*approvalResult, error)
}

// takeApproval checks one operator's signature over t, stores it, and
// approves t once enough distinct operators have signed.
func (s *Handler) takeApproval(ctx context.Context, t signedThing, body apiApproval) (*approvalResult, error) {
	if !s.Now().Before(t.validUntil) {
		return nil, tocsin.Errorf(tocsin.ECONFLICT, "the %s expired at %s: %s", t.what, t.validUntil.UTC().Format(time.RFC3339), t.expired)
	}
	r, member, ap, err := s.verifiedApproval(ctx, t, body)
	if err != nil {
		return nil, err
	}
	err = t.add(ctx, &store.Approval{AlertID: t.id, Kind: string(ap.Kind), KeyID: string(ap.KeyID),
		Digest: ap.Digest[:], Signature: ap.Signature, SignedAt: ap.SignedAt})
	if err != nil {
		return nil, err
	}
	s.Auditf(ctx, member.Name, t.what+".sign", t.id, string(ap.KeyID))
	return t.quorum(ctx, r)
}

// verifiedApproval parses an approval and checks it against the verified
// roster: a key of an admin or dispatcher, signing exactly this thing. A
// refusal raises approval.refused.
func (s *Handler) verifiedApproval(ctx context.Context, t signedThing, body apiApproval) (*trust.Roster, *trust.Member, *trust.Approval, error) {
	r, err := s.Roster(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if r == nil {
		return nil, nil, nil, s.NoRoster()
	}
	ap, err := parseApproval(t.id, body)
	if err != nil {
		return nil, nil, nil, err
	}
	member, ok := r.Member(ap.KeyID)
	if !ok || !r.CanApprove(ap.KeyID) {
		s.Securityf(ctx, "approval.refused", t.id, "%s approval by key %s, which no admin or dispatcher of roster version %d holds", t.what, ap.KeyID, r.Version)
		return nil, nil, nil, tocsin.Errorf(tocsin.EFORBIDDEN, "key %s may not approve %ss", ap.KeyID, t.what)
	}
	if err := t.verify(keyOf(member, ap.KeyID), t.digest, ap); err != nil {
		s.Securityf(ctx, "approval.refused", t.id, "%s approval by %s does not verify over its statement: %v", t.what, member.Name, err)
		return nil, nil, nil, tocsin.Errorf(tocsin.EINVALID, "%s", t.wrong)
	}
	return r, member, ap, nil
}
