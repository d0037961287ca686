package public

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/replies"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// MaxVerifyText bounds a pasted message (ten segments and some).
const MaxVerifyText = 2000

// The verdicts of a check, as POST /api/v1/verify names them.
const (
	verdictAlert   = "alert"           // an alert in the checked transparency log
	verdictService = "service_message" // the wording of one of the service's replies
	verdictNotSent = "not_sent"        // not sent by this service
)

// verifyOutcome is what a check of a pasted text found.
type verifyOutcome struct {
	Verdict string
	// For an alert: its statement, leaf hash and entry in the checked log.
	Statement *trust.Statement
	Leaf      [32]byte
	Index     uint64
	// Pointer: the text was a verification link or a reference code alone,
	// which points to the alert (or to nothing of ours).
	Pointer bool
	// Reply: for a service message, the template it has the wording of.
	Reply replies.Key
	// Unlogged: not sent, but an alert row in the database says it was
	// (it is not in the checked log).
	Unlogged bool
}

// unloggedScan bounds the alert rows compared with a text that is not in
// the log, to say why it is not verified (matching itself goes through the
// log, with no limit).
const unloggedScan = 500

// unloggedScansPerMinute bounds those scans per web process, so that texts
// that match nothing, posted in a loop to /verify or /api/v1/verify, cost
// the database little: past it, such a text is still answered not sent,
// without the scan (the "in our database, but not in the log" note and its
// alert.unlogged event wait for the next minute; the alert pages and lists
// still raise it).
const unloggedScansPerMinute = 600

// check answers "did this service send this text?". A genuine alert is one
// whose signed statement is in the transparency log under a checkpoint that
// verifies with the log's public key, and one of whose texts matches what
// was pasted, allowing for what phones do to text (spacing, line breaks,
// quote styles, a lost label or reference line); a verification link or a
// reference code alone points to such an alert. A text with the wording of
// one of the service's replies (internal/replies) is a service message.
// Anything else is not sent by this service, whatever the database says.
func (s *Handler) check(ctx context.Context, text string) (verifyOutcome, error) {
	s.logs.Refresh(ctx)
	pasted := logview.Normalise(text)
	if i, leaf, st, ok := s.logs.View().Match(pasted); ok {
		return verifyOutcome{Verdict: verdictAlert, Statement: st, Leaf: leaf, Index: i}, nil
	}
	if ref, ok := s.pointer(pasted); ok {
		return s.checkRef(ctx, ref)
	}
	if key, ok := s.service.match(pasted); ok {
		return verifyOutcome{Verdict: verdictService, Reply: key}, nil
	}
	out := verifyOutcome{Verdict: verdictNotSent}
	if _, ok := s.scans.Allow(s.Now()); !ok {
		return out, nil
	}
	a, err := s.unloggedMatch(ctx, pasted)
	if err != nil {
		return verifyOutcome{}, err
	}
	if a != nil {
		out.Unlogged = true
		s.logs.Unlogged(ctx, a)
	}
	return out, nil
}

// checkRef says what a reference code alone points to.
func (s *Handler) checkRef(ctx context.Context, ref string) (verifyOutcome, error) {
	if i, leaf, st, ok := s.logs.View().ByRef(ref); ok {
		return verifyOutcome{Verdict: verdictAlert, Statement: st, Leaf: leaf, Index: i, Pointer: true}, nil
	}
	out := verifyOutcome{Verdict: verdictNotSent, Pointer: true}
	a, err := s.cfg.Store.GetAlertByRef(ctx, ref)
	switch {
	case tocsin.ErrorCode(err) == tocsin.ENOTFOUND:
	case err != nil:
		return out, err
	case a.State == tocsin.AlertSending || a.State == tocsin.AlertSent:
		out.Unlogged = true
		s.logs.Unlogged(ctx, a)
	}
	return out, nil
}

var (
	refAlone  = regexp.MustCompile(`^(?:ref )?([a-z0-9]{6})$`)
	verifyWrd = regexp.MustCompile(`^verif(?:y|ica): `)
	schemeRE  = regexp.MustCompile(`^https?://`)
)

