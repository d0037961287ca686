package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/web"
)

const testNumber = "+13105550123"

func signupForm(mod func(url.Values)) url.Values {
	v := url.Values{"phone": {"(310) 555-0123"}, "zips": {"90210"}, "lang": {"es"}}
	if mod != nil {
		mod(v)
	}
	return v
}

// signup posts a good sign-up and returns its id.
func (b *bundle) signup(v url.Values) string {
	b.t.Helper()
	r := b.postForm(nil, "/subscribe", v)
	wantStatus(b.t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/subscribe/")
	if !ok || id == "" || strings.Contains(id, "/") {
		b.t.Fatalf("Location %q, want /subscribe/{id}", loc)
	}
	return id
}

// signupCode opens the sealed sign-up with the sender's key, as only the
// sender can, and returns the number and the code.
func (b *bundle) signupCode(id string) (phone.Number, string) {
	b.t.Helper()
	su, err := b.st.GetSignup(context.Background(), id)
	if err != nil {
		b.t.Fatal(err)
	}
	data, err := b.keys.OpenData(su.Sealed)
	if err != nil {
		b.t.Fatalf("OpenData: %v", err)
	}
	n, code, err := phone.ParseSignup(data)
	if err != nil {
		b.t.Fatalf("ParseSignup: %v", err)
	}
	return n, code
}

func TestSubscribeInvalid(t *testing.T) {
	b := setup(t)
	var six []string
	for _, z := range b.zips.All() {
		six = append(six, z.ZIP)
		if len(six) == 6 {
			break
		}
	}
	tests := []struct {
		name  string
		form  url.Values
		want  string
		field string // the form field whose message is shown
	}{
		{"bad phone", signupForm(func(v url.Values) { v.Set("phone", "12345") }), "not a phone number we can text", "phone"},
		{"letters in phone", signupForm(func(v url.Values) { v.Set("phone", "1-800-FLOWERS") }), "not a phone number we can text", "phone"},
		{"no phone", signupForm(func(v url.Values) { v.Del("phone") }), "not a phone number we can text", "phone"},
		{"no ZIP", signupForm(func(v url.Values) { v.Del("zips") }), "give at least one ZIP code", "zips"},
		{"bad ZIP", signupForm(func(v url.Values) { v.Set("zips", "9021") }), "is not a ZIP code", "zips"},
		{"unknown ZIP", signupForm(func(v url.Values) { v.Set("zips", "00000") }), "ZIP code 00000 is not known", "zips"},
		{"too many ZIPs", signupForm(func(v url.Values) { v.Set("zips", strings.Join(six, " ")) }), "at most 5 ZIP codes", "zips"},
		{"radius not a number", signupForm(func(v url.Values) {
			v.Del("zips")
			v.Set("lat", "34.05")
			v.Set("lon", "-118.24")
			v.Set("radius", "far")
		}), "radius in metres as numbers", "radius"},
		{"radius too large", signupForm(func(v url.Values) {
			v.Del("zips")
			v.Set("lat", "34.05")
			v.Set("lon", "-118.24")
			v.Set("radius", "20000")
		}), "at most 10 km", "radius"},
		{"radius too small", signupForm(func(v url.Values) {
			v.Del("zips")
			v.Set("lat", "34.05")
			v.Set("lon", "-118.24")
			v.Set("radius", "5")
		}), "the radius must be between", "zips"},
		{"lat out of range", signupForm(func(v url.Values) {
			v.Del("zips")
			v.Set("lat", "134.05")
			v.Set("lon", "-118.24")
			v.Set("radius", "2000")
		}), "latitude must be between", "zips"},
		{"bad lang", signupForm(func(v url.Values) { v.Set("lang", "fr") }), "choose English or Spanish", "lang"},
		{"no lang", signupForm(func(v url.Values) { v.Del("lang") }), "choose English or Spanish", "lang"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postForm(nil, "/subscribe", tt.form)
			wantStatus(t, r, http.StatusBadRequest)
			text := r.text()
			if !strings.Contains(text, `<p class="field-error">`+""+"") || !strings.Contains(text, tt.want) {
				t.Errorf("page does not show the inline message %q", tt.want)
			}
			// The message sits right after its field.
			i := strings.Index(text, `name="`+tt.field+`"`)
			j := strings.Index(text, tt.want)
			if i < 0 || j < i {
				t.Errorf("message %q is not after field %q", tt.want, tt.field)
			}
		})
	}
	if n, _ := b.st.CountSignupsSince(context.Background(), t0.Add(-time.Hour)); n != 0 {
		t.Errorf("%d sign-ups stored from invalid forms", n)
	}
	if b.wakes.Load() != 0 {
		t.Errorf("the sender was woken %d times for invalid forms", b.wakes.Load())
	}
}

