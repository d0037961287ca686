package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgExec runs statements on a PostgreSQL database as an attacker with
// write access to it would: with the driver, not through tocsin's store.
func pgExec(t *testing.T, url, query string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, query, args...); err != nil {
		t.Fatalf("attack %q: %v", query, err)
	}
}

// TestForgedLedgerRowOnPostgres: someone with write access to a PostgreSQL
// database adds a trigger that copies the first row of every ledger to
// another place, so that the subscriber is in the ledger twice. The alert
// still goes out to everyone, once each, and completes; the copy is not
// sent and raises ledger.forged.
func TestForgedLedgerRowOnPostgres(t *testing.T) {
	db := postgresSchema(t)
	data := t.TempDir()
	root := filepath.Join(t.TempDir(), "root.key")
	res := runCLIEnv(t, []string{"TOCSIN_ROOT_PASSPHRASE=" + rootPassphrase}, "init", "--data", data, "--db", db, "--root-key", root,
		"--admin", "ana="+operatorKey(t, "ana"), "--admin", "zoe="+operatorKey(t, "zoe"), "--dispatcher", "bob="+operatorKey(t, "bob"))
	if res.code != 0 {
		t.Fatalf("tocsin init --db: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	s := startServerWith(t, serverOptions{dataDir: data, wantEnrol: true, args: []string{"--db", db, "--lanes", "1"}}) // one lane: each batch whole, as one sender claims it
	numbers := numbersFrom("+1310556", 0, 3)
	seedSubscribers(t, db, filepath.Join(data, "keys"), "90210", numbers)
	pgExec(t, db, `CREATE FUNCTION mallory() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.seq = 0 THEN
				INSERT INTO deliveries (alert_id, subscriber_id, seq, status, mac) VALUES (NEW.alert_id, NEW.subscriber_id, 1000000, 'pending', NEW.mac);
			END IF;
			RETURN NULL;
		END $$`)
	pgExec(t, db, `CREATE TRIGGER mallory AFTER INSERT ON deliveries FOR EACH ROW EXECUTE FUNCTION mallory()`)

	c, csrf := consoleSession(t, s)
	row := saveDraft(t, c, csrf, alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"})
	approveCLI(t, s, row.ID, "ana")
	waitWithin(t, fanoutTimeout, "the alert sent despite the copied ledger row", func() (bool, string) {
		n := countRows(t, db, `SELECT count(*) FROM alerts WHERE id = $1 AND state = 'sent'`, row.ID)
		return n == 1, fmt.Sprintf("ledger rows %d, texts %v\nstderr:\n%s", countRows(t, db, `SELECT count(*) FROM deliveries WHERE alert_id = $1`, row.ID),
			refCounts(readOutbox(t, s.DataDir), row.Ref), truncate(s.Stderr.String(), 2000))
	})
	checkExactlyOnce(t, readOutbox(t, s.DataDir), row.Ref, numbers)
	if n := countRows(t, db, `SELECT count(*) FROM security_events WHERE kind = $1`, "ledger.forged"); n != 1 {
		t.Errorf("%d ledger.forged events, want 1", n)
	}
}
