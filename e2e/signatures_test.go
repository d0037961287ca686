package e2e

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/trust/keyfile"
)

// TestSignaturesRequired composes an alert whose statement bounds the
// audience above 25, so that the roster's policy asks two operators to sign
// it: `tocsin alert show` prints what they sign, one signature leaves it
// unsent, a key outside the roster is refused, and the second operator's
// signature sends it to every subscriber exactly once.
func TestSignaturesRequired(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	numbers := numbersFrom("+1310555", 2000, 30)
	seedSubscribers(t, filepath.Join(s.DataDir, "tocsin.db"), filepath.Join(s.DataDir, "keys"), "90210", numbers)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))

	d := alertDraft{bodyEN: "Raid confirmed at the Main St factory. Avoid the area.", bodyES: "Redada confirmada en la fabrica de Main St. Eviten la zona.", zips: "90210"}
	if n := previewAlert(t, c, csrf, d); n != len(numbers) {
		t.Fatalf("preview reaches %d subscribers, want %d", n, len(numbers))
	}
	row := saveDraft(t, c, csrf, d)
	if row.Need != 2 {
		t.Fatalf("an alert to %d subscribers needs %d signatures, want 2: %+v", len(numbers), row.Need, row)
	}

	// What the operators sign, readable by a person.
	show := runCLI(t, "alert", "show", row.ID, "--server", s.URL)
	if show.code != 0 {
		t.Fatalf("tocsin alert show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
	for _, want := range []string{
		"Alert " + row.ID + " — CONFIRMED alert",
		"at most 40 recipients", // 30 previewed and a margin of 10
		"ZIP codes: 90210",
		"  | [CONFIRMED] " + d.bodyEN + "\n  | Verify: " + s.URL + "/v/" + row.Ref + "\n",
		"  | [CONFIRMADO] " + d.bodyES + "\n  | Verifica: " + s.URL + "/v/" + row.Ref + "\n",
		"Digest:      " + row.Digest, // the console shows the digest's first bytes
	} {
		if !strings.Contains(show.stdout, want) {
			t.Errorf("tocsin alert show lacks %q:\n%s", want, show.stdout)
		}
	}

	// One operator's signature is not enough; signing twice does not count
	// twice.
	for range 2 {
		if out := approveCLI(t, s, row.ID, "ana"); !strings.Contains(out, "Signatures: 1 of 2 (ana)") || strings.Contains(out, "Enough operators") {
			t.Errorf("after ana's signature:\n%s", out)
		}
	}
	r := c.get("/console/alerts")
	if got, _ := findAlert(r.body, d.bodyEN); got.State != "draft" || got.Signed != 1 || got.Need != 2 || got.Signers != "ana" {
		t.Errorf("after one signature the alert is listed as %+v, want a draft signed 1 of 2 by ana", got)
	}

	// A key outside the verified roster is refused, and a security event
	// says so.
	res := signCLI(t, s, row.ID, "mallory")
	if res.code == 0 || !strings.Contains(res.stderr, "may not approve alerts") {
		t.Errorf("mallory's signature: exit %d, want a refusal\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	waitSecurityEvent(t, db, "approval.refused", row.ID, "no admin or dispatcher")
	if st := alertState(t, db, row.ID); st != "draft" {
		t.Fatalf("alert is %s after one valid signature, want draft", st)
	}
	if got := refCounts(readOutbox(t, s.DataDir), row.Ref); len(got) != 0 {
		t.Fatalf("the alert went out with one signature: %v", got)
	}

	// The second operator's signature sends it, to everyone once.
	if out := approveCLI(t, s, row.ID, "bob"); !strings.Contains(out, "Signatures: 2 of 2 (ana, bob)") || !strings.Contains(out, "Enough operators have signed") {
		t.Errorf("after bob's signature:\n%s", out)
	}
	done := waitAlertState(t, c, d.bodyEN, "sent")
	if done.Sent != len(numbers) || done.Failed != 0 || done.Signers != "ana, bob" {
		t.Errorf("sent alert is listed as %+v, want %d sent, signed by ana and bob", done, len(numbers))
	}
	lines := readOutbox(t, s.DataDir)
	checkExactlyOnce(t, lines, row.Ref, numbers)
	for _, l := range lines {
		if strings.HasSuffix(l.Body, "/v/"+row.Ref) && l.Body != "[CONFIRMED] "+d.bodyEN+"\nVerify: "+s.URL+"/v/"+row.Ref {
			t.Fatalf("sent %q, not the text shown and signed", l.Body)
		}
	}
}

// TestDatabaseWriterSendsNothing plays an attacker who can write the
// database of a running server: an alert row inserted as approved, a draft
// signed by one operator then rewritten and marked approved, a draft marked
// approved with one signature of two, a roster version that adds the
// attacker's key (signed only by that key) and an alert "approved" with it,
// and a sent alert replayed. The sender refuses each, a security event says
// why, and none of it reaches a phone.
func TestDatabaseWriterSendsNothing(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	numbers := numbersFrom("+1310555", 3000, 30)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)
	few := numbersFrom("+1212555", 3000, 2)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "10001", few)
	db := rawDB(t, dbPath)

	// A real alert to two people, for the replay.
	legit := alertDraft{bodyEN: "Checkpoint at 7th Ave and 34th St. Avoid the area.", zips: "10001"}
	legitRow := saveDraft(t, c, csrf, legit)
	approveCLI(t, s, legitRow.ID, "ana")
	waitAlertState(t, c, legit.bodyEN, "sent")
	checkExactlyOnce(t, readOutbox(t, s.DataDir), legitRow.Ref, few)

	// Drafts to 30 people, which need two signatures.
	edited := saveDraft(t, c, csrf, alertDraft{bodyEN: "Vehicles seen near the school on Elm St.", zips: "90210"})
	halfSigned := saveDraft(t, c, csrf, alertDraft{bodyEN: "Detention reported at the bus stop on Oak Ave.", zips: "90210"})
	withMallory := saveDraft(t, c, csrf, alertDraft{bodyEN: "Checkpoint reported on Sunset Blvd.", zips: "90210"})
	for _, id := range []string{edited.ID, halfSigned.ID, withMallory.ID} {
		approveCLI(t, s, id, "ana")
	}

	scary := map[string]string{ // what the attacker wants texted
		"inserted": "Your information has been sent to the authorities.",
		"edited":   "ICE has your address. Your information has been sent to the authorities.",
	}

	// (a) An alert row inserted straight into the table, approved.
	const evilID, evilRef = "evil0000evil0000", "EVIL77"
	now := time.Now()
	mustExec(t, db, `INSERT INTO alerts (id, ref, state, confirmed, all_clear, body_en, body_es, area, report_ids, created_by, created_at, valid_until)
		VALUES (?, ?, 'approved', 1, 0, ?, '', '{"zips":["90210"]}', '[]', 'admin', ?, ?)`, evilID, evilRef, scary["inserted"], now.Unix(), now.Add(time.Hour).Unix())

	// (b) A draft signed by ana, rewritten: the statement says the
	// attacker's text now, and the row is marked approved.
	var raw []byte
	if err := db.QueryRow(`SELECT statement FROM alerts WHERE id = ?`, edited.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	st, err := trust.DecodeStatement(raw)
	if err != nil {
		t.Fatal(err)
	}
	st.Texts["en"] = "[CONFIRMED] " + scary["edited"] + "\nRef " + edited.Ref
	forged, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE alerts SET statement = ?, body_en = ?, state = 'approved' WHERE id = ?`, forged, scary["edited"], edited.ID)

	// (b') A draft with one signature of the two it needs, marked approved.
	mustExec(t, db, `UPDATE alerts SET state = 'approved' WHERE id = ?`, halfSigned.ID)

	// (c) Roster version 2, adding mallory's key and signed by it alone,
	// and mallory's signature on a draft ana signed, marked approved.
	addMallory(t, dbPath)
	if res := signCLI(t, s, withMallory.ID, "mallory"); res.code == 0 {
		t.Errorf("the web tier took mallory's signature after a roster version signed only by mallory:\n%s", res.stdout)
	}
	if err := db.QueryRow(`SELECT statement FROM alerts WHERE id = ?`, withMallory.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if st, err = trust.DecodeStatement(raw); err != nil {
		t.Fatal(err)
	}
	ap, err := trust.SignStatement(openOperatorKey(t, "mallory"), st, now)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO approvals (alert_id, kind, key_id, digest, signature, signed_at) VALUES (?, ?, ?, ?, ?, ?)`,
		withMallory.ID, string(ap.Kind), string(ap.KeyID), ap.Digest[:], ap.Signature, now.Unix())
	mustExec(t, db, `UPDATE alerts SET state = 'approved' WHERE id = ?`, withMallory.ID)

	// (d) The sent alert replayed: approved again, its ledger deleted.
	mustExec(t, db, `DELETE FROM deliveries WHERE alert_id = ?`, legitRow.ID)
	mustExec(t, db, `UPDATE alerts SET state = 'approved' WHERE id = ?`, legitRow.ID)

	// The sender looks at its next poll: each is refused, saying why.
	for _, w := range []struct{ id, want string }{
		{evilID, "no valid signed statement"},
		{edited.ID, "need 2 signatures from distinct operators, have 0"},
		{halfSigned.ID, "need 2 signatures from distinct operators, have 1"},
		{withMallory.ID, "need 2 signatures from distinct operators, have 1"}, // ana's; mallory is in no verified roster
		{legitRow.ID, "already sent"},
	} {
		e := waitSecurityEvent(t, db, "alert.refused", w.id, w.want)
		t.Logf("refused %s: %s", w.id, e.Detail)
	}
	e := waitSecurityEvent(t, db, "roster.rejected", "", "version 2")
	t.Logf("roster.rejected: %s", e.Detail)
	waitFor(t, "every forged alert refused", func() (bool, string) {
		var states []string
		for _, id := range []string{evilID, edited.ID, halfSigned.ID, withMallory.ID, legitRow.ID} {
			states = append(states, alertState(t, db, id))
		}
		return strings.Join(states, " ") == "refused refused refused refused refused", fmt.Sprint(states)
	})

	lines := readOutbox(t, s.DataDir)
	for _, l := range lines {
		for what, text := range scary {
			if strings.Contains(l.Body, text) {
				t.Errorf("the %s alert's text reached %s: %q", what, l.To, l.Body)
			}
		}
		for _, ref := range []string{evilRef, edited.Ref, halfSigned.Ref, withMallory.Ref} {
			if strings.Contains(l.Body, ref) {
				t.Errorf("a refused alert (Ref %s) reached %s: %q", ref, l.To, l.Body)
			}
		}
	}
	checkExactlyOnce(t, lines, legitRow.Ref, few) // the replay sent nothing more

	// Operators see what was refused and why.
	r := c.get("/console/security")
	mustStatus(t, "GET /console/security", r, http.StatusOK)
	for _, want := range []string{"alert.refused", "roster.rejected", evilID, "already sent"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/console/security does not show %q:\n%s", want, truncate(r.body, 4000))
		}
	}
}