func TestSubscribeSuccessAndConfirm(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	id := b.signup(signupForm(func(v url.Values) { v.Set("zips", "90210, 90210;90211") }))
	if b.wakes.Load() != 1 {
		t.Errorf("sender woken %d times, want 1", b.wakes.Load())
	}
	su, err := b.st.GetSignup(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if su.State != tocsin.SignupPending || su.Lang != tocsin.Spanish || strings.Join(su.Area.ZIPs, ",") != "90210,90211" || su.Attempts != 0 {
		t.Errorf("stored sign-up %+v", su)
	}
	if !su.ExpiresAt.Equal(t0.Add(tocsin.SignupTTL)) {
		t.Errorf("expires at %v", su.ExpiresAt)
	}
	n, code := b.signupCode(id)
	if n.E164() != testNumber {
		t.Errorf("sealed number %v", n)
	}
	db := b.dbBytes()
	for _, s := range []string{testNumber, "3105550123", code} {
		if strings.Contains(string(db), s) {
			t.Errorf("the database files contain %q in the clear", s)
		}
	}

	page := b.get(nil, "/subscribe/"+id)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, `action="/subscribe/`+id+`"`) {
		t.Error("confirm page has no code form")
	}
	wantStatus(t, b.get(nil, "/subscribe/NOPE"), http.StatusNotFound)
	wantStatus(t, b.postForm(nil, "/subscribe/NOPE", url.Values{"code": {code}}), http.StatusNotFound)

	wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1_000_000)
	r := b.postForm(nil, "/subscribe/"+id, url.Values{"code": {wrong}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "that code is not right") {
		t.Error("wrong code: no message")
	}
	if su, _ := b.st.GetSignup(ctx, id); su.Attempts != 1 || su.State != tocsin.SignupPending {
		t.Errorf("after a wrong code: attempts %d state %s", su.Attempts, su.State)
	}

	r = b.postForm(nil, "/subscribe/"+id, url.Values{"code": {" " + code + " "}})
	wantRedirect(t, r, "/subscribe/"+id)
	if su, _ := b.st.GetSignup(ctx, id); su.State != tocsin.SignupConfirmed {
		t.Errorf("after the right code: state %s", su.State)
	}
	if b.wakes.Load() != 2 {
		t.Errorf("sender woken %d times, want 2", b.wakes.Load())
	}
	page = b.get(nil, "/subscribe/"+id)
	if !strings.Contains(page.body, "suscrito") && !strings.Contains(page.body, "You are subscribed") {
		t.Error("confirm page does not say the sign-up is done")
	}
	// A confirmed sign-up takes no more codes.
	r = b.postForm(nil, "/subscribe/"+id, url.Values{"code": {code}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "expired") {
		t.Error("a confirmed sign-up accepted a second code")
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestSubscribeConfirmAttemptsLimit(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	id := b.signup(signupForm(nil))
	_, code := b.signupCode(id)
	wrong := fmt.Sprintf("%06d", (atoi(code)+500_000)%1_000_000)
	for i := 1; i <= tocsin.SignupMaxAttempts; i++ {
		r := b.postForm(nil, "/subscribe/"+id, url.Values{"code": {wrong}})
		wantStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.text(), "not right") {
			t.Fatalf("attempt %d: %q", i, r.text())
		}
		su, err := b.st.GetSignup(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if su.Attempts != i {
			t.Fatalf("after %d wrong codes attempts = %d", i, su.Attempts)
		}
	}
	// Now even the right code is refused.
	r := b.postForm(nil, "/subscribe/"+id, url.Values{"code": {code}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "expired") {
		t.Errorf("sixth attempt: %q", r.text())
	}
	if su, _ := b.st.GetSignup(ctx, id); su.State == tocsin.SignupConfirmed {
		t.Error("the sign-up was confirmed after too many attempts")
	}
}

func TestSubscribeConfirmExpired(t *testing.T) {
	b := setup(t)
	id := b.signup(signupForm(nil))
	_, code := b.signupCode(id)
	b.clock.Advance(tocsin.SignupTTL + time.Second)
	r := b.postForm(nil, "/subscribe/"+id, url.Values{"code": {code}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "expired") {
		t.Errorf("expired sign-up: %q", r.text())
	}
}

func TestSubscribeGlobalLimit(t *testing.T) {
	b := setup(t, func(c *web.Config) { c.Limits.SignupsPerHour = 2; c.Limits.PoWMaxNumber = -1 }, withSMSNumbers(t, "+13105550100"))
	b.signup(signupForm(nil))
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "310-555-0124") }))
	r := b.postForm(nil, "/subscribe", signupForm(func(v url.Values) { v.Set("phone", "310-555-0125") }))
	wantStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.text(), "too many people are signing up") {
		t.Errorf("429 page does not say why: %.500s", r.text())
	}
	if !strings.Contains(r.text(), "text JOIN and your ZIP code to (310) 555-0100") {
		t.Errorf("429 page does not say which number to text: %.500s", r.text())
	}
	// An hour later sign-ups are taken again.
	b.clock.Advance(time.Hour + time.Minute)
	b.signup(signupForm(func(v url.Values) { v.Set("phone", "310-555-0125") }))
}

// The answer is the same for every number: the form tells nobody who is
// subscribed.
func TestSubscribeSameAnswerForAnyNumber(t *testing.T) {
	b := setup(t)
	id1 := b.signup(signupForm(nil))
	id2 := b.signup(signupForm(nil))
	if id1 == id2 {
		t.Error("two sign-ups share an id")
	}
	p1, p2 := b.get(nil, "/subscribe/"+id1), b.get(nil, "/subscribe/"+id2)
	if strings.ReplaceAll(p1.body, id1, "ID") != strings.ReplaceAll(p2.body, id2, "ID") {
		t.Error("confirm pages differ for the same number")
	}
	if strings.Contains(p1.body, "0123") {
		t.Error("the confirm page shows the number")
	}
}
