package web_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/trust"
)

// TestComposePreviewShowsEachTextAsSent: the composer's preview shows, per
// language, the exact text the statement holds (label, body, verification
// line), its encoding and segments, and how many subscribers receive it; the
// saved draft signs exactly those texts.
func TestComposePreviewShowsEachTextAsSent(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	p := b.zipPoint("90210")
	for i, lang := range []tocsin.Language{tocsin.English, tocsin.English, tocsin.Spanish} {
		s := &tocsin.Subscriber{PhoneHash: fmt.Appendf(nil, "h%d", i), Sealed: []byte("s"), Lang: lang, Active: true,
			Areas: []tocsin.SubscriberArea{{ZIP: "90210", Cell: geo.LeafCell(p), RadiusM: 2000}}, CreatedAt: t0, UpdatedAt: t0}
		if err := b.st.SaveSubscriber(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	oc := b.login("pru", "dispatcher")
	previewRE := regexp.MustCompile(`(?s)<div class="sms-preview" id="preview-(en|es)">.*?<span class="recipients">(\d+)</span>.*?<pre class="sms" lang="[a-z]+">(.*?)</pre>\s*<p class="small encoding">(.*?)</p>`)
	refs := map[string]string{} // reference code → the form's token
	type shown struct {
		recipients, text, encoding string
	}
	preview := func(v url.Values) (map[string]shown, string) {
		t.Helper()
		r := oc.post("/console/alerts/new", v)
		wantStatus(t, r, 200)
		out := map[string]shown{}
		for _, m := range previewRE.FindAllStringSubmatch(r.body, -1) {
			out[m[1]] = shown{m[2], html.UnescapeString(m[3]), html.UnescapeString(m[4])}
		}
		ref := regexp.MustCompile(`name="ref" value="(([A-Z0-9]+)\.[0-9a-f]+)"`).FindStringSubmatch(r.body)
		if ref == nil {
			t.Fatal("the preview carries no reference code")
		}
		refs[ref[2]] = ref[1]
		return out, ref[2]
	}

	t.Run("two languages", func(t *testing.T) {
		v := url.Values{"body_en": {"Checkpoint at Main and 3rd."}, "body_es": {"Retén en Main y 3rd."}, "zips": {"90210"}, "ttl": {"60"}, "confirmed": {"1"}, "action": {"preview"}}
		got, ref := preview(v)
		a := tocsin.Alert{Ref: ref, Confirmed: true, BodyEN: v.Get("body_en"), BodyES: v.Get("body_es"), VerifyURL: "http://tocsin.test/v/"}
		for _, tt := range []struct {
			lang       tocsin.Language
			recipients string
		}{{tocsin.English, "2"}, {tocsin.Spanish, "1"}} {
			want := a.Text(tt.lang)
			info := smstext.Analyze(want)
			s, ok := got[string(tt.lang)]
			if !ok {
				t.Fatalf("no %s text in the preview", tt.lang)
			}
			if s.text != want || s.recipients != tt.recipients {
				t.Errorf("%s preview: %q to %s, want %q to %s", tt.lang, s.text, s.recipients, want, tt.recipients)
			}
			if wantEnc := fmt.Sprintf("%s · %d segment(s)", info.Encoding, info.Segments); !regexp.MustCompile(regexp.QuoteMeta(wantEnc)).MatchString(s.encoding) {
				t.Errorf("%s encoding line %q, want %q", tt.lang, s.encoding, wantEnc)
			}
		}
		// Saving keeps the reference: the statement signs the previewed texts.
		v.Set("action", "save")
		v.Set("ref", refs[ref])
		wantRedirect(t, oc.post("/console/alerts/new", v), "/console/alerts")
		saved, err := b.st.GetAlertByRef(ctx, ref)
		if err != nil {
			t.Fatalf("no alert saved with the previewed reference %s: %v", ref, err)
		}
		st, err := trust.DecodeStatement(saved.Statement)
		if err != nil {
			t.Fatal(err)
		}
		for lang, text := range st.Texts {
			if got[lang].text != text {
				t.Errorf("signed %s text %q, previewed %q", lang, text, got[lang].text)
			}
		}
		// A reference already taken is not reused.
		v.Set("body_en", "Second alert.")
		wantRedirect(t, oc.post("/console/alerts/new", v), "/console/alerts")
		if as, _ := b.st.ListAlerts(ctx, nil, 10); len(as) != 2 || as[0].Ref == as[1].Ref {
			t.Errorf("two alerts share a reference: %+v", as)
		}
	})

	t.Run("a reference code the operator chose is not used", func(t *testing.T) {
		// A rogue operator gives an alert the code of a fake text already
		// going round, so that /v/CODE shows a genuine alert for it.
		token := refs[firstKey(refs)]
		for _, forged := range []string{"ACDEF3", "ACDEF3.", "ACDEF3." + strings.Repeat("0", 32), "ACDEF3" + token[tocsin.AlertRefLen:]} {
			v := url.Values{"body_en": {"Forged ref " + forged}, "zips": {"90210"}, "ttl": {"60"}, "action": {"save"}, "ref": {forged}}
			wantRedirect(t, oc.post("/console/alerts/new", v), "/console/alerts")
			if a, err := b.st.GetAlertByRef(ctx, "ACDEF3"); err == nil {
				t.Fatalf("the alert %q was saved with the chosen code ACDEF3", a.BodyEN)
			}
		}
	})

	t.Run("one language reaches everyone", func(t *testing.T) {
		got, _ := preview(url.Values{"body_en": {"All clear at Main and 3rd."}, "zips": {"90210"}, "ttl": {"60"}, "all_clear": {"1"}, "action": {"preview"}})
		if len(got) != 1 || got["en"].recipients != "3" {
			t.Errorf("preview %+v, want the English text to all 3", got)
		}
	})
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}
