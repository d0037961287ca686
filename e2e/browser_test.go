package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium (Debian's package, which the test command
// installs) and returns a context that drives it. Without Chromium the test
// is skipped, unless TOCSIN_REQUIRE_BROWSER is set, as the test command does.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("TOCSIN_REQUIRE_BROWSER") != "" {
			t.Fatal("chromium is not installed; ./scripts/test installs it")
		}
		t.Skip("chromium is not installed; ./scripts/test installs it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserReportForm files a report through the public form in a real
// browser: the page's script runs under the strict CSP (the location button
// appears), and the form posts and thanks the reporter.
func TestBrowserReportForm(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/report"),
		chromedp.WaitReady(`form`),
	)
	if err != nil {
		t.Fatal(err)
	}
	locateHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-geo] button").hidden`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`input[name=category][value=raid]`),
		chromedp.SendKeys(`input[name=zip]`, "90210"),
		chromedp.SendKeys(`textarea[name=description]`, "Agents at the factory gate, three vans"),
		chromedp.Submit(`textarea[name=description]`),
		chromedp.WaitVisible(`p.notice`),
	)
	if err != nil {
		t.Fatal(err)
	}
	thanks, err := chromedp.Run(ctx, chromedp.Text(`p.notice`))
	if err != nil {
		t.Fatal(err)
	}
	if locateHidden {
		t.Error("the location button stayed hidden: place.js did not run under the CSP")
	}
	if !strings.Contains(thanks, "Thank you") {
		t.Errorf("notice = %q", thanks)
	}
}

// TestBrowserSegmentCounter types Spanish text into the alert composer and
// watches the live counter say UCS-2 and offer a GSM-7 version.
func TestBrowserSegmentCounter(t *testing.T) {
	s := startServer(t)
	c := newClient(t, s)
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
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/console/alerts/new"),
		chromedp.WaitReady(`textarea[name=body_es]`),
		chromedp.SendKeys(`textarea[name=body_es]`, "Redada confirmada en la fábrica de Main y 3rd. Eviten la zona."),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("seg-es").textContent.includes("UCS-2")`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + " | " + (document.getElementById("seg-es") || {}).textContent`))
		t.Fatalf("the counter never said UCS-2 (%s): %v", where, err)
	}
	counter, err := chromedp.Run(ctx, chromedp.Text(`#seg-es`))
	if err != nil {
		t.Fatal(err)
	}
	suggestion, err := chromedp.Run(ctx, chromedp.Text(`#seg-es-gsm`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(counter, "á") {
		t.Errorf("counter %q does not name the character that forces UCS-2", counter)
	}
	if !strings.Contains(suggestion, "la fabrica de Main") {
		t.Errorf("GSM-7 suggestion = %q", suggestion)
	}
}
