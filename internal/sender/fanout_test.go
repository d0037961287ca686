package sender

import (
	"fmt"

	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/trust"

	"github.com/tocsin/tocsin"
)

func TestAlertReachesTheAreaInTheirLanguage(t *testing.T) {
	b := setup(t)
	b.text(t, "+13105550001", "JOIN 90210")
	b.text(t, "+13105550002", "ALTA 90210")
	b.text(t, "+12125550003", "JOIN 10001") // elsewhere
	a := b.alert(t, tocsin.Area{ZIPs: []string{"90210"}}, "Checkpoint at Main and 3rd.", "Retén en Main y 3rd.")
	b.sender.Tick(b.ctx)

	contains(t, b.sent(t, "+13105550001"), "Checkpoint at Main and 3rd.\nRef "+a.Ref)
	contains(t, b.sent(t, "+13105550002"), "Retén en Main y 3rd.\nRef "+a.Ref)
	for _, m := range b.sent(t, "+12125550003") {
		if strings.Contains(m, a.Ref) {
			t.Errorf("a subscriber outside the area got the alert: %q", m)
		}
	}
	got, err := b.store.GetAlert(b.ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tocsin.AlertSent || got.Recipients != 2 || got.Sent != 2 || got.Failed != 0 {
		t.Errorf("alert = %s, %d recipients, %d sent, %d failed; events %q", got.State, got.Recipients, got.Sent, got.Failed, b.events(t))
	}
}

func TestCircleAlertGoesNearestFirst(t *testing.T) {
	b := setup(t)
	b.sender.cfg.Workers = 1 // in flight together, messages of a batch may overtake each other
	// 90210 (Beverly Hills), 90024 (Westwood, ~3 km) and 90046 (~6 km).
	for _, s := range []struct{ n, zip string }{{"+13105550046", "90046"}, {"+13105550024", "90024"}, {"+13105550210", "90210"}} {
		b.text(t, s.n, "JOIN "+s.zip)
	}
	p, _ := b.zips.Lookup("90210")
	a := b.alert(t, tocsin.Area{Circle: &tocsin.Circle{Lat: p.Lat, Lon: p.Lon, RadiusM: 8000}}, "Raid reported.", "")
	b.sender.Tick(b.ctx)
	jobs, err := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertSent}, 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("sent alerts = %v, %v", jobs, err)
	}
	// The outbox holds the alert in the order it was handed over.
	order := alertOrder(t, b, a.Ref)
	want := []string{"+13105550210", "+13105550024", "+13105550046"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order = %v, want nearest first %v", order, want)
	}
}

// alertOrder returns the numbers that got the alert, in outbox order.
func alertOrder(t *testing.T, b *bundle, ref string) []string {
	t.Helper()
	var out []string
	for _, l := range b.lines(t) {
		if strings.Contains(l.Body, "Ref "+ref) {
			out = append(out, l.To)
		}
	}
	return out
}

func TestStopAfterTheLedgerSkips(t *testing.T) {
	b := setup(t)
	b.text(t, "+13105550001", "JOIN 90210")
	b.text(t, "+13105550002", "JOIN 90210")
	a := b.alert(t, tocsin.Area{ZIPs: []string{"90210"}}, "Checkpoint.", "")
	// Write the ledger, then opt one subscriber out before any message goes.
	approved, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertApproved}, 1)
	if err := b.sender.startAlert(b.ctx, approved[0]); err != nil {
		t.Fatal(err)
	}
	b.text(t, "+13105550002", "STOP") // Tick also delivers the alert
	for _, m := range b.sent(t, "+13105550002") {
		if strings.Contains(m, a.Ref) {
			t.Fatalf("alert sent after STOP: %q", m)
		}
	}
	contains(t, b.sent(t, "+13105550001"), a.Ref)
}

