package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
)

// The check page tells a genuine alert from a fake, allowing for what
// phones do to text, in English and Spanish.
func TestVerifyPage(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Checkpoint confirmed at Main and 3rd. Don't drive through.", tocsin.AlertSent, 10)
	draft := b.storedAlert("A draft nobody approved.", tocsin.AlertDraft, 10)
	sent := a.Text(tocsin.English)
	tests := []struct {
		name, text string
		genuine    bool
	}{
		{"exactly as sent", sent, true},
		{"line breaks and spaces changed", strings.ReplaceAll(sent, " ", "\n  "), true},
		{"typographic apostrophe", strings.ReplaceAll(sent, "'", "’"), true},
		{"reference line lost", strings.TrimSuffix(sent, "\nRef "+a.Ref), true},
		{"case changed", strings.ToUpper(sent), true},
		{"the 2026 attack", "[CONFIRMED] Your information has been sent to the authorities.\nRef " + a.Ref, false},
		{"the 2026 attack in Spanish", "Tu información fue enviada a las autoridades.", false},
		{"a real alert with a word changed", strings.Replace(sent, "Main", "Maple", 1), false},
		{"a draft never sent", draft.Text(tocsin.English), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postForm(nil, "/verify", url.Values{"text": {tt.text}})
			wantStatus(t, r, http.StatusOK)
			genuine := strings.Contains(r.body, "verdict genuine")
			fake := strings.Contains(r.text(), "This message was not sent by this service.") && strings.Contains(r.text(), "Este mensaje no lo envió este servicio.")
			if genuine != tt.genuine || fake == tt.genuine {
				t.Errorf("genuine %v, fake notice %v; want genuine %v", genuine, fake, tt.genuine)
			}
		})
	}
	wantStatus(t, b.postForm(nil, "/verify", url.Values{"text": {"  "}}), http.StatusBadRequest)
	wantStatus(t, b.postForm(nil, "/verify", url.Values{"text": {strings.Repeat("x", 2001)}}), http.StatusBadRequest)
	wantStatus(t, b.get(nil, "/verify", "Accept-Language", "es"), http.StatusOK)
}
