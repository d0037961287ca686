// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite: pure Go, no cgo), in WAL mode, with embedded,
// versioned migrations.
//
// It must never log row contents, and it stores only what the store
// contract allows: no phone number in the clear, no reporter identity.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/migrations"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
	"github.com/tocsin/tocsin/internal/store/sqlrow/signed"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is a SQLite-backed store.
type DB struct {
	q
	db *sql.DB
}

// q implements store.Querier on a *sql.DB or a *sql.Tx.
// q is the connection or a transaction; Shared and Records give it the
// methods whose statements both dialects share.
type q struct {
	db querier
	sqlrow.Shared
	signed.Records
}

func newQ(db querier) q {
	return q{db: db, Shared: sqlrow.Shared{Conn: conn{db}}, Records: signed.Records{Conn: conn{db}}}
}

var (
	_ store.Store   = (*DB)(nil)
	_ store.Web     = (*DB)(nil)
	_ store.Querier = q{}
)

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_pragma", "foreign_keys(1)")
	// A page cache of up to 64 MiB a connection (the default is 2 MiB):
	// a ledger written nearest first inserts into random pages of its
	// primary key, and a million rows then take several times longer.
	v.Add("_pragma", "cache_size(-65536)")
	v.Set("_txlock", "immediate")
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	sqldb, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(8)
	d := &DB{q: newQ(sqldb), db: sqldb}
	if err := d.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// InTx runs fn in one IMMEDIATE transaction.
func (d *DB) InTx(ctx context.Context, fn func(store.Querier) error) error {
	return d.q.atomic(ctx, func(q q) error { return fn(q) })
}

// InWebTx runs fn in one transaction as InTx does, with the web tier's
// operations only.
func (d *DB) InWebTx(ctx context.Context, fn func(store.WebQuerier) error) error {
	return d.InTx(ctx, store.AsWeb(fn))
}

func (d *DB) migrate(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	steps, err := migrations.For("sqlite")
	if err != nil {
		return err
	}
	for _, m := range steps {
		if err := d.migrateStep(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func (d *DB) migrateStep(ctx context.Context, m migrations.Migration) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, m.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, m.Name, time.Now().Unix()); err != nil {
		return err
	}
	return tx.Commit()
}

// notFound and conflict build the normalised errors of the store contract.
func notFound(what string) error { return tocsin.Errorf(tocsin.ENOTFOUND, "%s not found", what) }

func conflict(format string, args ...any) error {
	return tocsin.Errorf(tocsin.ECONFLICT, format, args...)
}

// one maps sql.ErrNoRows to ENOTFOUND.
func one(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// placeholders returns "?,?,?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// placeholdersRows returns n copies of row joined by commas.
func placeholdersRows(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// atomic runs fn in a transaction of its own, or in the caller's when s is
// already inside one, so that a multi-statement method is all or nothing.
func (s q) atomic(ctx context.Context, fn func(q) error) error {
	db, ok := s.db.(*sql.DB)
	if !ok {
		return fn(s)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(newQ(tx)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
