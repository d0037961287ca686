package web

import (
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
}

func (s *Server) verifyForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "verify.title")
	p.Data = verifyData{}
	s.render(w, r, http.StatusOK, "verify", p)
}

// verifySubmit answers "did this service send this text?". A genuine alert
// is one whose signed text matches what was pasted, allowing for what
// phones do to text (spacing, line breaks, quote styles, a lost reference
// line); anything else is shown as not sent by this service.
func (s *Server) verifySubmit(w http.ResponseWriter, r *http.Request) {
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
	as, err := s.cfg.Store.ListAlerts(r.Context(), publicStates(), 500)
	if err != nil {
		s.formError(w, r, p, "verify", err)
		return
	}
	pasted := normalise(text)
	for _, a := range as {
		if matches(pasted, a) {
			pa := toPublic(a, p.Lang)
			d.Genuine = &pa
			break
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "verify", p)
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

var refLine = regexp.MustCompile(` ?(ref [a-z0-9]{6}|verify: \S*/v/[a-z0-9]{6})$`)

func withoutRef(s string) string { return strings.TrimSpace(refLine.ReplaceAllString(s, "")) }

// normalise undoes what phones and copying do to a text: typographic quotes
// and dashes (to GSM-7), case, and runs of spaces and line breaks.
func normalise(s string) string {
	s, _ = smstext.ToGSM(s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}
