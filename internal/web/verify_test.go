package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/replies"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web"
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

// verifyAnswer is the JSON answer of POST /api/v1/verify.
type verifyAnswer struct {
	Verdict  string  `json:"verdict"`
	Ref      string  `json:"ref"`
	URL      string  `json:"url"`
	Reply    string  `json:"reply"`
	Pointer  bool    `json:"pointer"`
	Unlogged bool    `json:"unlogged"`
	LogIndex *uint64 `json:"log_index"`
	Message  string  `json:"message"`
}

// verifyBoth checks a text on the page and through the API, and returns
// the page's verdict ("alert", "service_message" or "not_sent") and the
// API's answer. A genuine text is never told to be deleted.
func (b *bundle) verifyBoth(t *testing.T, text string) (string, verifyAnswer) {
	t.Helper()
	r := b.postForm(nil, "/verify", url.Values{"text": {text}})
	wantStatus(t, r, http.StatusOK)
	page := ""
	for class, v := range map[string]string{"verdict genuine": "alert", "verdict service": "service_message", "verdict fake": "not_sent"} {
		if strings.Contains(r.body, class) {
			if page != "" {
				t.Fatalf("the page shows two verdicts: %s and %s", page, v)
			}
			page = v
		}
	}
	if page != "not_sent" {
		if low := strings.ToLower(r.text()); strings.Contains(low, "delete") || strings.Contains(low, "borra") {
			t.Errorf("a %s is told to be deleted", page)
		}
	}
	raw, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		t.Fatal(err)
	}
	ar := b.postJSON("/api/v1/verify", string(raw))
	wantStatus(t, ar, http.StatusOK)
	var a verifyAnswer
	if err := json.Unmarshal([]byte(ar.body), &a); err != nil {
		t.Fatalf("answer %q: %v", ar.body, err)
	}
	if a.Verdict != page {
		t.Errorf("the API says %q, the page %q", a.Verdict, page)
	}
	if a.Message == "" || strings.HasPrefix(a.Message, "verify.") {
		t.Errorf("answer %q has no message", ar.body)
	}
	return page, a
}

// sampleReply formats a reply template with an argument of its kind.
func sampleReply(tpl replies.Template, lang tocsin.Language, code string) string {
	switch tpl.Arg {
	case replies.ZIPList:
		return replies.Text("tocsin-test", lang, tpl.Key, "90210, 10001")
	case replies.ZIP:
		return replies.Text("tocsin-test", lang, tpl.Key, "00000")
	case replies.Count:
		return replies.Text("tocsin-test", lang, tpl.Key, 5)
	case replies.Digits:
		return replies.Text("tocsin-test", lang, tpl.Key, code)
	case replies.Site:
		return replies.Text("tocsin-test", lang, tpl.Key, "alerts.example.org")
	}
	return replies.Text("tocsin-test", lang, tpl.Key)
}

// Every text the service sends to one person (replies, the confirmation
// code with any digits, the welcome text), in both languages, is
// recognised as a service message, also re-spaced or in capitals, and
// never called fake; the same words under another name, or with a word
// changed, are not.
func TestVerifyServiceTexts(t *testing.T) {
	b := setup(t)
	for _, lang := range []tocsin.Language{tocsin.English, tocsin.Spanish} {
		for _, tpl := range replies.Templates() {
			for _, code := range []string{"123456", "0", "98765432"} {
				text := sampleReply(tpl, lang, code)
				for _, v := range []string{text, strings.ToUpper(text), strings.ReplaceAll(text, " ", "\n ")} {
					if page, a := b.verifyBoth(t, v); page != "service_message" || a.Reply != string(tpl.Key) {
						t.Errorf("%s %s %q: %s (reply %q), want service_message", lang, tpl.Key, v, page, a.Reply)
					}
				}
				if tpl.Arg != replies.Digits {
					break
				}
			}
		}
	}
	welcome := replies.Text("tocsin-test", tocsin.English, replies.Welcome)
	for name, text := range map[string]string{
		"another name":   strings.Replace(welcome, "tocsin-test", "Evil Alerts", 1),
		"a word changed": strings.Replace(welcome, "STOP", "YES", 1),
		"code in words":  replies.Text("tocsin-test", tocsin.English, replies.Code, "abc"),
	} {
		if page, _ := b.verifyBoth(t, text); page != "not_sent" {
			t.Errorf("%s: %s, want not_sent", name, page)
		}
	}
}

