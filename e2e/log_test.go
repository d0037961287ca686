package e2e

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestTransparencyLog: the log exists from the first start with a signed
// checkpoint (holding at most the audit trail's head); a sent alert is in
// it, tocsin verify proves it against the pinned key and that the log grew
// consistently; a made-up reference is not in it.
func TestTransparencyLog(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	logKey := filepath.Join(s.DataDir, "keys", "log.pub")
	state := filepath.Join(t.TempDir(), "seen.json")
	res := runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state)
	if res.code != 0 || !strings.Contains(res.stdout, "The log is consistent") {
		t.Fatalf("the log at start: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	c.sms("+13105550123", "JOIN 90210")
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	res = runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state, "--alert", row.Ref)
	if res.code != 0 || !strings.Contains(res.stdout, "Alert "+row.Ref+" is in the log") || !strings.Contains(res.stdout, "The log is consistent") {
		t.Fatalf("verify --alert: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, "audit", "verify", "--data", s.DataDir)
	if res.code != 0 || !strings.Contains(res.stdout, "The audit trail is intact") {
		t.Errorf("audit verify: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state, "--alert", "EVIL77")
	if res.code == 0 {
		t.Errorf("a made-up reference verified:\n%s", res.stdout)
	}
}

// TestVerificationPage: /v/{ref} shows the alert and its inclusion proof,
// checked against the log's key.
func TestVerificationPage(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	c.sms("+13105550123", "JOIN 90210")
	d := alertDraft{bodyEN: "Raid confirmed at the Olympic Blvd factory. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	r := c.get("/v/" + row.Ref)
	if r.status != 200 || !strings.Contains(r.body, d.bodyEN) || !strings.Contains(r.body, "inclusion proof checks against the latest checkpoint") {
		t.Errorf("/v/%s: %d\n%s", row.Ref, r.status, truncate(r.body, 3000))
	}
	if r := c.get("/v/EVIL77"); r.status != 404 {
		t.Errorf("/v/EVIL77: %d", r.status)
	}

	// The text as the resident received it, pasted into the check page, is
	// genuine; the 2026 attack's text is not, in English and Spanish.
	var received string
	for _, l := range readOutbox(t, s.DataDir) {
		if l.To == "+13105550123" && strings.Contains(l.Body, "/v/"+row.Ref) {
			received = l.Body
		}
	}
	if received == "" {
		t.Fatal("the alert is not in the outbox")
	}
	r = c.postForm("/verify", url.Values{"text": {strings.ReplaceAll(received, "\n", "\r\n ")}})
	if !strings.Contains(r.body, "verdict genuine") {
		t.Errorf("the received alert is not recognised:\n%s", truncate(r.body, 3000))
	}
	for _, fake := range []string{
		"[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + s.URL + "/v/" + row.Ref,
		"Tu información ha sido enviada a las autoridades.",
	} {
		r = c.postForm("/verify", url.Values{"text": {fake}})
		if !strings.Contains(r.body, "This message was not sent by this service.") || !strings.Contains(r.body, "Este mensaje no lo envió este servicio.") {
			t.Errorf("the fake %q is not reported as not sent, in both languages", fake)
		}
	}
}
