package scalebench

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/store/postgres/pgtest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/postgres"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// A driver opens an empty store of one kind and seeds a population into
// it, the fast way for its database (the stores have no bulk path for
// subscribers: seeding a million through SaveSubscriber would take long).
// The rows are exactly those SaveSubscriber writes (TestSeedMatchesStore).
type driver struct {
	name string
	open func(tb testing.TB, p *population) (st store.Store, seed time.Duration)
}

var drivers = []driver{
	{"sqlite", openSQLite},
	{"postgres", openPostgres},
}

// openSQLite opens a SQLite store in a temporary directory and seeds it in
// one transaction of prepared inserts, on a connection of its own.
func openSQLite(tb testing.TB, p *population) (store.Store, time.Duration) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "scale.db")
	st, err := sqlite.Open(ctx, path) // creates the schema
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	start := time.Now()
	seedSQLite(tb, path, p)
	return st, time.Since(start)
}

func seedSQLite(tb testing.TB, path string, p *population) {
	tb.Helper()
	ctx := context.Background()
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "synchronous(OFF)")    // seeding only: the store's own connections use NORMAL
	v.Add("_pragma", "cache_size(-262144)") // 256 MiB of page cache while the indexes grow
	db, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	subs, err := tx.PrepareContext(ctx, `INSERT INTO subscribers (id, phone_hash, sealed, lang, active, created_at, updated_at) VALUES (?, ?, ?, 'en', 1, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	areas, err := tx.PrepareContext(ctx, `INSERT INTO subscriber_areas (subscriber_id, zip, cell, radius_m, active) VALUES (?, ?, ?, ?, 1)`)
	if err != nil {
		tb.Fatal(err)
	}
	at := p.updated.Unix()
	for i := range p.len() {
		id := int64(i + 1)
		if _, err := subs.ExecContext(ctx, id, p.hash[i], p.sealed[i], at, at); err != nil {
			tb.Fatal(err)
		}
		a := p.areas[i]
		if _, err := areas.ExecContext(ctx, id, a.ZIP, int64(a.Cell), a.RadiusM); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}

// openPostgres opens a PostgreSQL store in a fresh schema (dropped at the
// end) of the server at TOCSIN_TEST_POSTGRES and seeds it with COPY. It
// skips when no server answers, unless TOCSIN_REQUIRE_POSTGRES is set.
func openPostgres(tb testing.TB, p *population) (store.Store, time.Duration) {
	tb.Helper()
	u := freshSchema(tb, serverURL(tb))
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	start := time.Now()
	seedPostgres(tb, u, p)
	return st, time.Since(start)
}

func seedPostgres(tb testing.TB, u string, p *population) {
	tb.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(u) // u may carry pool parameters pgx.Connect refuses
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	at := p.updated.Unix()
	n := p.len()
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"subscribers"},
		[]string{"id", "phone_hash", "sealed", "lang", "active", "created_at", "updated_at"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{int64(i + 1), p.hash[i], p.sealed[i], "en", true, at, at}, nil
		})); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"subscriber_areas"},
		[]string{"subscriber_id", "zip", "cell", "radius_m", "active"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			a := p.areas[i]
			return []any{int64(i + 1), a.ZIP, int64(a.Cell), a.RadiusM, true}, nil
		})); err != nil {
		tb.Fatal(err)
	}
	// The ids were given: move the identity on, as inserts would have.
	if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('subscribers', 'id'), $1)`, int64(max(n, 1))); err != nil {
		tb.Fatal(err)
	}
	// What autovacuum does after a bulk load, at once: statistics for the
	// planner, and the visibility map that index-only scans (the covering
	// indexes of subscriber_areas) need.
	for _, t := range []string{"subscribers", "subscriber_areas"} {
		if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) `+t); err != nil {
			tb.Fatal(err)
		}
	}
}

func serverURL(tb testing.TB) string { tb.Helper(); return pgtest.ServerURL(tb) }

// freshSchema: an empty schema, dropped at the end; the pool keeps the
// store's default size.
func freshSchema(tb testing.TB, base string) string {
	tb.Helper()
	return pgtest.FreshSchema(tb, base, "scale", nil)
}
