package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitRootKeyOutsideData: tocsin init never writes the offline root
// key inside the data directory, given there or by default (root.key in a
// working directory that is the data directory), and creates nothing when
// it refuses.
func TestInitRootKeyOutsideData(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TOCSIN_PASSPHRASE", "a long passphrase")
	t.Setenv("TOCSIN_ROOT_PASSPHRASE", "the root passphrase")
	cli(t, 0, "key", "new", "--out", filepath.Join(dir, "ana.key"), "--name", "ana")
	admin := "ana=" + filepath.Join(dir, "ana.key.pub")
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(filepath.Join(data, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, rootKey := range []string{filepath.Join(data, "root.key"), filepath.Join(data, "sub", "..", "sub", "root.key")} {
		out := cli(t, 1, "init", "--data", data, "--root-key", rootKey, "--admin", admin, "--single-admin")
		if !strings.Contains(out, "inside the data directory") {
			t.Errorf("init --root-key %s said: %s", rootKey, out)
		}
	}
	t.Chdir(data)
	cli(t, 1, "init", "--data", ".", "--admin", admin, "--single-admin") // root.key by default, here
	if ents, _ := os.ReadDir(data); len(ents) != 1 {
		t.Errorf("a refused init left %d entries in the data directory", len(ents))
	}
	out := cli(t, 0, "init", "--data", data, "--root-key", filepath.Join(dir, "root.key"), "--admin", admin, "--single-admin")
	if !strings.Contains(out, "restart it") {
		t.Errorf("init does not say to restart a running server: %s", out)
	}
}
