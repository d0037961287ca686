package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestEveryTextIsRecognised: every text the real binary sends, in English
// and Spanish (keyword replies, the STOP confirmation, HELP, alerts), is
// recognised by POST /api/v1/verify and by /verify as sent by the service,
// never as fake; the link or the Ref alone points to the alert; the
// Spanish alert ends with Verifica:; the 2026 attack text is not sent.
func TestEveryTextIsRecognised(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	const en, es = "+13105550123", "+13105550124"
	c.sms(en, "JOIN 90210")
	c.sms(es, "ALTA 90210")
	c.sms(es, "AYUDA")
	c.sms(en, "HELP")
	waitOutbox(t, s, 0, es, "Pueden aplicar tarifas de msj y datos")
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", bodyES: "Reten confirmado en Main y 3rd. Eviten la zona.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	spanish := waitOutbox(t, s, 0, es, d.bodyES)
	if !strings.HasSuffix(spanish.Body, "\nVerifica: "+s.URL+"/v/"+row.Ref) {
		t.Errorf("the Spanish alert %q does not end with Verifica: and its link", spanish.Body)
	}
	c.sms(es, "ALTO")
	waitOutbox(t, s, 0, es, "Envia INICIO para volver")

	check := func(text string) string {
		t.Helper()
		r := c.postJSON("/api/v1/verify", map[string]string{"text": text})
		mustStatus(t, "POST /api/v1/verify", r, 200)
		var ans struct{ Verdict, Ref string }
		if err := json.Unmarshal([]byte(r.body), &ans); err != nil {
			t.Fatalf("%s: %v", r.body, err)
		}
		page := c.postForm("/verify", url.Values{"text": {text}})
		if fake := strings.Contains(page.body, "verdict fake"); fake != (ans.Verdict == "not_sent") {
			t.Errorf("%q: the page and the API disagree (%s)", text, ans.Verdict)
		}
		if ans.Verdict == "alert" && ans.Ref != row.Ref {
			t.Errorf("%q: ref %q, want %s", text, ans.Ref, row.Ref)
		}
		return ans.Verdict
	}
	lines := readOutbox(t, s.DataDir)
	if len(lines) < 7 {
		t.Fatalf("only %d texts sent:\n%s", len(lines), describeOutbox(lines))
	}
	for _, l := range lines {
		if v := check(l.Body); v == "not_sent" {
			t.Errorf("a text the service sent is called not sent: %q", l.Body)
		}
	}
	for text, want := range map[string]string{
		s.URL + "/v/" + row.Ref: "alert",
		"Ref " + row.Ref:        "alert",
		"[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + s.URL + "/v/" + row.Ref: "not_sent",
	} {
		if v := check(text); v != want {
			t.Errorf("%q: %s, want %s", text, v, want)
		}
	}
}
