package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/trust"
)

// The sender's defaults, which bound what may still go out once a freeze
// is stored: each of its lanes finishes the batch it holds.
const (
	senderBatch = 200
	senderLanes = 2
)

// senderBarrier returns once the sender has finished a whole round of work
// that began after the call: it texts HELP twice, each time waiting until
// the sender has taken the text from the database. The sender handles
// inbound texts first in each round, so the round that took the first text
// has ended by the time the second is taken, and it began after the call.
func senderBarrier(t *testing.T, c *client, db *sql.DB) {
	t.Helper()
	for range 2 {
		c.sms("+13105559999", "HELP")
		waitFor(t, "the sender to take the inbound text", func() (bool, string) {
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM inbound`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 0, fmt.Sprintf("%d inbound texts waiting", n)
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// freezeState is what /console/security says about outbound messaging.
func freezeState(t *testing.T, c *client) string {
	t.Helper()
	r := c.get("/console/security")
	mustStatus(t, "GET /console/security", r, http.StatusOK)
	switch {
	case strings.Contains(r.body, "Outbound messaging is FROZEN"):
		return "frozen"
	case strings.Contains(r.body, "Outbound messaging is running"):
		return "running"
	}
	t.Fatalf("/console/security says neither frozen nor running:\n%s", truncate(r.body, 4000))
	return ""
}

// TestFreeze stops a fan-out with the console's freeze button right after
// the last approval: at most one batch per sender lane goes out after the
// freeze is stored, then nothing, and an alert approved meanwhile waits.
// One operator's `tocsin unfreeze` changes nothing; the second operator's
// lets the rest go out, each recipient once. `tocsin freeze` with one
// operator's key stops the next alert.
func TestFreeze(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	numbers := numbersFrom("+1310557", 0, 4000)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "90210", numbers)
	few := numbersFrom("+1212557", 0, 2)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "10001", few)
	db := rawDB(t, dbPath)
	count := func(ref string) int { return len(refCounts(readOutbox(t, s.DataDir), ref)) }

	big := alertDraft{bodyEN: "Raid confirmed at the rail yard on Alameda St. Avoid the area.", zips: "90210"}
	bigRow := saveDraft(t, c, csrf, big)
	approveCLI(t, s, bigRow.ID, "ana")
	if st := freezeState(t, c); st != "running" {
		t.Fatalf("before any freeze the console says %s", st)
	}

	// The last signature; the freeze button as soon as the first messages
	// are out.
	outbox := filepath.Join(s.DataDir, "outbox.jsonl")
	before := fileSize(t, outbox)
	approveCLI(t, s, bigRow.ID, "bob")
	for deadline := time.Now().Add(fanoutTimeout); fileSize(t, outbox) == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the fan-out did not begin within %v\nstderr:\n%s", fanoutTimeout, s.Stderr)
		}
	}
	r := c.postForm("/console/freeze", url.Values{"csrf": {csrf}, "confirm": {"yes"}, "reason": {"texts we did not send reported"}})
	mustRedirect(t, "POST /console/freeze", r, "/console/security")
	atFreeze := count(bigRow.Ref)
	waitSecurityEvent(t, db, "freeze", "1", "")
	waitFor(t, "the batches in flight to finish", func() (bool, string) {
		l := ledgerStates(t, dbPath, bigRow.ID)
		return l["sending"] == 0, fmt.Sprint(l)
	})
	frozenAt := count(bigRow.Ref)
	t.Logf("freeze stored when %d of %d had the alert; %d once the sender stopped (ledger %v)", atFreeze, len(numbers), frozenAt, ledgerStates(t, dbPath, bigRow.ID))
	if frozenAt-atFreeze > senderBatch*senderLanes {
		t.Errorf("%d messages went out after the freeze was stored; at most one batch per lane (%d) may", frozenAt-atFreeze, senderBatch*senderLanes)
	}
	if frozenAt == len(numbers) {
		t.Logf("the fan-out ended before the freeze: this run shows the freeze only on the alerts below")
	}
	if st := freezeState(t, c); st != "frozen" {
		t.Errorf("after the freeze the console says %s", st)
	}

	// An alert approved while frozen waits.
	small := alertDraft{bodyEN: "Checkpoint at 7th Ave and 34th St. Avoid the area.", zips: "10001"}
	smallRow := saveDraft(t, c, csrf, small)
	if out := approveCLI(t, s, smallRow.ID, "ana"); !strings.Contains(out, "outbound messaging is FROZEN: the alert is approved and waits") || !strings.Contains(out, "unfreeze signed by 2 operators") {
		t.Errorf("tocsin alert approve while frozen does not say the alert waits:\n%s", out)
	}
	senderBarrier(t, c, db)
	if n := count(bigRow.Ref); n != frozenAt {
		t.Fatalf("%d more messages went out while frozen", n-frozenAt)
	}
	if n := count(smallRow.Ref); n != 0 || alertState(t, db, smallRow.ID) != "approved" {
		t.Fatalf("an alert approved while frozen went out to %d (state %s)", n, alertState(t, db, smallRow.ID))
	}

	// One operator's unfreeze is not enough.
	if out := freezeCLI(t, s, "unfreeze", "ana"); !strings.Contains(out, "[ana]") {
		t.Errorf("tocsin unfreeze: %s", out)
	}
	senderBarrier(t, c, db)
	if n := count(bigRow.Ref); n != frozenAt {
		t.Fatalf("%d more messages went out after an unfreeze signed by one operator", n-frozenAt)
	}
	if n := count(smallRow.Ref); n != 0 {
		t.Fatalf("the waiting alert went out after an unfreeze signed by one operator")
	}
	if st := freezeState(t, c); st != "frozen" {
		t.Errorf("after one operator's unfreeze the console says %s", st)
	}

	// The second operator's signature unfreezes: the rest goes out.
	if out := freezeCLI(t, s, "unfreeze", "bob"); !strings.Contains(out, "[ana bob]") {
		t.Errorf("tocsin unfreeze: %s", out)
	}
	waitSecurityEvent(t, db, "unfreeze", "2", "")
	waitWithin(t, fanoutTimeout, "both alerts sent after the unfreeze", func() (bool, string) {
		a, b := alertState(t, db, bigRow.ID), alertState(t, db, smallRow.ID)
		return a == "sent" && b == "sent", a + " " + b
	})
	lines := readOutbox(t, s.DataDir)
	checkExactlyOnce(t, lines, bigRow.Ref, numbers)
	checkExactlyOnce(t, lines, smallRow.Ref, few)
	if st := freezeState(t, c); st != "running" {
		t.Errorf("after the unfreeze the console says %s", st)
	}

	// `tocsin freeze`, signed by one operator, stops the next alert.
	freezeCLI(t, s, "freeze", "bob")
	waitSecurityEvent(t, db, "freeze", "3", "")
	next := alertDraft{bodyEN: "All clear at 7th Ave and 34th St.", zips: "10001"}
	nextRow := saveDraft(t, c, csrf, next)
	approveCLI(t, s, nextRow.ID, "ana")
	senderBarrier(t, c, db)
	if n := count(nextRow.Ref); n != 0 || alertState(t, db, nextRow.ID) != "approved" {
		t.Errorf("an alert approved after tocsin freeze went out to %d (state %s)", n, alertState(t, db, nextRow.ID))
	}
}

// TestFreezeAfterStrayUnfreeze: an unfreeze order signed by one operator
// while nothing is frozen (a mistake, or an attacker with one key or with
// database access) must not disable the kill switch: a later freeze stops
// the next alert.
func TestFreezeAfterStrayUnfreeze(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	few := numbersFrom("+1212558", 0, 2)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "10001", few)
	db := rawDB(t, dbPath)

	freezeCLI(t, s, "freeze", "bob")   // order 1
	freezeCLI(t, s, "unfreeze", "ana") // order 2: an unfreeze with one signature of two
	freezeCLI(t, s, "freeze", "bob")   // order 3: any one operator may freeze
	if st := freezeState(t, c); st != "frozen" {
		t.Errorf("after the freeze the console says %s", st)
	}
	row := saveDraft(t, c, csrf, alertDraft{bodyEN: "Checkpoint at 7th Ave and 34th St. Avoid the area.", zips: "10001"})
	approveCLI(t, s, row.ID, "ana")
	senderBarrier(t, c, db)
	if n := len(refCounts(readOutbox(t, s.DataDir), row.Ref)); n != 0 {
		t.Fatalf("an alert approved after a freeze went out to %d subscribers (state %s): the freeze after an unfreeze signed by one operator was never applied; events %q",
			n, alertState(t, db, row.ID), securityEvents(t, db))
	}
}

// TestFreezeOrderGap: someone with write access to the database inserts a
// freeze order two numbers past the last one. Every later freeze (here the
// console's button) still stops the next alert, the stray row raises
// freeze.gap, and the operators' signed unfreeze lets the alert go out.
func TestFreezeOrderGap(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	few := numbersFrom("+1212559", 0, 2)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "10001", few)
	db := rawDB(t, dbPath)

	stray, err := (&trust.FreezeOrder{Seq: 2, At: time.Now(), Reason: "mallory"}).Encode() // an unsigned unfreeze
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO freeze_orders (seq, body) VALUES (2, ?)`, stray)
	r := c.postForm("/console/freeze", url.Values{"csrf": {csrf}, "confirm": {"yes"}, "reason": {"texts we did not send reported"}})
	mustRedirect(t, "POST /console/freeze", r, "/console/security")
	if st := freezeState(t, c); st != "frozen" {
		t.Errorf("after the freeze the console says %s", st)
	}
	row := saveDraft(t, c, csrf, alertDraft{bodyEN: "Checkpoint at 7th Ave and 34th St. Avoid the area.", zips: "10001"})
	approveCLI(t, s, row.ID, "ana")
	senderBarrier(t, c, db)
	if n := len(refCounts(readOutbox(t, s.DataDir), row.Ref)); n != 0 {
		t.Fatalf("an alert approved after the console's freeze went out to %d subscribers (state %s): the order inserted out of sequence disabled the kill switch; events %q",
			n, alertState(t, db, row.ID), securityEvents(t, db))
	}
	waitSecurityEvent(t, db, "freeze.gap", "2", "treated as a freeze")

	freezeCLI(t, s, "unfreeze", "ana")
	freezeCLI(t, s, "unfreeze", "bob")
	waitWithin(t, fanoutTimeout, "the alert sent after the signed unfreeze", func() (bool, string) {
		st := alertState(t, db, row.ID)
		return st == "sent", st
	})
	checkExactlyOnce(t, readOutbox(t, s.DataDir), row.Ref, few)
}

// TestFreezeRewrittenAsUnfreeze: someone with write access to the database
// adds a trigger that turns every new freeze order into an unsigned
// unfreeze (found by an attack run on the real binary). The console's
// freeze and tocsin freeze must still stop the next alert, with
// freeze.malformed raised; the operators' signed unfreeze, once the
// trigger is gone, lets it go out.
func TestFreezeRewrittenAsUnfreeze(t *testing.T) {
	s := startSignedServer(t)
	c, csrf := consoleSession(t, s)
	dbPath := filepath.Join(s.DataDir, "tocsin.db")
	few := numbersFrom("+1212557", 0, 2)
	seedSubscribers(t, dbPath, filepath.Join(s.DataDir, "keys"), "10001", few)
	db := rawDB(t, dbPath)

	mustExec(t, db, `CREATE TRIGGER mallory AFTER INSERT ON freeze_orders BEGIN
		UPDATE freeze_orders SET body = CAST(replace(CAST(body AS TEXT), 'action freeze', 'action unfreeze') AS BLOB) WHERE seq = NEW.seq; END`)
	r := c.postForm("/console/freeze", url.Values{"csrf": {csrf}, "confirm": {"yes"}, "reason": {"texts we did not send reported"}})
	mustRedirect(t, "POST /console/freeze", r, "/console/security")
	row := saveDraft(t, c, csrf, alertDraft{bodyEN: "Checkpoint at 7th Ave and 34th St. Avoid the area.", zips: "10001"})
	approveCLI(t, s, row.ID, "ana")
	senderBarrier(t, c, db)
	if n := len(refCounts(readOutbox(t, s.DataDir), row.Ref)); n != 0 {
		t.Fatalf("an alert approved after the console's freeze went out to %d subscribers (state %s): the rewritten freeze order was skipped; events %q",
			n, alertState(t, db, row.ID), securityEvents(t, db))
	}
	waitSecurityEvent(t, db, "freeze.malformed", "1", "follows no freeze")

	mustExec(t, db, `DROP TRIGGER mallory`)
	freezeCLI(t, s, "freeze", "bob")
	freezeCLI(t, s, "unfreeze", "ana")
	freezeCLI(t, s, "unfreeze", "bob")
	waitWithin(t, fanoutTimeout, "the alert sent after the signed unfreeze", func() (bool, string) {
		st := alertState(t, db, row.ID)
		return st == "sent", st
	})
	checkExactlyOnce(t, readOutbox(t, s.DataDir), row.Ref, few)
}