func TestCrashMidFanOutLosesAndDuplicatesNothing(t *testing.T) {
	b := setup(t)
	const n = 30
	for i := range n {
		b.text(t, "+1310555"+pad4(1000+i), "JOIN 90210")
	}
	a := b.alert(t, tocsin.Area{ZIPs: []string{"90210"}}, "Checkpoint.", "")
	approved, _ := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertApproved}, 1)
	if err := b.sender.startAlert(b.ctx, approved[0]); err != nil {
		t.Fatal(err)
	}
	// Crash 1: rows claimed (marked sending) and never reported back.
	if _, err := b.store.ClaimDeliveries(b.ctx, a.ID, 10, b.sender.state.ID, b.now); err != nil {
		t.Fatal(err)
	}
	// Crash 2: rows claimed, handed to the provider, outcome never recorded.
	jobs, err := b.store.ClaimDeliveries(b.ctx, a.ID, 10, b.sender.state.ID, b.now)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := b.store.GetAlert(b.ctx, a.ID)
	st, _ := trust.DecodeStatement(full.Statement)
	for _, j := range jobs {
		b.sender.sendOne(b.ctx, st, j)
	}
	// Restart: a new sender finishes the job.
	b.sender = b.newSender(t, b.sender.cfg.Provider.(*outboxProvider), b.root.Public().(ed25519PublicKey))
	b.sender.Tick(b.ctx)
	counts := map[string]int{}
	for _, l := range b.lines(t) {
		if strings.Contains(l.Body, "Ref "+a.Ref) {
			counts[l.To]++
		}
	}
	if len(counts) != n {
		t.Errorf("%d subscribers got the alert, want %d", len(counts), n)
	}
	for to, c := range counts {
		if c != 1 {
			t.Errorf("%s got the alert %d times", to, c)
		}
	}
	got, _ := b.store.GetAlert(b.ctx, a.ID)
	if got.State != tocsin.AlertSent || got.Sent != n {
		t.Errorf("alert %s with %d sent, want sent with %d", got.State, got.Sent, n)
	}
}

func TestExpiredAlertIsNotSent(t *testing.T) {
	b := setup(t)
	b.text(t, "+13105550001", "JOIN 90210")
	a := b.alert(t, tocsin.Area{ZIPs: []string{"90210"}}, "Checkpoint.", "")
	b.now = b.now.Add(2 * time.Hour) // past ValidUntil
	b.sender.Tick(b.ctx)
	for _, m := range b.sent(t, "+13105550001") {
		if strings.Contains(m, a.Ref) {
			t.Fatalf("expired alert sent: %q", m)
		}
	}
	got, _ := b.store.GetAlert(b.ctx, a.ID)
	if got.State != tocsin.AlertRefused {
		t.Errorf("state = %s, want refused", got.State)
	}
	if ev := b.events(t); len(ev) != 1 || !strings.Contains(ev[0], "alert.refused") {
		t.Errorf("events = %q, want one refusal", ev)
	}
}

func pad4(i int) string { return fmt.Sprintf("%04d", i) }

func TestStopDuringALongAlertTakesEffect(t *testing.T) {
	b := setup(t)
	b.sender.cfg.Batch = 1 // ten messages a round
	const n = 25
	for i := range n {
		b.text(t, "+1310555"+pad4(2000+i), "JOIN 90210")
	}
	a := b.alert(t, tocsin.Area{ZIPs: []string{"90210"}}, "Checkpoint.", "")
	b.sender.Tick(b.ctx) // the ledger and the first round only
	last := "+1310555" + pad4(2000+n-1)
	b.text(t, last, "STOP") // handled before the next round of the alert
	for range 5 {
		b.sender.Tick(b.ctx)
	}
	for _, m := range b.sent(t, last) {
		if strings.Contains(m, a.Ref) {
			t.Fatalf("alert sent after STOP: %q", m)
		}
	}
	got, _ := b.store.GetAlert(b.ctx, a.ID)
	if got.State != tocsin.AlertSent || got.Sent != n-1 {
		t.Errorf("alert %s with %d sent, want sent with %d", got.State, got.Sent, n-1)
	}
}
