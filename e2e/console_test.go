package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// adminPassword is the administrator's password in these tests (≥ 12 chars).
const adminPassword = "correct horse battery staple"

// enrolAdmin opens the first administrator's enrolment link, reads the TOTP
// secret off the page and completes enrolment. It returns the clock that
// makes the administrator's codes.
func enrolAdmin(t *testing.T, c *client, link string) *totpClock {
	t.Helper()
	r := c.get(link)
	mustStatus(t, "GET enrolment link", r, http.StatusOK)
	m := totpRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("enrolment page shows no <code id=\"totp-secret\">:\n%s", truncate(r.body, 4000))
	}
	clock := &totpClock{secret: m[1]}
	r = c.postForm(link, url.Values{"password": {adminPassword}, "password2": {adminPassword}, "code": {clock.code(t)}})
	// Enrolment proved the password and a code: the session starts there.
	mustRedirect(t, "POST enrolment", r, "/console")
	mustStatus(t, "GET /console right after enrolment", c.get("/console"), http.StatusOK)
	return clock
}

// login signs in with password and second factor.
func login(t *testing.T, c *client, username, password string, clock *totpClock) {
	t.Helper()
	r := c.postForm("/console/login", url.Values{"username": {username}, "password": {password}})
	mustRedirect(t, "POST /console/login", r, "/console/login/code")
	r = c.postForm("/console/login/code", url.Values{"code": {clock.code(t)}})
	mustRedirect(t, "POST /console/login/code", r, "/console")
}

// alertDraft is what the compose form takes.
type alertDraft struct {
	bodyEN, bodyES, zips string
}

func (d alertDraft) form(csrf, action string) url.Values {
	return url.Values{"csrf": {csrf}, "body_en": {d.bodyEN}, "body_es": {d.bodyES}, "zips": {d.zips},
		"ttl": {"120"}, "confirmed": {"1"}, "action": {action}}
}

var recipientsRE = regexp.MustCompile(`id="recipients">(\d+)<`)

// previewAlert asks the composer how many subscribers d reaches.
func previewAlert(t *testing.T, c *client, csrf string, d alertDraft) int {
	t.Helper()
	r := c.postForm("/console/alerts/new", d.form(csrf, "preview"))
	mustStatus(t, "preview alert", r, http.StatusOK)
	m := recipientsRE.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("alert preview shows no recipient count (id=\"recipients\"):\n%s", truncate(r.body, 4000))
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// saveDraft saves d as a draft and returns its row in the alert list: a
// draft, with its id, and no signature yet.
func saveDraft(t *testing.T, c *client, csrf string, d alertDraft) alertRow {
	t.Helper()
	r := c.postForm("/console/alerts/new", d.form(csrf, "save"))
	mustRedirect(t, "save alert", r, "/console/alerts")
	r = c.get("/console/alerts")
	mustStatus(t, "GET /console/alerts", r, http.StatusOK)
	row, ok := findAlert(r.body, d.bodyEN)
	if !ok {
		t.Fatalf("saved alert %q not in /console/alerts:\n%s", d.bodyEN, truncate(r.body, 6000))
	}
	if row.State != "draft" || row.ID == "" || row.Signed != 0 || row.Need < 1 || row.Digest == "" {
		t.Fatalf("saved alert is %+v, want a draft with an id, a digest and no signature yet", row)
	}
	return row
}

// saveAndApprove saves d as a draft, finds its id in the alert list and has
// each of the named operators sign it with `tocsin alert approve`. It
// returns the alert's row as it was listed before the approvals.
func saveAndApprove(t *testing.T, s *server, c *client, csrf string, d alertDraft, signers ...string) alertRow {
	t.Helper()
	row := saveDraft(t, c, csrf, d)
	for _, name := range signers {
		approveCLI(t, s, row.ID, name)
	}
	return row
}

// waitAlertState polls /console/alerts until the alert with text is in state.
func waitAlertState(t *testing.T, c *client, text, state string) alertRow {
	t.Helper()
	var row alertRow
	waitFor(t, "alert "+strconv.Quote(text)+" in state "+state, func() (bool, string) {
		r := c.get("/console/alerts")
		if r.status != http.StatusOK {
			return false, "GET /console/alerts: " + strconv.Itoa(r.status)
		}
		var ok bool
		row, ok = findAlert(r.body, text)
		return ok && row.State == state, "last row: " + strings.TrimSpace(row.State) + " " + row.ID
	})
	return row
}
