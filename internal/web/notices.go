package web

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin/internal/web/webkit"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Limits on a notice.
const (
	maxNoticeTitle = 120
	maxNoticeBody  = 4000
	// maxListedNotices bounds the published notices read for a page; a
	// new version or a withdrawal among them takes an older one down.
	maxListedNotices = 100
	// A notice heads the home page for 1 to 90 days, 30 unless the
	// administrator chooses.
	minNoticeDays, maxNoticeDays, defaultNoticeDays = 1, 90, 30
	// withdrawalWindow is how long a withdrawal takes signatures.
	withdrawalWindow = 7 * 24 * time.Hour
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

// shownNotice is a published notice that passed every check.
type shownNotice struct {
	st      *trust.NoticeStatement
	signers string
}

// publishedNotices returns up to limit published notices that pass every
// check and that no other such notice replaces or withdraws, newest first.
func (s *Server) publishedNotices(ctx context.Context, limit int) ([]shownNotice, error) {
	all, replaced, err := s.checkedNotices(ctx, limit)
	if err != nil {
		return nil, err
	}
	var out []shownNotice
	for _, sn := range all {
		if replaced[sn.st.ID] == "" {
			out = append(out, sn)
		}
	}
	return out, nil
}

// checkedNotices returns up to limit published notices that pass every
// check, newest first, and which of them (by id) a checked notice replaces
// or withdraws (mapped to that notice's id). Only a notice that is itself
// signed and in the log takes another down.
func (s *Server) checkedNotices(ctx context.Context, limit int) ([]shownNotice, map[string]string, error) {
	ns, err := s.cfg.Store.ListNotices(ctx, tocsin.NoticePublished, limit)
	if err != nil {
		return nil, nil, err
	}
	var out []shownNotice
	replaced := map[string]string{}
	for _, n := range ns {
		sn, ok := s.checkNotice(ctx, n)
		if !ok {
			continue
		}
		out = append(out, sn)
		for _, old := range []string{sn.st.Replaces, sn.st.Withdraws} {
			if old != "" && replaced[old] == "" {
				replaced[old] = sn.st.ID
			}
		}
	}
	return out, replaced, nil
}

// publicNotices is the public page of incident notices (/notices), newest
// first; /notices/{id} shows one.
func (s *Server) publicNotices(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "notices.title")
	ns, err := s.publishedNotices(r.Context(), maxListedNotices)
	if err != nil {
		s.cfg.Log.Error("list notices", "err", err)
		http.Error(w, "The notices could not be read; try again.", http.StatusInternalServerError)
		return
	}
	var out []noticeView
	for _, n := range ns {
		out = append(out, viewNotice(n.st, n.signers, p.Lang))
	}
	p.Data = out
	w.Header().Set("Cache-Control", "public, max-age=30")
	s.Render(w, r, http.StatusOK, "notices", p)
}

func (s *Server) publicNotice(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "notices.title")
	n, err := s.cfg.Store.GetNotice(r.Context(), r.PathValue("id"))
	if err != nil || n.State != tocsin.NoticePublished {
		s.NotFound(w, r)
		return
	}
	sn, ok := s.checkNotice(r.Context(), *n)
	if !ok {
		s.NotFound(w, r)
		return
	}
	if _, replaced, err := s.checkedNotices(r.Context(), maxListedNotices); err == nil && replaced[n.ID] != "" {
		// A newer version or a withdrawal took its place: show that.
		http.Redirect(w, r, "/notices/"+replaced[n.ID], http.StatusSeeOther)
		return
	}
	p.Data = []noticeView{viewNotice(sn.st, sn.signers, p.Lang)}
	s.Render(w, r, http.StatusOK, "notices", p)
}

// homeNotice is the newest checked notice whose window holds now, if any.
func (s *Server) homeNotice(ctx context.Context, lang tocsin.Language) *noticeView {
	ns, err := s.publishedNotices(ctx, maxListedNotices)
	if err != nil {
		s.cfg.Log.Error("home notice", "err", err)
		return nil
	}
	now := s.cfg.Now()
	for _, n := range ns {
		if n.st.Withdraws == "" && !now.Before(n.st.ValidFrom) && now.Before(n.st.ValidUntil) {
			v := viewNotice(n.st, n.signers, lang)
			return &v
		}
	}
	return nil
}

// consoleNotices lists the notices and, for an administrator, the form to
// draft one.
func (s *Server) consoleNotices(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "notices.title")
	s.renderConsoleNotices(w, r, p, http.StatusOK)
}

