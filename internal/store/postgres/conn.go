package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// conn adapts the pool or transaction to sqlrow.Conn, for the statements
// both drivers share; their ? placeholders are numbered here.
type conn struct{ db querier }

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.db.Exec(ctx, sqlrow.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlrow.Scanner {
	return c.db.QueryRow(ctx, sqlrow.Rebind(query), args...)
}

func (c conn) Each(ctx context.Context, query string, args []any, fn func(sqlrow.Scanner) error) error {
	rows, err := c.db.Query(ctx, sqlrow.Rebind(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// In passes the list as an array.
func (conn) In(column string, values any) (string, any, error) {
	return column + " = ANY(?)", values, nil
}

func (conn) Bool(b bool) any       { return b }
func (conn) NoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
func (conn) Unique(err error) bool { return isUnique(err) }
