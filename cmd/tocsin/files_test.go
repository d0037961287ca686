//go:build unix

package main

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
)

// TestInitFilesPrivate: the files tocsin key new and tocsin init create
// (operator keys, the database, the trust anchor) are their owner's alone,
// but for the trust anchor, a public key meant to be copied (0644). The
// umask lets 0644 through, as most systems' default does.
func TestInitFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := func(name string) string { return filepath.Join(dir, name+".key") }
	t.Setenv("TOCSIN_PASSPHRASE", "a long passphrase")
	t.Setenv("TOCSIN_ROOT_PASSPHRASE", "the root passphrase")
	for _, n := range []string{"ana", "ben"} {
		cli(t, 0, "key", "new", "--out", key(n), "--name", n)
	}
	cli(t, 0, "init", "--data", data, "--root-key", key("root"), "--admin", "ana="+key("ana")+".pub", "--admin", "ben="+key("ben"))
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
		if perm := fi.Mode().Perm(); perm&0o077 != 0 && !(d.Name() == datadir.AnchorFile && perm == 0o644) {
			t.Errorf("%s has mode %v: group or others can access it", path, perm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tocsin.db", "root.key", "ana.key", "ana.key.pub", datadir.AnchorFile} {
		if !seen[name] {
			t.Errorf("tocsin init made no %s: the test checked less than it claims", name)
		}
	}
}
