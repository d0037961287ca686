// Package pgtest finds the PostgreSQL server tests run against and gives
// each test a schema of its own. It is test support: it must never be
// imported by non-test code.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the test server when TOCSIN_TEST_POSTGRES is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerURL returns the URL of the test server (TOCSIN_TEST_POSTGRES),
// skipping the test when none answers, or failing it when
// TOCSIN_REQUIRE_POSTGRES is set (as ./scripts/test sets it).
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("TOCSIN_TEST_POSTGRES")
	if u == "" {
		u = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("TOCSIN_REQUIRE_POSTGRES") != "" {
			tb.Fatalf("no PostgreSQL server at TOCSIN_TEST_POSTGRES: %v", err)
		}
		tb.Skipf("no PostgreSQL server answers (set TOCSIN_TEST_POSTGRES; TOCSIN_REQUIRE_POSTGRES makes this a failure): %v", err)
	}
	return u
}

// FreshSchema creates an empty schema named prefix_<random>, dropped when
// the test ends, and returns base with the connection parameters set to
// use it (search_path) and any others given (such as pool_max_conns).
func FreshSchema(tb testing.TB, base, prefix string, params map[string]string) string {
	tb.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	Exec(tb, base, `CREATE SCHEMA `+schema)
	tb.Cleanup(func() { Exec(tb, base, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	for k, val := range params {
		if v.Get(k) == "" {
			v.Set(k, val)
		}
	}
	u.RawQuery = v.Encode()
	return u.String()
}

// Exec runs one statement on a connection of its own, with a context of
// its own: it also runs in cleanups, after the test's context is done.
func Exec(tb testing.TB, u, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatal(err)
	}
}
