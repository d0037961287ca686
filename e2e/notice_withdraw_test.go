package e2e

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoticeWithdrawnOnlyBySignatures: a published notice is taken down
// only by a withdrawal that two operators sign with `tocsin notice
// approve` and that the sender puts in the transparency log. One
// administrator's signature leaves it shown; drafting the withdrawal
// raises notice.withdrawal; once published, the withdrawal itself is
// public and in the log.
func TestNoticeWithdrawnOnlyBySignatures(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
	id := draftNoticeE2E(t, c, csrf, "Fake texts about your information", "It did not come from us.")
	noticeCLI(t, s, id, "ana")
	noticeCLI(t, s, id, "bob")
	waitFor(t, "the notice to be public", func() (bool, string) { return noticePublic(t, c, id), noticeState(t, db, id) })

	r := c.postForm("/console/notices/"+id+"/withdraw", url.Values{"csrf": {csrf}, "reason_en": {"It named the wrong date; a corrected notice follows."}})
	m := regexp.MustCompile(`#notice-([a-z0-9]+)$`).FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("withdraw: %d %s\n%.400s", r.status, r.location, r.body)
	}
	w := m[1]
	waitSecurityEvent(t, db, "notice.withdrawal", id, "withdraws this published notice")
	show := runCLI(t, "notice", "show", w, "--server", s.URL)
	if show.code != 0 || !strings.Contains(show.stdout, "WITHDRAWS notice "+id) {
		t.Fatalf("tocsin notice show of the withdrawal: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}

	// One operator's signature: the notice stays.
	noticeCLI(t, s, w, "ana")
	senderBarrier(t, c, db)
	if !noticePublic(t, c, id) || noticePublic(t, c, w) {
		t.Fatal("one signature on a withdrawal took the notice down, or made the withdrawal public")
	}

	noticeCLI(t, s, w, "bob")
	waitFor(t, "the withdrawal to take the notice down", func() (bool, string) {
		return !noticePublic(t, c, id) && noticePublic(t, c, w), noticeState(t, db, w)
	})
	list := c.get("/notices").body
	if !strings.Contains(list, "Withdrawn: Fake texts about your information") || !strings.Contains(list, "It named the wrong date") {
		t.Errorf("/notices does not show the withdrawal:\n%.2000s", list)
	}
	if home := c.get("/"); strings.Contains(home.body, `id="incident-notice"`) {
		t.Error("a withdrawal heads the home page")
	}
	res := runCLI(t, "verify", "--server", s.URL, "--log-key", filepath.Join(s.DataDir, "keys", "log.pub"), "--state", filepath.Join(t.TempDir(), "seen.json"), "--notice", w)
	if res.code != 0 || !strings.Contains(res.stdout, "Notice "+w+" is in the log") {
		t.Errorf("tocsin verify --notice of the withdrawal: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// TestTimezoneFlag: with --timezone the console shows times in that zone,
// named; an unknown zone stops tocsin serve with a clear error.
func TestTimezoneFlag(t *testing.T) {
	bad := runCLI(t, "serve", "--data", t.TempDir(), "--timezone", "America/Springfield")
	if bad.code == 0 || !strings.Contains(bad.stderr, `--timezone "America/Springfield" is not a known IANA time zone name`) {
		t.Fatalf("serve --timezone America/Springfield: exit %d\n%s%s", bad.code, bad.stdout, bad.stderr)
	}
	s := startServerWith(t, serverOptions{wantEnrol: true, args: []string{"--timezone", "America/Chicago"}})
	c, _ := consoleSession(t, s)
	r := c.postJSON("/api/v1/reports", map[string]any{"category": "raid", "zip": "90210", "description": "vans"})
	mustStatus(t, "POST /api/v1/reports", r, http.StatusCreated)
	if q := c.get("/console"); !regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d C[SD]T \(America/Chicago\)`).MatchString(q.body) {
		t.Errorf("the queue does not show Chicago time:\n%.3000s", q.body)
	}
}
