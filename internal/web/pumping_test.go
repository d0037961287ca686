package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/web"
)

// TestSubscribeRefusesPumping plays the SMS-pumping attacker at the form:
// foreign, premium-rate and toll-free numbers are refused with a message in
// the person's language; nothing is sealed or queued, the sender is not
// woken, and no sign-up row is written.
func TestSubscribeRefusesPumping(t *testing.T) {
	b := setup(t)
	tests := []struct {
		number, lang, want string
	}{
		{"+2348031234567", "en", "This service only texts numbers in the US and its territories."},
		{"+234 803 123 4567", "es", "Este servicio solo envía mensajes a números de Estados Unidos y sus territorios."},
		{"+44 7911 123456", "en", "only texts numbers in the US and its territories"},
		{"+1 809 555 0123", "en", "only texts numbers in the US and its territories"}, // Dominican Republic
		{"+19005550123", "en", "We cannot text this kind of number"},                  // premium rate
		{"(900) 555-0123", "es", "No podemos enviar mensajes a este tipo de número"},
		{"+18005550123", "en", "We cannot text this kind of number"}, // toll free
		{"+15005550123", "en", "We cannot text this kind of number"}, // personal communications
	}
	for _, tt := range tests {
		t.Run(tt.number+" "+tt.lang, func(t *testing.T) {
			r := b.postForm(nil, "/subscribe", signupForm(func(v url.Values) { v.Set("phone", tt.number) }), "Accept-Language", tt.lang)
			wantStatus(t, r, http.StatusBadRequest)
			text := r.text()
			if !strings.Contains(text, `<p class="field-error">`) || !strings.Contains(text, tt.want) {
				t.Fatalf("page does not show %q", tt.want)
			}
			if i, j := strings.Index(text, `name="phone"`), strings.Index(text, tt.want); i < 0 || j < i {
				t.Errorf("the message is not after the phone field")
			}
		})
	}
	if n, _ := b.st.CountSignupsSince(context.Background(), t0.Add(-time.Hour)); n != 0 {
		t.Errorf("%d sign-ups stored for refused numbers", n)
	}
	if b.wakes.Load() != 0 {
		t.Errorf("the sender was woken %d times for refused numbers", b.wakes.Load())
	}
	if db := b.dbBytes(); bytes.Contains(db, []byte("8031234567")) || bytes.Contains(db, []byte("9005550123")) {
		t.Error("a refused number is in the database file")
	}
	// A Puerto Rico mobile number is welcome.
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "(787) 555-0123") }))
}

// TestSubscribePolicyConfigured: an administrator who enables other
// countries is named in the refusal, and their numbers are taken.
func TestSubscribePolicyConfigured(t *testing.T) {
	pol, err := phone.ParsePolicy("US,CA")
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, func(c *web.Config) { c.SMSPolicy = pol })
	r := b.postForm(nil, "/subscribe", signupForm(func(v url.Values) { v.Set("phone", "+17875550123") }))
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "only texts numbers in CA, US.") {
		t.Errorf("the refusal does not name the enabled countries")
	}
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "+1 416 555 0123") }))
}