// pointer returns the reference code of a normalised text that is only a
// reference ("Ref ABC123", "ABC123") or only this site's verification link
// (with or without "Verify: " before it, with or without its scheme).
func (s *Handler) pointer(pasted string) (string, bool) {
	if m := refAlone.FindStringSubmatch(pasted); m != nil {
		return refCode(m[1])
	}
	prefix := schemeRE.ReplaceAllString(strings.ToLower(s.VerifyURL()), "")
	link := schemeRE.ReplaceAllString(verifyWrd.ReplaceAllString(pasted, ""), "")
	if prefix == "" || !strings.HasPrefix(link, prefix) {
		return "", false
	}
	return refCode(strings.TrimSuffix(strings.TrimPrefix(link, prefix), "/"))
}

// refCode returns code as a reference code if it can be one.
func refCode(code string) (string, bool) {
	ref := strings.ToUpper(code)
	if len(ref) != tocsin.AlertRefLen || strings.Trim(ref, tocsin.AlertRefAlphabet) != "" {
		return "", false
	}
	return ref, true
}

// unloggedMatch finds, among the recent alert rows that say they were sent,
// one whose text is the pasted one: it is not in the log, or the text
// would have matched there.
func (s *Handler) unloggedMatch(ctx context.Context, pasted string) (*tocsin.Alert, error) {
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
// signed texts, with or without its label and reference line.
func matches(pasted string, a tocsin.Alert) bool {
	st, err := trust.DecodeStatement(a.Statement)
	if err != nil {
		return false
	}
	for _, t := range st.Texts {
		for _, v := range logview.TextVariants(t) {
			if pasted == v {
				return true
			}
		}
	}
	return false
}

// validVerifyText reports whether a pasted text can be checked.
func validVerifyText(text string) bool {
	return strings.TrimSpace(text) != "" && len(text) <= MaxVerifyText && utf8.ValidString(text)
}

// alertURL is where the public page of the alert with ref is.
func (s *Handler) alertURL(ref string) string {
	if u := s.VerifyURL(); u != "" {
		return u + ref
	}
	return "/v/" + ref
}

// replyGroup is what the check page says of a service message.
func replyGroup(key replies.Key) string {
	switch key {
	case replies.Code:
		return "code"
	case replies.Joined, replies.Welcome, replies.Started:
		return "subscribed"
	case replies.Stopped:
		return "stopped"
	}
	return "answer"
}

// verifyData is what the check page shows.
type verifyData struct {
	Text    string
	Checked bool
	Genuine *publicAlert
	// Index and Size: the genuine alert's entry in the checked log, and the
	// size of the checkpoint it is under.
	Index, Size uint64
	// Pointer: the text was a link or a reference code alone.
	Pointer bool
	// Service: the text has the wording of a reply of ours (replyGroup).
	Service string
	// Unlogged: the text is an alert row's that says it was sent, but it is
	// not in the checked log.
	Unlogged bool
}

// VerifyForm shows the check of a forwarded text.
func (s *Handler) VerifyForm(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "verify.title")
	p.Data = verifyData{}
	s.Render(w, r, http.StatusOK, "verify", p)
}

// VerifySubmit shows the verdict of check for a pasted text.
func (s *Handler) VerifySubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.NewPage(r, "verify.title")
	if !s.ParseForm(w, r, webkit.MaxBody) {
		return
	}
	text := r.PostFormValue("text")
	d := verifyData{Text: text}
	if !validVerifyText(text) {
		p.Data = d
		p.Errors["text"] = p.T("verify.empty")
		s.Render(w, r, http.StatusBadRequest, "verify", p)
		return
	}
	out, err := s.check(ctx, text)
	if err != nil {
		s.FormError(w, r, p, "verify", err)
		return
	}
	d.Checked, d.Pointer, d.Unlogged = true, out.Pointer, out.Unlogged
	switch out.Verdict {
	case verdictAlert:
		pa := s.fromLog(ctx, out.Statement, out.Leaf, p.Lang)
		d.Genuine, d.Index, d.Size = &pa, out.Index, s.logs.View().Size()
	case verdictService:
		d.Service = replyGroup(out.Reply)
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "verify", p)
}
