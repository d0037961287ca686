package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/sms/twilio/twiliotest"
)

// The Twilio account the fake serves. The secrets are made up and only ever
// reach the fake on loopback.
const (
	twAccount = "AC0123456789abcdef0123456789abcdef"
	twKey     = "SKfedcba9876543210fedcba9876543210"
	twSecret  = "e2eApiKeySecret0123456789abcdefX"
	twToken   = "e2eAuthToken0123456789abcdefABCD"
	twFrom    = "+13105550100"
)

// newTwilioFake starts a fake Twilio that accepts the API key and the auth
// token of the account above.
func newTwilioFake(t *testing.T) *twiliotest.Server {
	t.Helper()
	return twiliotest.New(t, twiliotest.Options{AccountSID: twAccount, APIKey: twKey, APISecret: twSecret, AuthToken: twToken})
}

// startTwilioServer runs `tocsin serve` (all in one, with a signed roster)
// sending through the fake. --base-url is left to its default,
// http://LISTEN, which is the server's URL: it is the URL Twilio signs and
// the status callback URL (the tests check that the fake was given it).
func startTwilioServer(t *testing.T, fake *twiliotest.Server, extra ...string) *server {
	t.Helper()
	args := append([]string{"--provider", "twilio",
		"--twilio-account-sid", twAccount, "--twilio-api-key", twKey, "--twilio-api-secret", twSecret,
		"--twilio-auth-token", twToken, "--twilio-from", twFrom, "--twilio-base-url", fake.URL}, extra...)
	return startSignedServer(t, args...)
}

func hookURL(s *server) string { return s.URL + "/hooks/sms/twilio" }

// inboundForm is an inbound text as Twilio posts it to the messaging webhook.
func inboundForm(from, body string, n int) url.Values {
	sid := fmt.Sprintf("SM%032x", 0xe2e0000+n)
	return url.Values{
		"AccountSid": {twAccount}, "ApiVersion": {"2010-04-01"}, "Body": {body}, "From": {from}, "To": {twFrom},
		"FromCountry": {"US"}, "FromState": {"CA"}, "MessageSid": {sid}, "SmsMessageSid": {sid}, "SmsSid": {sid},
		"NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"},
	}
}

