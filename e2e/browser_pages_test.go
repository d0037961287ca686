package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// submitJS fills the form holding the field named by sel with the given
// values (field name to value) and submits it without the browser's own
// checks, marking the old page so that the caller can wait for the new one.
func submitJS(sel string, values map[string]string) string {
	v, _ := json.Marshal(values)
	s, _ := json.Marshal(sel)
	return `(() => {
  const f = document.querySelector(` + string(s) + `).form;
  for (const [k, val] of Object.entries(` + string(v) + `)) {
    let el = f.elements[k];
    if (!el || (el instanceof RadioNodeList && el[0].type !== "radio")) { el = document.createElement("input"); el.type = "hidden"; el.name = k; f.appendChild(el); }
    if (el instanceof RadioNodeList) { for (const r of el) r.checked = r.value === val; continue; }
    el.value = val;
  }
  window.tocsinOldPage = true;
  f.submit();
  return true;
})()`
}

// TestBrowserPagesAt390 visits every public page, in each of its states,
// and the console's pages and states the other browser tests see only in
// English, at a phone's width (390 × 844) in English and in Spanish: none
// scrolls sideways and every text has a contrast of at least 4.5:1.
func TestBrowserPagesAt390(t *testing.T) {
	s := startSignedServer(t, "--sms-number", "+13105550100")
	admin, csrf := consoleSession(t, s)
	const en = "+13105550141"
	admin.sms(en, "JOIN 90210")
	admin.sms(en, "HELP")
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", bodyES: "Reten confirmado en Main y 3rd. Eviten la zona.", zips: "90210"}
	row := saveDraft(t, admin, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, admin, d.bodyEN, "sent")
	alertText := waitOutbox(t, s, 0, en, d.bodyEN).Body
	helpText := waitOutbox(t, s, 0, en, "HELP").Body
	unlogged := saveDraft(t, admin, csrf, alertDraft{bodyEN: "A draft waiting for signatures at the corner of Wilshire Boulevard and Rodeo Drive, https://example.org/a-very-long-link-that-does-not-break-anywhere", bodyES: "Borrador.", zips: "90210"})
	// An alert the database calls sent that is not in the log.
	if _, err := rawDB(t, filepath.Join(s.DataDir, "tocsin.db")).Exec(`UPDATE alerts SET state = 'sent' WHERE id = ?`, unlogged.ID); err != nil {
		t.Fatal(err)
	}
	// A correction: a canary line catches a text we did not send, the
	// sender drafts the correction, and it is signed and sent.
	if res := runCLI(t, "canary", "subscriber", "add", "--data", s.DataDir, "--number", "+13105559001", "--zip", "90210", "--label", "line-2"); res.code != 0 {
		t.Fatalf("tocsin canary subscriber add: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := admin.postForm("/hooks/sms/dev", url.Values{"From": {"+12025550177"}, "To": {"+13105559001"}, "Body": {"Your information has been sent to the authorities."}})
	mustStatus(t, "the canary's inbound text", r, http.StatusOK)
	correction := waitAlertState(t, admin, "did NOT come from us", "draft")
	if !strings.Contains(admin.get("/console/security").body, "Outbound messaging is running") {
		freezeCLI(t, s, "unfreeze", "ana")
		freezeCLI(t, s, "unfreeze", "bob")
		waitFor(t, "outbound to run again", func() (bool, string) {
			return strings.Contains(admin.get("/console/security").body, "Outbound messaging is running"), ""
		})
	}
	approveCLI(t, s, correction.ID, "ana")
	waitAlertState(t, admin, "did NOT come from us", "sent")
	published := draftNoticeE2E(t, admin, csrf, "A fake text is going round", "A text said your information was sent to the authorities. It did not come from us.")
	noticeCLI(t, s, published, "ana")
	noticeCLI(t, s, published, "bob")
	pending := draftNoticeE2E(t, admin, csrf, "A notice still waiting for its signatures", "Not public yet.")
	createReportJSON(t, admin, map[string]any{"category": "raid", "zip": "90210",
		"description": "About six agents in vests stopping cars at the corner of Wilshire Boulevard and Rodeo Drive, https://example.org/a-very-long-link-that-does-not-break-anywhere-at-all"})

	res := runCLI(t, "operator", "add", "--data", s.DataDir, "--name", "vic", "--role", "viewer")
	link := enrolLinkRE.FindString(res.stdout)
	if res.code != 0 || link == "" {
		t.Fatalf("operator add: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	u, _ := url.Parse(link)
	viewer := newClient(t, s)
	login(t, viewer, "vic", adminPassword, enrolAdmin(t, viewer, u.Path))

	notPicture := filepath.Join(t.TempDir(), "not-a-picture.jpg")
	if err := os.WriteFile(notPicture, []byte("this is not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}

	// A screen is a page, and a form on it to submit (a field's selector
	// and the values) when the screen is the answer.
	type screen struct {
		name, path string
		viewer     bool
		field      string
		values     map[string]string
		want       string // a selector only the state shows
		photo      string // a file to upload as the report's photo
		holdPoW    bool   // keep pow.js from solving (and sending) the form: show its "working" state
	}
	screens := []screen{
		{name: "home", path: "/", want: "a[href^=\"sms:\"]"},
		{name: "privacy", path: "/privacy"},
		{name: "subscribe", path: "/subscribe"},
		{name: "subscribe: refused number", path: "/subscribe", field: "input[name=phone]", values: map[string]string{"phone": "12345", "zips": "90210"}, want: "p.error[role=alert]"},
		{name: "subscribe: number of another country", path: "/subscribe", field: "input[name=phone]", values: map[string]string{"phone": "+447700900123", "zips": "90210"}, want: "p.error[role=alert]"},
		{name: "subscribe: toll-free number", path: "/subscribe", field: "input[name=phone]", values: map[string]string{"phone": "+18005550100", "zips": "90210"}, want: "p.error[role=alert]"},
		{name: "subscribe/{id}: the code", path: "/subscribe", field: "input[name=phone]", values: map[string]string{"phone": "+13105550142", "zips": "90210"}, want: "input[name=code]"},
		{name: "report", path: "/report"},
		{name: "report: proof of work", path: "/report", field: "textarea[name=description]", values: map[string]string{"category": "raid", "zip": "90210", "description": "Agents at the gate", "altcha": "forged"}, want: "[data-pow]", holdPoW: true},
		{name: "report: 413", path: "/report", field: "textarea[name=description]", values: map[string]string{"category": "raid", "zip": "90210", "description": strings.Repeat("agents ", 20_000)}, want: "p.error"},
		{name: "report: photo refused", path: "/report", field: "textarea[name=description]", values: map[string]string{"category": "raid", "zip": "90210", "description": "Agents at the gate"}, photo: notPicture, want: "p.error"},
		{name: "verify", path: "/verify"},
		{name: "verify: alert", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": alertText}, want: ".verdict.genuine"},
		{name: "verify: service message", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": helpText}, want: ".verdict.service"},
		{name: "verify: not sent", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": "[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + s.URL + "/v/" + row.Ref}, want: ".verdict.fake"},
		{name: "verify: link alone", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": s.URL + "/v/" + row.Ref}, want: ".verdict.genuine #pointer"},
		{name: "verify: unlogged", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": "Ref " + unlogged.Ref}, want: ".verdict.fake #unlogged"},
		{name: "verify: 413", path: "/verify", field: "textarea[name=text]", values: map[string]string{"text": strings.Repeat("x", 200_000)}},
		{name: "alert", path: "/alerts/" + row.Ref},
		{name: "alert by /v/", path: "/v/" + row.Ref},
		{name: "correction", path: "/v/" + correction.Ref, want: "main strong"},
		{name: "alert not found", path: "/v/ZZZZZZZZ"},
		{name: "alert not in the public log", path: "/v/" + unlogged.Ref, want: "#unlogged"},
		{name: "notices", path: "/notices"},
		{name: "notice", path: "/notices/" + published, want: "main h2, main article"},
		{name: "console queue", path: "/console"},
		{name: "console alerts", path: "/console/alerts"},
		{name: "console compose", path: "/console/alerts/new"},
		{name: "console compose: preview", path: "/console/alerts/new", field: "textarea[name=body_es]", values: map[string]string{"body_en": d.bodyEN, "body_es": "Retén en el bulevar. Eviten la zona.", "zips": "90210", "action": "preview"}, want: "#preview"},
		{name: "console security", path: "/console/security"},
		{name: "console freeze", path: "/console/freeze", want: "#freeze-form"},
		{name: "console limits", path: "/console/limits"},
		{name: "console counts", path: "/console/counts"},
		{name: "console audit", path: "/console/audit"},
		{name: "console canaries", path: "/console/canaries"},
		{name: "console notices", path: "/console/notices"},
		{name: "console notice withdraw", path: "/console/notices/" + published + "/withdraw", want: "#withdraw-form"},
		{name: "console notice edit", path: "/console/notices?edit=" + published, want: "#edit-heading"},
		{name: "console notice pending", path: "/console/notices#notice-" + pending, want: "#notice-" + pending},
		{name: "console 403 (viewer)", path: "/console/alerts/new", viewer: true, want: "#forbidden-text"},
		{name: "console queue (viewer)", path: "/console", viewer: true},
	}

	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es"} {
		for _, asViewer := range []bool{false, true} {
			if asViewer {
				browserSession(t, ctx, s, viewer)
			} else {
				browserSession(t, ctx, s, admin)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/lang/"+lang+"?back=/"), chromedp.WaitReady(`footer`)); err != nil {
				t.Fatal(err)
			}
			if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
				t.Errorf("after /lang/%s the page's language is %q", lang, got)
			}
			for _, sc := range screens {
				if sc.viewer != asViewer {
					continue
				}
				where := sc.name + " (" + sc.path + ") in " + lang + " at 390 px"
				if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+sc.path), chromedp.WaitReady(`footer`)); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
				if sc.holdPoW {
					blockPoW(t, ctx, s, true)
				}
				if sc.photo != "" {
					if err := chromedp.Do(ctx, chromedp.SetUploadFiles(`input[name=photo]`, []string{sc.photo})); err != nil {
						t.Fatalf("%s: %v", where, err)
					}
				}
				if sc.field != "" {
					if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](submitJS(sc.field, sc.values))); err != nil {
						t.Fatalf("%s: submit: %v", where, err)
					}
					waitNewPage(t, ctx, where)
				}
				if sc.holdPoW {
					shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
  const st = document.querySelectorAll("[data-pow-status]");
  for (const e of st) e.hidden = false;
  return st.length > 0 && document.querySelector("input[data-pow]").value === "";
})()`))
					if err != nil || !shown {
						t.Errorf("%s: no unsolved proof-of-work state to look at (%v)", where, err)
					}
					blockPoW(t, ctx, s, false)
				}
				screenshot(t, ctx, "page-"+lang+"-"+strings.NewReplacer(" ", "-", "/", "-", ":", "", "(", "", ")", "").Replace(sc.name))
				if sc.want != "" {
					if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector(`+strconv.Quote(sc.want)+`)`)); err != nil || !ok {
						page, _ := chromedp.Run(ctx, chromedp.Text(`main`))
						t.Errorf("%s does not show %s (%v):\n%.600s", where, sc.want, err, page)
					}
				}
				checkLayout(t, ctx, where)
			}
		}
	}
}

// waitNewPage waits until the page submitJS left is replaced by a loaded one
// (the evaluation fails while the browser navigates).
func waitNewPage(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	var err error
	for range 200 {
		var ready bool
		ready, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.tocsinOldPage && document.readyState === "complete" && !!document.querySelector("footer")`))
		if err == nil && ready {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: the answer never came (%v)", where, err)
}

// blockPoW stops (or lets) the browser load pow.js, so that the page that
// asks for a proof of work stays as the reader sees it while it is solved.
func blockPoW(t *testing.T, ctx context.Context, s *server, block bool) {
	t.Helper()
	var patterns []*network.BlockPattern
	if block {
		patterns = []*network.BlockPattern{{URLPattern: s.URL + "/static/pow.js*", Block: true}}
	}
	if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
		t.Fatal(err)
	}
}
