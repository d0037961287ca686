package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// TestWebRoleHasNoDevHook starts the split deployment exactly as
// docs/operations.md writes it (`tocsin serve --role web --data DIR
// --base-url https://…`, no --provider) and plays someone on the internet
// who posts to the dev hook: a STOP in a subscriber's name. The web role
// must not have the hook (404), and nothing may be queued or handled.
func TestWebRoleHasNoDevHook(t *testing.T) {
	base := t.TempDir()
	web, snd := filepath.Join(base, "web"), filepath.Join(base, "sender")
	db := filepath.Join(web, "tocsin.db")
	initRoster(t, web)
	if err := os.MkdirAll(filepath.Join(snd, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(web, "keys", "trust-anchor.pub"), filepath.Join(snd, "keys", "trust-anchor.pub"))
	startSender(t, snd, db)
	copyFile(t, filepath.Join(snd, "keys", vault.PublicFile), filepath.Join(web, "keys", vault.PublicFile))
	copyFile(t, filepath.Join(snd, "keys", "log.pub"), filepath.Join(web, "keys", "log.pub"))
	const resident = "+13105550123"
	seedSubscribers(t, db, filepath.Join(snd, "keys"), "90210", []string{resident})

	s := startServerWith(t, serverOptions{dataDir: web, args: []string{"--role", "web", "--base-url", "https://alerts.example.org"}})
	c := newClient(t, s)
	for _, body := range []string{"STOP", "to"} {
		r := c.postForm("/hooks/sms/dev", url.Values{"From": {resident}, "Body": {body}})
		mustStatus(t, "POST /hooks/sms/dev to the web role", r, http.StatusNotFound)
	}
	raw := rawDB(t, db)
	time.Sleep(500 * time.Millisecond) // five of the sender's rounds
	var inbound, active int
	if err := raw.QueryRow(`SELECT count(*) FROM inbound`).Scan(&inbound); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRow(`SELECT count(*) FROM subscribers WHERE active`).Scan(&active); err != nil {
		t.Fatal(err)
	}
	if inbound != 0 || active != 1 {
		t.Errorf("after posts to the web role's dev hook: %d inbound texts queued, %d of 1 subscriber active; want none queued and the subscriber active", inbound, active)
	}
	if lines := readOutbox(t, snd); len(lines) != 0 {
		t.Errorf("the sender texted %d messages after posts to the dev hook: %s", len(lines), describeOutbox(lines))
	}
}

// queueInboundRow queues a text as the web role does for a provider's
// inbound hook: the number sealed to the sender's public key.
func queueInboundRow(t *testing.T, dbPath, senderPub, from, body string) {
	t.Helper()
	pub, err := phone.LoadPublicKey(senderPub)
	if err != nil {
		t.Fatal(err)
	}
	n, err := phone.Parse(from, "US")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := phone.NewSealer(pub).Seal(n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rawDB(t, dbPath).Exec(`INSERT INTO inbound (provider, from_sealed, body, received_at) VALUES ('kannel', ?, ?, ?)`,
		sealed, body, time.Now().Unix()); err != nil {
		t.Fatalf("queue an inbound text: %v", err)
	}
}
