package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/sms/kannel"
	"github.com/tocsin/tocsin/internal/sms/kannel/kanneltest"
)

const (
	kannelHookSecret = "e2e-kannel-hook-secret-0123"
	kannelFrom       = "+15550001111"
)

// kannelSetup starts a real Kannel (bearerbox, smsbox, fakesmsc) and, in
// front of it, a signed all-in-one tocsin that sends through Kannel and
// takes Kannel's inbound texts and delivery reports at /hooks/sms/kannel.
func kannelSetup(t *testing.T) (*server, *kanneltest.Kannel) {
	t.Helper()
	tt := t
	addr := freeAddr(tt)
	hook := "http://" + addr + "/hooks/sms/kannel"
	p, err := kannel.New(kannel.Config{SendSMSURL: "http://127.0.0.1:1/cgi-bin/sendsms", Username: "u", Password: "p", DLRURL: hook, HookSecret: kannelHookSecret})
	if err != nil {
		t.Fatal(err)
	}
	k := kanneltest.Start(t, kanneltest.Options{InboundURL: p.InboundGetURL(hook)})
	data := tt.TempDir()
	initRoster(tt, data)
	s := startServerWith(tt, serverOptions{dataDir: data, wantEnrol: true, addr: addr, args: []string{
		"--base-url", "http://" + addr, "--provider", "kannel", "--kannel-sendsms-url", k.SendSMSURL(),
		"--kannel-username", k.Username(), "--kannel-password", k.Password(), "--kannel-from", kannelFrom,
		"--kannel-hook-secret", kannelHookSecret,
	}})
	return s, k
}

// TestKannelPath: an alert to 1,000 subscribers goes out through a real
// Kannel, one distinct message each; a text injected at the SMSC (JOIN 10001)
// reaches tocsin and its reply comes back through Kannel; delivery reports
// reach the ledger.
func TestKannelPath(t *testing.T) {
	s, k := kannelSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	if err := k.InjectMO("+12125550100", kannelFrom, "JOIN 10001"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.WaitReceived(ctx, 1, func(m kanneltest.MT) bool {
		return m.To == "+12125550100" && strings.Contains(m.Text, "10001")
	}); err != nil {
		t.Fatalf("no reply to JOIN 10001 through Kannel: %v\nserver stderr:\n%s", err, s.Stderr)
	}

	numbers := numbersFrom("+1310557", 0, 1000)
	seedSubscribers(t, s.DataDir+"/tocsin.db", s.DataDir+"/keys", "90210", numbers)
	c, csrf := consoleSession(t, s)
	d := alertDraft{bodyEN: "Checkpoint confirmed at Wilshire and Beverly. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	approveCLI(t, s, row.ID, "bob")
	ref := "/v/" + row.Ref
	got, err := k.WaitReceived(ctx, 1000, func(m kanneltest.MT) bool { return strings.Contains(m.Text, ref) })
	if err != nil {
		t.Fatalf("fakesmsc has %d of 1000 alert messages: %v", len(got), err)
	}
	seen := map[string]int{}
	for _, m := range got {
		seen[m.To]++
	}
	for _, n := range numbers {
		if seen[n] != 1 {
			t.Errorf("%s received the alert %d times", n, seen[n])
		}
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct recipients at the SMSC, want 1000", len(seen))
	}

	db := rawDB(t, s.DataDir+"/tocsin.db")
	waitFor(t, "delivery reports in the ledger", func() (bool, string) {
		var delivered int
		err := db.QueryRow(`SELECT count(*) FROM deliveries WHERE alert_id = ? AND receipt = 'delivered'`, row.ID).Scan(&delivered)
		return err == nil && delivered == 1000, fmt.Sprintf("%d delivered (%v)", delivered, err)
	})

	// A text that reaches a canary subscriber through Kannel is recognised
	// by the number it was sent to (to=%P in the get-url).
	const canary = "+13105559001"
	if res := runCLI(t, "canary", "subscriber", "add", "--data", s.DataDir, "--number", canary, "--zip", "90210", "--label", "kannel-line-2"); res.code != 0 {
		t.Fatalf("tocsin canary subscriber add: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if err := k.InjectMO("+12025550177", canary, "Your information has been sent to the authorities."); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a canary.subscriber event", func() (bool, string) {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM security_events WHERE kind = 'canary.subscriber'`).Scan(&n)
		return err == nil && n == 1, fmt.Sprintf("%d events (%v)", n, err)
	})
}

// TestKannelRate drives a 10,000-recipient alert through tocsin into Kannel
// and fakesmsc, then, in the same run, the same number of messages straight
// into Kannel's sendsms with a plain HTTP loop (with the same delivery
// reports), and prints both rates and their ratio. It is a measurement, not
// a check: run it with
//
//	TOCSIN_BENCH=1 go test -run TestKannelRate -v ./e2e/
func TestKannelRate(t *testing.T) {
	if os.Getenv("TOCSIN_BENCH") == "" {
		t.Skip("a measurement: set TOCSIN_BENCH=1 to run it")
	}
	const n = 10_000
	s, k := kannelSetup(t)
	numbers := numbersFrom("+1310559", 0, n)
	seedSubscribers(t, s.DataDir+"/tocsin.db", s.DataDir+"/keys", "90210", numbers)
	c, csrf := consoleSession(t, s)
	d := alertDraft{bodyEN: "Raid reported on Olympic Blvd. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	approveCLI(t, s, row.ID, "bob") // the last approval
	if _, err := k.WaitReceived(ctx, n, func(m kanneltest.MT) bool { return strings.Contains(m.Text, "/v/"+row.Ref) }); err != nil {
		t.Fatal(err)
	}
	tocsinRate := float64(n) / time.Since(start).Seconds()
	// Let Kannel finish the delivery reports of the alert before measuring
	// it alone, so that neither run pays for the other.
	db := rawDB(t, s.DataDir+"/tocsin.db")
	waitForLong(t, "the alert's delivery reports", 5*time.Minute, func() (bool, string) {
		var delivered int
		err := db.QueryRow(`SELECT count(*) FROM deliveries WHERE alert_id = ? AND receipt = 'delivered'`, row.ID).Scan(&delivered)
		return err == nil && delivered == n, fmt.Sprintf("%d delivered (%v)", delivered, err)
	})
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer dlr.Close()
	direct, err := kanneltest.DirectRateWith(ctx, k, n, 32, kanneltest.DirectOptions{DLRURL: dlr.URL + "/dlr", From: kannelFrom})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("through tocsin: %.0f msgs/s; straight into sendsms: %.0f msgs/s; ratio %.2f", tocsinRate, direct, tocsinRate/direct)
	fmt.Printf("kannel-rate tocsin=%.0f direct=%.0f ratio=%.2f\n", tocsinRate, direct, tocsinRate/direct)
}

// waitForLong is waitFor with a deadline of its own.
func waitForLong(t *testing.T, what string, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, detail)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
