package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/web"
)

// TestForgedSentAlertIsNotGenuine plays a database writer who makes a text
// look genuine on the public pages: an alert row marked sent with a
// statement of their own, alone, with an entry appended to the log, with a
// checkpoint signed by another key, with a genuine entry rewritten under
// the signed checkpoint, or pointing at a genuine alert's statement under
// another reference code. /verify must not call the text genuine,
// /alerts/{ref} and /v/{ref} must not answer 200, the public list must not
// show it, and a security event is raised.
func TestForgedSentAlertIsNotGenuine(t *testing.T) {
	const fakeText = "Your information has been sent to the authorities."
	tests := []struct {
		name string
		// forge writes to the database; genuine is the alert sent before.
		forge func(b *bundle, forged, genuine *tocsin.Alert)
		// wait is how long the clock moves before the event must be there.
		wait  time.Duration
		event string
		// genuineStays: the alert sent before is still shown as genuine.
		genuineStays bool
	}{
		{"a sent row, nothing in the log", func(*bundle, *tocsin.Alert, *tocsin.Alert) {}, 0, "alert.unlogged", true},
		{"with its entry appended to the log", func(b *bundle, f, _ *tocsin.Alert) { b.appendLog(f.Statement) }, 3 * time.Minute, "alert.unlogged", true},
		{"with a checkpoint signed by another key", func(b *bundle, f, _ *tocsin.Alert) {
			b.appendLog(f.Statement)
			other, _, err := tlog.NewSigner("tocsin-log")
			if err != nil {
				t.Fatal(err)
			}
			b.putCheckpoint(other)
		}, 0, "log.tampered", true},
		{"with a genuine entry rewritten under the signed checkpoint", func(b *bundle, f, g *tocsin.Alert) {
			b.sql(`UPDATE log_leaves SET entry = ?, hash = ? WHERE entry = ?`, f.Statement, hashBytes(tlog.LeafHash(f.Statement)), g.Statement)
		}, 0, "log.tampered", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			genuine := b.storedAlert("Checkpoint confirmed at Main and 3rd.", tocsin.AlertSent, 10)
			if !tt.genuineStays {
				// A fresh web process: it has checked no checkpoint yet.
				b.restart()
			} else {
				b.wantGenuine(genuine)
			}
			forged := b.forgedSentAlert(fakeText)
			tt.forge(b, forged, genuine)
			b.wantNotGenuine(forged)
			b.clock.Advance(tt.wait)
			b.wantNotGenuine(forged)
			if len(b.securityEvents(tt.event)) == 0 {
				t.Errorf("no %s event", tt.event)
			}
			if tt.genuineStays {
				b.wantGenuine(genuine)
			} else {
				b.wantNotGenuine(genuine)
			}
		})
	}

	// A forged row with a genuine alert's statement under another code.
	t.Run("a genuine statement under another reference code", func(t *testing.T) {
		b := setup(t)
		genuine := b.storedAlert("Checkpoint confirmed at Main and 3rd.", tocsin.AlertSent, 10)
		forged := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertSent, BodyEN: genuine.BodyEN, Statement: genuine.Statement,
			Area: genuine.Area, CreatedBy: "x", CreatedAt: t0, ApprovedAt: t0, ValidUntil: t0.Add(time.Hour)}
		if err := b.st.CreateAlert(context.Background(), forged); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/alerts/", "/v/"} {
			wantStatus(t, b.get(nil, p+forged.Ref), http.StatusNotFound)
		}
		if len(b.securityEvents("alert.unlogged")) != 1 {
			t.Error("no alert.unlogged event")
		}
		b.wantGenuine(genuine)
	})
}

// A genuine alert whose entry is appended but not yet under a checkpoint
// is not shown as genuine, and raises nothing while the sender has time to
// sign; once signed, it is genuine.
func TestAlertWaitingForCheckpoint(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Raid at the factory on Olympic Blvd.", tocsin.AlertDraft, 10)
	b.sql(`UPDATE alerts SET state = 'sent' WHERE id = ?`, a.ID)
	b.appendLog(a.Statement)
	wantStatus(t, b.get(nil, "/alerts/"+a.Ref), http.StatusNotFound)
	if n := len(b.securityEvents("alert.unlogged")); n != 0 {
		t.Errorf("%d alert.unlogged events for an alert waiting for its checkpoint", n)
	}
	b.signCheckpoint()
	b.wantGenuine(a)
}

// forgedSentAlert inserts an alert row marked sent, with a statement, as a
// database writer would.
func (b *bundle) forgedSentAlert(body string) *tocsin.Alert {
	b.t.Helper()
	a := b.storedAlert(body, tocsin.AlertDraft, 10)
	b.sql(`UPDATE alerts SET state = 'sent' WHERE id = ?`, a.ID)
	a.State = tocsin.AlertSent
	return a
}

// wantGenuine checks that the public pages show a as sent by the service,
// with its place in the signed log.
func (b *bundle) wantGenuine(a *tocsin.Alert) {
	b.t.Helper()
	r := b.postForm(nil, "/verify", url.Values{"text": {a.Text(tocsin.English)}})
	if !strings.Contains(r.body, "verdict genuine") || !strings.Contains(r.body, `id="log-claim"`) || !strings.Contains(r.body, "Ref "+a.Ref) {
		b.t.Errorf("/verify does not call alert %s genuine, in the signed log:\n%.3000s", a.Ref, r.body)
	}
	for _, p := range []string{"/alerts/", "/v/"} {
		r := b.get(nil, p+a.Ref)
		wantStatus(b.t, r, http.StatusOK)
		if !strings.Contains(r.body, "inclusion proof checks against the latest checkpoint") {
			b.t.Errorf("%s%s does not say the alert is in the signed log", p, a.Ref)
		}
	}
	if r := b.get(nil, "/api/v1/alerts"); !strings.Contains(r.body, a.Ref) {
		b.t.Errorf("the public list lacks %s: %s", a.Ref, r.body)
	}
}

