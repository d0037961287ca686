package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/trust"
)

// MaxVerifyText bounds a pasted message (ten segments and some).
const MaxVerifyText = 2000

// verifyData is what the check page shows.
type verifyData struct {
	Text    string
	Checked bool
	Genuine *publicAlert
	// Index and Size: the genuine alert's entry in the checked log, and the
	// size of the checkpoint it is under.
	Index, Size uint64
	// Unlogged: the text is an alert row's that says it was sent, but it is
	// not in the checked log.
	Unlogged bool
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "verify.title")
	p.Data = verifyData{}
	s.render(w, r, http.StatusOK, "verify", p)
}

// unloggedScan bounds the alert rows compared with a text that is not in
// the log, to say why it is not verified (matching itself goes through the
// log, with no limit).
const unloggedScan = 500

// verifySubmit answers "did this service send this text?". A genuine alert
// is one whose signed statement is in the transparency log under a
// checkpoint that verifies with the log's public key, and one of whose
// texts matches what was pasted, allowing for what phones do to text
// (spacing, line breaks, quote styles, a lost reference line); anything
// else is shown as not sent by this service, whatever the database says.
func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.newPage(r, "verify.title")
	if !s.parseForm(w, r, MaxBody) {
		return
	}
	text := r.PostFormValue("text")
	d := verifyData{Text: text}
	if strings.TrimSpace(text) == "" || len(text) > MaxVerifyText || !utf8.ValidString(text) {
		p.Data = d
		p.Errors["text"] = p.T("verify.empty")
		s.render(w, r, http.StatusBadRequest, "verify", p)
		return
	}
	d.Checked = true
	s.refreshLog(ctx)
	pasted := normalise(text)
	if i, leaf, st, ok := s.logv.match(pasted); ok {
		pa := s.fromLog(ctx, st, leaf, p.Lang)
		d.Genuine, d.Index, d.Size = &pa, i, s.logv.size()
	} else if a, err := s.unloggedMatch(ctx, pasted); err != nil {
		s.formError(w, r, p, "verify", err)
		return
	} else if a != nil {
		d.Unlogged = true
		s.unlogged(ctx, a)
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "verify", p)
}

// unloggedMatch finds, among the recent alert rows that say they were sent,
// one whose text is the pasted one: it is not in the log, or the text
// would have matched there.
func (s *Server) unloggedMatch(ctx context.Context, pasted string) (*tocsin.Alert, error) {
	as, err := s.cfg.Store.ListAlerts(ctx, publicStates(), unloggedScan)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if matches(pasted, a) {
			return &a, nil
		}
	}
	return nil, nil
}

// matches reports whether a pasted, normalised text is one of the alert's
// signed texts, with or without its reference line.
func matches(pasted string, a tocsin.Alert) bool {
	st, err := trust.DecodeStatement(a.Statement)
	if err != nil {
		return false
	}
	for _, t := range st.Texts {
		full := normalise(t)
		if pasted == full || pasted == withoutRef(full) {
			return true
		}
	}
	return false
}

// refLine is the reference line at the end of a normalised text: "Ref
// CODE", or the link after "Verify: " (English, and Spanish before issue 12)
// or "Verifica: " (Spanish).
var refLine = regexp.MustCompile(` ?(ref [a-z0-9]{6}|verif(y|ica): \S*/v/[a-z0-9]{6})$`)

func withoutRef(s string) string { return strings.TrimSpace(refLine.ReplaceAllString(s, "")) }

// normalise undoes what phones and copying do to a text: typographic quotes
// and dashes (to GSM-7), case, and runs of spaces and line breaks.
func normalise(s string) string {
	s, _ = smstext.ToGSM(s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}
