package consoleadmin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Limits on a notice.
const (
	maxNoticeTitle = 120
	maxNoticeBody  = 4000
	// A notice heads the home page for 1 to 90 days, 30 unless the
	// administrator chooses.
	minNoticeDays, maxNoticeDays, defaultNoticeDays = 1, 90, 30
	// withdrawalWindow is how long a withdrawal takes signatures.
	withdrawalWindow = 7 * 24 * time.Hour
)

// Notices lists the notices and, for an administrator, the form to
// draft one.
func (s *Handler) Notices(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "notices.title")
	s.renderConsoleNotices(w, r, p, http.StatusOK)
}

func (s *Handler) renderConsoleNotices(w http.ResponseWriter, r *http.Request, p *webkit.Page, status int) {
	ctx := r.Context()
	ns, err := s.st.ListNotices(ctx, "", 50)
	var replaced map[string]string
	if err == nil {
		_, replaced, err = s.logs.CheckedNotices(ctx, logview.MaxListed)
	}
	if err != nil {
		s.Log.Error("list notices", "err", err)
		http.Error(w, "The notices could not be read; try again.", http.StatusInternalServerError)
		return
	}
	d := consoleNoticesData{CanWrite: webkit.Can(r, auth.ManageOperators), Server: s.serverURL(r), Form: map[string]string{
		"title_en": r.PostFormValue("title_en"), "title_es": r.PostFormValue("title_es"),
		"body_en": r.PostFormValue("body_en"), "body_es": r.PostFormValue("body_es"),
		"days": r.PostFormValue("days"), "replaces": r.PostFormValue("replaces")}}
	if d.Form["days"] == "" {
		d.Form["days"] = strconv.Itoa(defaultNoticeDays)
	}
	if id := r.URL.Query().Get("edit"); id != "" && d.CanWrite && r.Method == http.MethodGet {
		s.prefillEdit(ctx, id, d.Form)
	}
	for _, n := range ns {
		row := consoleNotice{Notice: n, ReplacedBy: replaced[n.ID]}
		if st, err := trust.DecodeNotice(n.Statement); err == nil {
			row.Replaces, row.Withdraws, row.ValidUntil = st.Replaces, st.Withdraws, st.ValidUntil
		}
		d.Notices = append(d.Notices, row)
	}
	p.Data = d
	s.Render(w, r, status, "console_notices", p)
}

type consoleNoticesData struct {
	Notices  []consoleNotice
	CanWrite bool
	Form     map[string]string
	Server   string
}

// consoleNotice is a notice row with what its statement says it changes.
type consoleNotice struct {
	tocsin.Notice
	Replaces, Withdraws string    // from its statement
	ValidUntil          time.Time // from its statement
	ReplacedBy          string    // a published notice that replaces or withdraws it
}

// serverURL is the address operators give `tocsin notice approve`.
func (s *Handler) serverURL(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if s.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// DraftNotice drafts an incident notice (administrators only): its
// statement waits for operators' signatures, and nothing is public until
// the sender has put it in the transparency log.
func (s *Handler) DraftNotice(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "notices.title")
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	now := s.Now().Truncate(time.Second)
	n := tocsin.Notice{ID: tocsin.NewID(), CreatedBy: webkit.CurrentOperator(r).Username, CreatedAt: now,
		TitleEN: strings.TrimSpace(r.PostFormValue("title_en")), TitleES: strings.TrimSpace(r.PostFormValue("title_es")),
		BodyEN: strings.TrimSpace(r.PostFormValue("body_en")), BodyES: strings.TrimSpace(r.PostFormValue("body_es"))}
	replaces := strings.TrimSpace(r.PostFormValue("replaces"))
	days, err := noticeDays(r.PostFormValue("days"))
	if err == nil {
		err = validNotice(n)
	}
	if err == nil && replaces != "" {
		err = s.checkEditable(r.Context(), replaces)
	}
	if err == nil {
		st := s.noticeStatement(&n, time.Duration(days)*24*time.Hour)
		st.Replaces = replaces
		n.Statement, err = st.Encode()
		if err != nil {
			err = tocsin.FieldError("body_en", "the notice cannot be signed as written: %v", err)
		}
	}
	if err == nil {
		err = s.st.CreateNotice(r.Context(), &n)
	}
	if err != nil {
		if f := tocsin.ErrorField(err); f != "" {
			p.Errors[f], p.Error = tocsin.ErrorMessage(err), p.T("form.fix")
		} else {
			p.Error = tocsin.ErrorMessage(err)
		}
		s.renderConsoleNotices(w, r, p, webkit.StatusOf(tocsin.ErrorCode(err)))
		return
	}
	if replaces != "" {
		s.Auditf(r.Context(), n.CreatedBy, "notice.edit", n.ID, fmt.Sprintf("new version of %s, %d days: %s", replaces, days, n.TitleEN))
	} else {
		s.Auditf(r.Context(), n.CreatedBy, "notice.draft", n.ID, fmt.Sprintf("%d days: %s", days, n.TitleEN))
	}
	http.Redirect(w, r, "/console/notices#notice-"+n.ID, http.StatusSeeOther)
}

// noticeStatement is what operators sign for n: its texts, valid for the
// given time from its creation, in this service's log.
func (s *Handler) noticeStatement(n *tocsin.Notice, valid time.Duration) *trust.NoticeStatement {
	return &trust.NoticeStatement{ID: n.ID, Origin: s.origin, CreatedAt: n.CreatedAt, ValidFrom: n.CreatedAt,
		ValidUntil: n.CreatedAt.Add(valid),
		Titles:     map[string]string{"en": n.TitleEN, "es": n.TitleES},
		Bodies:     map[string]string{"en": n.BodyEN, "es": n.BodyES}}
}

func validNotice(n tocsin.Notice) error {
	for _, f := range []struct {
		name, v  string
		max      int
		required bool
	}{
		{"title_en", n.TitleEN, maxNoticeTitle, true}, {"title_es", n.TitleES, maxNoticeTitle, false},
		{"body_en", n.BodyEN, maxNoticeBody, true}, {"body_es", n.BodyES, maxNoticeBody, false},
	} {
		switch {
		case !utf8.ValidString(f.v):
			return tocsin.FieldError(f.name, "the text is not valid UTF-8")
		case f.required && f.v == "":
			return tocsin.FieldError(f.name, "this is needed: say what happened, in plain words")
		case utf8.RuneCountInString(f.v) > f.max:
			return tocsin.FieldError(f.name, "at most %d characters", f.max)
		case strings.HasPrefix(f.name, "title") && strings.ContainsAny(f.v, "\r\n"):
			return tocsin.FieldError(f.name, "a title is one line")
		}
	}
	return nil
}
