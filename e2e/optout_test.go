package e2e

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestStopThenSubscribe against the real binary: STOP from a number that
// never subscribed, then a web sign-up for it and a REPORT from it. The
// outbox holds nothing for it but the STOP confirmation; the report is
// filed; the sign-up page is the same as another number's (it tells nobody
// who opted out) and tells everyone to text START, with a link to the
// --sms-number. After START a sign-up gets its code.
func TestStopThenSubscribe(t *testing.T) {
	s := startServerWith(t, serverOptions{wantEnrol: true, args: []string{"--sms-number", "+13105550100"}})
	c := newClient(t, s)
	const stopped, other = "+13105550402", "+13105550403"
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))

	c.sms(stopped, "STOP")
	waitOutbox(t, s, 0, stopped, "unsubscribed")
	signup := func(number string) string {
		t.Helper()
		r := c.postForm("/subscribe", url.Values{"phone": {number}, "zips": {"90210"}, "lang": {"en"}})
		return strings.TrimPrefix(mustRedirect(t, "POST /subscribe "+number, r, ""), "/subscribe/")
	}
	idStopped, idOther := signup(stopped), signup(other)
	waitOutbox(t, s, 0, other, "your confirmation code is")
	waitFor(t, "both sign-ups handled by the sender", func() (bool, string) {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM signups WHERE id IN (?, ?) AND state = 'code_sent'`, idStopped, idOther).Scan(&n)
		return err == nil && n == 2, "the sign-ups are not both code_sent"
	})

	// The two pages, and a wrong code typed into each, answer alike.
	pages := map[string]string{}
	for _, id := range []string{idStopped, idOther} {
		r := c.get("/subscribe/" + id)
		mustStatus(t, "GET /subscribe/"+id, r, http.StatusOK)
		pages["page "+id] = strings.ReplaceAll(r.body, id, "ID")
		r = c.postForm("/subscribe/"+id, url.Values{"code": {"000000"}})
		mustStatus(t, "wrong code", r, http.StatusBadRequest)
		pages["wrong code "+id] = strings.ReplaceAll(r.body, id, "ID")
	}
	for _, kind := range []string{"page ", "wrong code "} {
		if pages[kind+idStopped] != pages[kind+idOther] {
			t.Errorf("the %sdiffers for the number that texted STOP: it tells who opted out", kind)
		}
	}
	const startLink = `text START to <a class="sms" href="sms:&#43;13105550100?&amp;body=START">(310) 555-0100</a>`
	if p := pages["page "+idStopped]; !strings.Contains(p, startLink) {
		t.Errorf("the sign-up page does not tell people to text START to the number:\n%s", truncate(p, 4000))
	}

	c.sms(stopped, "REPORT 90210 raid at the market")
	from := len(readOutbox(t, s.DataDir))
	c.sms(other, "HELP") // handled after the REPORT
	waitOutbox(t, s, from, other, "STOP to end")
	var reports int
	if err := db.QueryRow(`SELECT count(*) FROM reports WHERE description = 'at the market'`).Scan(&reports); err != nil || reports != 1 {
		t.Errorf("%d reports of the raid at the market (%v), want 1", reports, err)
	}
	got := linesTo(readOutbox(t, s.DataDir), stopped)
	if len(got) != 1 || !strings.Contains(got[0].Body, "unsubscribed") {
		t.Fatalf("the outbox holds %d texts to the number that texted STOP, want only the STOP confirmation:\n%s", len(got), describeOutbox(got))
	}

	// START opts it back in: now a sign-up gets its code.
	c.sms(stopped, "START")
	from = len(readOutbox(t, s.DataDir))
	signup(stopped)
	waitOutbox(t, s, from, stopped, "your confirmation code is")
}
