package web

import (
	"github.com/tocsin/tocsin/internal/trust"
	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
)

// publicStates are the alert states the public sees.
func publicStates() []tocsin.AlertState {
	return []tocsin.AlertState{tocsin.AlertSending, tocsin.AlertSent}
}

// publicAlert is an alert as the public sees it: text, area and time only.
type publicAlert struct {
	Ref        string      `json:"ref"`
	Text       string      `json:"text"`
	TextES     string      `json:"text_es,omitempty"`
	Confirmed  bool        `json:"confirmed"`
	AllClear   bool        `json:"all_clear"`
	Area       tocsin.Area `json:"area"`
	SentAt     time.Time   `json:"sent_at"`
	ValidUntil time.Time   `json:"valid_until"`
}

// toPublic shows an alert as it was signed: the texts come from its
// statement (label and reference included), not from the editable row.
func toPublic(a tocsin.Alert, lang tocsin.Language) publicAlert {
	text := a.BodyEN
	if lang == tocsin.Spanish && a.BodyES != "" || text == "" {
		text = a.BodyES
	}
	if st, err := trust.DecodeStatement(a.Statement); err == nil {
		en, es := st.Texts["en"], st.Texts["es"]
		text = en
		if lang == tocsin.Spanish && es != "" || text == "" {
			text = es
		}
		a.BodyES = es
	}
	return publicAlert{Ref: a.Ref, Text: text, TextES: a.BodyES, Confirmed: a.Confirmed, AllClear: a.AllClear,
		Area: a.Area, SentAt: a.ApprovedAt, ValidUntil: a.ValidUntil}
}

func (s *Server) recentAlerts(r *http.Request, lang tocsin.Language, limit int) ([]publicAlert, error) {
	as, err := s.cfg.Store.ListAlerts(r.Context(), publicStates(), limit)
	if err != nil {
		return nil, err
	}
	out := make([]publicAlert, len(as))
	for i, a := range as {
		out[i] = toPublic(a, lang)
	}
	return out, nil
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "home.title")
	alerts, err := s.recentAlerts(r, p.Lang, 20)
	if err != nil {
		s.cfg.Log.Error("home", "err", err)
	}
	p.Data = alerts
	s.render(w, r, http.StatusOK, "home", p)
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "privacy", s.newPage(r, "privacy.title"))
}

// alertPage shows one alert by its reference code.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "alert.title")
	ref := strings.ToUpper(strings.TrimSpace(r.PathValue("ref")))
	a, err := s.cfg.Store.GetAlertByRef(r.Context(), ref)
	if err != nil || (a.State != tocsin.AlertSending && a.State != tocsin.AlertSent) {
		s.notFound(w, r)
		return
	}
	p.Data = toPublic(*a, p.Lang)
	s.render(w, r, http.StatusOK, "alert", p)
}

// apiAlerts lists recent public alerts as JSON.
func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	alerts, err := s.recentAlerts(r, s.lang(r), 100)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	if alerts == nil {
		alerts = []publicAlert{}
	}
	w.Header().Set("Cache-Control", "public, max-age=30")
	writeJSON(w, http.StatusOK, map[string]any{"alerts": alerts})
}
