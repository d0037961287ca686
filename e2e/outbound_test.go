package e2e

import (
	"path/filepath"
	"testing"
)

// TestQueuedTextReplayedOnce: someone with write access to the database of
// a running server keeps copies of the queued texts (a trigger) and puts
// them back once they were sent, round after round. The reply goes out
// once, and the copies raise outbound.replayed.
func TestQueuedTextReplayedOnce(t *testing.T) {
	s := startSignedServer(t)
	c, _ := consoleSession(t, s)
	db := rawDB(t, filepath.Join(s.DataDir, "tocsin.db"))
	mustExec(t, db, `CREATE TABLE mallory AS SELECT * FROM outbound WHERE 0`)
	mustExec(t, db, `CREATE TRIGGER mallory AFTER INSERT ON outbound WHEN NEW.to_sealed NOT IN (SELECT to_sealed FROM mallory) BEGIN INSERT INTO mallory SELECT * FROM outbound WHERE id = NEW.id; END`)
	const num = "+13105550144"
	c.sms(num, "STOP")
	waitOutbox(t, s, 0, num, "unsubscribed")
	toNum := func() int {
		n := 0
		for _, l := range readOutbox(t, s.DataDir) {
			if l.To == num {
				n++
			}
		}
		return n
	}
	for range 3 {
		mustExec(t, db, `INSERT INTO outbound (kind, to_sealed, body, created_at, mac) SELECT kind, to_sealed, body, created_at, mac FROM mallory`)
		senderBarrier(t, c, db)
	}
	if n := toNum(); n != 1 {
		t.Fatalf("%s got %d texts: the copies of its STOP confirmation were sent again; events %q", num, n, securityEvents(t, db))
	}
	waitSecurityEvent(t, db, "outbound.replayed", "", "not sent again")
}