// wantNotGenuine checks that no public page shows a as sent by the service.
func (b *bundle) wantNotGenuine(a *tocsin.Alert) {
	b.t.Helper()
	r := b.postForm(nil, "/verify", url.Values{"text": {a.Text(tocsin.English)}})
	wantStatus(b.t, r, http.StatusOK)
	if strings.Contains(r.body, "verdict genuine") || !strings.Contains(r.text(), "This message was not sent by this service.") ||
		!strings.Contains(r.text(), "Este mensaje no lo envió este servicio.") || !strings.Contains(r.body, `id="unlogged"`) {
		b.t.Errorf("/verify on the forged text:\n%.3000s", r.body)
	}
	for _, p := range []string{"/alerts/", "/v/"} {
		r := b.get(nil, p+a.Ref)
		wantStatus(b.t, r, http.StatusNotFound)
		if !strings.Contains(r.body, "Not in the public log") {
			b.t.Errorf("%s%s does not say the alert is not in the public log:\n%.2000s", p, a.Ref, r.body)
		}
	}
	if r := b.get(nil, "/api/v1/alerts"); strings.Contains(r.body, a.Ref) {
		b.t.Errorf("the public list shows %s: %s", a.Ref, r.body)
	}
	if r := b.get(nil, "/"); strings.Contains(r.body, a.Ref) {
		b.t.Errorf("the home page shows %s", a.Ref)
	}
}

// sql runs a statement on the database directly, as an attacker with write
// access would.
func (b *bundle) sql(query string, args ...any) {
	b.t.Helper()
	db, err := sql.Open("sqlite", "file:"+b.dbPath)
	if err != nil {
		b.t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query, args...)
	if err != nil {
		b.t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		b.t.Fatalf("%s: %d rows, want 1", query, n)
	}
}

func hashBytes(h [32]byte) []byte { return h[:] }

// The check page matches through the log, not through a window of recent
// alert rows: an alert sent before 500 others is still genuine.
func TestVerifyFindsAnyLoggedAlert(t *testing.T) {
	b := setup(t)
	first := b.storedAlert("The first alert: checkpoint at Main and 3rd.", tocsin.AlertDraft, 10)
	for i := range 500 {
		b.clock.Advance(time.Second)
		a := b.storedAlert("Alert number "+strings.Repeat("x", i%7)+" at "+time.Duration(i).String(), tocsin.AlertDraft, 10)
		b.appendLog(a.Statement)
	}
	db, err := sql.Open("sqlite", "file:"+b.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE alerts SET state = 'sent'`); err != nil {
		t.Fatal(err)
	}
	b.appendLog(first.Statement)
	b.signCheckpoint()
	r := b.postForm(nil, "/verify", url.Values{"text": {first.Text(tocsin.English)}})
	if !strings.Contains(r.body, "verdict genuine") || !strings.Contains(r.body, "Ref "+first.Ref) {
		t.Errorf("/verify does not find the alert sent before 500 others:\n%.2000s", r.body)
	}
	wantStatus(t, b.get(nil, "/alerts/"+first.Ref), http.StatusOK)
}

// A web tier given something that is not a log key does not start.
func TestLogPublicKeyChecked(t *testing.T) {
	for _, key := range []string{"not a key", "PRIVATE+KEY+tocsin-log+00000000+AQ=="} {
		if _, err := web.New(web.Config{CSRFKey: make([]byte, 32), LogPublicKey: key}); err == nil {
			t.Errorf("web.New accepted the log key %q", key)
		}
	}
}

// TestPublicPagesShowWhatWasSigned plays a database writer who relabels a
// genuine, logged alert: marks it confirmed and an all-clear, moves its
// area and stretches its validity (found by an attack run on the real
// binary). The public pages show what the operators signed, not the row.
func TestPublicPagesShowWhatWasSigned(t *testing.T) {
	b := setup(t)
	a := b.storedAlert("Checkpoint at Main and 3rd.", tocsin.AlertSent, 10)
	b.sql(`UPDATE alerts SET all_clear = 1, confirmed = 1, area = '{"zips":["10001"]}', valid_until = ? WHERE id = ?`,
		b.clock.Now().Add(365*24*time.Hour).Unix(), a.ID)
	for _, path := range []string{"/alerts/" + a.Ref, "/v/" + a.Ref} {
		r := b.get(nil, path)
		wantStatus(t, r, http.StatusOK)
		body := r.text()
		if strings.Contains(body, "10001") || !strings.Contains(body, "90210") {
			t.Errorf("%s shows the area the row says, not the signed one: %.600s", path, body)
		}
		if strings.Contains(r.body, "allclear") || strings.Contains(body, "Confirmed") {
			t.Errorf("%s shows labels the row says, not the signed ones: %.600s", path, body)
		}
		if strings.Contains(body, fmt.Sprint(b.clock.Now().Add(365*24*time.Hour).Year())) && b.clock.Now().Add(365*24*time.Hour).Year() != b.clock.Now().Year() {
			t.Errorf("%s shows the validity the row says: %.600s", path, body)
		}
	}
	r := b.get(nil, "/api/v1/alerts")
	if strings.Contains(r.body, "10001") || strings.Contains(r.body, `"all_clear":true`) || strings.Contains(r.body, `"confirmed":true`) {
		t.Errorf("/api/v1/alerts shows the row's labels or area: %.600s", r.body)
	}
}
