package sqlite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

// A database made before the trust migration gains its tables and columns,
// and its old rows read back with no statement and no MAC.
func TestMigrateTrust(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "t.db")
	schema, err := os.ReadFile("../migrations/sqlite/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, path)
	for _, stmt := range []string{
		`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		string(schema),
		`INSERT INTO migrations (name, applied_at) VALUES ('migrations/0001_init.sql', 1)`,
		`INSERT INTO subscribers (id, phone_hash, sealed, lang, active, created_at, updated_at) VALUES (7, x'01ff', x'02', 'es', 1, 1, 1)`,
		`INSERT INTO alerts (id, ref, state, confirmed, all_clear, body_en, body_es, area, report_ids, created_by, created_at, valid_until)
			VALUES ('a1', 'RA1', 'sending', 1, 0, 'en', 'es', '{}', '[]', 'op', 1, 2)`,
		`INSERT INTO deliveries (alert_id, subscriber_id, seq, status) VALUES ('a1', 7, 0, 'pending')`,
		`INSERT INTO outbound (kind, to_sealed, body, created_at) VALUES ('reply', x'03', 'hi', 1)`,
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%.60s: %v", stmt, err)
		}
	}
	raw.Close()

	db := open(t, path)
	defer db.Close()
	if got := migrationNames(t, rawDB(t, path)); !slices.Equal(got[:2], []string{"migrations/0001_init.sql", "migrations/0002_trust.sql"}) {
		t.Errorf("migrations = %q", got)
	}
	a, err := db.GetAlert(ctx, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Statement != nil {
		t.Errorf("old alert: Statement = %q, want nil", a.Statement)
	}
	jobs, err := db.ClaimDeliveries(ctx, "a1", 10, "w1", claimTime)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].MAC != nil || !bytes.Equal(jobs[0].PhoneHash, []byte{1, 0xff}) || jobs[0].Lang != tocsin.Spanish {
		t.Errorf("old ledger row: %+v", jobs)
	}
	out, err := db.ListOutbound(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].MAC != nil {
		t.Errorf("old outbound: %+v", out)
	}
	// The new tables work on the upgraded database.
	if err := db.RefuseAlert(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutRosterVersion(ctx, 1, []byte("roster")); err != nil {
		t.Fatal(err)
	}
}

// The store refuses records it could only hold half of.
func TestTrustInvalid(t *testing.T) {
	ctx := t.Context()
	db := open(t, filepath.Join(t.TempDir(), "t.db"))
	defer db.Close()
	a := &tocsin.Alert{ID: "a1", Ref: "RA1", State: tocsin.AlertApproved, BodyEN: "x", CreatedBy: "op"}
	if err := db.CreateAlert(ctx, a); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.PutRosterVersion(ctx, 1, []byte("roster")))
	must(db.PutFreezeOrder(ctx, 1, []byte("freeze")))
	good := store.Approval{AlertID: "a1", Kind: "ed25519", KeyID: "k", Digest: []byte{1}, Signature: []byte{2}}
	noKey, noDigest, noSig := good, good, good
	noKey.KeyID, noDigest.Digest, noSig.Signature = "", nil, nil
	for name, err := range map[string]error{
		"approval without key":       db.AddApproval(ctx, &noKey),
		"approval without digest":    db.AddApproval(ctx, &noDigest),
		"approval without signature": db.AddApproval(ctx, &noSig),
		"empty roster body":          db.PutRosterVersion(ctx, 2, nil),
		"empty freeze body":          db.PutFreezeOrder(ctx, 2, []byte{}),
		"roster sig without key":     db.AddRosterSig(ctx, 1, store.Sig{Signature: []byte{1}}),
		"freeze sig without sig":     db.AddFreezeSig(ctx, 1, store.Sig{KeyID: "k"}),
		"event without kind":         db.AddSecurityEvent(ctx, &store.SecurityEvent{Detail: "x"}),
	} {
		if got := tocsin.ErrorCode(err); got != tocsin.EINVALID {
			t.Errorf("%s: error %v, want %s", name, err, tocsin.EINVALID)
		}
	}
	if got, err := db.ListApprovals(ctx, "a1"); err != nil || len(got) != 0 {
		t.Errorf("approvals after refusals: %+v, %v", got, err)
	}
}

// claimTime is when the tests' worker "w1" claims ledger rows.
var claimTime = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