func (s *Server) renderConsoleNotices(w http.ResponseWriter, r *http.Request, p *webkit.Page, status int) {
	ctx := r.Context()
	ns, err := s.cfg.Store.ListNotices(ctx, "", 50)
	var replaced map[string]string
	if err == nil {
		_, replaced, err = s.checkedNotices(ctx, maxListedNotices)
	}
	if err != nil {
		s.cfg.Log.Error("list notices", "err", err)
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
func (s *Server) serverURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if s.cfg.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// draftNotice drafts an incident notice (administrators only): its
// statement waits for operators' signatures, and nothing is public until
// the sender has put it in the transparency log.
func (s *Server) draftNotice(w http.ResponseWriter, r *http.Request) {
	p := s.ConsolePage(r, "notices.title")
	if !webkit.Can(r, auth.ManageOperators) {
		s.Forbidden(w, r, auth.ManageOperators)
		return
	}
	now := s.cfg.Now().Truncate(time.Second)
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
		err = s.cfg.Store.CreateNotice(r.Context(), &n)
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
func (s *Server) noticeStatement(n *tocsin.Notice, valid time.Duration) *trust.NoticeStatement {
	return &trust.NoticeStatement{ID: n.ID, Origin: s.cfg.LogOrigin, CreatedAt: n.CreatedAt, ValidFrom: n.CreatedAt,
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

// noticeChecks remembers the verdict on each published notice row (by its
// id, statement and columns), so that a page view does not verify the
// roster, the signatures and the log again, and a tampered row raises its
// security event once per process.
type noticeChecks struct {
	mu sync.Mutex
	m  map[[32]byte]*shownNotice // nil: refused
}

const maxNoticeChecks = 1000

func noticeKey(n tocsin.Notice) [32]byte {
	return sha256.Sum256(fmt.Appendf(nil, "%q %q %q %q %q %q", n.ID, n.Statement, n.TitleEN, n.TitleES, n.BodyEN, n.BodyES))
}

func (c *noticeChecks) get(k [32]byte) (*shownNotice, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *noticeChecks) put(k [32]byte, v *shownNotice) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxNoticeChecks {
		c.m = map[[32]byte]*shownNotice{}
	}
	c.m[k] = v
}

// checkNotice decides whether a published notice row may be shown, and
// raises notice.tampered when it may not.
func (s *Server) checkNotice(ctx context.Context, n tocsin.Notice) (shownNotice, bool) {
	k := noticeKey(n)
	if v, ok := s.notices.get(k); ok {
		if v == nil {
			return shownNotice{}, false
		}
		return *v, true
	}
	sn, why, err := s.verifyNotice(ctx, n)
	if err != nil { // the database or the roster could not be read: try again later
		s.cfg.Log.Error("check notice", "notice", n.ID, "err", err)
		return shownNotice{}, false
	}
	if why != "" {
		s.notices.put(k, nil)
		// High: only a database writer makes a published notice that fails.
		s.SecurityAt(ctx, store.SeverityHigh, "notice.tampered", n.ID, "a notice marked published is not shown: "+why)
		return shownNotice{}, false
	}
	s.notices.put(k, sn)
	return *sn, true
}

// verifyNotice checks a published notice: its statement decodes, names
// this service's log, says what the row says, carries enough signatures of
// the verified roster, and is in the log under the latest checkpoint
// (checked against the log's key when the web tier has it). why says what
// failed.
func (s *Server) verifyNotice(ctx context.Context, n tocsin.Notice) (sn *shownNotice, why string, err error) {
	st, derr := trust.DecodeNotice(n.Statement)
	switch {
	case derr != nil:
		return nil, "its statement does not decode: " + derr.Error(), nil
	case st.ID != n.ID:
		return nil, fmt.Sprintf("its statement is notice %s's", st.ID), nil
	case st.Origin != s.cfg.LogOrigin:
		return nil, fmt.Sprintf("its statement is for the log %q, not %q", st.Origin, s.cfg.LogOrigin), nil
	case st.Titles["en"] != n.TitleEN || st.Titles["es"] != n.TitleES || st.Bodies["en"] != n.BodyEN || st.Bodies["es"] != n.BodyES:
		return nil, "its text differs from the text operators signed", nil
	}
	v, qerr, err := s.noticeSigners(ctx, n.ID, st)
	if err != nil {
		return nil, "", err
	}
	if qerr != nil {
		return nil, "its signatures do not suffice: " + qerr.Error(), nil
	}
	if why, err := s.inLog(ctx, n.Statement); why != "" || err != nil {
		return nil, why, err
	}
	return &shownNotice{st: st, signers: strings.Join(v.Signers, ", ")}, "", nil
}

// noticeSigners counts a notice's signatures against the latest verified
// roster version and, failing that, against each earlier verified version:
// the sender checked them against the version in effect when it published
// the notice, and a roster changed since (a key revoked after an incident)
// must not take a genuine notice down. qerr says why none suffices.
func (s *Server) noticeSigners(ctx context.Context, id string, st *trust.NoticeStatement) (v trust.Verdict, qerr, err error) {
	as, err := s.cfg.Store.ListNoticeApprovals(ctx, id)
	if err != nil {
		return v, nil, err
	}
	rows, err := s.cfg.Store.RosterChain(ctx)
	if err != nil {
		return v, nil, err
	}
	chain := make([]trust.SignedRoster, len(rows))
	for i, r := range rows {
		chain[i] = trust.SignedRoster{Body: r.Body, Signatures: store.RosterSigs(r.Sigs)}
	}
	qerr = fmt.Errorf("%w: no verified roster", trust.ErrQuorum)
	seen := map[int]bool{}
	for i := len(chain); i > 0 && len(s.cfg.TrustAnchor) == ed25519.PublicKeySize; i-- {
		r, _ := trust.VerifyChain(ed25519.PublicKey(s.cfg.TrustAnchor), chain[:i])
		if r == nil || seen[r.Version] {
			continue
		}
		seen[r.Version] = true
		var verr error
		if v, verr = trust.CheckNoticeApprovals(r, st, webkit.Approvals(as)); verr == nil {
			return v, nil, nil
		}
		if len(seen) == 1 {
			qerr = verr // say why by the latest version
		}
	}
	return v, qerr, nil
}

// inLog says why entry is not in the transparency log as this site checked
// it: under the newest checkpoint that verifies with the log's public key,
// with leaves that give its signed root ("" when it is).
func (s *Server) inLog(ctx context.Context, entry []byte) (why string, err error) {
	s.refreshLog(ctx)
	if _, err := s.logv.find(ctx, entry); err != nil {
		if errors.Is(err, errNotInLog) {
			return "its statement is not in the transparency log under the newest checkpoint signed with the log's key", nil
		}
		return "", err
	}
	return "", nil
}
