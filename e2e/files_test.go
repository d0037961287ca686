//go:build unix

package e2e

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDataFilesPrivate: after tocsin init, a sign-up and a sent alert, every
// file the real binary made in its data directory (the database and its
// WAL files, keys, the sender's state, the outbox) is its owner's alone;
// only the public keys meant to be handed out are 0644. The umask lets
// 0644 through, as most systems' default does.
func TestDataFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022)) // the processes started inherit it
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	c.sms(resident, "JOIN 90210")
	waitOutbox(t, s, 0, resident, "90210")
	alert := alertDraft{bodyEN: "Checkpoint at Main and 3rd. Avoid the area.", zips: "90210"}
	saveAndApprove(t, s, c, csrf, alert, "ana")
	waitOutbox(t, s, 0, resident, alert.bodyEN)
	assertPrivate(t, s.DataDir) // while the server runs: tocsin.db-wal and -shm exist
}

// publicFiles are the files docs/configuration.md lists as 0644: public
// keys, to be copied to whoever checks them.
var publicFiles = map[string]bool{"sender.pub": true, "trust-anchor.pub": true, "log.pub": true}

// assertPrivate fails t for each file or directory under dir (the test
// made dir itself) that group or others may access, public keys excepted.
func assertPrivate(t *testing.T, dir string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		seen[d.Name()] = true
		if perm := fi.Mode().Perm(); perm&0o077 != 0 && !(publicFiles[d.Name()] && perm == 0o644) {
			t.Errorf("%s has mode %v: group or others can access it", path, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tocsin.db", "tocsin.db-wal", "tocsin.db-shm", "outbox.jsonl", "sender.key", "log.key", "web.key", "sent-alerts.log"} {
		if !seen[name] {
			t.Errorf("no %s under %s: the test checked less than it claims", name, dir)
		}
	}
}