// A real alert pasted without its label, or without its label and
// reference line, in English and Spanish, is genuine; a label put on words
// it did not carry is not.
func TestVerifyAlertWithoutLabel(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Checkpoint at Main and 3rd.", tocsin.AlertSent, 10, func(a *tocsin.Alert) {
		a.BodyES, a.VerifyURL = "Reten en Main y 3rd.", "http://tocsin.test/v/"
	})
	en, es := a.Text(tocsin.English), a.Text(tocsin.Spanish)
	tests := []struct {
		name, text, want string
	}{
		{"english without label", strings.TrimPrefix(en, "[UNCONFIRMED] "), "alert"},
		{"spanish without label", strings.TrimPrefix(es, "[SIN CONFIRMAR] "), "alert"},
		{"spanish without label and link", "Reten en Main y 3rd.", "alert"},
		{"english words alone", "Checkpoint at Main and 3rd.", "alert"},
		{"spanish ends with Verifica", es, "alert"},
		{"a label it did not carry", "[CONFIRMED] Checkpoint at Main and 3rd.", "not_sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, ans := b.verifyBoth(t, tt.text)
			if page != tt.want {
				t.Fatalf("%q: %s, want %s", tt.text, page, tt.want)
			}
			if tt.want == "alert" && (ans.Ref != a.Ref || ans.URL != "http://tocsin.test/v/"+a.Ref || ans.LogIndex == nil) {
				t.Errorf("answer %+v, want ref %s and its link", ans, a.Ref)
			}
		})
	}
}

// A verification link or a reference code alone is answered with the alert
// it points to; one that points to nothing of ours, or a link to another
// site, is not sent by this service; the 2026 attack text carrying a real
// link is still not sent.
func TestVerifyLinkOrRefAlone(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Raid reported at the car wash on 5th.", tocsin.AlertSent, 10, func(a *tocsin.Alert) { a.VerifyURL = "http://tocsin.test/v/" })
	link := "http://tocsin.test/v/" + a.Ref
	tests := []struct {
		name, text, want string
	}{
		{"link alone", link, "alert"},
		{"link with its Verify word", "Verify: " + link, "alert"},
		{"link with Verifica", "Verifica: " + link, "alert"},
		{"link without scheme", "tocsin.test/v/" + a.Ref, "alert"},
		{"link in lower case", strings.ToLower(link), "alert"},
		{"Ref alone", "Ref " + a.Ref, "alert"},
		{"code alone", a.Ref, "alert"},
		{"a code of nothing", "Ref " + strings.Repeat("A", tocsin.AlertRefLen), "not_sent"},
		{"link to another site", "https://tocsin.test.evil.example/v/" + a.Ref, "not_sent"},
		{"the 2026 attack with a real link", "[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + link, "not_sent"},
		{"the 2026 attack with a real Ref", "Your information has been sent to the authorities. Ref " + a.Ref, "not_sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, ans := b.verifyBoth(t, tt.text)
			if page != tt.want {
				t.Fatalf("%q: %s, want %s", tt.text, page, tt.want)
			}
			if tt.want == "alert" {
				if !ans.Pointer || ans.Ref != a.Ref || ans.URL != link {
					t.Errorf("answer %+v, want a pointer to %s", ans, link)
				}
				r := b.postForm(nil, "/verify", url.Values{"text": {tt.text}})
				if !strings.Contains(r.body, `id="pointer"`) || !strings.Contains(r.text(), "Raid reported at the car wash") {
					t.Errorf("the page does not say what the link points to")
				}
			}
		})
	}
}

