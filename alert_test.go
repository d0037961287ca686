package tocsin_test

import (
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
)

// Each text ends with its verification line in its own language: a Spanish
// alert does not end with the English word "Verify:".
func TestAlertTextReference(t *testing.T) {
	a := tocsin.Alert{Ref: "ACDEF3", Confirmed: true, BodyEN: "Checkpoint at Main St.", BodyES: "Reten en Main St.", VerifyURL: "https://alerts.example.org/v/"}
	tests := []struct {
		name string
		a    tocsin.Alert
		lang tocsin.Language
		want string
	}{
		{"english link", a, tocsin.English, "[CONFIRMED] Checkpoint at Main St.\nVerify: https://alerts.example.org/v/ACDEF3"},
		{"spanish link", a, tocsin.Spanish, "[CONFIRMADO] Reten en Main St.\nVerifica: https://alerts.example.org/v/ACDEF3"},
		{"no public URL", tocsin.Alert{Ref: a.Ref, BodyES: a.BodyES}, tocsin.Spanish, "[SIN CONFIRMAR] Reten en Main St.\nRef ACDEF3"},
		{"spanish falls back to english", tocsin.Alert{Ref: a.Ref, BodyEN: a.BodyEN, VerifyURL: a.VerifyURL}, tocsin.Spanish, "[UNCONFIRMED] Checkpoint at Main St.\nVerify: https://alerts.example.org/v/ACDEF3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Text(tt.lang); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if tt.lang == tocsin.Spanish && tt.a.BodyES != "" && strings.Contains(tt.a.Text(tt.lang), "Verify:") {
				t.Errorf("a Spanish text ends with the English word Verify:")
			}
		})
	}
}
