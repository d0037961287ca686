package e2e

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// TestSMSPumping plays the SMS-pumping attacker against the real binary:
// sign-ups at the form, texts to the service and a sign-up row written
// straight to the database, all for numbers that earn their owner money per
// text received (Nigeria, +1 900). Nothing reaches outbox.jsonl for them;
// the form says why, and the database writer's row raises
// signup.number_refused.
func TestSMSPumping(t *testing.T) {
	s := startServer(t)
	c := newClient(t, s)
	refused := []string{"+2348031234567", "+19005550123"}
	for _, num := range refused {
		r := c.postForm("/subscribe", url.Values{"phone": {num}, "zips": {"90210"}, "lang": {"en"}})
		mustStatus(t, "POST /subscribe "+num, r, http.StatusBadRequest)
		if !strings.Contains(r.body, "only texts numbers in the US and its territories") && !strings.Contains(r.body, "cannot text this kind of number") {
			t.Errorf("POST /subscribe %s: the page does not say why:\n%s", num, truncate(r.body, 4000))
		}
	}
	// Texts from the attacker's numbers: a reply, or a subscription (every
	// alert), would earn them money.
	c.sms("+19005550123", "JOIN 90210")
	c.sms("+2348031234567", "HELP")

	// A database writer queues a sign-up for a foreign number, sealed with
	// the sender's public key as the web tier would.
	pub, err := phone.LoadPublicKey(filepath.Join(s.DataDir, "keys", vault.PublicFile))
	if err != nil {
		t.Fatal(err)
	}
	n, err := phone.Parse(refused[0], "US")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := phone.NewSealer(pub).SealSignup(n, "123456")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(s.DataDir, "tocsin.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	su := &tocsin.Signup{ID: tocsin.NewID(), Sealed: sealed, CodeHash: []byte("x"), Lang: tocsin.English, Area: tocsin.Area{ZIPs: []string{"90210"}},
		State: tocsin.SignupPending, CreatedAt: now, ExpiresAt: now.Add(tocsin.SignupTTL)}
	if err := st.CreateSignup(ctx, su); err != nil {
		t.Fatal(err)
	}
	st.Close()
	waitSecurityEvent(t, rawDB(t, filepath.Join(s.DataDir, "tocsin.db")), "signup.number_refused", "region NG", su.ID)

	// Two texts from a US number, each answered: by the second reply the
	// sender has handled everything queued before the first.
	const control = "+13105550123"
	c.sms(control, "HELP")
	waitOutbox(t, s, 0, control, "STOP to end")
	from := len(readOutbox(t, s.DataDir))
	c.sms(control, "HELP")
	waitOutbox(t, s, from, control, "STOP to end")

	lines := readOutbox(t, s.DataDir)
	for _, num := range refused {
		if got := linesTo(lines, num); len(got) > 0 {
			t.Errorf("the outbox holds %d texts to %s: %q", len(got), num, got[0].Body)
		}
	}
}
