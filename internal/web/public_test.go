package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
)

func TestPublicPagesBothLanguages(t *testing.T) {
	b := setup(t)
	pages := []struct {
		path   string
		en, es string // a text each language shows
	}{
		{"/", "Community rapid-response alerts", "Alertas comunitarias de respuesta rápida"},
		{"/privacy", "What we store", "Qué guardamos"},
		{"/report", "Report activity", "Reportar actividad"},
		{"/subscribe", "Get alerts", "Recibir alertas"},
		{"/console/login", "Operator login", "Acceso de operadores"},
	}
	langs := []struct {
		accept, lang string
	}{
		{"", "en"},
		{"en-US,en;q=0.9", "en"},
		{"es", "es"},
		{"es-MX,es;q=0.9,en;q=0.5", "es"},
		{"fr-FR", "en"},
		{"garbage;;;", "en"},
	}
	for _, p := range pages {
		for _, l := range langs {
			t.Run(p.path+" "+l.accept, func(t *testing.T) {
				r := b.get(nil, p.path, "Accept-Language", l.accept)
				wantStatus(t, r, http.StatusOK)
				if got := r.Header.Get("Content-Language"); got != l.lang {
					t.Errorf("Content-Language %q, want %q", got, l.lang)
				}
				if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if !strings.Contains(r.body, `<html lang="`+l.lang+`">`) {
					t.Errorf("page is not marked lang=%q", l.lang)
				}
				want, other := p.en, p.es
				if l.lang == "es" {
					want, other = p.es, p.en
				}
				text := r.text()
				if !strings.Contains(text, want) {
					t.Errorf("page lacks %q", want)
				}
				if strings.Contains(text, other) {
					t.Errorf("page shows the other language's %q", other)
				}
				if strings.Contains(text, "<script>") || strings.Contains(text, " onclick=") {
					t.Error("page has inline script")
				}
			})
		}
	}
	// Spanish form errors.
	req := b.newRequest(http.MethodPost, "/report", strings.NewReader("category=raid&zip=90210"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "es")
	r := b.do(nil, req)
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "Por favor corrige los campos marcados.") {
		t.Error("Spanish report form error is not in Spanish")
	}
}

func TestNotFound(t *testing.T) {
	b := setup(t)
	for _, p := range []string{"/alerts/NOPE", "/alerts/nope", "/subscribe/NOPE"} {
		r := b.get(nil, p)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.body, "that message may be fake") {
			t.Errorf("%s: the not-found page does not warn of fakes", p)
		}
	}
	wantStatus(t, b.get(nil, "/no/such/page"), http.StatusNotFound)
	r := b.get(nil, "/alerts/NOPE", "Accept-Language", "es")
	if !strings.Contains(r.text(), "ese mensaje puede ser falso") || r.Header.Get("Content-Language") != "es" {
		t.Error("the Spanish not-found page is not in Spanish")
	}
}

type apiAlert struct {
	Ref        string      `json:"ref"`
	Text       string      `json:"text"`
	TextES     string      `json:"text_es"`
	Confirmed  bool        `json:"confirmed"`
	AllClear   bool        `json:"all_clear"`
	Area       tocsin.Area `json:"area"`
	SentAt     time.Time   `json:"sent_at"`
	ValidUntil time.Time   `json:"valid_until"`
}

func TestPublicAlerts(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	r := b.get(nil, "/api/v1/alerts")
	wantStatus(t, r, http.StatusOK)
	if strings.TrimSpace(r.body) != `{"alerts":[]}` {
		t.Errorf("empty list: %q", r.body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}

	sent := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertSent, Confirmed: true,
		BodyEN: "Checkpoint at <b>Main</b> and 3rd.", BodyES: "Retén en Main y 3rd.", Area: tocsin.Area{ZIPs: []string{"90210"}},
		ReportIDs: []string{"r1"}, CreatedBy: "secret-operator-name", ApprovedBy: "another-operator", CreatedAt: t0, ApprovedAt: t0.Add(time.Minute),
		ValidUntil: t0.Add(2 * time.Hour), Recipients: 42, Sent: 40, Failed: 2}
	draft := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, BodyEN: "not yet public draft",
		Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "x", CreatedAt: t0, ValidUntil: t0.Add(time.Hour)}
	approved := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertApproved, BodyEN: "approved, not yet sending",
		Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "x", CreatedAt: t0, ValidUntil: t0.Add(time.Hour)}
	// The sent alert is in the transparency log, as the sender puts it.
	var err error
	if sent.Statement, err = trust.StatementOf(sent, nil, 50).Encode(); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*tocsin.Alert{sent, draft, approved} {
		if err := b.st.CreateAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	b.appendLog(sent.Statement)
	b.signCheckpoint()

	r = b.get(nil, "/api/v1/alerts")
	wantStatus(t, r, http.StatusOK)
	var out struct{ Alerts []apiAlert }
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Alerts) != 1 {
		t.Fatalf("%d public alerts, want only the sent one: %s", len(out.Alerts), r.body)
	}
	a := out.Alerts[0]
	if a.Ref != sent.Ref || a.Text != sent.Text(tocsin.English) || a.TextES != sent.Text(tocsin.Spanish) || !a.Confirmed || strings.Join(a.Area.ZIPs, ",") != "90210" ||
		!a.SentAt.Equal(sent.ApprovedAt) || !a.ValidUntil.Equal(sent.ValidUntil) {
		t.Errorf("public alert %+v", a)
	}
	for _, s := range []string{"secret-operator-name", "another-operator", "r1", sent.ID, `"recipients"`} {
		if strings.Contains(r.body, s) {
			t.Errorf("the public API shows %q", s)
		}
	}
	// In Spanish the text is the Spanish one.
	r = b.get(nil, "/api/v1/alerts", "Accept-Language", "es")
	out.Alerts = nil
	json.Unmarshal([]byte(r.body), &out)
	if len(out.Alerts) != 1 || out.Alerts[0].Text != sent.Text(tocsin.Spanish) {
		t.Errorf("Spanish API text: %s", r.body)
	}

	// The alert page and the home page show it; not the draft.
	for _, p := range []string{"/alerts/" + sent.Ref, "/alerts/" + strings.ToLower(sent.Ref), "/"} {
		r := b.get(nil, p)
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.body, "Ref "+sent.Ref) || !strings.Contains(r.body, "Checkpoint at &lt;b&gt;Main&lt;/b&gt; and 3rd.") {
			t.Errorf("%s does not show the alert (escaped)", p)
		}
		if strings.Contains(r.body, "<b>Main</b>") {
			t.Errorf("%s renders alert text as markup", p)
		}
		if strings.Contains(r.body, "not yet public draft") || strings.Contains(r.body, "secret-operator-name") {
			t.Errorf("%s shows what is not public", p)
		}
	}
	wantStatus(t, b.get(nil, "/alerts/"+draft.Ref), http.StatusNotFound)
	wantStatus(t, b.get(nil, "/alerts/"+approved.Ref), http.StatusNotFound)
	if r := b.get(nil, "/alerts/"+sent.Ref, "Accept-Language", "es"); !strings.Contains(r.body, "Retén en Main y 3rd.") {
		t.Error("the Spanish alert page does not show the Spanish text")
	}
}
