package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// NoticeStatement serves exactly what a notice's approval signs.
func (s *Handler) NoticeStatement(w http.ResponseWriter, r *http.Request) {
	n, err := s.st.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil || len(n.Statement) == 0 {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.ENOTFOUND, "no notice with that id has a statement"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(n.Statement)
}

// SubmitNoticeApproval takes one operator's signature over a notice's
// statement, as submitApproval does for an alert: a key outside the
// verified roster, or a signature that does not verify over the notice
// (an alert's signature among them), is refused with a security event.
// When enough operators have signed, the sender is told; it verifies
// everything again and publishes the notice in the log.
func (s *Handler) SubmitNoticeApproval(w http.ResponseWriter, r *http.Request) {
	var body apiApproval
	if err := webkit.DecodeJSON(w, r, &body, "signed_at"); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	res, err := s.approveNotice(r.Context(), r.PathValue("id"), body)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	webkit.WriteJSON(w, http.StatusCreated, res)
}

func (s *Handler) approveNotice(ctx context.Context, id string, body apiApproval) (*approvalResult, error) {
	n, err := s.st.GetNotice(ctx, id)
	if err != nil {
		return nil, err
	}
	if n.State != tocsin.NoticeDraft && n.State != tocsin.NoticeApproved {
		return nil, tocsin.Errorf(tocsin.ECONFLICT, "the notice is %s: it takes no more approvals", n.State)
	}
	st, err := trust.DecodeNotice(n.Statement)
	if err != nil {
		return nil, tocsin.Errorf(tocsin.ECONFLICT, "the notice has no valid statement to sign")
	}
	return s.takeApproval(ctx, signedThing{what: "notice", id: n.ID, digest: st.Digest(), validUntil: st.ValidUntil,
		verify: trust.VerifyNoticeApproval, expired: "draft a new one", add: s.st.AddNoticeApproval,
		wrong: "the signature does not verify over this notice's statement (it may have been signed over other text, or be an alert's signature)",
		quorum: func(ctx context.Context, r *trust.Roster) (*approvalResult, error) {
			return s.approveNoticeIfQuorum(ctx, n, st, r)
		},
	}, body)
}

// approveNoticeIfQuorum hands the notice to the sender once enough
// distinct operators have signed.
func (s *Handler) approveNoticeIfQuorum(ctx context.Context, n *tocsin.Notice, st *trust.NoticeStatement, r *trust.Roster) (*approvalResult, error) {
	as, err := s.st.ListNoticeApprovals(ctx, n.ID)
	if err != nil {
		return nil, err
	}
	v, qerr := trust.CheckNoticeApprovals(r, st, webkit.Approvals(as))
	res := &approvalResult{Signers: v.Signers, Need: v.Need}
	if res.Signers == nil {
		res.Signers = []string{}
	}
	if qerr != nil {
		return res, nil
	}
	if n.State == tocsin.NoticeDraft {
		err := s.st.ApproveNotice(ctx, n.ID)
		if err != nil && tocsin.ErrorCode(err) != tocsin.ECONFLICT {
			return nil, err
		}
		s.Auditf(ctx, strings.Join(v.Signers, ", "), "notice.approve", n.ID, fmt.Sprintf("%d of %d signatures", len(v.Signers), v.Need))
		s.wake()
	}
	res.Approved = true
	return res, nil
}
