//go:build unix

package sqlite_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFilesPrivate: the database and the -wal and -shm files SQLite makes
// beside it are readable by their owner only, whatever the umask lets
// through (SQLite alone would create them 0644).
func TestFilesPrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	path := filepath.Join(t.TempDir(), "t.db")
	db := open(t, path) // migrations write: the WAL files exist while it is open
	defer db.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
