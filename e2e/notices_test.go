package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSignedNotice: an incident notice drafted in the console is public
// only once two operators have signed it with `tocsin notice approve`
// (one admin is not enough, even when a database writer marks the notice
// approved) and the sender has put it in the transparency log; then it
// heads the home page and its statement is an entry under the signed
// checkpoint, which `tocsin verify --notice` proves against log.pub.
func TestSignedNotice(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
	title := "Fake texts about your information"
	id := draftNoticeE2E(t, c, csrf, title, "A text said your information was sent to the authorities. It did not come from us.")

	show := runCLI(t, "notice", "show", id, "--server", s.URL)
	if show.code != 0 || !strings.Contains(show.stdout, "Notice "+id) || !strings.Contains(show.stdout, "Title (en): | "+title) || !strings.Contains(show.stdout, "Digest:") {
		t.Fatalf("tocsin notice show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
	if out := noticeCLI(t, s, id, "ana"); !strings.Contains(out, "Signatures: 1 of 2 (ana)") || strings.Contains(out, "Enough operators") {
		t.Fatalf("after ana's signature:\n%s", out)
	}

	// A second notice, signed by ana alone, that a database writer marks
	// approved: the sender refuses it, and it is never shown.
	lone := draftNoticeE2E(t, c, csrf, "We were hacked", "Your information was sent to the authorities.")
	noticeCLI(t, s, lone, "ana")
	mustExec(t, db, `UPDATE notices SET state = 'approved' WHERE id = ?`, lone)
	waitSecurityEvent(t, db, "notice.refused", lone, "need 2 signatures")
	if noticeState(t, db, lone) != "refused" || noticePublic(t, c, lone) {
		t.Fatal("a notice one operator signed is public")
	}
	if noticePublic(t, c, id) {
		t.Fatal("a notice one operator signed is public")
	}

	if out := noticeCLI(t, s, id, "bob"); !strings.Contains(out, "Signatures: 2 of 2 (ana, bob)") || !strings.Contains(out, "Enough operators") {
		t.Fatalf("after bob's signature:\n%s", out)
	}
	waitFor(t, "the notice on the home page", func() (bool, string) {
		home := c.get("/")
		return strings.Contains(home.body, `id="incident-notice"`) && strings.Contains(home.body, "/notices/"+id), noticeState(t, db, id)
	})
	if page := c.get("/notices/" + id); page.status != http.StatusOK || !strings.Contains(page.body, "It did not come from us.") {
		t.Errorf("/notices/%s: %d", id, page.status)
	}

	// Its statement is an entry of the log under the signed checkpoint, and
	// the log still verifies against its key.
	statement := c.get("/api/v1/notices/" + id + "/statement").body
	size := checkpointSize(t, c)
	found := false
	for i := range size {
		if c.get(fmt.Sprintf("/log/entries/%d", i)).body == statement {
			found = true
		}
	}
	if !found {
		t.Errorf("the notice's statement is not among the %d entries under the checkpoint", size)
	}
	verify := func(id string) cliResult {
		return runCLI(t, "verify", "--server", s.URL, "--log-key", filepath.Join(s.DataDir, "keys", "log.pub"), "--state", filepath.Join(t.TempDir(), "seen.json"), "--notice", id)
	}
	res := verify(id)
	if res.code != 0 || !strings.Contains(res.stdout, "Notice "+id+" is in the log: \""+title+"\"") || !strings.Contains(res.stdout, "The log is consistent") {
		t.Errorf("tocsin verify --notice: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := verify(lone); res.code == 0 {
		t.Errorf("tocsin verify --notice proved a refused notice:\n%s", res.stdout)
	}
	for _, e := range securityEvents(t, db) {
		if e.Kind == "notice.tampered" || e.Kind == "log.tampered" {
			t.Errorf("event %+v", e)
		}
	}
}

func draftNoticeE2E(t *testing.T, c *client, csrf, title, body string) string {
	t.Helper()
	r := c.postForm("/console/notices", url.Values{"csrf": {csrf}, "title_en": {title}, "body_en": {body}})
	m := regexp.MustCompile(`#notice-([a-z0-9]+)$`).FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("draft notice: %d %s\n%.400s", r.status, r.location, r.body)
	}
	return m[1]
}

// noticeCLI runs `tocsin notice approve ID --key NAME.key --server URL`.
func noticeCLI(t *testing.T, s *server, id, name string) string {
	t.Helper()
	res := runCLIEnv(t, []string{"TOCSIN_PASSPHRASE=" + operatorPassphrase}, "notice", "approve", id, "--key", operatorKey(t, name), "--server", s.URL)
	if res.code != 0 || !strings.Contains(res.stdout, "Signed by "+name+".") {
		t.Fatalf("tocsin notice approve %s as %s: exit %d\nstdout:\n%s\nstderr:\n%s", id, name, res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

func noticeState(t *testing.T, db *sql.DB, id string) string {
	t.Helper()
	var state string
	if err := db.QueryRow(`SELECT state FROM notices WHERE id = ?`, id).Scan(&state); err != nil {
		t.Fatalf("state of notice %s: %v", id, err)
	}
	return state
}

// noticePublic reports whether notice id is on any public page.
func noticePublic(t *testing.T, c *client, id string) bool {
	t.Helper()
	return c.get("/notices/"+id).status == http.StatusOK || strings.Contains(c.get("/").body, "/notices/"+id) ||
		strings.Contains(c.get("/notices").body, "notice-"+id)
}

// checkpointSize is the size of the log's latest checkpoint.
func checkpointSize(t *testing.T, c *client) uint64 {
	t.Helper()
	r := c.get("/log/checkpoint")
	lines := strings.Split(r.body, "\n")
	var size uint64
	if r.status != http.StatusOK || len(lines) < 2 {
		t.Fatalf("/log/checkpoint: %d %s", r.status, r.body)
	}
	if _, err := fmt.Sscan(lines[1], &size); err != nil {
		t.Fatal(err)
	}
	return size
}
