package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/sqlite"
	"github.com/tocsin/tocsin/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "t.db"))
	})
}

func open(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// rawDB opens the file with database/sql alone, to look under the store.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func migrationNames(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	rows, err := raw.Query(`SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestMigrationsRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db := open(t, path)
	defer db.Close()
	names := migrationNames(t, rawDB(t, path))
	if len(names) == 0 || names[0] != "migrations/0001_init.sql" {
		t.Fatalf("migrations recorded = %q, want 0001_init.sql first", names)
	}
	for _, n := range names {
		if !strings.HasSuffix(n, ".sql") {
			t.Errorf("migration %q is not a .sql file", n)
		}
	}
}

// Re-opening an existing database applies nothing twice and keeps the data.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "t.db")
	db := open(t, path)
	at := time.Date(2026, time.March, 14, 15, 9, 0, 0, time.UTC)
	if err := db.AppendAudit(ctx, &tocsin.AuditEntry{At: at, Actor: "system", Action: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	before := migrationNames(t, rawDB(t, path))

	for range 2 {
		db = open(t, path)
		got, err := db.ListAudit(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Action != "test" || !got[0].At.Equal(at) {
			t.Errorf("after re-open: %+v", got)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	after := migrationNames(t, rawDB(t, path))
	if strings.Join(before, ",") != strings.Join(after, ",") {
		t.Errorf("migrations %q after re-open, want %q", after, before)
	}
}

func TestWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	db := open(t, path)
	defer db.Close()
	var mode string
	if err := rawDB(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}
