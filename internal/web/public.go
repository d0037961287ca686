package web

import (
	"context"
	"encoding/base64"

	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"

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
	d := homeData{Alerts: alerts}
	// A notice of the last 30 days heads the page: people who got a fake
	// text come here first.
	// Only a notice that operators signed and the sender put in the log.
	d.Notice = s.homeNotice(r.Context(), p.Lang)
	p.Data = d
	s.render(w, r, http.StatusOK, "home", p)
}

// homeData is the home page: the latest incident notice, if recent, and
// the recent alerts.
type homeData struct {
	Notice *noticeView
	Alerts []publicAlert
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "privacy", s.newPage(r, "privacy.title"))
}

// alertPageData is an alert as signed, and its place in the log.
type alertPageData struct {
	publicAlert
	Logged   bool
	Index    uint64
	Size     uint64
	Root     string
	Proof    []string
	Verified bool // the proof checks against a checkpoint signed with the log's key
}

// alertPage shows one alert by its reference code (/alerts/{ref} and
// /v/{ref}): the alert as signed and the proof that it is in the
// transparency log under the latest signed checkpoint.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, "alert.title")
	ref := strings.ToUpper(strings.TrimSpace(r.PathValue("ref")))
	a, err := s.cfg.Store.GetAlertByRef(r.Context(), ref)
	if err != nil || (a.State != tocsin.AlertSending && a.State != tocsin.AlertSent) {
		s.notFound(w, r)
		return
	}
	d := alertPageData{publicAlert: toPublic(*a, p.Lang)}
	s.logProof(r, a, &d)
	p.Data = d
	s.render(w, r, http.StatusOK, "alert", p)
}

// logProof fills in the alert's inclusion proof, when it is in the log.
func (s *Server) logProof(r *http.Request, a *tocsin.Alert, d *alertPageData) {
	s.logProofOf(r.Context(), a.Statement, d)
}

// logProofOf fills in the inclusion proof of a log entry, when it is in
// the log.
func (s *Server) logProofOf(ctx context.Context, entry []byte, d *alertPageData) {
	leaf := tlog.LeafHash(entry)
	i, err := s.cfg.Store.LogIndex(ctx, leaf)
	if err != nil {
		return
	}
	size, signed, err := s.cfg.Store.LatestCheckpoint(ctx)
	if err != nil || i >= size {
		return
	}
	proof, err := tlog.InclusionProof(ctx, store.LogLeaves{Q: s.cfg.Store}, i, size)
	if err != nil {
		return
	}
	d.Logged, d.Index, d.Size = true, i, size
	for _, h := range proof {
		d.Proof = append(d.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	if s.cfg.LogPublicKey != "" {
		if cp, err := tlog.Open(signed, s.cfg.LogPublicKey, s.cfg.LogOrigin); err == nil && cp.Size == size {
			d.Root = base64.StdEncoding.EncodeToString(cp.Root[:])
			d.Verified = tlog.VerifyInclusion(leaf, i, size, cp.Root, proof) == nil
		}
	}
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
