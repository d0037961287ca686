package web

import (
	"net/http"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
)

// MaxSMSBody bounds an inbound text (ten concatenated segments).
const MaxSMSBody = 1600

// devInbound takes an inbound text in Twilio's form names (From, Body) for
// the outbox provider. The number is sealed before anything else happens;
// the sender handles the text and replies.
func (s *Server) devInbound(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		s.writeJSONError(w, r, bodyError(err))
		return
	}
	s.acceptInbound(w, r, "dev", r.PostFormValue("From"), r.PostFormValue("Body"))
}

// acceptInbound seals and queues one inbound text.
func (s *Server) acceptInbound(w http.ResponseWriter, r *http.Request, provider, from, body string) {
	n, err := phone.Parse(from, "US")
	if err != nil {
		s.writeJSONError(w, r, tocsin.FieldError("From", "From is not a phone number"))
		return
	}
	if len(body) > MaxSMSBody || !utf8.ValidString(body) {
		s.writeJSONError(w, r, tocsin.FieldError("Body", "Body must be valid UTF-8 of at most %d bytes", MaxSMSBody))
		return
	}
	sealed, err := s.cfg.Sealer.Seal(n)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	m := &tocsin.Inbound{Provider: provider, FromSealed: sealed, Body: body, ReceivedAt: s.cfg.Now()}
	if err := s.cfg.Store.AddInbound(r.Context(), m); err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	s.cfg.Wake()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Response></Response>`))
}