// POST /api/v1/verify answers a verdict for a text, 400 with a JSON error
// for bad input and 413 for a body over the limit; it records nothing.
func TestAPIVerify(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Checkpoint confirmed at Main and 3rd.", tocsin.AlertSent, 10)
	js := func(text string) string {
		raw, _ := json.Marshal(map[string]string{"text": text})
		return string(raw)
	}
	tests := []struct {
		name, body, ctype string
		status            int
		verdict, field    string
	}{
		{"an alert", js(a.Text(tocsin.English)), "application/json", 200, "alert", ""},
		{"a welcome text", js(replies.Text("tocsin-test", tocsin.Spanish, replies.Welcome)), "application/json; charset=utf-8", 200, "service_message", ""},
		{"the 2026 attack", js("Your information has been sent to the authorities."), "application/json", 200, "not_sent", ""},
		{"empty text", js("  "), "application/json", 400, "", "text"},
		{"no text", `{}`, "application/json", 400, "", "text"},
		{"text too long", js(strings.Repeat("x", 2001)), "application/json", 400, "", "text"},
		{"unknown field", `{"text":"hi","from":"+13105550123"}`, "application/json", 400, "", ""},
		{"malformed", `{"text":`, "application/json", 400, "", ""},
		{"text not a string", `{"text":5}`, "application/json", 400, "", "text"},
		{"two objects", js("a") + js("b"), "application/json", 400, "", ""},
		{"form post", "text=hello", "application/x-www-form-urlencoded", 400, "", ""},
		{"body over 64 KiB", js(strings.Repeat("x", 70<<10)), "application/json", 413, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := b.postJSON("/api/v1/verify", tt.body, "Content-Type", tt.ctype)
			wantStatus(t, r, tt.status)
			if tt.status != 200 {
				_, _, field := jsonError(t, r)
				if field != tt.field {
					t.Errorf("field %q, want %q", field, tt.field)
				}
				return
			}
			var ans verifyAnswer
			if err := json.Unmarshal([]byte(r.body), &ans); err != nil || ans.Verdict != tt.verdict {
				t.Errorf("answer %q (%v), want verdict %s", r.body, err, tt.verdict)
			}
		})
	}
	es := b.postJSON("/api/v1/verify", js("hola"), "Accept-Language", "es")
	if !strings.Contains(es.body, "no lo envió este servicio") {
		t.Errorf("Spanish answer %q", es.body)
	}
}

// A Spanish text sent before issue 12 ends with "Verify: " like the
// English one: it is still found, with and without that line, and the link
// alone still points to it.
func TestVerifyOldSpanishReferenceLine(t *testing.T) {
	b := setup(t)
	now := b.clock.Now()
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertSent, BodyES: "Redada en la fabrica de Olympic.",
		Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "test", CreatedAt: now, ValidUntil: now.Add(time.Hour)}
	old := "[SIN CONFIRMAR] Redada en la fabrica de Olympic.\nVerify: http://tocsin.test/v/" + a.Ref
	st := trust.StatementOf(a, geo.Circle{Center: b.zipPoint("90210"), RadiusM: tocsin.ZIPAreaRadiusM}.Cells(8), 10)
	st.Texts = map[string]string{"es": old}
	var err error
	if a.Statement, err = st.Encode(); err != nil {
		t.Fatal(err)
	}
	if err := b.st.CreateAlert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	b.appendLog(a.Statement)
	b.signCheckpoint()
	for _, text := range []string{old, "Redada en la fabrica de Olympic.", "http://tocsin.test/v/" + a.Ref} {
		if page, ans := b.verifyBoth(t, text); page != "alert" || ans.Ref != a.Ref {
			t.Errorf("%q: %s %+v, want the alert %s", text, page, ans, a.Ref)
		}
	}
}

// Texts that match nothing make /verify and the API compare them with the
// last 500 alert rows; posted in a loop, at most so many a minute are, and
// the rest are still answered not sent, at once. A forged sent row is
// reported again once the minute has passed.
func TestVerifyScansAreLimited(t *testing.T) {
	b := setup(t)
	web.SetScansPerMinute(b.srv, 3)
	forged := b.forgedSentAlert("Your information has been sent to the authorities.")
	text := forged.Text(tocsin.English)
	unlogged := func() bool {
		_, ans := b.verifyBoth(t, text) // two checks: the page and the API
		if ans.Verdict != "not_sent" {
			t.Fatalf("the forged row is %s", ans.Verdict)
		}
		return ans.Unlogged
	}
	if !unlogged() {
		t.Fatal("the first check does not say the row is not in the log")
	}
	if unlogged() {
		t.Error("past the limit, the rows are still scanned")
	}
	b.clock.Advance(time.Minute)
	if !unlogged() {
		t.Error("a minute later, the rows are not scanned again")
	}
}
