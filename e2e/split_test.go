package e2e

import (
	"bytes"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/nacl/box"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// fanoutTimeout bounds the wait for a fan-out to thousands of subscribers.
const fanoutTimeout = 90 * time.Second

// startSender runs `tocsin sender` with its own directory, the web role's
// database and any extra flags, and waits for its loopback health endpoint.
func startSender(t *testing.T, dir, db string, extra ...string) *server {
	t.Helper()
	var lastErr error
	for range 3 {
		health := freeAddr(t)
		args := append([]string{"sender", "--data", dir, "--db", db, "--health", health}, extra...)
		s, err := startProcess(t, "http://"+health, dir, args...)
		if err == nil {
			return s
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("start tocsin sender: %v", lastErr)
	return nil
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countLines counts the complete lines of a file (0 when it does not exist).
func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte{'\n'})
}

// TestSplitRolesAndSigkill runs the two roles as separate processes: the
// web role (`tocsin serve --role web`) with the sender's public key only,
// and the sender (`tocsin sender`) with its keys, the trust anchor and the
// provider, sharing the web role's database. It checks that nothing under
// the web role's directory holds a number or a key that opens one, then
// fans an alert out to 10,000 subscribers, kills the sender with SIGKILL in
// the middle, restarts it, and checks that every subscriber got the alert
// exactly once.
func TestSplitRolesAndSigkill(t *testing.T) {
	base := t.TempDir()
	web, snd := filepath.Join(base, "web"), filepath.Join(base, "sender")
	db := filepath.Join(web, "tocsin.db")

	// The administrators sign roster version 1 into the web role's
	// database and hand the sender the trust anchor.
	initRoster(t, web)
	if err := os.MkdirAll(filepath.Join(snd, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(web, "keys", "trust-anchor.pub"), filepath.Join(snd, "keys", "trust-anchor.pub"))

	// The sender makes its keys when it first starts; the web role gets
	// only the public ones: sender.pub to seal numbers, log.pub to check
	// the transparency log.
	sender := startSender(t, snd, db)
	copyFile(t, filepath.Join(snd, "keys", vault.PublicFile), filepath.Join(web, "keys", vault.PublicFile))
	copyFile(t, filepath.Join(snd, "keys", "log.pub"), filepath.Join(web, "keys", "log.pub"))

	// 10,000 subscribers in one ZIP (test set-up with the sender's keys).
	numbers := numbersFrom("+1310556", 0, 10_000)
	seedSubscribers(t, db, filepath.Join(snd, "keys"), "90210", numbers)

	s := startServerWith(t, serverOptions{dataDir: web, wantEnrol: true, args: []string{"--role", "web"}})
	if !strings.Contains(s.Stdout.String(), "tocsin (web) is running") {
		t.Errorf("the web role does not say it runs as web:\n%s", s.Stdout)
	}
	c, csrf := consoleSession(t, s)

	// A resident's text, as the web role queues it (sealed to the sender:
	// the web role has no dev hook): only the sender can open the number
	// and reply.
	const resident = "+13105550123"
	queueInboundRow(t, db, filepath.Join(web, "keys", vault.PublicFile), resident, "JOIN 90211")
	waitFor(t, "the sender's reply to the JOIN", func() (bool, string) {
		lines := readOutbox(t, snd)
		return len(linesTo(lines, resident)) > 0, describeOutbox(lines)
	})
	if _, err := os.Stat(filepath.Join(web, "outbox.jsonl")); err == nil {
		t.Error("the web role wrote an outbox: it must hold no provider")
	}

	d := alertDraft{bodyEN: "Raid confirmed at the packing plant on Alameda St. Avoid the area.", zips: "90210"}
	if n := previewAlert(t, c, csrf, d); n != len(numbers) {
		t.Fatalf("preview reaches %d subscribers, want %d", n, len(numbers))
	}
	row := saveDraft(t, c, csrf, d)
	if row.Need != 2 {
		t.Fatalf("an alert to %d needs %d signatures, want 2", len(numbers), row.Need)
	}
	approveCLI(t, s, row.ID, "ana")
	outbox := filepath.Join(snd, "outbox.jsonl")
	before := countLines(t, outbox) // the reply to the resident
	approveCLI(t, s, row.ID, "bob")

	// Kill the sender with SIGKILL as soon as the fan-out shows, from the
	// outside (the sender's outbox grows), so that the kill lands in the
	// middle of a batch; restart it, and kill it again when a quarter of
	// the alert is out, in the middle of the fan-out.
	fi, err := os.Stat(outbox)
	if err != nil {
		t.Fatal(err)
	}
	killWhenOutboxGrows(t, sender, outbox, fi.Size()+1)
	t.Logf("first SIGKILL: %d alert lines in the outbox, ledger %v", countLines(t, outbox)-before, ledgerStates(t, db, row.ID))
	fi2, err := os.Stat(outbox)
	if err != nil {
		t.Fatal(err)
	}
	lineLen := (fi2.Size() - fi.Size()) / int64(max(1, countLines(t, outbox)-before)) // one alert line, roughly
	sender = startSender(t, snd, db)
	killWhenOutboxGrows(t, sender, outbox, fi.Size()+lineLen*int64(len(numbers)/4))
	atKill := countLines(t, outbox) - before
	t.Logf("second SIGKILL: %d alert lines in the outbox, ledger %v", atKill, ledgerStates(t, db, row.ID))
	if atKill >= len(numbers) {
		t.Logf("the fan-out had finished before the second kill landed")
	}

	sender = startSender(t, snd, db)
	waitWithin(t, fanoutTimeout, "the alert sent after the restart", func() (bool, string) {
		r := c.get("/console/alerts")
		got, _ := findAlert(r.body, d.bodyEN)
		return got.State == "sent", fmt.Sprintf("%+v; %d outbox lines", got, countLines(t, outbox))
	})
	lines := readOutbox(t, snd)
	checkExactlyOnce(t, lines, row.Ref, numbers)
	r := c.get("/console/alerts")
	if got, _ := findAlert(r.body, d.bodyEN); got.Sent != len(numbers) || got.Failed != 0 || got.Recipients != len(numbers) {
		t.Errorf("the console lists the alert as %+v, want %d recipients, all sent", got, len(numbers))
	}
	t.Logf("after the last restart: %d recipients got the alert, ledger %v", len(refCounts(lines, row.Ref)), ledgerStates(t, db, row.ID))
	// The web role checks the sender's log with log.pub: the alert's page
	// shows it in the signed log.
	if r := c.get("/v/" + row.Ref); r.status != 200 || !strings.Contains(r.body, "inclusion proof checks against the latest checkpoint") {
		t.Errorf("/v/%s on the web role: %d\n%s", row.Ref, r.status, truncate(r.body, 2000))
	}

	// The web role's directory: public keys only, no number anywhere, and
	// nothing in it opens a sealed number.
	all := append(append([]string{}, numbers...), resident)
	checkWebDir(t, web, snd, all)
	for name, out := range map[string][]byte{"web stdout": s.Stdout.Bytes(), "web stderr": s.Stderr.Bytes(),
		"sender stderr": sender.Stderr.Bytes()} {
		for _, f := range newNumberSet(all).find(out) {
			t.Errorf("the %s holds a phone number: %s", name, f)
		}
	}
}

// killWhenOutboxGrows watches the outbox closely and kills the sender with
// SIGKILL as soon as the file reaches size bytes.
func killWhenOutboxGrows(t *testing.T, sender *server, outbox string, size int64) {
	t.Helper()
	deadline := time.Now().Add(fanoutTimeout)
	for {
		if fi, err := os.Stat(outbox); err == nil && fi.Size() >= size {
			sender.kill(t)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sender's outbox did not reach %d bytes within %v\nsender stderr:\n%s", size, fanoutTimeout, sender.Stderr)
		}
		time.Sleep(time.Millisecond)
	}
}

// ledgerStates counts an alert's ledger rows by status.
func ledgerStates(t *testing.T, path, alertID string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT status, count(*) FROM deliveries WHERE alert_id = ? GROUP BY status`, alertID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		out[st] = n
	}
	return out
}

// checkWebDir checks the web role's directory: no sender.key anywhere, only
// the expected files in keys/, no phone number in any file or database
// value, and no key material in it that opens a number sealed to the
// sender (while the sender's own key does).
func checkWebDir(t *testing.T, web, snd string, numbers []string) {
	t.Helper()
	var keyFiles []string
	err := filepath.WalkDir(web, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(web, path)
		if d.Name() == vault.KeyFile {
			t.Errorf("the web role's directory holds %s", rel)
		}
		if !d.IsDir() && filepath.Dir(rel) == "keys" {
			keyFiles = append(keyFiles, d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"trust-anchor.pub": true, vault.PublicFile: true, "log.pub": true, "web.key": true} // web.key: the CSRF secret
	for _, f := range keyFiles {
		if !allowed[f] {
			t.Errorf("the web role's keys/ holds %s; want only %v", f, allowed)
		}
	}
	t.Logf("web role keys/: %v", keyFiles)
	t.Logf("web role files: %s", strings.Join(scanDataDir(t, web, numbers), ", "))
	scanDatabase(t, filepath.Join(web, "tocsin.db"), numbers)

	// A sealed number from the shared database: the sender opens it, and
	// no file of the web role serves as the private key that would.
	db := rawDB(t, filepath.Join(web, "tocsin.db"))
	var sealed []byte
	if err := db.QueryRow(`SELECT sealed FROM subscribers ORDER BY id LIMIT 1`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	keys, err := vault.Load(filepath.Join(snd, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Open(sealed); err != nil {
		t.Fatalf("the sender's key does not open a sealed number: %v", err)
	}
	pub, err := phone.LoadPublicKey(filepath.Join(web, "keys", vault.PublicFile))
	if err != nil {
		t.Fatal(err)
	}
	pubKey := [32]byte(pub)
	for _, f := range keyFiles {
		b, err := os.ReadFile(filepath.Join(web, "keys", f))
		if err != nil {
			t.Fatal(err)
		}
		var candidates [][]byte
		if len(b) == 32 {
			candidates = append(candidates, b)
		}
		if d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err == nil && len(d) == 32 {
			candidates = append(candidates, d)
		}
		for _, k := range candidates {
			if _, ok := box.OpenAnonymous(nil, sealed, &pubKey, (*[32]byte)(k)); ok {
				t.Errorf("the web role's keys/%s opens sealed phone numbers", f)
			}
		}
	}
}

// TestSigkillWhileWritingLedger kills the all-in-one server with SIGKILL
// while its sender writes the ledger of a large alert (the moment its
// record of started alerts appears), restarts it, and expects the alert to
// go out to everyone once: a crash at any point loses nobody.
func TestSigkillWhileWritingLedger(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	numbers := numbersFrom("+1310558", 0, 5000)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)
	d := alertDraft{bodyEN: "Raid confirmed at the garment factory on Olympic Blvd. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	started := filepath.Join(s.DataDir, "sender", "sent-alerts.log")
	approveCLI(t, s, row.ID, "bob")
	deadline := time.Now().Add(fanoutTimeout)
	for fileSize(t, started) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the sender never recorded the alert as started\nstderr:\n%s", s.Stderr)
		}
		time.Sleep(200 * time.Microsecond)
	}
	s.kill(t)
	db := rawDB(t, dbPath)
	t.Logf("SIGKILL once the alert was recorded as started: state %s, ledger %v, %d in the outbox",
		alertState(t, db, row.ID), ledgerStates(t, dbPath, row.ID), len(refCounts(readOutbox(t, s.DataDir), row.Ref)))

	s2 := startServerWith(t, serverOptions{dataDir: s.DataDir})
	waitWithin(t, fanoutTimeout, "the alert sent or refused after the restart", func() (bool, string) {
		st := alertState(t, db, row.ID)
		return st == "sent" || st == "refused", st
	})
	if st := alertState(t, db, row.ID); st != "sent" {
		t.Fatalf("after a crash while its ledger was written, the alert is %s, not sent; events %q", st, securityEvents(t, db))
	}
	checkExactlyOnce(t, readOutbox(t, s2.DataDir), row.Ref, numbers)
}
