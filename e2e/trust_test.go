package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// Passphrases of the key files the tests make. They reach the binary only
// through its documented environment variables.
const (
	operatorPassphrase = "e2e operator passphrase"
	rootPassphrase     = "e2e root passphrase, kept offline"
)

// Operators of the tests' rosters: ana is an administrator and bob a
// dispatcher (both may approve alerts); mallory is in no verified roster.
var operatorNames = []string{"ana", "bob", "mallory", "zoe"}

var (
	keysOnce sync.Once
	keysErr  error
	keysDir  string // under the directory TestMain removes
)

// operatorKey returns the path of the named operator's key file. The files
// are made once per run, each with `tocsin key new` as an operator would
// on their own machine (the passphrase's key derivation is deliberately
// slow, so the tests share them).
func operatorKey(t *testing.T, name string) string {
	t.Helper()
	keysOnce.Do(func() {
		keysDir = filepath.Join(workDir, "operator-keys")
		if keysErr = os.MkdirAll(keysDir, 0o700); keysErr != nil {
			return
		}
		for _, n := range operatorNames {
			cmd := exec.Command(binary, "key", "new", "--out", filepath.Join(keysDir, n+".key"), "--name", n)
			cmd.Env = append(cleanEnv(), "TOCSIN_PASSPHRASE="+operatorPassphrase)
			out, err := cmd.CombinedOutput()
			if err != nil {
				keysErr = fmt.Errorf("tocsin key new --name %s: %v\n%s", n, err, out)
				return
			}
			if !strings.Contains(string(out), "Key id: ") {
				keysErr = fmt.Errorf("tocsin key new --name %s printed no key id:\n%s", n, out)
				return
			}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return filepath.Join(keysDir, name+".key")
}

// initRoster runs `tocsin init` on dataDir with a fresh root key (kept
// outside the data directory, as administrators keep it offline): ana is an
// administrator and bob a dispatcher.
func initRoster(t *testing.T, dataDir string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root.key")
	res := runCLIEnv(t, []string{"TOCSIN_ROOT_PASSPHRASE=" + rootPassphrase}, "init", "--data", dataDir, "--root-key", root,
		"--admin", "ana="+operatorKey(t, "ana"), "--admin", "zoe="+operatorKey(t, "zoe"), "--dispatcher", "bob="+operatorKey(t, "bob"))
	if res.code != 0 || !strings.Contains(res.stdout, "Roster version 1 signed: 3 operators") {
		t.Fatalf("tocsin init: exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "keys", "trust-anchor.pub")); err != nil {
		t.Fatalf("tocsin init wrote no trust anchor: %v", err)
	}
}

// startSignedServer runs `tocsin serve` (all in one process) on a data
// directory that `tocsin init` prepared, so that alerts can be signed.
func startSignedServer(t *testing.T, args ...string) *server {
	t.Helper()
	data := t.TempDir()
	initRoster(t, data)
	return startServerWith(t, serverOptions{dataDir: data, wantEnrol: true, args: args})
}

// consoleSession enrols the first administrator, logs in and returns the
// client and a CSRF token of the console.
func consoleSession(t *testing.T, s *server) (*client, string) {
	t.Helper()
	c := newClient(t, s)
	clock := enrolAdmin(t, c, s.EnrolLink)
	login(t, c, "admin", adminPassword, clock)
	r := c.get("/console")
	mustStatus(t, "GET /console", r, http.StatusOK)
	return c, findCSRF(t, r.body)
}

// signCLI runs `tocsin alert approve ID --key NAME.key --server URL`.
func signCLI(t *testing.T, s *server, id, name string) cliResult {
	t.Helper()
	return runCLIEnv(t, []string{"TOCSIN_PASSPHRASE=" + operatorPassphrase}, "alert", "approve", id, "--key", operatorKey(t, name), "--server", s.URL)
}

// approveCLI signs alert id as the named operator and fails the test unless
// the server took the signature.
func approveCLI(t *testing.T, s *server, id, name string) string {
	t.Helper()
	res := signCLI(t, s, id, name)
	if res.code != 0 || !strings.Contains(res.stdout, "Signed by "+name+".") {
		t.Fatalf("tocsin alert approve %s as %s: exit %d\nstdout:\n%s\nstderr:\n%s", id, name, res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

// freezeCLI runs `tocsin freeze` or `tocsin unfreeze` as the named operator.
func freezeCLI(t *testing.T, s *server, verb, name string) string {
	t.Helper()
	res := runCLIEnv(t, []string{"TOCSIN_PASSPHRASE=" + operatorPassphrase}, verb, "--key", operatorKey(t, name), "--server", s.URL, "--reason", "e2e "+verb+" by "+name)
	if res.code != 0 || !strings.Contains(res.stdout, "signed by "+name) {
		t.Fatalf("tocsin %s as %s: exit %d\nstdout:\n%s\nstderr:\n%s", verb, name, res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

// numbersFrom returns n E.164 numbers prefix+0000, prefix+0001, … from start.
func numbersFrom(prefix string, start, n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprintf("%s%04d", prefix, start+i)
	}
	return out
}

// seedSubscribers writes English-speaking subscribers of zip straight into
// the database at dbPath (an SQLite file or a postgres:// URL), each number sealed to the sender's public key and
// hashed with its hash key (loaded from senderKeys, the sender's key
// directory), exactly as the sender stores a JOIN. This is test set-up that
// needs the sender's keys; no web process can do it.
func seedSubscribers(t *testing.T, dbPath, senderKeys, zip string, numbers []string) {
	t.Helper()
	ctx := context.Background()
	keys, err := vault.Load(senderKeys)
	if err != nil {
		t.Fatalf("load the sender's keys: %v", err)
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := zips.Lookup(zip)
	if !ok {
		t.Fatalf("ZIP %s is not in the table", zip)
	}
	sealer := phone.NewSealer(keys.Public())
	now := time.Now()
	subs := make([]*tocsin.Subscriber, len(numbers))
	for i, raw := range numbers {
		n, err := phone.Parse(raw, "US")
		if err != nil || n.E164() != raw {
			t.Fatalf("test number %s does not parse as itself: %v", raw, err)
		}
		sealed, err := sealer.Seal(n)
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = &tocsin.Subscriber{PhoneHash: keys.Hash(n), Sealed: sealed, Lang: tocsin.English, Active: true, CreatedAt: now, UpdatedAt: now,
			Areas: []tocsin.SubscriberArea{{ZIP: zip, Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}}
	}
	if strings.HasPrefix(dbPath, "postgres://") {
		copySubscribers(t, dbPath, subs)
		return
	}
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const chunk = 2000 // one transaction each, so the running processes are not held up long
	for i := 0; i < len(subs); i += chunk {
		err := st.InTx(ctx, func(q store.Querier) error {
			for _, s := range subs[i:min(i+chunk, len(subs))] {
				if err := q.SaveSubscriber(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("seed subscribers: %v", err)
		}
	}
}

// rawDB opens the SQLite file as an attacker with access to it would: with
// database/sql and the driver, not through tocsin's store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// securityEvent is one row of the security_events table.
type securityEvent struct{ Kind, Subject, Detail string }

func securityEvents(t *testing.T, db *sql.DB) []securityEvent {
	t.Helper()
	rows, err := db.Query(`SELECT kind, subject, detail FROM security_events ORDER BY id`)
	if err != nil {
		t.Fatalf("read security events: %v", err)
	}
	defer rows.Close()
	var out []securityEvent
	for rows.Next() {
		var e securityEvent
		if err := rows.Scan(&e.Kind, &e.Subject, &e.Detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitSecurityEvent waits for an event of kind about subject ("" for any)
// whose detail contains want, and returns it.
func waitSecurityEvent(t *testing.T, db *sql.DB, kind, subject, want string) securityEvent {
	t.Helper()
	var found securityEvent
	waitFor(t, fmt.Sprintf("a %s security event about %q saying %q", kind, subject, want), func() (bool, string) {
		es := securityEvents(t, db)
		for _, e := range es {
			if e.Kind == kind && (subject == "" || e.Subject == subject) && strings.Contains(e.Detail, want) {
				found = e
				return true, ""
			}
		}
		return false, fmt.Sprintf("events: %q", es)
	})
	return found
}

// alertState reads an alert's state straight from the database.
func alertState(t *testing.T, db *sql.DB, id string) string {
	t.Helper()
	var state string
	if err := db.QueryRow(`SELECT state FROM alerts WHERE id = ?`, id).Scan(&state); err != nil {
		t.Fatalf("state of alert %s: %v", id, err)
	}
	return state
}

// refCounts counts, per recipient, the outbox lines that end with the
// alert's verification link (…/v/REF).
func refCounts(lines []outboxLine, ref string) map[string]int {
	got := map[string]int{}
	for _, l := range lines {
		if strings.HasSuffix(l.Body, "/v/"+ref) {
			got[l.To]++
		}
	}
	return got
}

// checkExactlyOnce fails the test unless every number got the alert with
// ref exactly once and nobody else got it.
func checkExactlyOnce(t *testing.T, lines []outboxLine, ref string, numbers []string) {
	t.Helper()
	got := refCounts(lines, ref)
	missing, twice := 0, 0
	var examples []string
	for _, n := range numbers {
		switch c := got[n]; {
		case c == 0:
			missing++
			if len(examples) < 5 {
				examples = append(examples, n+" never")
			}
		case c > 1:
			twice++
			if len(examples) < 5 {
				examples = append(examples, fmt.Sprintf("%s %d times", n, c))
			}
		}
		delete(got, n)
	}
	if missing > 0 || twice > 0 || len(got) > 0 {
		t.Errorf("alert Ref %s: %d of %d recipients missed it, %d got it more than once, %d others got it (%s; others %v)",
			ref, missing, len(numbers), twice, len(got), strings.Join(examples, ", "), truncate(fmt.Sprint(got), 300))
	}
}
