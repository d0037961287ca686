package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/store/postgres"
	"github.com/tocsin/tocsin/internal/store/sqlite"
)

// openStore opens the database: PostgreSQL for a postgres:// URL (the
// scale-out), else the embedded SQLite file dbArg, or DATA/tocsin.db when
// dbArg is empty.
func openStore(ctx context.Context, dataDir, dbArg string) (store.Store, error) {
	if strings.HasPrefix(dbArg, "postgres://") || strings.HasPrefix(dbArg, "postgresql://") {
		return postgres.Open(ctx, dbArg)
	}
	path := dbArg
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, err
		}
		path = filepath.Join(dataDir, "tocsin.db")
	}
	return sqlite.Open(ctx, path)
}

// dbUsage is the help text of every --db flag.
const dbUsage = "the database: a postgres:// URL, or a SQLite file (default DATA/tocsin.db)"

// redactDB is a database argument fit for a log: a URL's password hidden.
func redactDB(db string) string {
	u, err := url.Parse(db)
	if err != nil || u.Scheme == "" {
		return db
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
