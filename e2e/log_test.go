package e2e

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// TestTransparencyLog: the log exists from the first start with a signed
// checkpoint (holding at most the audit trail's head); a sent alert is in
// it, tocsin verify proves it against the pinned key and that the log grew
// consistently; a made-up reference is not in it.
func TestTransparencyLog(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	logKey := filepath.Join(s.DataDir, "keys", "log.pub")
	state := filepath.Join(t.TempDir(), "seen.json")
	res := runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state)
	if res.code != 0 || !strings.Contains(res.stdout, "The log is consistent") {
		t.Fatalf("the log at start: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	c.sms("+13105550123", "JOIN 90210")
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	res = runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state, "--alert", row.Ref)
	if res.code != 0 || !strings.Contains(res.stdout, "Alert "+row.Ref+" is in the log") || !strings.Contains(res.stdout, "The log is consistent") {
		t.Fatalf("verify --alert: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, "audit", "verify", "--data", s.DataDir)
	if res.code != 0 || !strings.Contains(res.stdout, "The audit trail is intact") {
		t.Errorf("audit verify: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = runCLI(t, "verify", "--server", s.URL, "--log-key", logKey, "--state", state, "--alert", "EVIL77")
	if res.code == 0 {
		t.Errorf("a made-up reference verified:\n%s", res.stdout)
	}
}

// TestVerificationPage: /v/{ref} shows the alert and its inclusion proof,
// checked against the log's key.
func TestVerificationPage(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	c.sms("+13105550123", "JOIN 90210")
	d := alertDraft{bodyEN: "Raid confirmed at the Olympic Blvd factory. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	r := c.get("/v/" + row.Ref)
	if r.status != 200 || !strings.Contains(r.body, d.bodyEN) || !strings.Contains(r.body, "inclusion proof checks against the latest checkpoint") {
		t.Errorf("/v/%s: %d\n%s", row.Ref, r.status, truncate(r.body, 3000))
	}
	if r := c.get("/v/EVIL77"); r.status != 404 {
		t.Errorf("/v/EVIL77: %d", r.status)
	}

	// The text as the resident received it, pasted into the check page, is
	// genuine; the 2026 attack's text is not, in English and Spanish.
	var received string
	for _, l := range readOutbox(t, s.DataDir) {
		if l.To == "+13105550123" && strings.Contains(l.Body, "/v/"+row.Ref) {
			received = l.Body
		}
	}
	if received == "" {
		t.Fatal("the alert is not in the outbox")
	}
	r = c.postForm("/verify", url.Values{"text": {strings.ReplaceAll(received, "\n", "\r\n ")}})
	if !strings.Contains(r.body, "verdict genuine") {
		t.Errorf("the received alert is not recognised:\n%s", truncate(r.body, 3000))
	}
	for _, fake := range []string{
		"[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + s.URL + "/v/" + row.Ref,
		"Tu información ha sido enviada a las autoridades.",
	} {
		r = c.postForm("/verify", url.Values{"text": {fake}})
		if !strings.Contains(r.body, "This message was not sent by this service.") || !strings.Contains(r.body, "Este mensaje no lo envió este servicio.") {
			t.Errorf("the fake %q is not reported as not sent, in both languages", fake)
		}
	}
}

// TestForgedSentAlertOnThePublicPages plays a database writer, while the
// service runs, who makes the 2026 attack's text look genuine on the page
// people use to check a text: alert rows marked sent with a statement of
// their own, one with nothing in the log, one with its entry appended to
// the log and a checkpoint over it signed with another key. Neither is
// called genuine by /verify, /alerts/{ref} and /v/{ref} answer 404 for
// both, security events are raised, and the genuine alert stays genuine.
func TestForgedSentAlertOnThePublicPages(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	c.sms("+13105550123", "JOIN 90210")
	d := alertDraft{bodyEN: "Checkpoint confirmed at Main and 3rd. Avoid the area.", zips: "90210"}
	row := saveDraft(t, c, csrf, d)
	approveCLI(t, s, row.ID, "ana")
	waitAlertState(t, c, d.bodyEN, "sent")
	genuine := ""
	for _, l := range readOutbox(t, s.DataDir) {
		if strings.Contains(l.Body, "/v/"+row.Ref) {
			genuine = l.Body
		}
	}
	wantGenuine := func() {
		t.Helper()
		if r := c.postForm("/verify", url.Values{"text": {genuine}}); !strings.Contains(r.body, "verdict genuine") || !strings.Contains(r.body, `id="log-claim"`) {
			t.Errorf("the genuine alert is not called genuine, in the signed log:\n%s", truncate(r.body, 3000))
		}
		if r := c.get("/v/" + row.Ref); r.status != 200 {
			t.Errorf("/v/%s: %d", row.Ref, r.status)
		}
	}
	wantGenuine()

	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
	var raw []byte
	if err := db.QueryRow(`SELECT statement FROM alerts WHERE id = ?`, row.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	forge := func(id, ref string) (text string, entry []byte) {
		st, err := trust.DecodeStatement(raw)
		if err != nil {
			t.Fatal(err)
		}
		st.AlertID = id
		st.Texts = map[string]string{"en": "[CONFIRMED] Your information has been sent to the authorities.\nVerify: " + s.URL + "/v/" + ref}
		if entry, err = st.Encode(); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		mustExec(t, db, `INSERT INTO alerts (id, ref, state, confirmed, all_clear, body_en, body_es, area, report_ids, created_by, created_at, approved_at, valid_until, statement)
			VALUES (?, ?, 'sent', 1, 0, 'Your information has been sent to the authorities.', '', '{"zips":["90210"]}', '[]', 'admin', ?, ?, ?, ?)`,
			id, ref, now.Unix(), now.Unix(), now.Add(time.Hour).Unix(), entry)
		return st.Texts["en"], entry
	}

	// (a) A sent row, nothing in the log.
	textA, _ := forge("forged0000forged0a", "FAKE33")
	// (b) A sent row, its entry appended to the log, and a checkpoint over
	// it signed with the attacker's key under the log's name.
	textB, entry := forge("forged0000forged0b", "FAKE44")
	var size uint64
	if err := db.QueryRow(`SELECT COUNT(*) FROM log_leaves`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	leaf := tlog.LeafHash(entry)
	mustExec(t, db, `INSERT INTO log_leaves (idx, hash, entry) VALUES (?, ?, ?)`, size, leaf[:], entry)
	leaves := &tlog.MemLeaves{}
	for i := range size + 1 {
		var h []byte
		if err := db.QueryRow(`SELECT hash FROM log_leaves WHERE idx = ?`, i).Scan(&h); err != nil {
			t.Fatal(err)
		}
		leaves.Append(t.Context(), [32]byte(h))
	}
	root, err := tlog.Root(t.Context(), leaves, size+1)
	if err != nil {
		t.Fatal(err)
	}
	attackerKey, _, err := tlog.NewSigner("tocsin-log")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := tlog.Sign(tlog.Checkpoint{Origin: "tocsin-log", Size: size + 1, Root: root}, attackerKey)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO log_checkpoints (size, signed) VALUES (?, ?)`, size+1, signed)

	for _, f := range []struct{ ref, text string }{{"FAKE33", textA}, {"FAKE44", textB}} {
		r := c.postForm("/verify", url.Values{"text": {f.text}})
		if strings.Contains(r.body, "verdict genuine") || !strings.Contains(r.body, "This message was not sent by this service.") ||
			!strings.Contains(r.body, "Este mensaje no lo envió este servicio.") || !strings.Contains(r.body, `id="unlogged"`) {
			t.Errorf("/verify calls the forged %s genuine or does not say why not:\n%s", f.ref, truncate(r.body, 3000))
		}
		for _, p := range []string{"/alerts/", "/v/"} {
			if r := c.get(p + f.ref); r.status != 404 || !strings.Contains(r.body, "Not in the public log") {
				t.Errorf("%s%s: %d\n%s", p, f.ref, r.status, truncate(r.body, 2000))
			}
		}
		if r := c.get("/api/v1/alerts"); strings.Contains(r.body, f.ref) {
			t.Errorf("the public list shows the forged %s", f.ref)
		}
	}
	waitSecurityEvent(t, db, "alert.unlogged", "FAKE33", "not in the transparency log")
	waitSecurityEvent(t, db, "log.tampered", "", "does not verify with the log's public key")
	wantGenuine()
}
