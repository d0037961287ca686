package public

import (
	"context"
	"net/http"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/logview"
)

// A notice is a statement in the service's name. An administrator drafts
// it here; operators sign its statement (`tocsin notice approve`), as many
// as an alert to everyone needs; the sender checks the signatures, appends
// the statement to the transparency log and marks it published. The public
// pages show a notice only after checking it all again: published, its
// statement signed by enough operators of the verified roster, and in the
// log under the latest checkpoint. They show the statement's own text,
// never the row's.

// noticeView is a notice in the reader's language, from its statement.
type noticeView struct {
	ID          string
	Title, Body string
	PublishedAt time.Time
	PublishedBy string
}

func viewNotice(st *trust.NoticeStatement, signers string, lang tocsin.Language) noticeView {
	v := noticeView{ID: st.ID, Title: st.Titles["en"], Body: st.Bodies["en"], PublishedAt: st.ValidFrom, PublishedBy: signers}
	if lang == tocsin.Spanish && st.Titles["es"] != "" {
		v.Title = st.Titles["es"]
	}
	if lang == tocsin.Spanish && st.Bodies["es"] != "" {
		v.Body = st.Bodies["es"]
	}
	return v
}

// Notices is the public page of incident notices (/notices), newest
// first; /notices/{id} shows one.
func (s *Handler) Notices(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "notices.title")
	ns, err := s.logs.PublishedNotices(r.Context(), logview.MaxListed)
	if err != nil {
		s.Log.Error("list notices", "err", err)
		http.Error(w, "The notices could not be read; try again.", http.StatusInternalServerError)
		return
	}
	var out []noticeView
	for _, n := range ns {
		out = append(out, viewNotice(n.Statement, n.Signers, p.Lang))
	}
	p.Data = out
	w.Header().Set("Cache-Control", "public, max-age=30")
	s.Render(w, r, http.StatusOK, "notices", p)
}

// Notice shows one published notice, or what replaced it.
func (s *Handler) Notice(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "notices.title")
	n, err := s.cfg.Store.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil || n.State != tocsin.NoticePublished {
		s.NotFound(w, r)
		return
	}
	sn, ok := s.logs.CheckNotice(r.Context(), *n)
	if !ok {
		s.NotFound(w, r)
		return
	}
	if _, replaced, err := s.logs.CheckedNotices(r.Context(), logview.MaxListed); err == nil && replaced[n.ID] != "" {
		// A newer version or a withdrawal took its place: show that.
		http.Redirect(w, r, "/notices/"+replaced[n.ID], http.StatusSeeOther)
		return
	}
	p.Data = []noticeView{viewNotice(sn.Statement, sn.Signers, p.Lang)}
	s.Render(w, r, http.StatusOK, "notices", p)
}

// homeNotice is the newest checked notice whose window holds now, if any.
func (s *Handler) homeNotice(ctx context.Context, lang tocsin.Language) *noticeView {
	ns, err := s.logs.PublishedNotices(ctx, logview.MaxListed)
	if err != nil {
		s.Log.Error("home notice", "err", err)
		return nil
	}
	now := s.Now()
	for _, n := range ns {
		if n.Statement.Withdraws == "" && !now.Before(n.Statement.ValidFrom) && now.Before(n.Statement.ValidUntil) {
			v := viewNotice(n.Statement, n.Signers, lang)
			return &v
		}
	}
	return nil
}
