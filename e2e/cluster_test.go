package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// TestTwoWebTwoSendersOnPostgres runs tocsin scaled out on one PostgreSQL
// database: two web replicas (`serve --role web`) and two sender processes
// (a primary and a `--worker`, with the same keys, sharing one provider
// account: the outbox file). 100,000 subscribers; the operator signs in on
// one replica and drafts the alert on the other; the primary is killed with
// SIGKILL a quarter of the way through the fan-out, and the worker finishes:
// every subscriber gets the alert exactly once.
func TestTwoWebTwoSendersOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 subscribers")
	}
	db := postgresSchema(t)
	base := t.TempDir()
	web1, web2 := filepath.Join(base, "web1"), filepath.Join(base, "web2")
	snd1, snd2 := filepath.Join(base, "sender1"), filepath.Join(base, "sender2")
	provider := filepath.Join(base, "provider") // the provider account both senders send through
	for _, d := range []string{filepath.Join(snd1, "keys"), filepath.Join(snd2, "keys"), filepath.Join(web2, "keys"), provider} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	outbox := filepath.Join(provider, "outbox.jsonl")

	root := filepath.Join(t.TempDir(), "root.key")
	res := runCLIEnv(t, []string{"TOCSIN_ROOT_PASSPHRASE=" + rootPassphrase}, "init", "--data", web1, "--db", db, "--root-key", root,
		"--admin", "ana="+operatorKey(t, "ana"), "--admin", "zoe="+operatorKey(t, "zoe"), "--dispatcher", "bob="+operatorKey(t, "bob"))
	if res.code != 0 {
		t.Fatalf("tocsin init --db: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	anchor := filepath.Join(web1, "keys", "trust-anchor.pub")
	copyFile(t, anchor, filepath.Join(snd1, "keys", "trust-anchor.pub"))

	// The primary makes the sender's keys; the worker gets a copy of them
	// (the same secret, as a deployment mounts it), the web replicas the
	// public key only.
	primary := startSender(t, snd1, db, "--outbox", outbox)
	keyFiles, err := os.ReadDir(filepath.Join(snd1, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range keyFiles {
		to := filepath.Join(snd2, "keys", f.Name())
		copyFile(t, filepath.Join(snd1, "keys", f.Name()), to)
		if err := os.Chmod(to, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	worker := startSender(t, snd2, db, "--outbox", outbox, "--worker", "--claim-lease", "3s")
	copyFile(t, filepath.Join(snd1, "keys", vault.PublicFile), filepath.Join(web1, "keys", vault.PublicFile))
	copyFile(t, filepath.Join(snd1, "keys", "log.pub"), filepath.Join(web1, "keys", "log.pub"))

	numbers := numbersFrom("+1310", 5_560_000, 100_000)
	seedStart := time.Now()
	seedSubscribers(t, db, filepath.Join(snd1, "keys"), "90210", numbers)
	t.Logf("seeded %d subscribers in %v", len(numbers), time.Since(seedStart).Round(time.Millisecond))

	// Two web replicas: the second shares the first's web.key (the CSRF
	// key), the anchor and the sender's public key.
	w1 := startServerWith(t, serverOptions{dataDir: web1, wantEnrol: true, args: []string{"--role", "web", "--db", db}})
	c1, csrf := consoleSession(t, w1)
	for _, f := range []string{"web.key", "trust-anchor.pub", vault.PublicFile, "log.pub"} {
		copyFile(t, filepath.Join(web1, "keys", f), filepath.Join(web2, "keys", f))
		if err := os.Chmod(filepath.Join(web2, "keys", f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w2 := startServerWith(t, serverOptions{dataDir: web2, args: []string{"--role", "web", "--db", db}})

	// Stateless replicas: the session made on web1 and its CSRF token work
	// on web2.
	c2 := *c1
	c2.base = w2.URL
	mustStatus(t, "GET /console on the second replica", c2.get("/console"), http.StatusOK)
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd, scaled out.", zips: "90210"}
	row := saveDraft(t, &c2, csrf, d)
	approveCLI(t, w2, row.ID, "ana")
	approveCLI(t, w1, row.ID, "bob")

	// SIGKILL the primary a quarter of the way through.
	waitWithin(t, fanoutTimeout, "the fan-out under way", func() (bool, string) {
		return fileSize(t, outbox) > 0, ""
	})
	first := readOutbox(t, provider)
	lineLen := fileSize(t, outbox) / int64(max(1, len(first)))
	killWhenOutboxGrows(t, primary, outbox, lineLen*int64(len(numbers)/4))
	atKill := len(readOutbox(t, provider))
	t.Logf("primary killed with %d of %d texts out", atKill, len(numbers))
	if atKill >= len(numbers) {
		t.Logf("the fan-out had finished before the kill landed")
	}

	waitWithin(t, 3*fanoutTimeout, "the worker to finish the alert", func() (bool, string) {
		got, _ := findAlert(c2.get("/console/alerts").body, d.bodyEN)
		return got.State == "sent", got.State
	})
	checkExactlyOnce(t, readOutbox(t, provider), row.Ref, numbers)

	// The shared outbox merges a repeated idempotency key, as a provider
	// with one would; the ledger tells how many rows were handed over more
	// than once: at most the killed sender's batches in flight (2 lanes of
	// 200), never a whole share.
	again := countRows(t, db, `SELECT count(*) FROM deliveries WHERE alert_id = $1 AND attempts > 1`, row.ID)
	t.Logf("rows claimed more than once: %d", again)
	if again > 400 {
		t.Errorf("%d rows were claimed more than once; want at most the dead sender's batches in flight (400)", again)
	}

	// Both senders took their share of the ledger.
	shares := claimShares(t, db, row.ID)
	t.Logf("ledger rows by sender: %v", shares)
	if len(shares) < 2 {
		t.Errorf("rows were claimed by %d sender(s), want both: %v", len(shares), shares)
	}
	_ = worker
}

// claimShares counts an alert's ledger rows by the sender that claimed them.
func claimShares(t *testing.T, url, alertID string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT claimed_by, count(*) FROM deliveries WHERE alert_id = $1 GROUP BY claimed_by`, alertID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for rows.Next() {
		var by string
		var n int
		if err := rows.Scan(&by, &n); err != nil {
			t.Fatal(err)
		}
		out[by] = n
	}
	return out
}

// copySubscribers writes subscribers into a PostgreSQL database with COPY,
// as an import of a list would: the rows the sender's JOIN writes, many
// thousand times faster than one transaction each.
func copySubscribers(t *testing.T, url string, subs []*tocsin.Subscriber) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var next int64
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1 FROM subscribers`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		srows := make([][]any, len(subs))
		var arows [][]any
		for i, s := range subs {
			id := next + int64(i)
			srows[i] = []any{id, s.PhoneHash, s.Sealed, string(s.Lang), s.Active, s.CreatedAt.Unix(), s.UpdatedAt.Unix()}
			for _, a := range s.Areas {
				arows = append(arows, []any{id, a.ZIP, int64(a.Cell), a.RadiusM, s.Active})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"subscribers"}, []string{"id", "phone_hash", "sealed", "lang", "active", "created_at", "updated_at"}, pgx.CopyFromRows(srows)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"subscriber_areas"}, []string{"subscriber_id", "zip", "cell", "radius_m", "active"}, pgx.CopyFromRows(arows))
		return err
	})
	if err != nil {
		t.Fatalf("copy subscribers: %v", err)
	}
}

// countRows runs a count query with one argument.
func countRows(t *testing.T, url, query string, arg any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query, arg).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
