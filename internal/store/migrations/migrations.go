// Package migrations holds the schema migrations of every store driver, in
// one place: one folder per SQL dialect, the same numbered steps in each, so
// that a change to the schema is made once for every database and a step
// missing from one dialect fails a test.
//
// It holds SQL only. It must never hold data, and a migration must never
// store a phone number in the clear, an IP address or anything else that
// identifies a reporter.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects are the SQL dialects with migrations.
var Dialects = []string{"sqlite", "postgres"}

// Migration is one step of a dialect's schema.
type Migration struct {
	// Name is the step's name as recorded in the database's migrations
	// table ("migrations/0001_init.sql"), the same in every dialect.
	Name string
	SQL  string
}

// For returns the dialect's migrations in the order they apply.
func For(dialect string) ([]Migration, error) {
	paths, err := fs.Glob(files, dialect+"/*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("migrations: no migrations for dialect %q", dialect)
	}
	sort.Strings(paths)
	out := make([]Migration, 0, len(paths))
	for _, p := range paths {
		b, err := files.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		out = append(out, Migration{Name: "migrations/" + path.Base(p), SQL: string(b)})
	}
	return out, nil
}
