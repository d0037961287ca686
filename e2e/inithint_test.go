package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var initLineRE = regexp.MustCompile(`(?m)^  tocsin (init .*)$`)

// TestInitHintFromServe: the tocsin init that serve prints on a data
// directory without a trust anchor is a complete command line that works
// once the placeholders are filled in, its root key lies outside the data
// directory, and a server still running says to restart it rather than to
// run tocsin init again; restarted, it takes signatures.
func TestInitHintFromServe(t *testing.T) {
	s := startServerWith(t, serverOptions{wantEnrol: true})
	waitFor(t, "the tocsin init hint on stdout", func() (bool, string) {
		return initLineRE.MatchString(s.Stdout.String()), s.Stdout.String()
	})
	line := initLineRE.FindStringSubmatch(s.Stdout.String())[1]
	root := filepath.Join(t.TempDir(), "tocsin-root.key")
	if !strings.Contains(line, "--root-key $HOME/tocsin-root.key") || !strings.Contains(line, "--data "+s.DataDir) {
		t.Fatalf("the hint %q does not name the data directory and a root key outside it", line)
	}
	line = strings.NewReplacer("$HOME/tocsin-root.key", root,
		"NAME1=NAME1.key.pub", "ana="+operatorKey(t, "ana")+".pub", "NAME2=NAME2.key.pub", "zoe="+operatorKey(t, "zoe")+".pub").Replace(line)
	res := runCLIEnv(t, []string{"TOCSIN_ROOT_PASSPHRASE=" + rootPassphrase}, strings.Fields(line)...)
	if res.code != 0 || !strings.Contains(res.stdout, "restart it") {
		t.Fatalf("tocsin %s: exit %d\nstdout:\n%s\nstderr:\n%s", line, res.code, res.stdout, res.stderr)
	}

	c, csrf := consoleSession(t, s)
	d := alertDraft{bodyEN: "Checkpoint on Pine, after init.", zips: "90210"}
	mustRedirect(t, "save alert", c.postForm("/console/alerts/new", d.form(csrf, "save")), "/console/alerts")
	row, ok := findAlert(c.get("/console/alerts").body, d.bodyEN)
	if !ok {
		t.Fatal("the saved draft is not in /console/alerts")
	}
	res = signCLI(t, s, row.ID, "ana")
	if res.code != 1 || !strings.Contains(res.stderr, "restart tocsin serve") {
		t.Fatalf("approving before the restart: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	s.stop(t)
	s = startServerWith(t, serverOptions{dataDir: s.DataDir})
	approveCLI(t, s, row.ID, "ana")
}
