package hooks

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/kannelhook"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// MaxSMSBody bounds an inbound text (ten concatenated segments).
const MaxSMSBody = 1600

// DevInbound takes an inbound text in Twilio's form names (From, Body, and
// To: the number of ours it reached, optional) for the outbox provider. The
// numbers are sealed before anything else happens; the sender handles the
// text and replies.
func (s *Handler) DevInbound(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, webkit.MaxBody)
	if err := r.ParseForm(); err != nil {
		s.WriteJSONError(w, r, webkit.BodyError(err))
		return
	}
	s.acceptInbound(w, r, "dev", r.PostFormValue("From"), r.PostFormValue("To"), r.PostFormValue("Body"))
}

// acceptInbound seals and queues one inbound text.
func (s *Handler) acceptInbound(w http.ResponseWriter, r *http.Request, provider, from, to, body string) {
	n, err := phone.Parse(from, "US")
	if err != nil {
		s.WriteJSONError(w, r, tocsin.FieldError("From", "From is not a phone number"))
		return
	}
	var toNum phone.Number
	if to != "" {
		if toNum, err = phone.Parse(to, "US"); err != nil {
			s.WriteJSONError(w, r, tocsin.FieldError("To", "To is not a phone number"))
			return
		}
	}
	if len(body) > MaxSMSBody || !utf8.ValidString(body) {
		s.WriteJSONError(w, r, tocsin.FieldError("Body", "Body must be valid UTF-8 of at most %d bytes", MaxSMSBody))
		return
	}
	if err := s.queueInbound(r.Context(), provider, n, toNum, body); err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
}

// ProviderHook takes a provider's webhook request (an inbound text or a
// delivery receipt) without judging it: the web tier holds no credential
// that could check it (Twilio signs with a token that can also send). It
// seals the request to the sender, which checks the provider's signature
// and acts, or raises a security event.
func (s *Handler) ProviderHook(provider string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, webkit.MaxBody)
		if err := r.ParseForm(); err != nil {
			s.WriteJSONError(w, r, webkit.BodyError(err))
			return
		}
		if provider == "kannel" && s.cfg.KannelHookSecret != "" {
			s.kannelHook(w, r)
			return
		}
		h := tocsin.ProviderHook{Provider: provider, URL: strings.TrimRight(s.BaseURL, "/") + r.URL.RequestURI(),
			Form: r.Form, Signature: r.Header.Get("X-Twilio-Signature")}
		if r.Method == http.MethodPost {
			h.Form = r.PostForm // Twilio signs the URL as called plus the POST parameters
		}
		raw, err := json.Marshal(h)
		if err == nil {
			var sealed []byte
			if sealed, err = s.cfg.Sealer.SealData(raw); err == nil {
				err = s.cfg.Store.AddHookRequest(r.Context(), &store.HookRequest{Provider: provider, Sealed: sealed, ReceivedAt: s.Now()})
			}
		}
		if err != nil {
			s.WriteJSONError(w, r, err)
			return
		}
		s.cfg.Wake()
		if provider == "twilio" || (provider == "canary" && s.cfg.CanaryHook == "twilio") {
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
			return
		}
		w.WriteHeader(http.StatusOK) // an empty body: Kannel sends no reply of its own
	}
}

// kannelHook checks and acts on Kannel's calls at once: their secret cannot
// send, so the web tier may hold it. A delivery report goes straight to the
// ledger; an inbound text is sealed and queued like any other.
func (s *Handler) kannelHook(w http.ResponseWriter, r *http.Request) {
	if !kannelhook.SecretOK(r.Form.Get("secret"), s.cfg.KannelHookSecret) {
		s.Securityf(r.Context(), "webhook.forged", "kannel", "a call to /hooks/sms/kannel without the hook secret: ignored")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	switch r.Form.Get("kind") {
	case "dlr":
		rep, err := kannelhook.ParseDLR(r.Form, s.Now())
		if err != nil {
			s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "%s", kannelhook.Clean(err.Error(), 200)))
			return
		}
		if _, err := s.cfg.Store.RecordReceipt(r.Context(), rep.ID, rep.Status, rep.At); err != nil {
			s.WriteJSONError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	case "mo":
		mo, err := kannelhook.ParseMO(r.Form, "US")
		if err != nil {
			s.WriteJSONError(w, r, tocsin.Errorf(tocsin.EINVALID, "%s", kannelhook.Clean(err.Error(), 200)))
			return
		}
		if err := s.queueInbound(r.Context(), "kannel", mo.From, mo.To, mo.Text); err != nil {
			s.WriteJSONError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK) // an empty body: Kannel sends no reply of its own
	default:
		s.WriteJSONError(w, r, tocsin.FieldError("kind", "kind must be dlr or mo"))
	}
}

// queueInbound seals the numbers at once (to: the number of ours it
// reached; zero when unknown) and queues the text for the sender.
func (s *Handler) queueInbound(ctx context.Context, provider string, from, to phone.Number, body string) error {
	if len(body) > MaxSMSBody {
		body = body[:MaxSMSBody]
	}
	sealed, err := s.cfg.Sealer.Seal(from)
	if err != nil {
		return err
	}
	var toSealed []byte
	if !to.IsZero() {
		if toSealed, err = s.cfg.Sealer.Seal(to); err != nil {
			return err
		}
	}
	if err := s.cfg.Store.AddInbound(ctx, &tocsin.Inbound{Provider: provider, FromSealed: sealed, ToSealed: toSealed, Body: body, ReceivedAt: s.Now()}); err != nil {
		return err
	}
	s.cfg.Wake()
	return nil
}
