package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/trust"
)

// TestAttack2026Replayed replays the 2026 attack against the real binary:
// an attacker holding the provider account texts every subscriber — two
// canaries among them — "your information has been sent to the
// authorities". Within one inbound cycle: a critical security event,
// outbound frozen, operators told over the alarm webhook (not the SMS
// provider), the text reported as not sent at /verify, and a correction
// drafted that waits for approval.
func TestAttack2026Replayed(t *testing.T) {
	var mu sync.Mutex
	var alarms []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(b, &m) == nil {
			mu.Lock()
			alarms = append(alarms, m)
			mu.Unlock()
		}
	}))
	defer hook.Close()

	s := startSignedServer(t, "--alarm-webhook-url", hook.URL, "--alarm-webhook-format", "json", "--alarm-throttle", "0")
	c, _ := consoleSession(t, s)
	residents := []string{"+13105550201", "+13105550202", "+13105550203"}
	for i, n := range residents {
		c.sms(n, "JOIN 90210")
		waitOutbox(t, s, i, n, "90210")
	}
	canaries := []string{"+13105559001", "+13105559002"}
	for i, n := range canaries {
		res := runCLI(t, "canary", "subscriber", "add", "--data", s.DataDir, "--number", n, "--zip", "90210", "--label", fmt.Sprintf("line-%d", i+2))
		if res.code != 0 {
			t.Fatalf("tocsin canary subscriber add: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
	}
	res := runCLI(t, "canary", "subscriber", "list", "--data", s.DataDir)
	if !strings.Contains(res.stdout, "line-2") || !strings.Contains(res.stdout, "line-3") {
		t.Fatalf("canary list: %s", res.stdout)
	}

	// The attack: straight through the provider account to the whole list.
	const attacker = "+12025550177"
	const fake = "Your information has been sent to the authorities."
	f, err := os.OpenFile(filepath.Join(s.DataDir, "outbox.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range append(residents, canaries...) {
		fmt.Fprintf(f, "{\"id\":\"SMevil\",\"to\":%q,\"body\":%q,\"at\":\"2026-11-25T12:00:00Z\"}\n", n, fake)
	}
	f.Close()
	// The provider delivers the copies addressed to our own numbers to us.
	for _, n := range canaries {
		r := c.postForm("/hooks/sms/dev", url.Values{"From": {attacker}, "To": {n}, "Body": {fake}})
		mustStatus(t, "the canary's inbound text", r, http.StatusOK)
	}

	waitFor(t, "operators told over the alarm channel", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range alarms {
			if a["kind"] == "canary.subscriber" {
				return true, ""
			}
		}
		return false, fmt.Sprint(alarms)
	})
	sec := c.get("/console/security").body
	for _, want := range []string{"canary.subscriber", "freeze"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the console's security page does not show %q", want)
		}
	}
	if strings.Contains(sec, "202") && strings.Contains(sec, "0177") {
		t.Error("the console shows the attacker's number")
	}
	r := c.postForm("/verify", url.Values{"text": {fake}})
	if !strings.Contains(r.body, "This message was not sent by this service.") {
		t.Error("/verify does not report the fake as not sent by the service")
	}
	alerts := c.get("/console/alerts").body
	if !strings.Contains(alerts, "did NOT come from us") {
		t.Error("no correction draft in the console")
	}
	// The correction as it would be sent: labelled, GSM-7 in at most two
	// segments, one link, quoting the captured fake.
	var stmt []byte
	if err := rawDB(t, filepath.Join(s.DataDir, "tocsin.db")).QueryRow(`SELECT statement FROM alerts WHERE created_by = 'sender'`).Scan(&stmt); err != nil {
		t.Fatalf("the correction draft: %v", err)
	}
	st, err := trust.DecodeStatement(stmt)
	if err != nil {
		t.Fatal(err)
	}
	for lang, label := range map[string]string{"en": "[CORRECTION] ", "es": "[CORRECCION] "} {
		text, info := st.Texts[lang], smstext.Analyze(st.Texts[lang])
		if !strings.HasPrefix(text, label) || info.Encoding != smstext.GSM7 || info.Segments > 2 || strings.Count(text, "http") != 1 ||
			!strings.Contains(text, `"Your information has been sent to the authorities..."`) {
			t.Errorf("%s correction (%s, %d segments):\n%s", lang, info.Encoding, info.Segments, text)
		}
	}
	// Nobody replied to the attacker, and the correction waits for signatures.
	for _, l := range readOutbox(t, s.DataDir) {
		if l.To == attacker || strings.Contains(l.Body, "did NOT come from us") {
			t.Errorf("sent %q to %s", l.Body, l.To)
		}
	}
}