// postTwilioHook posts form to the server's Twilio webhook with the
// signature ("" for none) and returns the HTTP status.
func postTwilioHook(t *testing.T, s *server, form url.Values, signature string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, hookURL(s), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set("X-Twilio-Signature", signature)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST /hooks/sms/twilio: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

var inboundSeq int

// twilioText sends a text from a number to the server as Twilio would:
// signed with the auth token over the server's public hook URL.
func twilioText(t *testing.T, s *server, from, body string) {
	t.Helper()
	inboundSeq++
	form := inboundForm(from, body, inboundSeq)
	if st := postTwilioHook(t, s, form, twiliotest.Sign(twToken, hookURL(s), form)); st != http.StatusOK {
		t.Fatalf("signed inbound text %q: status %d", body, st)
	}
}

func hookRequestsWaiting(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM hook_requests`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitHooksHandled waits until the sender has taken every queued webhook.
func waitHooksHandled(t *testing.T, db *sql.DB) {
	t.Helper()
	waitFor(t, "the sender to handle the queued webhook requests", func() (bool, string) {
		n := hookRequestsWaiting(t, db)
		return n == 0, fmt.Sprintf("%d webhook requests waiting", n)
	})
}

// twilioBarrier is senderBarrier for a server without the dev webhook: a
// signed HELP through Twilio's webhook, twice, each time until the sender
// has taken it (it handles webhooks first in each round).
func twilioBarrier(t *testing.T, s *server, db *sql.DB) {
	t.Helper()
	for range 2 {
		twilioText(t, s, "+13105559999", "HELP")
		waitHooksHandled(t, db)
	}
}

// fakeTo returns the messages the fake accepted for one number.
func fakeTo(fake *twiliotest.Server, to string) []twiliotest.Message {
	var out []twiliotest.Message
	for _, m := range fake.Sent() {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// fakeLines are the fake's messages as outbox lines, for refCounts and
// checkExactlyOnce.
func fakeLines(fake *twiliotest.Server) []outboxLine {
	var out []outboxLine
	for _, m := range fake.Sent() {
		out = append(out, outboxLine{To: m.To, Body: m.Body, At: m.DateCreated})
	}
	return out
}

func countEvents(t *testing.T, db *sql.DB, kind string) int {
	t.Helper()
	n := 0
	for _, e := range securityEvents(t, db) {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// isSubscriber reports whether the number has a subscriber row, looked up
// by its keyed hash as the sender does.
func isSubscriber(t *testing.T, s *server, db *sql.DB, number string) bool {
	t.Helper()
	keys, err := vault.Load(filepath.Join(s.DataDir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := phone.Parse(number, "US")
	if err != nil {
		t.Fatal(err)
	}
	var c int
	if err := db.QueryRow(`SELECT count(*) FROM subscribers WHERE phone_hash = ?`, keys.Hash(n)).Scan(&c); err != nil {
		t.Fatal(err)
	}
	return c > 0
}

// approveAlert saves d and has as many operators sign it as it needs.
func approveAlert(t *testing.T, s *server, c *client, csrf string, d alertDraft) alertRow {
	t.Helper()
	row := saveDraft(t, c, csrf, d)
	for _, name := range []string{"ana", "bob"}[:min(row.Need, 2)] {
		approveCLI(t, s, row.ID, name)
	}
	return row
}

// TestTwilioInboundAndReply: a text that Twilio signed subscribes its
// sender, whose one reply goes out with the API key; unsigned or wrongly
// signed requests change nothing and raise webhook.forged.
func TestTwilioInboundAndReply(t *testing.T) {
	fake := newTwilioFake(t)
	s := startTwilioServer(t, fake)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))

	const resident = "+13105551001"
	twilioText(t, s, resident, "JOIN 90210")
	waitFor(t, "the reply to JOIN at the fake", func() (bool, string) {
		return len(fakeTo(fake, resident)) > 0, fmt.Sprintf("fake has %d messages", len(fake.Sent()))
	})
	twilioBarrier(t, s, db) // anything else the JOIN caused has gone out by now
	got := fakeTo(fake, resident)
	if len(got) != 1 {
		t.Fatalf("the resident got %d messages, want exactly one reply: %+v", len(got), got)
	}
	m := got[0]
	if m.AuthUser != twKey {
		t.Errorf("the reply was sent as %q, want the API key %s (never the account SID and auth token)", m.AuthUser, twKey)
	}
	if m.From != twFrom || !strings.Contains(m.Body, "90210") {
		t.Errorf("reply from %s with body %q, want from %s mentioning 90210", m.From, m.Body, twFrom)
	}
	if m.StatusCallback != hookURL(s) {
		t.Errorf("reply's StatusCallback is %q, want %q", m.StatusCallback, hookURL(s))
	}
	if !isSubscriber(t, s, db, resident) {
		t.Errorf("the resident is not a subscriber after a signed JOIN")
	}
	if n := countEvents(t, db, "webhook.forged"); n != 0 {
		t.Fatalf("%d webhook.forged events after genuine requests: %q", n, securityEvents(t, db))
	}

	// Forgeries, each from a number of its own.
	forgeries := []struct {
		name, from string
		sign       func(url.Values) string
	}{
		{"unsigned", "+13105551002", func(url.Values) string { return "" }},
		{"wrong signature", "+13105551003", func(url.Values) string { return "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==" }},
		{"signed with the API secret", "+13105551004", func(f url.Values) string { return twiliotest.Sign(twSecret, hookURL(s), f) }},
		{"signed for another URL", "+13105551005", func(f url.Values) string {
			return twiliotest.Sign(twToken, "https://attacker.example/hooks/sms/twilio", f)
		}},
		{"signed for another path", "+13105551006", func(f url.Values) string {
			return twiliotest.Sign(twToken, s.URL+"/hooks/sms/kannel", f)
		}},
		{"body changed after signing", "+13105551007", func(f url.Values) string {
			g := url.Values{}
			for k, v := range f {
				g[k] = v
			}
			g.Set("Body", "HELP")
			return twiliotest.Sign(twToken, hookURL(s), g)
		}},
	}
	for i, f := range forgeries {
		form := inboundForm(f.from, "JOIN 90210", 100+i)
		st := postTwilioHook(t, s, form, f.sign(form))
		t.Logf("%s: HTTP %d", f.name, st)
	}
	waitFor(t, "a webhook.forged event for each forgery", func() (bool, string) {
		n := countEvents(t, db, "webhook.forged")
		return n >= len(forgeries), fmt.Sprintf("%d of %d; events %q", n, len(forgeries), securityEvents(t, db))
	})
	waitHooksHandled(t, db)
	twilioBarrier(t, s, db)
	if n := countEvents(t, db, "webhook.forged"); n != len(forgeries) {
		t.Errorf("%d webhook.forged events, want %d", n, len(forgeries))
	}
	for _, e := range securityEvents(t, db) {
		if e.Kind == "webhook.forged" && e.Subject != "twilio" {
			t.Errorf("webhook.forged event about %q, want twilio", e.Subject)
		}
	}
	for _, f := range forgeries {
		if got := fakeTo(fake, f.from); len(got) != 0 {
			t.Errorf("%s: %d messages went to its number: %+v", f.name, len(got), got)
		}
		if isSubscriber(t, s, db, f.from) {
			t.Errorf("%s: its number was subscribed", f.name)
		}
	}
	if got := fakeTo(fake, resident); len(got) != 1 {
		t.Errorf("the resident has %d messages after the forgeries, want still 1", len(got))
	}
	for _, m := range fake.Sent() {
		if m.AuthUser != twKey {
			t.Errorf("message %s sent as %q, want the API key", m.SID, m.AuthUser)
		}
	}
}

// TestTwilioAlertAndReceipts: an approved alert goes out through Twilio, one
// message per subscriber with the signed text and a validity period, and the
// status callbacks Twilio sends reach the ledger.
func TestTwilioAlertAndReceipts(t *testing.T) {
	fake := newTwilioFake(t)
	s := startTwilioServer(t, fake, "--reconcile-every", "1s")
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	db := rawDB(t, dbPath)
	numbers := numbersFrom("+1310556", 0, 4)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)

	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"}
	row := approveAlert(t, s, c, csrf, d)
	waitFor(t, "the alert sent", func() (bool, string) {
		st := alertState(t, db, row.ID)
		return st == "sent", "state " + st
	})
	lines := fakeLines(fake)
	checkExactlyOnce(t, lines, row.Ref, numbers)

	// The text as signed and published.
	var signed string
	r := c.get("/api/v1/alerts")
	mustStatus(t, "GET /api/v1/alerts", r, http.StatusOK)
	var list struct {
		Alerts []struct{ Ref, Text string } `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(r.body), &list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list.Alerts {
		if a.Ref == row.Ref {
			signed = a.Text
		}
	}
	if signed == "" || !strings.HasSuffix(signed, "/v/"+row.Ref) {
		t.Fatalf("GET /api/v1/alerts has no text ending Ref %s: %s", row.Ref, truncate(r.body, 2000))
	}
	var validUntil int64
	if err := db.QueryRow(`SELECT valid_until FROM alerts WHERE id = ?`, row.ID).Scan(&validUntil); err != nil {
		t.Fatal(err)
	}
	sids := map[string]string{} // number → SID
	for _, n := range numbers {
		ms := fakeTo(fake, n)
		if len(ms) != 1 {
			continue // checkExactlyOnce said so
		}
		m := ms[0]
		sids[n] = m.SID
		if m.Body != signed {
			t.Errorf("%s got %q, want the signed text %q", n, m.Body, signed)
		}
		if m.AuthUser != twKey || m.From != twFrom || m.StatusCallback != hookURL(s) {
			t.Errorf("%s: sent as %q from %s with callback %q", n, m.AuthUser, m.From, m.StatusCallback)
		}
		want := validUntil - m.DateCreated.Unix()
		if m.ValidityPeriod <= 0 || m.ValidityPeriod > 36000 || m.ValidityPeriod < int(want)-3 || m.ValidityPeriod > int(want)+1 {
			t.Errorf("%s: ValidityPeriod %d, want about %d (the alert's validity left)", n, m.ValidityPeriod, want)
		}
	}
	receipt := func(sid string) string {
		var rc string
		if err := db.QueryRow(`SELECT receipt FROM deliveries WHERE provider_id = ?`, sid).Scan(&rc); err != nil {
			t.Fatalf("ledger row of %s: %v", sid, err)
		}
		return rc
	}
	for n, sid := range sids {
		if rc := receipt(sid); rc != "" {
			t.Errorf("%s: receipt %q before any callback", n, rc)
		}
	}

	// A forged callback (signed with the wrong key) claiming a failure
	// changes nothing.
	first := sids[numbers[0]]
	forged := url.Values{"AccountSid": {twAccount}, "ApiVersion": {"2010-04-01"}, "MessageSid": {first}, "SmsSid": {first},
		"MessageStatus": {"failed"}, "SmsStatus": {"failed"}, "To": {numbers[0]}, "From": {twFrom}, "ErrorCode": {"30008"}}
	postTwilioHook(t, s, forged, twiliotest.Sign(twSecret, hookURL(s), forged))
	waitSecurityEvent(t, db, "webhook.forged", "twilio", "")
	if rc := receipt(first); rc != "" {
		t.Errorf("a forged callback set the receipt to %q", rc)
	}

	// Twilio's callbacks: an intermediate "sent" then "delivered" for all
	// but the last, which is undelivered (30003: unreachable handset).
	want := map[string]string{}
	for i, n := range numbers {
		sid, ok := sids[n]
		if !ok {
			continue
		}
		status, code := "delivered", ""
		if i == len(numbers)-1 {
			status, code = "undelivered", "30003"
		}
		want[sid] = status
		for _, st := range []string{"sent", status} {
			ec := ""
			if st == status {
				ec = code
			}
			hc, err := fake.StatusCallback(sid, st, ec)
			if err != nil || hc != http.StatusOK {
				t.Fatalf("status callback %s %s: HTTP %d, %v", sid, st, hc, err)
			}
		}
	}
	waitFor(t, "every receipt in the ledger", func() (bool, string) {
		got := map[string]string{}
		for sid := range want {
			got[sid] = receipt(sid)
		}
		for sid, w := range want {
			if got[sid] != w {
				return false, fmt.Sprintf("want %v\ngot  %v", want, got)
			}
		}
		return true, ""
	})
	// A late intermediate callback does not undo a final one.
	if hc, err := fake.StatusCallback(first, "sent", ""); err != nil || hc != http.StatusOK {
		t.Fatalf("late callback: HTTP %d, %v", hc, err)
	}
	waitHooksHandled(t, db)
	twilioBarrier(t, s, db)
	if rc := receipt(first); rc != "delivered" {
		t.Errorf("a late 'sent' callback changed the final receipt to %q", rc)
	}
	var delivered, undelivered int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE receipt = 'delivered'), count(*) FILTER (WHERE receipt IN ('undelivered','failed')) FROM deliveries WHERE alert_id = ?`, row.ID).Scan(&delivered, &undelivered); err != nil {
		t.Fatal(err)
	}
	if delivered != len(numbers)-1 || undelivered != 1 {
		t.Errorf("ledger counts %d delivered and %d undelivered, want %d and 1", delivered, undelivered, len(numbers)-1)
	}
	// Reconciliation ran (every second) over our own messages: no alarm.
	if n := countEvents(t, db, "provider.unknown_messages"); n != 0 {
		t.Errorf("reconciliation raised %d false alarms: %q", n, securityEvents(t, db))
	}
}

// TestTwilioFaults: 429s, a dead primary with a fallback, and timeouts:
// nothing lost, nothing duplicated.
func TestTwilioFaults(t *testing.T) {
	t.Run("429 storm", func(t *testing.T) {
		fake := newTwilioFake(t)
		s := startTwilioServer(t, fake, "--reconcile-every", "1s")
		c, csrf := consoleSession(t, s)
		dbPath := filepath.Join(s.DataDir, "tocsin.db")
		db := rawDB(t, dbPath)
		numbers := numbersFrom("+1310555", 0, 10)
		seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)

		fake.Fail(3, http.StatusTooManyRequests)
		row := approveAlert(t, s, c, csrf, alertDraft{bodyEN: "Checkpoint at Main and 3rd. Avoid the area.", zips: "90210"})
		waitFor(t, "the alert sent", func() (bool, string) {
			st := alertState(t, db, row.ID)
			return st == "sent", "state " + st + fmt.Sprintf(", %d at the fake", len(fake.Sent()))
		})
		checkExactlyOnce(t, fakeLines(fake), row.Ref, numbers)
		l := ledgerStates(t, dbPath, row.ID)
		if l["sent"] != len(numbers) {
			t.Errorf("ledger %v, want %d sent", l, len(numbers))
		}
		twilioBarrier(t, s, db)
		if n := countEvents(t, db, "provider.unknown_messages"); n != 0 {
			t.Errorf("reconciliation raised %d alarms after the 429s: %q", n, securityEvents(t, db))
		}
	})

	t.Run("dead primary fails over", func(t *testing.T) {
		fake := newTwilioFake(t)
		s := startTwilioServer(t, fake, "--fallback-provider", "outbox", "--reconcile-every", "1s")
		c, csrf := consoleSession(t, s)
		dbPath := filepath.Join(s.DataDir, "tocsin.db")
		db := rawDB(t, dbPath)
		numbers := numbersFrom("+1310554", 0, 120)
		seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)

		// Twilio answers slowly, then dies in the middle of the fan-out.
		fake.Delay(30 * time.Millisecond)
		row := approveAlert(t, s, c, csrf, alertDraft{bodyEN: "Raid at the rail yard on Alameda St. Avoid the area.", zips: "90210"})
		waitFor(t, "the fan-out to begin at Twilio", func() (bool, string) {
			n := len(refCounts(fakeLines(fake), row.Ref))
			return n >= 10, fmt.Sprintf("%d at the fake", n)
		})
		fake.Fail(1000, http.StatusInternalServerError)
		fake.Delay(0)
		waitWithin(t, 30*time.Second, "the alert sent", func() (bool, string) {
			st := alertState(t, db, row.ID)
			return st == "sent", "state " + st + fmt.Sprint(ledgerStates(t, dbPath, row.ID))
		})
		viaTwilio, viaOutbox := fakeLines(fake), readOutbox(t, s.DataDir)
		nt, no := len(refCounts(viaTwilio, row.Ref)), len(refCounts(viaOutbox, row.Ref))
		t.Logf("%d through Twilio before it died, %d through the outbox fallback", nt, no)
		if no == 0 {
			t.Errorf("nothing went through the fallback")
		}
		checkExactlyOnce(t, append(viaTwilio, viaOutbox...), row.Ref, numbers)
		if l := ledgerStates(t, dbPath, row.ID); l["sent"] != len(numbers) {
			t.Errorf("ledger %v, want %d sent", l, len(numbers))
		}
		twilioBarrier(t, s, db)
		if n := countEvents(t, db, "provider.unknown_messages"); n != 0 {
			t.Errorf("reconciliation raised %d alarms after the failover: %q", n, securityEvents(t, db))
		}
	})

	t.Run("provider timeout", func(t *testing.T) {
		// The Twilio client's timeout is fixed at 10 s (twilio.Config's
		// HTTPClient is not reachable from the command line: there is no
		// flag for it), so a Delay longer than the timeout would cost at
		// least 10 s per attempt and several attempts per message.
		t.Skip("no flag sets the Twilio client timeout (fixed at 10 s): a timeout test would take too long end to end; see the unit tests of internal/sms/twilio")
	})
}

// TestTwilioReconciliation: a message Twilio lists as sent from our number
// that tocsin did not send raises provider.unknown_messages and freezes
// outbound messaging.
func TestTwilioReconciliation(t *testing.T) {
	fake := newTwilioFake(t)
	s := startTwilioServer(t, fake, "--reconcile-every", "1s")
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	db := rawDB(t, dbPath)
	numbers := numbersFrom("+1310553", 0, 3)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)

	// Our own traffic, then two reconciliation rounds that see it: no alarm.
	twilioText(t, s, "+13105552001", "JOIN 90210")
	waitFor(t, "the reply to JOIN", func() (bool, string) {
		return len(fakeTo(fake, "+13105552001")) == 1, fmt.Sprintf("%d at the fake", len(fake.Sent()))
	})
	lists := len(fake.ListQueries())
	waitFor(t, "two reconciliation rounds", func() (bool, string) {
		n := len(fake.ListQueries())
		return n >= lists+2, fmt.Sprintf("%d list requests, want %d", n, lists+2)
	})
	for _, q := range fake.ListQueries() {
		if q.Get("From") != twFrom {
			t.Errorf("reconciliation listed with From=%q, want %s", q.Get("From"), twFrom)
		}
	}
	if n := countEvents(t, db, "provider.unknown_messages"); n != 0 {
		t.Fatalf("false alarm on our own messages: %q", securityEvents(t, db))
	}
	if st := freezeState(t, c); st != "running" {
		t.Fatalf("before the stolen-key message the console says %s", st)
	}

	// Someone with our credentials sends from our number.
	stolen := fake.InjectSent(twiliotest.Message{To: "+13105552002", From: twFrom, Body: "Your account is locked, call 555-0100"})
	ev := waitSecurityEvent(t, db, "provider.unknown_messages", "twilio", stolen.SID)
	t.Logf("event: %s", ev.Detail)
	waitFor(t, "the console to say FROZEN", func() (bool, string) {
		st := freezeState(t, c)
		return st == "frozen", st
	})
	r := c.get("/console/security")
	if !strings.Contains(r.body, "provider.unknown_messages") {
		t.Errorf("/console/security does not list the provider.unknown_messages event")
	}

	// The next alert does not go out, and neither do replies.
	before := len(fake.Sent())
	row := approveAlert(t, s, c, csrf, alertDraft{bodyEN: "Checkpoint at Main and 5th. Avoid the area.", zips: "90210"})
	twilioBarrier(t, s, db)
	time.Sleep(1500 * time.Millisecond) // a poll or so more, for good measure
	twilioBarrier(t, s, db)
	if n := len(refCounts(fakeLines(fake), row.Ref)); n != 0 {
		t.Errorf("an alert approved after the freeze went out to %d subscribers", n)
	}
	if st := alertState(t, db, row.ID); st != "approved" {
		t.Errorf("the alert approved while frozen is %s, want approved (waiting)", st)
	}
	if after := len(fake.Sent()); after != before {
		t.Errorf("%d messages went out while frozen: %+v", after-before, fake.Sent()[before:])
	}
}

// TestTwilioRevokedKey: Twilio refuses our API key (revoked, or rotated by
// someone else). The provider is taken out of rotation with a
// provider.auth_refused event, and what was to be sent waits: no alert
// delivery is marked failed and no queued reply is dropped for a fault of
// our own credentials. (The first refusal takes Twilio out of rotation for
// 30 s, after which sends wait as "no provider in rotation"; so each case
// needs a server of its own, where the refused send is the first one.)
func TestTwilioRevokedKey(t *testing.T) {
	// The fake knows another secret for our key: every send is a 401.
	revoked := func(t *testing.T) *twiliotest.Server {
		return twiliotest.New(t, twiliotest.Options{AccountSID: twAccount, APIKey: twKey, APISecret: "someoneRotatedThisKey0123456789a", AuthToken: twToken})
	}

	t.Run("alert", func(t *testing.T) {
		fake := revoked(t)
		s := startTwilioServer(t, fake)
		c, csrf := consoleSession(t, s)
		dbPath := filepath.Join(s.DataDir, "tocsin.db")
		db := rawDB(t, dbPath)
		numbers := numbersFrom("+1310552", 0, 3)
		seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)

		row := approveAlert(t, s, c, csrf, alertDraft{bodyEN: "Checkpoint at Main and 7th. Avoid the area.", zips: "90210"})
		waitSecurityEvent(t, db, "provider.auth_refused", "twilio", "")
		twilioBarrier(t, s, db)
		l := ledgerStates(t, dbPath, row.ID)
		st := alertState(t, db, row.ID)
		t.Logf("alert %s, ledger %v, %d provider.auth_refused events", st, l, countEvents(t, db, "provider.auth_refused"))
		if len(fake.Sent()) != 0 {
			t.Fatalf("the fake accepted %d messages with a refused key", len(fake.Sent()))
		}
		if l["failed"] != 0 || st == "sent" {
			var e string
			_ = db.QueryRow(`SELECT error FROM deliveries WHERE alert_id = ? AND status = 'failed'`, row.ID).Scan(&e)
			t.Errorf("Twilio refused our credentials and %d of %d deliveries were marked failed for good (alert %s), want them waiting; error: %q",
				l["failed"], len(numbers), st, e)
		}
	})

	t.Run("reply", func(t *testing.T) {
		fake := revoked(t)
		s := startTwilioServer(t, fake)
		db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
		twilioText(t, s, "+13105552101", "JOIN 90210")
		waitSecurityEvent(t, db, "provider.auth_refused", "twilio", "")
		waitHooksHandled(t, db)
		var queued int
		if err := db.QueryRow(`SELECT count(*) FROM outbound`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if len(fake.Sent()) != 0 {
			t.Fatalf("the fake accepted %d messages with a refused key", len(fake.Sent()))
		}
		if queued == 0 {
			t.Errorf("the reply to JOIN was dropped from the outbound queue when Twilio refused our key; want it kept until the key works again")
		}
	})
}

// TestTwilioReplayedInbound plays someone who captured one signed inbound
// text (the request Twilio posted, signature and all) and posts it to the
// running server again, twice: the text is acted on once (one reply at the
// fake Twilio), and each replay raises webhook.replayed and draws nothing.
// A status callback replayed counts its delivery once.
func TestTwilioReplayedInbound(t *testing.T) {
	fake := newTwilioFake(t)
	s := startTwilioServer(t, fake)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))

	const resident = "+13105551101"
	inboundSeq++
	form := inboundForm(resident, "HELP", inboundSeq)
	sig := twiliotest.Sign(twToken, hookURL(s), form)
	for i := range 3 {
		if st := postTwilioHook(t, s, form, sig); st != http.StatusOK {
			t.Fatalf("post %d of the signed text: status %d", i+1, st)
		}
		waitHooksHandled(t, db)
	}
	twilioBarrier(t, s, db) // any reply the replays caused has gone out by now
	if got := fakeTo(fake, resident); len(got) != 1 {
		t.Errorf("one signed text posted three times drew %d replies, want 1", len(got))
	}
	if n := countEvents(t, db, "webhook.replayed"); n != 2 {
		t.Errorf("%d webhook.replayed events, want 2: %q", n, securityEvents(t, db))
	}
}

// The canary subscribers' own Twilio account (not the sending account).
const (
	twCanaryAccount = "AC00000000000000000000000000000042"
	twCanaryToken   = "e2eCanaryAccountToken0123456789Z"
)

// postCanaryHook posts a text to /hooks/sms/canary as the canary account's
// Twilio would, signed with token, and waits until the sender took it.
func postCanaryHook(t *testing.T, s *server, db *sql.DB, token, from, to, body string) {
	t.Helper()
	inboundSeq++
	form := inboundForm(from, body, inboundSeq)
	form.Set("AccountSid", twCanaryAccount)
	form.Set("To", to)
	u := s.URL + "/hooks/sms/canary"
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Sign(token, u, form))
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST /hooks/sms/canary: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /hooks/sms/canary: status %d", resp.StatusCode)
	}
	waitHooksHandled(t, db)
}

// TestTwilioCanaryOnAnotherAccount runs a canary subscriber on another
// Twilio account against the real binary: the sending account (the fake)
// sends it the genuine alert like anyone, and the canary account's webhook
// posts what it receives to /hooks/sms/canary. The genuine alert raises
// nothing; a request signed with the sending account's token (someone
// holding that account) is a forgery that changes nothing; the attacker's
// text raises canary.subscriber and freezes, with no reply.
func TestTwilioCanaryOnAnotherAccount(t *testing.T) {
	fake := newTwilioFake(t)
	s := startTwilioServer(t, fake, "--canary-hook", "twilio", "--canary-twilio-account-sid", twCanaryAccount,
		"--canary-twilio-auth-token", twCanaryToken)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	db := rawDB(t, dbPath)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbersFrom("+1310556", 0, 3))
	const canary, attacker = "+13105559009", "+12025550177"
	res := runCLI(t, "canary", "subscriber", "add", "--data", s.DataDir, "--number", canary, "--zip", "90210", "--label", "line-9", "--other-account")
	if res.code != 0 {
		t.Fatalf("tocsin canary subscriber add --other-account: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := runCLI(t, "canary", "subscriber", "list", "--data", s.DataDir); !strings.Contains(res.stdout, "another account") {
		t.Errorf("canary list does not say line-9 receives on another account:\n%s", res.stdout)
	}

	row := approveAlert(t, s, c, csrf, alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"})
	waitFor(t, "the alert sent", func() (bool, string) {
		st := alertState(t, db, row.ID)
		return st == "sent", "state " + st
	})
	got := fakeTo(fake, canary)
	if len(got) != 1 {
		t.Fatalf("the canary got %d messages from the sending account, want the alert", len(got))
	}
	postCanaryHook(t, s, db, twCanaryToken, twFrom, canary, got[0].Body)
	if evs := securityEvents(t, db); len(evs) != 0 || hasFreezeOrder(t, db) {
		t.Fatalf("the genuine alert at the other account's canary raised %q", evs)
	}

	const fake2026 = "Your information has been sent to the authorities."
	postCanaryHook(t, s, db, twToken, attacker, canary, fake2026)
	if n, m := countEvents(t, db, "webhook.forged"), countEvents(t, db, "canary.subscriber"); n != 1 || m != 0 {
		t.Fatalf("signed with the sending account's token: %d webhook.forged, %d canary.subscriber; want 1 and 0", n, m)
	}
	postCanaryHook(t, s, db, twCanaryToken, attacker, canary, fake2026)
	if n := countEvents(t, db, "canary.subscriber"); n != 1 {
		t.Errorf("%d canary.subscriber events, want 1: %q", n, securityEvents(t, db))
	}
	if !hasFreezeOrder(t, db) {
		t.Error("no freeze order after the attacker's text, want the sender's auto-freeze")
	}
	if got := fakeTo(fake, attacker); len(got) != 0 {
		t.Errorf("the attacker got %d texts", len(got))
	}
}

func hasFreezeOrder(t *testing.T, db *sql.DB) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM freeze_orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
