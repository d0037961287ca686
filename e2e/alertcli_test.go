package e2e

import (
	"strings"
	"testing"
)

// TestAlertCommandsByRef: a roster member without a console account lists
// the alerts waiting for them with their key (tocsin alert list), and
// shows and approves an alert by its reference code or its /v/ URL as
// well as by its id; without a key, a pending alert's code finds nothing,
// and once sent the alert shows from its verification URL alone.
func TestAlertCommandsByRef(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	d := alertDraft{bodyEN: "ICE checkpoint at Elm and 9th, listed by ref.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	d2 := alertDraft{bodyEN: "Raid reported at Oak and 2nd, approved by URL.", zips: "90210"}
	row2 := saveDraft(t, c, csrf, d2)
	cli := func(env bool, args ...string) cliResult {
		var e []string
		if env {
			e = []string{"TOCSIN_PASSPHRASE=" + operatorPassphrase}
		}
		return runCLIEnv(t, e, args...)
	}
	must := func(res cliResult, code int, want string, args ...string) {
		t.Helper()
		if res.code != code || !strings.Contains(res.stdout+res.stderr, want) {
			t.Fatalf("tocsin %s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, code, want, res.stdout, res.stderr)
		}
	}
	run := func(code int, want string, env bool, args ...string) cliResult {
		t.Helper()
		res := cli(env, args...)
		must(res, code, want, args...)
		return res
	}
	list := run(0, row.Ref, true, "alert", "list", "--server", s.URL, "--key", operatorKey(t, "bob"))
	if !strings.Contains(list.stdout, row.ID) || !strings.Contains(list.stdout, "0 of") {
		t.Errorf("alert list:\n%s", list.stdout)
	}
	run(1, "--key", false, "alert", "list", "--server", s.URL)
	run(1, "--key", false, "alert", "show", row.Ref, "--server", s.URL)
	run(0, "Elm and 9th", true, "alert", "show", strings.ToLower(row.Ref), "--server", s.URL, "--key", operatorKey(t, "bob"))
	run(0, "Signed by ana.", true, "alert", "approve", row.Ref, "--server", s.URL, "--key", operatorKey(t, "ana"))
	run(0, "Signed by bob.", true, "alert", "approve", s.URL+"/v/"+row2.Ref, "--key", operatorKey(t, "bob"))
	waitAlertState(t, c, d.bodyEN, "sent")
	waitAlertState(t, c, d2.bodyEN, "sent")
	waitFor(t, "the alert in the transparency log", func() (bool, string) {
		res := cli(false, "alert", "show", s.URL+"/v/"+row.Ref)
		return res.code == 0 && strings.Contains(res.stdout, "Elm and 9th"), res.stdout + res.stderr
	})
	run(0, "Elm and 9th", false, "alert", "show", s.URL+"/alerts/"+row.Ref)
	run(1, "neither an alert id", false, "alert", "show", "not-an-alert", "--server", s.URL)
}
