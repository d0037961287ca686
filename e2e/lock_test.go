package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSecondServerRefused: a second tocsin serve on a data directory in
// use, or a second tocsin sender on a sender's directory in use, refuses
// to start with a clear message instead of running beside the first with
// the same sender state, both acting as the primary. A web role on its own
// directory beside them is not affected.
func TestSecondServerRefused(t *testing.T) {
	s := startServer(t)
	res := runCLI(t, "serve", "--data", s.DataDir, "--listen", freeAddr(t))
	if res.code != 1 || !strings.Contains(res.stderr, "another tocsin process is running on the data directory") {
		t.Errorf("a second serve on %s: exit %d\nstdout: %s\nstderr: %s", s.DataDir, res.code, res.stdout, res.stderr)
	}
	db := filepath.Join(t.TempDir(), "tocsin.db")
	snd := startSender(t, t.TempDir(), db)
	res = runCLI(t, "sender", "--data", snd.DataDir, "--db", db, "--health", freeAddr(t))
	if res.code != 1 || !strings.Contains(res.stderr, "another tocsin process is running on the sender's directory") {
		t.Errorf("a second sender on %s: exit %d\nstdout: %s\nstderr: %s", snd.DataDir, res.code, res.stdout, res.stderr)
	}
	s.stop(t)
	startServerWith(t, serverOptions{dataDir: s.DataDir}) // healthy again once the first has stopped
}
