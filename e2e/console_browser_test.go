package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// contrastJS lists the visible controls (buttons, links, form fields,
// labels) and text elements whose text contrast against their effective
// background is below WCAG AA's 4.5:1, from computed styles: the background is the first
// ancestor-or-self background colour that is not transparent, blended over
// white when translucent, and the text colour is blended over it.
const contrastJS = `(() => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (fg, bg) => ({r: fg.r*fg.a + bg.r*(1-fg.a), g: fg.g*fg.a + bg.g*(1-fg.a), b: fg.b*fg.a + bg.b*(1-fg.a), a: 1});
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = (c) => {
    const ch = (v) => { v /= 255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); };
    return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const out = [];
  const sel = "button, a[href], input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, label, summary, p, td, th, h1, h2, pre, li, span, strong";
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || st.visibility === "hidden") continue;
    const text = (el.value || el.textContent || "").trim();
    if (!text && el.tagName !== "INPUT" && el.tagName !== "TEXTAREA") continue;
    const bg = background(el);
    const fg = over(parse(st.color), bg);
    const cr = ratio(fg, bg);
    if (cr < 4.5) out.push(el.tagName.toLowerCase() + " " + JSON.stringify(text.slice(0, 30)) + ": " + cr.toFixed(2) + ":1 (" + st.color + " on " + JSON.stringify(bg) + ")");
  }
  return out;
})()`

// overflowJS names what sticks out to the right of the viewport, if
// anything: the page must not scroll sideways.
const overflowJS = `(() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return "";
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && wide.length < 5) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " to " + Math.round(r.right));
  }
  return "page " + document.documentElement.scrollWidth + " px wide in " + w + ": " + wide.join(", ");
})()`

// consoleTabAsAdmin enrols and signs in the first administrator with c and
// returns a browser tab holding the same session.
func consoleTabAsAdmin(t *testing.T, s *server, c *client) context.Context {
	t.Helper()
	clock := enrolAdmin(t, c, s.EnrolLink)
	login(t, c, "admin", adminPassword, clock)
	u, _ := url.Parse(s.URL)
	var cookies []*network.CookieParam
	for _, ck := range c.hc.Jar.Cookies(u) {
		cookies = append(cookies, &network.CookieParam{Name: ck.Name, Value: ck.Value, Domain: u.Hostname(), Path: "/", HTTPOnly: true})
	}
	ctx := browser(t)
	if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// checkLayout fails the test when the page in ctx scrolls sideways or has a
// control whose text contrast is below 4.5:1.
func checkLayout(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	over, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflowJS))
	if err != nil {
		t.Fatal(err)
	}
	if over != "" {
		t.Errorf("%s scrolls sideways: %s", where, over)
	}
	low, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](contrastJS))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range low {
		t.Errorf("%s: contrast below 4.5:1: %s", where, l)
	}
}

// createReportJSON files a report through the API and returns its id.
func createReportJSON(t *testing.T, c *client, body map[string]any) string {
	t.Helper()
	r := c.postJSON("/api/v1/reports", body)
	mustStatus(t, "POST /api/v1/reports", r, http.StatusCreated)
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.body), &created); err != nil || created.ID == "" {
		t.Fatalf("report answer has no id: %v\n%s", err, r.body)
	}
	return created.ID
}

