package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// conn adapts the connection or transaction to sqlrow.Conn, for the
// statements both drivers share.
type conn struct{ db querier }

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.db.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlrow.Scanner {
	return c.db.QueryRowContext(ctx, query, args...)
}

func (c conn) Each(ctx context.Context, query string, args []any, fn func(sqlrow.Scanner) error) error {
	rows, err := c.db.QueryContext(ctx, query, args...)
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

// In passes the list as JSON, read back with json_each.
func (c conn) In(column string, values any) (string, any, error) {
	j, err := sqlrow.Marshal(values)
	if err != nil {
		return "", nil, err
	}
	return column + " IN (SELECT value FROM json_each(?))", j, nil
}

func (conn) Bool(b bool) any       { return boolInt(b) }
func (conn) NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
func (conn) Unique(err error) bool { return isUnique(err) }
