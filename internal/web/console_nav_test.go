package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/web"
)

// consoleLinks are the console's navigation, each with the role that
// sees it: "" for every role.
var consoleLinks = []struct{ href, minRole string }{
	{`href="/console"`, ""},
	{`href="/console/alerts"`, ""},
	{`href="/console/alerts/new"`, "dispatcher"},
	{`href="/console/security"`, ""},
	{`href="/console/audit"`, ""},
	{`href="/console/canaries"`, "admin"},
	{`href="/console/notices"`, ""},
	{`action="/console/logout"`, ""},
}

// navOf is the console navigation of a page, "" when it has none.
func navOf(body string) string {
	i := strings.Index(body, `id="console-nav"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</nav>")
	return body[i : i+j]
}

// Every console page carries the same navigation, showing each role only
// the screens it may use.
func TestConsoleNavigationOnEveryPage(t *testing.T) {
	b := setupSigned(t)
	pages := []string{"/console", "/console/alerts", "/console/alerts/new", "/console/security", "/console/audit", "/console/canaries", "/console/notices", "/console/freeze"}
	for _, role := range []string{"admin", "dispatcher", "viewer"} {
		oc := b.login("op-"+role, role)
		for _, path := range pages {
			r := oc.get(path)
			nav := navOf(r.body)
			if nav == "" {
				t.Errorf("%s: %s (status %d) has no console navigation", role, path, r.StatusCode)
				continue
			}
			for _, l := range consoleLinks {
				want := l.minRole == "" || l.minRole == role || (l.minRole == "dispatcher" && role == "admin")
				if got := strings.Contains(nav, l.href); got != want {
					t.Errorf("%s on %s: link %s shown %v, want %v", role, path, l.href, got, want)
				}
			}
		}
	}
}

// A viewer is offered no triage button, no compose button and no freeze;
// what it tries anyway is refused with a console page in its language.
func TestViewerSeesOnlyWhatItMayDo(t *testing.T) {
	b := setupSigned(t)
	id := b.createReport(`{"category":"raid","description":"vans","zip":"90210"}`)
	viewer := b.login("vic", "viewer")
	disp := b.login("ned", "dispatcher")

	queue := viewer.get("/console")
	wantStatus(t, queue, http.StatusOK)
	for _, hidden := range []string{`/console/reports/` + id + `/state`, `form="compose-from">`} {
		if strings.Contains(queue.body, hidden) {
			t.Errorf("the viewer's queue offers %s", hidden)
		}
	}
	if q := disp.get("/console"); !strings.Contains(q.body, `/console/reports/`+id+`/state`) || !strings.Contains(q.body, `form="compose-from">`) {
		t.Error("the dispatcher's queue lacks the triage or compose buttons")
	}
	if sec := viewer.get("/console/security"); strings.Contains(sec.body, `id="freeze-button"`) || strings.Contains(sec.body, `action="/console/freeze"`) {
		t.Error("the viewer's security page offers the freeze")
	}
	if sec := disp.get("/console/security"); !strings.Contains(sec.body, `id="freeze-button"`) {
		t.Error("the dispatcher's security page lacks the freeze")
	}

	tests := []struct {
		name, method, path string
		lang, want         string
	}{
		{"triage", "POST", "/console/reports/" + id + "/state", "en", "Only dispatchers and administrators can change reports."},
		{"triage in Spanish", "POST", "/console/reports/" + id + "/state", "es", "Solo despachadores y administradores pueden cambiar reportes."},
		{"compose form", "GET", "/console/alerts/new", "en", "Only dispatchers and administrators can compose alerts."},
		{"compose", "POST", "/console/alerts/new", "en", "Only dispatchers and administrators can compose alerts."},
		{"freeze form", "GET", "/console/freeze", "en", "Only dispatchers and administrators can freeze messaging."},
		{"freeze", "POST", "/console/freeze", "es", "Solo despachadores y administradores pueden congelar el envío."},
		{"canaries", "GET", "/console/canaries", "en", "Only an administrator can do this."},
		{"notice", "POST", "/console/notices", "en", "Only an administrator can do this."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resp
			if tt.method == "GET" {
				r = b.get(viewer.c, tt.path, "Accept-Language", tt.lang)
			} else {
				v := url.Values{"csrf": {viewer.csrf}, "state": {"verified"}, "confirm": {"yes"}, "reason": {"x"}, "title_en": {"t"}, "body_en": {"b"}}
				r = b.postForm(viewer.c, tt.path, v, "Accept-Language", tt.lang)
			}
			wantStatus(t, r, http.StatusForbidden)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q, want a page", ct)
			}
			if !strings.Contains(r.text(), tt.want) || navOf(r.body) == "" {
				t.Errorf("the refusal lacks %q or the navigation: %.2000s", tt.want, r.text())
			}
		})
	}
	if orders, _ := b.st.FreezeOrders(context.Background(), 0); len(orders) != 0 {
		t.Errorf("the viewer froze: %d orders", len(orders))
	}

	// A form without its token is refused with a page too.
	r := b.postForm(viewer.c, "/console/reports/"+id+"/state", url.Values{"state": {"verified"}})
	wantStatus(t, r, http.StatusForbidden)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.text(), "This form has expired") {
		t.Errorf("the CSRF refusal: %s %.500s", r.Header.Get("Content-Type"), r.text())
	}
}

// A freeze from the console takes a confirmation and a reason; the reason
// is in the order and the audit trail; the freeze is not offered while
// frozen.
func TestConsoleFreezeNeedsConfirmationAndReason(t *testing.T) {
	b := setupSigned(t)
	ctx := context.Background()
	admin := b.login("ana", "admin")
	orders := func() int {
		t.Helper()
		os, err := b.st.FreezeOrders(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(os)
	}

	// One click is not a freeze: the post without confirmation shows the
	// confirmation step.
	r := admin.post("/console/freeze", nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.body, `id="freeze-form"`) || !strings.Contains(r.body, `name="reason"`) || !strings.Contains(r.body, `name="confirm" value="yes"`) {
		t.Errorf("no confirmation step: %.2000s", r.body)
	}
	form := admin.get("/console/freeze")
	wantStatus(t, form, http.StatusOK)
	if !strings.Contains(form.body, `id="freeze-form"`) || !strings.Contains(form.text(), "Signatures needed: 2") {
		t.Errorf("the freeze form: %.2000s", form.text())
	}
	// Without a reason, it asks for one.
	r = admin.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"  "}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.text(), "Say in a few words why you freeze") {
		t.Errorf("no request for a reason: %.2000s", r.text())
	}
	r = admin.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {strings.Repeat("x", 301)}})
	wantStatus(t, r, http.StatusBadRequest)
	if n := orders(); n != 0 || b.wakes.Load() != 0 {
		t.Fatalf("%d orders and %d wakes before a confirmed freeze", n, b.wakes.Load())
	}

	wantRedirect(t, admin.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"texts we did not send\nreported"}}), "/console/security")
	stored, _ := b.st.FreezeOrders(ctx, 0)
	if len(stored) != 1 {
		t.Fatalf("%d orders", len(stored))
	}
	if fo, err := trust.DecodeFreezeOrder(stored[0].Body); err != nil || fo.Reason != "console: frozen by ana: texts we did not send reported" {
		t.Errorf("order %+v, %v", fo, err)
	}
	entries, _ := b.st.ListAudit(ctx, 100)
	found := false
	for _, e := range entries {
		found = found || (e.Action == "freeze.freeze" && e.Actor == "ana" && strings.Contains(e.Detail, "texts we did not send reported"))
	}
	if !found {
		t.Errorf("the reason is not in the audit trail: %+v", entries)
	}

	// Frozen: the state and the reason are shown, the freeze is not offered.
	sec := admin.get("/console/security")
	text := sec.text()
	for _, want := range []string{"Outbound messaging is FROZEN", "Frozen since 2026-11-25 14:00 UTC: console: frozen by ana: texts we did not send reported", "An unfreeze takes effect with this many operators' signatures: 2.", "No operator has signed an unfreeze yet."} {
		if !strings.Contains(text, want) {
			t.Errorf("the security page lacks %q", want)
		}
	}
	if strings.Contains(sec.body, `id="freeze-button"`) {
		t.Error("the freeze is offered while frozen")
	}
	if f := admin.get("/console/freeze"); strings.Contains(f.body, `id="freeze-form"`) {
		t.Error("the freeze form is offered while frozen")
	}
	// A freeze confirmed anyway is stored: the web tier's view of the state
	// never stands in the way of the kill switch.
	wantRedirect(t, admin.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"again"}}), "/console/security")
	if n := orders(); n != 2 {
		t.Errorf("a freeze confirmed while frozen stored %d orders, want 2", n)
	}
}

// The security page says how many signatures an unfreeze needs and who has
// signed the one waiting.
func TestSecurityPageShowsUnfreezeSigners(t *testing.T) {
	b := setupSigned(t)
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(freezeBody(t, 1, true, t0, "canary"), b.key("ned"))), http.StatusCreated)
	unfreeze := freezeBody(t, 2, false, t0.Add(time.Hour), "checked")
	decodeOrders(t, b.postJSON("/api/v1/freeze-orders", freezeJSON(unfreeze, b.key("dee"))), http.StatusCreated)
	oc := b.login("vic", "viewer")
	text := oc.get("/console/security").text()
	for _, want := range []string{"Outbound messaging is FROZEN", "signatures: 2.", "Unfreeze order #2: 1 / 2 (dee)."} {
		if !strings.Contains(text, want) {
			t.Errorf("the security page lacks %q: %.3000s", want, text)
		}
	}
	// Every console page says it is frozen.
	if q := oc.get("/console"); !strings.Contains(q.body, `id="frozen-banner"`) {
		t.Error("the queue does not say messaging is frozen")
	}
}

// An alert approved while frozen is approved, and both the approval's
// answer and the console say plainly that it waits for the unfreeze.
func TestApprovalWhileFrozenSaysItWaits(t *testing.T) {
	b := setupSigned(t)
	disp := b.login("ned", "dispatcher")
	wantRedirect(t, disp.post("/console/freeze", url.Values{"confirm": {"yes"}, "reason": {"drill"}}), "/console/security")
	id := b.signedDraft("waits for the unfreeze", 5)
	res := decodeApproval(t, b.approve(id, "ned"))
	if !res.Approved || !res.Frozen || res.UnfreezeNeed != 2 {
		t.Errorf("approval while frozen: %+v", res)
	}
	page := disp.get("/console/alerts")
	if !strings.Contains(page.text(), "Frozen: waits for the unfreeze") || !strings.Contains(page.body, `id="frozen-banner"`) {
		t.Errorf("the alerts page does not say the approved alert waits: %.3000s", page.text())
	}

	// Not frozen: no such note.
	b2 := setupSigned(t)
	id2 := b2.signedDraft("goes out", 5)
	if res := decodeApproval(t, b2.approve(id2, "ned")); !res.Approved || res.Frozen {
		t.Errorf("approval while running: %+v", res)
	}
}

// Pages show times in the configured zone, naming it.
func TestTimesInConfiguredZone(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	b := setupSigned(t, func(c *web.Config) { c.Location = la })
	b.createReport(`{"category":"raid","description":"vans","zip":"90210"}`)
	oc := b.login("ana", "admin")
	want := "2026-11-25 06:00 PST (America/Los_Angeles)"
	for _, path := range []string{"/console", "/console/audit"} {
		if text := oc.get(path).text(); !strings.Contains(text, want) || strings.Contains(text, "14:00 UTC") {
			t.Errorf("%s does not show %q", path, want)
		}
	}
	// Without a zone, UTC, named.
	b2 := setupSigned(t)
	b2.createReport(`{"category":"raid","description":"vans","zip":"90210"}`)
	if text := b2.login("ana", "admin").get("/console").text(); !strings.Contains(text, "2026-11-25 14:00 UTC") {
		t.Error("the queue does not show UTC by default")
	}
}
