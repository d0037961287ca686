// Package postgres implements store.Store on PostgreSQL (github.com/jackc/pgx/v5
// through a pgxpool connection pool), with embedded, versioned migrations,
// so that several web replicas and sender workers can share one database.
// It is a port of package sqlite: same schema (times as sqlrow.Unix seconds, S2 cell
// ids as int64 bits, blobs as BYTEA), same errors (ENOTFOUND, ECONFLICT),
// same contract suite.
//
// It must never store a phone number in the clear (only keyed hashes and
// sealed boxes reach it), nor anything else that identifies a reporter, and
// it must never log row contents: errors it returns name the operation, never
// a value.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/migrations"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
	"github.com/tocsin/tocsin/internal/store/sqlrow/signed"
)

// querier is what *pgxpool.Pool and pgx.Tx share. Begin on a pgx.Tx opens a
// savepoint.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	Begin(ctx context.Context) (pgx.Tx, error)
}

// DB is a PostgreSQL-backed store.
type DB struct {
	q
	pool *pgxpool.Pool
}

// q implements store.Querier on a *pgxpool.Pool or a pgx.Tx.
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
	_ querier       = (*pgxpool.Pool)(nil)
	_ querier       = pgx.Tx(nil)
)

// Open connects to the database at url (postgres://… or a key=value DSN;
// pgxpool parameters such as pool_max_conns and run-time parameters such as
// search_path are honoured) and applies pending migrations.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if err := migrate(ctx, cfg.ConnConfig.Copy()); err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	return &DB{q: newQ(pool), pool: pool}, nil
}

// Close closes every connection of the pool.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// InTx runs fn in one READ COMMITTED transaction, committed if fn returns
// nil and rolled back otherwise (fn's error is returned as it is).
func (d *DB) InTx(ctx context.Context, fn func(store.Querier) error) error {
	return pgx.BeginTxFunc(ctx, d.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
		return fn(newQ(tx))
	})
}

// InWebTx runs fn in one transaction as InTx does, with the web tier's
// operations only.
func (d *DB) InWebTx(ctx context.Context, fn func(store.WebQuerier) error) error {
	return d.InTx(ctx, store.AsWeb(fn))
}

// migrate applies the embedded migrations not yet recorded in the
// migrations table, in name order, each in a transaction of its own. It runs
// on a connection of its own that holds an advisory lock (per schema) while
// it works, so that processes starting together migrate once; closing the
// connection releases the lock whatever happens.
func migrate(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext('tocsin.migrate:' || coalesce(current_schema(), '')))`); err != nil {
		return fmt.Errorf("postgres: lock migrations: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: create migrations table: %w", err)
	}
	steps, err := migrations.For("postgres")
	if err != nil {
		return err
	}
	for _, m := range steps {
		if err := migrateStep(ctx, conn, m); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func migrateStep(ctx context.Context, conn *pgx.Conn, m migrations.Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM migrations WHERE name = $1`, m.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		// No arguments: pgx sends it with the simple protocol, which runs
		// every statement of the file.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO migrations (name, applied_at) VALUES ($1, $2)`, m.Name, time.Now().Unix())
		return err
	})
}

// notFound and conflict build the normalised errors of the store contract.
func notFound(what string) error { return tocsin.Errorf(tocsin.ENOTFOUND, "%s not found", what) }

func conflict(format string, args ...any) error {
	return tocsin.Errorf(tocsin.ECONFLICT, format, args...)
}

// one maps pgx.ErrNoRows to ENOTFOUND.
func one(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// isUnique reports whether err is a unique violation (SQLSTATE 23505).
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// strs converts a slice of a string type to []string, for a text[] argument.
func strs[S ~string](xs []S) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// atomic runs fn in a transaction of its own, or in a savepoint of the
// caller's when s is already inside one, so that a multi-statement method is
// all or nothing and a failed one leaves the caller's transaction usable.
func (s q) atomic(ctx context.Context, fn func(q) error) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error { return fn(newQ(tx)) })
}