// TestBrowserConsoleTriageAndCompose drives the console in Chromium at a
// phone's width and a laptop's: no screen scrolls sideways, every control's
// text has a contrast of at least 4.5:1, and a dispatcher verifies a report
// placed by GPS and composes an alert from it by clicking, the preview
// showing each language's exact text and recipients.
func TestBrowserConsoleTriageAndCompose(t *testing.T) {
	s := startServer(t)
	c := newClient(t, s)
	c.sms("+13105550181", "JOIN 90210")
	waitOutbox(t, s, 0, "+13105550181", "90210")
	c.sms("+13105550182", "ALTA 90210")
	waitOutbox(t, s, 0, "+13105550182", "90210")
	createReportJSON(t, c, map[string]any{"category": "raid", "description": "Agents at the factory gate, three vans", "zip": "90210"})
	gps := createReportJSON(t, c, map[string]any{"category": "checkpoint", "description": "Stopping cars on the boulevard", "lat": 34.0901, "lon": -118.4065})
	ctx := consoleTabAsAdmin(t, s, c)

	for _, vp := range []struct{ w, h int64 }{{390, 844}, {1280, 900}} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/console", "/console/alerts/new?report=" + gps, "/console/counts"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitReady(`main`)); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, ctx, fmt.Sprintf("%s at %d px", path, vp.w))
		}
	}

	// The same screens in Spanish, at a phone's width.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.URL+"/lang/es?back=/console"), chromedp.WaitReady(`main`)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/console", "/console/alerts/new?report=" + gps, "/console/counts"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitReady(`main`)); err != nil {
			t.Fatal(err)
		}
		checkLayout(t, ctx, path+" in Spanish at 390 px")
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(`h1`)); title != "Cifras" {
		t.Errorf("the counts screen in Spanish is titled %q", title)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL+"/lang/en?back=/console"), chromedp.WaitReady(`main`)); err != nil {
		t.Fatal(err)
	}

	// Triage at a phone's width: the GPS report shows where it is, and
	// Verify verifies it.
	row := "#r-" + gps
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.URL+"/console"),
		chromedp.WaitVisible(row),
	)
	if err != nil {
		t.Fatal(err)
	}
	where, err := chromedp.Run(ctx, chromedp.Text(row+" td.place"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(where, "near ZIP 90") || !strings.Contains(where, "34.09") {
		t.Errorf("the GPS report's place reads %q", where)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(row+` form:has(input[name=state][value=verified]) button`),
		chromedp.WaitVisible(`tr.state-verified`+row),
	)
	if err != nil {
		t.Fatalf("verify by clicking: %v", err)
	}
	checkLayout(t, ctx, "/console after triage at 390 px")

	// Compose from it by clicking: the circle is on the report, the preview
	// shows each text as sent and its recipients.
	err = chromedp.Do(ctx,
		chromedp.Click(row+` input[name=report]`),
		chromedp.Click(`button[form=compose-from]`),
		chromedp.WaitVisible(`textarea[name=body_es]`),
	)
	if err != nil {
		t.Fatalf("compose from the queue: %v", err)
	}
	lat, err := chromedp.Run(ctx, chromedp.Value(`input[name=lat]`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(lat, "34.09") {
		t.Errorf("the circle's latitude is %q, not the report's", lat)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`textarea[name=body_es]`, "Retén en el bulevar. Eviten la zona."),
		chromedp.Click(`button[name=action][value=preview]`),
		chromedp.WaitVisible(`#preview-es`),
	)
	if err != nil {
		t.Fatalf("preview by clicking: %v", err)
	}
	checkLayout(t, ctx, "the compose preview at 390 px")
	for _, tt := range []struct{ lang, label, body string }{
		{"en", "[CONFIRMED] Checkpoint reported near 90", "Verify: "},
		{"es", "[CONFIRMADO] Retén en el bulevar. Eviten la zona.", "Verifica: "},
	} {
		text, err := chromedp.Run(ctx, chromedp.Text(`#preview-`+tt.lang+` pre.sms`))
		if err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Text(`#preview-`+tt.lang+` .recipients`))
		if err != nil {
			t.Fatal(err)
		}
		enc, err := chromedp.Run(ctx, chromedp.Text(`#preview-`+tt.lang+` .encoding`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(text, tt.label) || !strings.Contains(text, tt.body) || n != "1" || !strings.Contains(enc, "segment") {
			t.Errorf("%s preview: %q to %s recipients, %q", tt.lang, text, n, enc)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`button[name=action][value=save]`),
		chromedp.WaitVisible(`main table`),
	)
	if err != nil {
		t.Fatalf("save by clicking: %v", err)
	}
	checkLayout(t, ctx, "the alert list at 390 px")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	page, _ := chromedp.Run(ctx, chromedp.Text(`main`))
	if !strings.HasSuffix(loc, "/console/alerts") || !strings.Contains(page, "Retén en el bulevar") {
		t.Errorf("after saving: %s shows %.500q", loc, page)
	}
}
