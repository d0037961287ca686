package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An administrator publishes an incident notice; it is public at once in
// both languages, heads the home page for 30 days, and is in the audit
// trail. Markup in it is shown, not run; bad input gets a clear error and
// loses nothing typed; other roles cannot publish.
func TestIncidentNotice(t *testing.T) {
	b := setup(t)
	admin := b.login("ana", "admin")
	form := url.Values{
		"title_en": {"Fake texts about your information <b>"},
		"title_es": {"Mensajes falsos sobre su información"},
		"body_en":  {"Some subscribers got a text saying their information was sent to the authorities. We did not send it.\n\nCheck any text at /verify."},
		"body_es":  {"Algunos suscriptores recibieron un mensaje falso. No lo enviamos."},
	}
	r := admin.post("/console/notices", form)
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/notices/") {
		t.Fatalf("publish: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	loc := r.Header.Get("Location")

	page := b.get(nil, loc)
	wantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.body, "&lt;b&gt;") || strings.Contains(page.body, "<b>") {
		t.Error("markup in the title is not escaped")
	}
	if !strings.Contains(page.text(), "We did not send it.") || strings.Count(page.body, "<p>") < 2 {
		t.Error("the notice's paragraphs are not shown")
	}
	es := b.get(nil, "/notices", "Accept-Language", "es")
	if !strings.Contains(es.text(), "Mensajes falsos sobre su información") || !strings.Contains(es.text(), "No lo enviamos.") {
		t.Error("the Spanish notice is not shown to a Spanish reader")
	}
	home := b.get(nil, "/")
	if !strings.Contains(home.body, `id="incident-notice"`) || !strings.Contains(home.body, loc) {
		t.Error("the home page does not lead with the notice")
	}
	if strings.Contains(b.get(nil, "/notices/nothere").body, "Fake texts") {
		t.Error("an unknown notice id shows a notice")
	}

	// Bad input: a clear message, what was typed kept.
	bad := admin.post("/console/notices", url.Values{"title_en": {"Only a title"}, "body_en": {""}})
	wantStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.text(), "say what happened") || !strings.Contains(bad.body, `value="Only a title"`) {
		t.Errorf("empty text: %s", bad.text())
	}
	long := admin.post("/console/notices", url.Values{"title_en": {strings.Repeat("x", 121)}, "body_en": {"y"}})
	wantStatus(t, long, http.StatusBadRequest)

	// Only administrators publish.
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.post("/console/notices", form), http.StatusForbidden)
	if page := disp.get("/console/notices"); strings.Contains(page.body, `name="title_en"`) {
		t.Error("a dispatcher is offered the form")
	}
	trail := admin.get("/console/audit?q=notice.publish")
	if !strings.Contains(trail.text(), "notice.publish") {
		t.Error("the notice is not in the audit trail")
	}
	b.clock.Advance(31 * 24 * time.Hour)
	if strings.Contains(b.get(nil, "/").body, `id="incident-notice"`) {
		t.Error("a month-old notice still heads the home page")
	}
}

// The console's canaries page: administrators only; a canary key created
// there is shown once in the real keys' form; decoy hits are counted; no
// canary subscriber is shown (only the sender knows them).
func TestCanariesPage(t *testing.T) {
	b := setup(t)
	admin := b.login("ana", "admin")
	b.get(nil, "/.env")
	page := admin.get("/console/canaries")
	wantStatus(t, page, http.StatusOK)
	if !regexp.MustCompile(`<code>/.env</code></td><td>1</td>`).MatchString(page.body) {
		t.Error("the hit on /.env is not counted")
	}
	r := admin.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {"backup-job"}})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="new-canary-key">(tsk_[0-9A-Za-z]{40})<`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no canary key shown:\n%s", r.body)
	}
	if again := admin.get("/console/canaries"); strings.Contains(again.body, m[1]) {
		t.Error("the canary key is shown a second time")
	}
	wantStatus(t, admin.post("/console/canaries", url.Values{"kind": {"operator"}, "name": {"j.rivera"}}), http.StatusSeeOther)
	if !strings.Contains(admin.get("/console/canaries").body, "j.rivera") {
		t.Error("the canary account is not listed")
	}
	if r := admin.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {""}}); !strings.Contains(r.text(), "a key needs a name") {
		t.Error("a nameless key is not refused clearly")
	}
	disp := b.login("bo", "dispatcher")
	wantStatus(t, disp.get("/console/canaries"), http.StatusForbidden)
	wantStatus(t, disp.post("/console/canaries", url.Values{"kind": {"apikey"}, "name": {"x"}}), http.StatusForbidden)
}
