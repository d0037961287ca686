package public

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
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
	Correction bool        `json:"correction,omitempty"` // a correction of texts sent in the service's name
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
		signedFacts(&a, st)
	}
	return publicAlert{Ref: a.Ref, Text: text, TextES: a.BodyES, Confirmed: a.Confirmed, AllClear: a.AllClear, Correction: tocsin.IsCorrection(text),
		Area: a.Area, SentAt: a.ApprovedAt, ValidUntil: a.ValidUntil}
}

// signedFacts replaces what a database writer could change about an alert
// with what its operators signed: the labels, the area and the validity
// window. The time it was approved is not signed; one outside the signed
// window is replaced by the window's start.
func signedFacts(a *tocsin.Alert, st *trust.Statement) {
	a.Confirmed, a.AllClear, a.ValidUntil = st.Confirmed, st.AllClear, st.ValidUntil
	a.Area = tocsin.Area{ZIPs: st.ZIPs}
	if c := st.Circle; c != nil {
		a.Area.Circle = &tocsin.Circle{Lat: float64(c.LatE6) / 1e6, Lon: float64(c.LonE6) / 1e6, RadiusM: float64(c.RadiusM)}
	}
	if a.ApprovedAt.Before(st.ValidFrom) || a.ApprovedAt.After(st.ValidUntil) {
		a.ApprovedAt = st.ValidFrom
	}
}

// recentAlerts lists the recent alerts in the checked transparency log;
// an alert row that says it was sent but is not in the log is left out
// (and reported).
func (s *Handler) recentAlerts(r *http.Request, lang tocsin.Language, limit int) ([]publicAlert, error) {
	ctx := r.Context()
	as, err := s.cfg.Store.ListAlerts(ctx, publicStates(), limit)
	if err != nil {
		return nil, err
	}
	s.logs.Refresh(ctx)
	out := make([]publicAlert, 0, len(as))
	for _, a := range as {
		if s.logs.Logged(ctx, &a) {
			out = append(out, toPublic(a, lang))
		}
	}
	return out, nil
}

// Home is the home page: the newest notice and the recent alerts.
func (s *Handler) Home(w http.ResponseWriter, r *http.Request) {
	p := s.NewPage(r, "home.title")
	alerts, err := s.recentAlerts(r, p.Lang, 20)
	if err != nil {
		s.Log.Error("home", "err", err)
	}
	d := homeData{Alerts: alerts}
	// A notice of the last 30 days heads the page: people who got a fake
	// text come here first.
	// Only a notice that operators signed and the sender put in the log.
	d.Notice = s.homeNotice(r.Context(), p.Lang)
	p.Data = d
	s.Render(w, r, http.StatusOK, "home", p)
}

// homeData is the home page: the latest incident notice, if recent, and
// the recent alerts.
type homeData struct {
	Notice *noticeView
	Alerts []publicAlert
}

// Privacy says what the service stores.
func (s *Handler) Privacy(w http.ResponseWriter, r *http.Request) {
	s.Render(w, r, http.StatusOK, "privacy", s.NewPage(r, "privacy.title"))
}

// alertPageData is an alert as signed, and its place in the checked log.
type alertPageData struct {
	publicAlert
	Index uint64
	Size  uint64
	Root  string
	Proof []string
}

// AlertPage shows one alert by its reference code (/alerts/{ref} and
// /v/{ref}): the alert as signed and the proof that it is in the
// transparency log under the newest checkpoint that verifies with the log's
// public key. An alert row that is not in that log is not shown: the page
// says it is not in the public log, with a 404.
func (s *Handler) AlertPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := s.NewPage(r, "alert.title")
	ref := strings.ToUpper(strings.TrimSpace(r.PathValue("ref")))
	a, err := s.cfg.Store.GetAlertByRef(ctx, ref)
	if err != nil || (a.State != tocsin.AlertSending && a.State != tocsin.AlertSent) {
		s.NotFound(w, r)
		return
	}
	s.logs.Refresh(ctx)
	ok := s.logs.Logged(ctx, a)
	var in logview.Inclusion
	if ok {
		if in, err = s.logs.View().Find(ctx, a.Statement); err != nil {
			s.Log.Error("inclusion proof", "ref", a.Ref, "err", err)
			ok = false
		}
	}
	if !ok {
		p = s.NewPage(r, "unlogged.title")
		s.Render(w, r, http.StatusNotFound, "unlogged", p)
		return
	}
	d := alertPageData{publicAlert: toPublic(*a, p.Lang), Index: in.Index, Size: in.Size, Root: base64.StdEncoding.EncodeToString(in.Root[:])}
	for _, h := range in.Proof {
		d.Proof = append(d.Proof, base64.StdEncoding.EncodeToString(h[:]))
	}
	p.Data = d
	s.Render(w, r, http.StatusOK, "alert", p)
}

// Alerts lists recent public alerts as JSON.
func (s *Handler) Alerts(w http.ResponseWriter, r *http.Request) {
	alerts, err := s.recentAlerts(r, s.Lang(r), 100)
	if err != nil {
		s.WriteJSONError(w, r, err)
		return
	}
	if alerts == nil {
		alerts = []publicAlert{}
	}
	w.Header().Set("Cache-Control", "public, max-age=30")
	webkit.WriteJSON(w, http.StatusOK, map[string]any{"alerts": alerts})
}

// fromLog is a logged statement as the public sees it: from its alert row
// when the row holds exactly this statement (for the time it was sent),
// else from the statement alone; the reference code is the statement's.
func (s *Handler) fromLog(ctx context.Context, st *trust.Statement, leaf [32]byte, lang tocsin.Language) publicAlert {
	var pa publicAlert
	if a, err := s.cfg.Store.GetAlert(ctx, st.AlertID); err == nil && tlog.LeafHash(a.Statement) == leaf {
		pa = toPublic(*a, lang)
	} else {
		pa = publicAlert{Text: st.Texts["en"], TextES: st.Texts["es"], Confirmed: st.Confirmed, AllClear: st.AllClear,
			Area: tocsin.Area{ZIPs: st.ZIPs}, SentAt: st.CreatedAt, ValidUntil: st.ValidUntil}
		if lang == tocsin.Spanish && pa.TextES != "" || pa.Text == "" {
			pa.Text = pa.TextES
		}
		pa.Correction = tocsin.IsCorrection(pa.Text)
	}
	pa.Ref = logview.RefOf(st)
	return pa
}
