package public

import (
	"net/http"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// apiVerifyRequest is the body of POST /api/v1/verify.
type apiVerifyRequest struct {
	Text string `json:"text"`
}

// apiVerifyResult is its answer: the check page's verdict, for apps and
// chat bots that check forwarded texts.
type apiVerifyResult struct {
	Verdict string `json:"verdict"` // alert, service_message or not_sent
	Ref     string `json:"ref"`     // the alert's reference code ("" unless alert)
	URL     string `json:"url"`     // the alert's public page ("" unless alert)
	// Reply names the reply a service message has the wording of.
	Reply string `json:"reply,omitempty"`
	// Pointer: the text was a verification link or a reference code alone.
	Pointer bool `json:"pointer,omitempty"`
	// Unlogged: an alert row says it was sent, but it is not in the
	// signed log, so it is not confirmed.
	Unlogged bool `json:"unlogged,omitempty"`
	// LogIndex is the alert's entry in the transparency log.
	LogIndex *uint64 `json:"log_index,omitempty"`
	// Message says what the verdict means and what to do, in the
	// request's language (Accept-Language).
	Message string `json:"message"`
}

// Verify checks a forwarded text as the /verify page does.
func (s *Handler) Verify(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "send the text as JSON with Content-Type: application/json"))
		return
	}
	var body apiVerifyRequest
	if err := webkit.DecodeJSON(w, r, &body, ""); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	if !validVerifyText(body.Text) {
		s.WriteJSONError(w, r, tocsin.FieldError("text", "text must be the message as received: not empty, valid UTF-8, at most %d bytes", MaxVerifyText))
		return
	}
	out, err := s.check(r.Context(), body.Text)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	res := apiVerifyResult{Verdict: out.Verdict, Pointer: out.Pointer, Unlogged: out.Unlogged, Reply: string(out.Reply)}
	if out.Verdict == verdictAlert {
		res.Ref = logview.RefOf(out.Statement)
		res.URL = s.alertURL(res.Ref)
		res.LogIndex = &out.Index
	}
	res.Message = webkit.Text(s.Lang(r), "verify.api."+out.Verdict)
	webkit.WriteJSON(w, http.StatusOK, res)
}
