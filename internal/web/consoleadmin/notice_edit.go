package consoleadmin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Editing and withdrawing a published notice. Neither touches the notice:
// an edit drafts a new version whose statement names it (replaces), a
// withdrawal drafts a notice whose statement takes it down (withdraws) and
// says why. Each needs the same signatures as any notice and is public only
// in the transparency log; until then the old notice stays shown. So one
// phished administrator can neither change nor silently take down a
// genuine notice, and every withdrawal is in the log for anyone to see.

// noticeDays reads how many days a notice heads the home page.
func noticeDays(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultNoticeDays, nil
	}
	d, err := strconv.Atoi(v)
	if err != nil || d < minNoticeDays || d > maxNoticeDays {
		return 0, tocsin.FieldError("days", "give a whole number of days from %d to %d", minNoticeDays, maxNoticeDays)
	}
	return d, nil
}

// checkEditable says why notice id may not get a new version or a
// withdrawal: only a published notice that is shown can.
func (s *Handler) checkEditable(ctx context.Context, id string) error {
	n, err := s.st.GetNotice(ctx, id)
	if err != nil || n.State != tocsin.NoticePublished {
		return tocsin.FieldError("replaces", "only a published notice can be edited or withdrawn; a draft that is wrong can simply be left unsigned")
	}
	if _, ok := s.logs.CheckNotice(ctx, *n); !ok {
		return tocsin.FieldError("replaces", "that notice is not shown (it failed its checks: see the security page)")
	}
	_, replaced, err := s.logs.CheckedNotices(ctx, logview.MaxListed)
	if err != nil {
		return err
	}
	if by := replaced[id]; by != "" {
		return tocsin.FieldError("replaces", "notice %s already replaced or withdrew it: edit that one", by)
	}
	return nil
}

// prefillEdit fills the draft form with notice id's text, as a new version
// of it.
func (s *Handler) prefillEdit(ctx context.Context, id string, form map[string]string) {
	n, err := s.st.GetNotice(ctx, id)
	if err != nil || n.State != tocsin.NoticePublished {
		return
	}
	form["title_en"], form["title_es"], form["body_en"], form["body_es"] = n.TitleEN, n.TitleES, n.BodyEN, n.BodyES
	form["replaces"] = n.ID
}

type withdrawData struct {
	Notice   *tocsin.Notice
	ReasonEN string
	ReasonES string
}

// WithdrawForm asks an administrator why a published notice should come
// down.
func (s *Handler) WithdrawForm(w http.ResponseWriter, r *http.Request) {
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	p := s.ConsolePage(r, "withdraw.title")
	n, err := s.st.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.NotFound(w, r)
		return
	}
	if err := s.checkEditable(r.Context(), n.ID); err != nil {
		p.Error = tocsin.ErrorMessage(err)
	}
	p.Data = withdrawData{Notice: n}
	s.Render(w, r, http.StatusOK, "console_notice_withdraw", p)
}

// WithdrawNotice drafts the withdrawal of a published notice. It is
// audited and raises a high security event, so every operator is alarmed
// while the withdrawal waits for their signatures.
func (s *Handler) WithdrawNotice(w http.ResponseWriter, r *http.Request) {
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	ctx := r.Context()
	p := s.ConsolePage(r, "withdraw.title")
	old, err := s.st.GetNotice(ctx, r.PathValue("id"))
	if err != nil {
		s.NotFound(w, r)
		return
	}
	d := withdrawData{Notice: old, ReasonEN: strings.TrimSpace(r.PostFormValue("reason_en")), ReasonES: strings.TrimSpace(r.PostFormValue("reason_es"))}
	n := tocsin.Notice{ID: tocsin.NewID(), CreatedBy: webkit.CurrentOperator(r).Username, CreatedAt: s.Now().Truncate(time.Second),
		TitleEN: clipRunes("Withdrawn: "+old.TitleEN, maxNoticeTitle), TitleES: clipRunes("Retirado: "+firstOf(old.TitleES, old.TitleEN), maxNoticeTitle),
		BodyEN: d.ReasonEN, BodyES: d.ReasonES}
	err = s.checkEditable(ctx, old.ID)
	if err == nil {
		err = validNotice(n)
	}
	if err == nil {
		st := s.noticeStatement(&n, withdrawalWindow)
		st.Withdraws = old.ID
		if n.Statement, err = st.Encode(); err != nil {
			err = tocsin.FieldError("body_en", "the reason cannot be signed as written: %v", err)
		}
	}
	if err == nil {
		err = s.st.CreateNotice(ctx, &n)
	}
	if err != nil {
		p.Error = tocsin.ErrorMessage(err)
		if f := tocsin.ErrorField(err); f == "body_en" || f == "body_es" {
			p.Errors["reason_"+strings.TrimPrefix(f, "body_")], p.Error = tocsin.ErrorMessage(err), p.T("form.fix")
		}
		p.Data = d
		s.Render(w, r, webkit.StatusOf(tocsin.ErrorCode(err)), "console_notice_withdraw", p)
		return
	}
	s.Auditf(ctx, n.CreatedBy, "notice.withdraw", n.ID, fmt.Sprintf("withdraws %s: %s", old.ID, n.BodyEN))
	s.SecurityAt(ctx, store.SeverityHigh, "notice.withdrawal", old.ID,
		fmt.Sprintf("%s drafted %s, which withdraws this published notice once enough operators sign it; if no one asked for it, do not sign, and check that account", n.CreatedBy, n.ID))
	http.Redirect(w, r, "/console/notices#notice-"+n.ID, http.StatusSeeOther)
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
