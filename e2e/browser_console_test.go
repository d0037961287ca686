package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// consolePages are the screens every operator's navigation leads to.
var consolePages = []string{"/console", "/console/alerts", "/console/alerts/new", "/console/security", "/console/counts", "/console/limits", "/console/audit", "/console/canaries", "/console/notices"}

// browserSession makes the browser the operator signed in with c.
func browserSession(t *testing.T, ctx context.Context, s *server, c *client) {
	t.Helper()
	u, _ := url.Parse(s.URL)
	var cookies []*network.CookieParam
	for _, ck := range c.hc.Jar.Cookies(u) {
		cookies = append(cookies, &network.CookieParam{Name: ck.Name, Value: ck.Value, Domain: u.Hostname(), Path: "/", HTTPOnly: true})
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
		t.Fatal(err)
	}
}

// pageCheck is what one console page shows in the browser.
type pageCheck struct {
	Path      string   `json:"path"`
	Nav       []string `json:"nav"`       // the hrefs of the console navigation
	Overflow  int      `json:"overflow"`  // how far the page scrolls sideways, in CSS pixels
	Freeze    bool     `json:"freeze"`    // the freeze button is offered
	Triage    int      `json:"triage"`    // triage buttons in the queue
	Forbidden bool     `json:"forbidden"` // the page is a refusal
}

const pageCheckJS = `(() => ({
	path: location.pathname,
	nav: [...document.querySelectorAll("#console-nav a")].map(a => a.getAttribute("href")),
	overflow: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
	freeze: !!document.querySelector("#freeze-button, #freeze-form"),
	triage: document.querySelectorAll("form[action$='/state'] button").length,
	forbidden: !!document.querySelector("#forbidden-text"),
}))()`

func checkPage(t *testing.T, ctx context.Context, s *server, path string) pageCheck {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(s.URL+path), chromedp.WaitReady(`footer`))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	pc, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](pageCheckJS))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pc
}

// screenshot keeps a picture of the page when TOCSIN_SCREENSHOTS names a
// directory (for a person to look at).
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("TOCSIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// TestBrowserConsoleRolesAndFreeze drives the console in Chromium at a
// phone's width (390 × 844) and a laptop's (1280 × 900): every console page
// has the same navigation and no sideways scrolling; a viewer is offered no
// triage and no freeze; and the freeze works by clicking: the button, the
// confirmation page with its reason, the frozen state shown and the button
// gone.
func TestBrowserConsoleRolesAndFreeze(t *testing.T) {
	s := startSignedServer(t)
	admin, csrf := consoleSession(t, s)
	r := admin.postJSON("/api/v1/reports", map[string]any{"category": "raid", "zip": "90210",
		"description": "About six agents in vests stopping cars at the corner of Wilshire Boulevard and Rodeo Drive, two white vans without plates, https://example.org/a-very-long-link-that-does-not-break-anywhere-at-all"})
	mustStatus(t, "POST /api/v1/reports", r, http.StatusCreated)
	_ = csrf

	// A viewer, enrolled from `tocsin operator add`.
	res := runCLI(t, "operator", "add", "--data", s.DataDir, "--name", "vic", "--role", "viewer")
	link := enrolLinkRE.FindString(res.stdout)
	if res.code != 0 || link == "" {
		t.Fatalf("operator add: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	u, _ := url.Parse(link)
	viewer := newClient(t, s)
	login(t, viewer, "vic", adminPassword, enrolAdmin(t, viewer, u.Path))

	ctx := browser(t)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for _, vp := range []struct{ w, h int64 }{{390, 844}, {1280, 900}} {
		t.Run(fmt.Sprintf("%dx%d", vp.w, vp.h), func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
				t.Fatal(err)
			}
			browserSession(t, ctx, s, admin)
			for _, path := range append(consolePages, "/console/freeze") {
				pc := checkPage(t, ctx, s, path)
				screenshot(t, ctx, fmt.Sprintf("admin-%d%s", vp.w, strings.ReplaceAll(path, "/", "-")))
				checkLayout(t, ctx, fmt.Sprintf("the admin's %s at %d px", path, vp.w))
				if pc.Path != path || len(pc.Nav) != len(consolePages) || pc.Forbidden {
					t.Errorf("admin at %s: %+v, want the page with all %d links", path, pc, len(consolePages))
				}
				if pc.Overflow > 0 {
					t.Errorf("admin at %s scrolls sideways by %d px at %d px wide", path, pc.Overflow, vp.w)
				}
			}

			browserSession(t, ctx, s, viewer)
			for _, path := range consolePages {
				pc := checkPage(t, ctx, s, path)
				screenshot(t, ctx, fmt.Sprintf("viewer-%d%s", vp.w, strings.ReplaceAll(path, "/", "-")))
				checkLayout(t, ctx, fmt.Sprintf("the viewer's %s at %d px", path, vp.w))
				if len(pc.Nav) == 0 || strings.Contains(strings.Join(pc.Nav, " "), "/console/alerts/new") || strings.Contains(strings.Join(pc.Nav, " "), "/console/canaries") {
					t.Errorf("viewer at %s: navigation %v", path, pc.Nav)
				}
				if pc.Freeze || pc.Triage > 0 {
					t.Errorf("viewer at %s is offered freeze %v, %d triage buttons", path, pc.Freeze, pc.Triage)
				}
				if pc.Overflow > 0 {
					t.Errorf("viewer at %s scrolls sideways by %d px at %d px wide", path, pc.Overflow, vp.w)
				}
			}
			if pc := checkPage(t, ctx, s, "/console"); pc.Triage != 0 {
				t.Errorf("the viewer's queue has %d triage buttons", pc.Triage)
			}
		})
	}

	// The freeze, by clicking, on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	browserSession(t, ctx, s, admin)
	if pc := checkPage(t, ctx, s, "/console"); pc.Triage == 0 {
		t.Error("the administrator's queue has no triage buttons")
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/console/security"),
		chromedp.WaitVisible(`#freeze-button`),
		chromedp.Click(`#freeze-button`),
		chromedp.WaitVisible(`#freeze-form textarea[name=reason]`),
	)
	if err != nil {
		t.Fatalf("the freeze button does not lead to its confirmation: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/console/freeze") {
		t.Errorf("the freeze button led to %s", loc)
	}
	screenshot(t, ctx, "freeze-confirm-390")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`#freeze-form textarea[name=reason]`, "texts we did not send were reported"),
		chromedp.Click(`#freeze-confirm`),
		chromedp.WaitVisible(`#unfreeze-need`),
	)
	if err != nil {
		t.Fatalf("confirming the freeze: %v", err)
	}
	screenshot(t, ctx, "frozen-390")
	state, err := chromedp.Run(ctx, chromedp.Text(`#freeze-state`))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state, "FROZEN") || !strings.Contains(page, "texts we did not send were reported") || !strings.Contains(page, "signatures: 2.") {
		t.Errorf("after the freeze the security page says %q:\n%s", state, page)
	}
	pc, err := chromedp.Run(ctx, chromedp.Evaluate[pageCheck](pageCheckJS))
	if err != nil {
		t.Fatal(err)
	}
	if pc.Freeze || pc.Overflow > 0 {
		t.Errorf("frozen: %+v, want no freeze button and no sideways scrolling", pc)
	}
	banner, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("#frozen-banner")`))
	if err != nil || !banner {
		t.Errorf("no frozen banner (%v)", err)
	}
	waitFor(t, "the sender to apply the freeze", func() (bool, string) {
		r := admin.get("/console/security")
		return strings.Contains(r.body, "console: frozen by admin: texts we did not send were reported"), ""
	})
}
