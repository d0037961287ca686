package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
)

// TestMalformedTimesDoNotStopLists plays a database writer who puts text
// where SQLite keeps a time (SQLite keeps any value in any column): one
// such row used to make every list it was in fail, so one queued reply, one
// alert or one inbound text stopped all the others (found by an attack run
// on the real binary). The row reads with no time; what it means is checked
// elsewhere (MACs, signatures).
func TestMalformedTimesDoNotStopLists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	db := open(t, path)
	now := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	for i := range 2 {
		if err := db.AddOutbound(ctx, &tocsin.Outbound{Kind: tocsin.OutboundReply, ToSealed: []byte{1}, Body: "reply", CreatedAt: now, MAC: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddInbound(ctx, &tocsin.Inbound{Provider: "dev", FromSealed: []byte{1}, Body: "STOP", ReceivedAt: now}); err != nil {
			t.Fatal(err)
		}
		a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertSending, BodyEN: "x", Area: tocsin.Area{ZIPs: []string{"90210"}}, CreatedBy: "t", CreatedAt: now, ValidUntil: now.Add(time.Hour)}
		if err := db.CreateAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	raw := rawDB(t, path)
	for _, q := range []string{
		`UPDATE outbound SET created_at = 'not-a-time' WHERE id = (SELECT min(id) FROM outbound)`,
		`UPDATE inbound SET received_at = 'not-a-time' WHERE id = (SELECT min(id) FROM inbound)`,
		`UPDATE alerts SET created_at = 'not-a-time' WHERE rowid = (SELECT min(rowid) FROM alerts)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if out, err := db.ListOutbound(ctx, 10); err != nil || len(out) != 2 {
		t.Errorf("ListOutbound = %d rows, %v; want both", len(out), err)
	}
	if in, err := db.ListInbound(ctx, 10); err != nil || len(in) != 2 {
		t.Errorf("ListInbound = %d rows, %v; want both", len(in), err)
	}
	if as, err := db.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertSending}, 10); err != nil || len(as) != 2 {
		t.Errorf("ListAlerts = %d rows, %v; want both", len(as), err)
	}
}
