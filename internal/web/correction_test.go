package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust"
)

// TestCorrectionPage: the page of a correction the sender drafted and
// operators signed (its text's link leads there) calls it a correction,
// not an unconfirmed alert, in English and Spanish, and leads to /verify
// to check any other text.
func TestCorrectionPage(t *testing.T) {
	b := setup(t)
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertSent, Correction: true,
		BodyEN: "tocsin: a text that began \"Your information...\" did NOT come from us.", BodyES: "tocsin: un mensaje que empezaba \"Your information...\" NO vino de nosotros.",
		Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "sender", CreatedAt: t0, ApprovedAt: t0.Add(time.Minute), ValidUntil: t0.Add(24 * time.Hour)}
	var err error
	if a.Statement, err = trust.StatementOf(a, nil, 50).Encode(); err != nil {
		t.Fatal(err)
	}
	if err := b.st.CreateAlert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	b.appendLog(a.Statement)
	b.signCheckpoint()
	for _, tt := range []struct{ lang, label, tag, link string }{
		{"en", "[CORRECTION]", "Correction: texts in our name that we did not send", "Another text claims to come from us? Check it here."},
		{"es", "[CORRECCION]", "Corrección: mensajes en nuestro nombre que no enviamos", "¿Otro mensaje dice venir de nosotros? Verifícalo aquí."},
	} {
		for _, p := range []string{"/v/" + a.Ref, "/"} {
			r := b.get(nil, p, "Accept-Language", tt.lang)
			wantStatus(t, r, http.StatusOK)
			text := r.text()
			if !strings.Contains(text, tt.label) || !strings.Contains(text, tt.tag) {
				t.Errorf("%s (%s) does not call the correction one (%q, %q):\n%.2000s", p, tt.lang, tt.label, tt.tag, text)
			}
			if strings.Contains(text, "Unconfirmed") || strings.Contains(text, "Sin confirmar") {
				t.Errorf("%s (%s) calls the correction unconfirmed", p, tt.lang)
			}
			if p != "/" && (!strings.Contains(text, tt.link) || !strings.Contains(r.body, `<a href="/verify">`)) {
				t.Errorf("%s (%s) does not lead to /verify", p, tt.lang)
			}
		}
	}
}