func mustExec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// openOperatorKey opens an operator's key file with the passphrase, as the
// operator's own machine does.
func openOperatorKey(t *testing.T, name string) ed25519.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(operatorKey(t, name))
	if err != nil {
		t.Fatal(err)
	}
	_, k, err := keyfile.Open(data, []byte(operatorPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// addMallory writes roster version 2, which adds mallory as a dispatcher,
// into the database, signed by mallory alone: the roster threshold of
// version 1 is two administrators, so it must not verify.
func addMallory(t *testing.T, dbPath string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	chain, err := st.RosterChain(ctx)
	if err != nil || len(chain) != 1 {
		t.Fatalf("roster chain: %d versions, %v", len(chain), err)
	}
	r1, err := trust.DecodeRoster(chain[0].Body)
	if err != nil {
		t.Fatal(err)
	}
	mallory := openOperatorKey(t, "mallory")
	r2 := *r1
	r2.Version, r2.Prev, r2.IssuedAt = 2, r1.Digest(), time.Now()
	r2.Members = append(append([]trust.Member(nil), r1.Members...), trust.Member{Name: "mallory", Role: trust.RoleDispatcher, Keys: []ed25519.PublicKey{mallory.Public().(ed25519.PublicKey)}})
	body, err := r2.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sig := trust.SignRoster(mallory, body)
	if err := st.PutRosterVersion(ctx, 2, body); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRosterSig(ctx, 2, store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature}); err != nil {
		t.Fatal(err)
	}
}
