package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tocsin/tocsin/internal/store/postgres/pgtest"
)

// postgresSchema makes a fresh schema on the test server and returns a URL
// that uses it; the schema is dropped when the test ends.
func postgresSchema(t *testing.T) string {
	t.Helper()
	return pgtest.FreshSchema(t, pgtest.ServerURL(t), "e2e", nil)
}

// TestPostgresAlertLoop runs the whole loop with the same binary on
// PostgreSQL instead of the embedded SQLite: a JOIN by text, a signed alert,
// the text in the outbox, the alert in the transparency log.
func TestPostgresAlertLoop(t *testing.T) {
	db := postgresSchema(t)
	data := t.TempDir()
	root := filepath.Join(t.TempDir(), "root.key")
	res := runCLIEnv(t, []string{"TOCSIN_ROOT_PASSPHRASE=" + rootPassphrase}, "init", "--data", data, "--db", db, "--root-key", root,
		"--admin", "ana="+operatorKey(t, "ana"), "--admin", "zoe="+operatorKey(t, "zoe"), "--dispatcher", "bob="+operatorKey(t, "bob"))
	if res.code != 0 {
		t.Fatalf("tocsin init --db: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "tocsin.db")); err == nil {
		t.Fatal("init wrote an SQLite database although --db names PostgreSQL")
	}
	s := startServerWith(t, serverOptions{dataDir: data, wantEnrol: true, args: []string{"--db", db}})
	c, csrf := consoleSession(t, s)
	c.sms("+13105550123", "JOIN 90210")
	waitOutbox(t, s, 0, "+13105550123", "90210")
	d := alertDraft{bodyEN: "Checkpoint confirmed on PostgreSQL at Main and 3rd.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitOutbox(t, s, 0, "+13105550123", "/v/"+row.Ref)
	res = runCLI(t, "verify", "--server", s.URL, "--log-key", filepath.Join(data, "keys", "log.pub"), "--state", filepath.Join(t.TempDir(), "seen.json"), "--alert", row.Ref)
	if res.code != 0 {
		t.Errorf("tocsin verify --alert on PostgreSQL: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := runCLI(t, "audit", "verify", "--db", db); res.code != 0 {
		t.Errorf("tocsin audit verify --db: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
