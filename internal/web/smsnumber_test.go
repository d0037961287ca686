package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/web"
)

// withSMSNumbers sets the service's public numbers (--sms-number).
func withSMSNumbers(t *testing.T, list string) func(*web.Config) {
	t.Helper()
	ns, err := phone.ParsePublicList(list)
	if err != nil {
		t.Fatal(err)
	}
	return func(c *web.Config) { c.SMSNumbers = ns }
}

// TestSMSNumberOnPages: every page that tells people to text a keyword
// shows the service's number, as people write it, in a link that opens a
// text to it with the keyword typed (sms:+1…?&body=, the body
// percent-encoded; in the attribute, + is written &#43; and & &amp;, which
// the browser reads back), in English and Spanish. The sign-up pages
// tell everyone to text START first if they ever texted STOP.
func TestSMSNumberOnPages(t *testing.T) {
	b := setup(t, withSMSNumbers(t, "+13105550100,+13105550101"))
	id := b.signup(signupForm(nil))
	tests := []struct {
		path, lang string
		want       []string // in the raw HTML
	}{
		{"/", "en", []string{
			`to <a class="sms" href="sms:&#43;13105550100?&amp;body=JOIN%20">(310) 555-0100</a> or <a class="sms" href="sms:&#43;13105550101?&amp;body=JOIN%20">(310) 555-0101</a>. Text STOP`,
		}},
		{"/", "es", []string{
			`al <a class="sms" href="sms:&#43;13105550100?&amp;body=ALTA%20">(310) 555-0100</a> o <a class="sms" href="sms:&#43;13105550101?&amp;body=ALTA%20">(310) 555-0101</a>. Envía ALTO`,
		}},
		{"/subscribe", "en", []string{
			`href="sms:&#43;13105550100?&amp;body=JOIN%20"`,
			`until you text START to <a class="sms" href="sms:&#43;13105550100?&amp;body=START">(310) 555-0100</a>`,
		}},
		{"/subscribe", "es", []string{
			`href="sms:&#43;13105550101?&amp;body=ALTA%20"`,
			`hasta que envíes START al <a class="sms" href="sms:&#43;13105550100?&amp;body=START">`,
		}},
		{"/subscribe/" + id, "en", []string{
			`If you ever texted STOP to our number, we cannot text you until you opt back in: text START to <a class="sms" href="sms:&#43;13105550100?&amp;body=START">(310) 555-0100</a> or <a class="sms" href="sms:&#43;13105550101?&amp;body=START">(310) 555-0101</a>, then sign up again.`,
		}},
		{"/subscribe/" + id, "es", []string{
			`envía START al <a class="sms" href="sms:&#43;13105550100?&amp;body=START">(310) 555-0100</a> o <a class="sms" href="sms:&#43;13105550101?&amp;body=START">(310) 555-0101</a> y luego suscríbete de nuevo.`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.lang, func(t *testing.T) {
			r := b.get(nil, tt.path, "Accept-Language", tt.lang)
			wantStatus(t, r, http.StatusOK)
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks\n%s\n--- page:\n%s", w, r.body)
				}
			}
			if strings.Contains(r.body, "ZgotmplZ") || strings.Contains(r.body, "our number.") {
				t.Error("a link was refused by the template, or the page still says only \"our number\"")
			}
		})
	}
}

// TestSMSNumberUnset: without --sms-number the pages still say what to do,
// with "our number" and no link.
func TestSMSNumberUnset(t *testing.T) {
	b := setup(t)
	id := b.signup(signupForm(nil))
	for path, want := range map[string]string{
		"/":                "to our number. Text STOP",
		"/subscribe":       "until you text START to our number.",
		"/subscribe/" + id: "text START to our number, then sign up again.",
	} {
		r := b.get(nil, path, "Accept-Language", "en")
		wantStatus(t, r, http.StatusOK)
		if !strings.Contains(r.text(), want) {
			t.Errorf("%s lacks %q", path, want)
		}
		if strings.Contains(r.body, "sms:") {
			t.Errorf("%s links to a number that is not set", path)
		}
	}
}
