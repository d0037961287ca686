package web

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
)

// Limits on a notice.
const (
	maxNoticeTitle = 120
	maxNoticeBody  = 4000
)

// noticeView is a notice in the reader's language.
type noticeView struct {
	ID          string
	Title, Body string
	PublishedAt time.Time
	PublishedBy string
}

func viewNotice(n tocsin.Notice, lang tocsin.Language) noticeView {
	v := noticeView{ID: n.ID, Title: n.TitleEN, Body: n.BodyEN, PublishedAt: n.PublishedAt, PublishedBy: n.PublishedBy}
	if lang == tocsin.Spanish && n.TitleES != "" {
		v.Title = n.TitleES
	}
	if lang == tocsin.Spanish && n.BodyES != "" {
		v.Body = n.BodyES
	}
	return v
}

// publicNotices is the public page of incident notices (/notices), newest
// first; /notices/{id} shows one.
func (s *Server) publicNotices(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "notices.title")
	ns, err := s.cfg.Store.ListNotices(r.Context(), 50)
	if err != nil {
		s.cfg.Log.Error("list notices", "err", err)
		http.Error(w, "The notices could not be read; try again.", http.StatusInternalServerError)
		return
	}
	var out []noticeView
	for _, n := range ns {
		out = append(out, viewNotice(n, p.Lang))
	}
	p.Data = out
	w.Header().Set("Cache-Control", "public, max-age=30")
	s.render(w, r, http.StatusOK, "notices", p)
}

func (s *Server) publicNotice(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "notices.title")
	n, err := s.cfg.Store.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	p.Data = []noticeView{viewNotice(*n, p.Lang)}
	s.render(w, r, http.StatusOK, "notices", p)
}

// consoleNotices lists the notices and, for an administrator, the form to
// publish one.
func (s *Server) consoleNotices(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "notices.title")
	s.renderConsoleNotices(w, r, p, http.StatusOK)
}

func (s *Server) renderConsoleNotices(w http.ResponseWriter, r *http.Request, p *page, status int) {
	ns, err := s.cfg.Store.ListNotices(r.Context(), 50)
	if err != nil {
		s.cfg.Log.Error("list notices", "err", err)
		http.Error(w, "The notices could not be read; try again.", http.StatusInternalServerError)
		return
	}
	p.Data = struct {
		Notices  []tocsin.Notice
		CanWrite bool
		Form     map[string]string
	}{ns, can(r, auth.ManageOperators), map[string]string{
		"title_en": r.PostFormValue("title_en"), "title_es": r.PostFormValue("title_es"),
		"body_en": r.PostFormValue("body_en"), "body_es": r.PostFormValue("body_es")}}
	s.render(w, r, status, "console_notices", p)
}

// publishNotice publishes an incident notice (administrators only). It is
// public at once and recorded in the audit trail.
func (s *Server) publishNotice(w http.ResponseWriter, r *http.Request) {
	p := s.consolePage(r, "notices.title")
	if !can(r, auth.ManageOperators) {
		http.Error(w, "Only an administrator can publish a notice.", http.StatusForbidden)
		return
	}
	n := tocsin.Notice{ID: tocsin.NewID(), PublishedBy: currentOperator(r).Username, PublishedAt: s.cfg.Now().Truncate(time.Second),
		TitleEN: strings.TrimSpace(r.PostFormValue("title_en")), TitleES: strings.TrimSpace(r.PostFormValue("title_es")),
		BodyEN: strings.TrimSpace(r.PostFormValue("body_en")), BodyES: strings.TrimSpace(r.PostFormValue("body_es"))}
	err := validNotice(n)
	if err == nil {
		err = s.cfg.Store.PublishNotice(r.Context(), &n)
	}
	if err != nil {
		if f := tocsin.ErrorField(err); f != "" {
			p.Errors[f], p.Error = tocsin.ErrorMessage(err), p.T("form.fix")
		} else {
			p.Error = tocsin.ErrorMessage(err)
		}
		s.renderConsoleNotices(w, r, p, statusOf(tocsin.ErrorCode(err)))
		return
	}
	s.auditf(r.Context(), n.PublishedBy, "notice.publish", n.ID, n.TitleEN)
	http.Redirect(w, r, "/notices/"+n.ID, http.StatusSeeOther)
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
		}
	}
	return nil
}
