package sqlrow

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
)

// Conn is a driver's connection or transaction, as the statements both
// dialects share see it. Statements are written with ? placeholders; a
// driver whose dialect numbers them rewrites them.
type Conn interface {
	// Exec runs a statement and returns how many rows it touched.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	QueryRow(ctx context.Context, query string, args ...any) Scanner
	// Each runs a query and calls fn with each row, in order.
	Each(ctx context.Context, query string, args []any, fn func(Scanner) error) error
	// In is the condition "column is one of values" and its one argument.
	In(column string, values any) (cond string, arg any, err error)
	// Bool is how the dialect stores a boolean.
	Bool(b bool) any
	NoRows(err error) bool
	Unique(err error) bool
}

// Errors of the store contract.
func notFound(what string) error { return tocsin.Errorf(tocsin.ENOTFOUND, "%s not found", what) }

func conflict(format string, args ...any) error {
	return tocsin.Errorf(tocsin.ECONFLICT, format, args...)
}

func invalid(format string, args ...any) error {
	return tocsin.Errorf(tocsin.EINVALID, format, args...)
}

// one turns a single-row read's error into the contract's.
func one(c Conn, err error, what string) error {
	if c.NoRows(err) {
		return notFound(what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Rebind numbers ? placeholders $1, $2, … (PostgreSQL). Statements here
// hold no ? inside a string literal.
func Rebind(query string) string {
	out := make([]byte, 0, len(query)+8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			out = fmt.Appendf(out, "$%d", n)
			continue
		}
		out = append(out, query[i])
	}
	return string(out)
}

// CheckRecipients refuses a ledger that names a subscriber twice: the
// ledger is keyed by its order, and each subscriber must be in it once.
func CheckRecipients(rs []tocsin.Recipient) error {
	seen := make(map[int64]struct{}, len(rs))
	for i, r := range rs {
		if _, dup := seen[r.SubscriberID]; dup {
			return invalid("recipient %d (subscriber %d) is in the ledger twice", i, r.SubscriberID)
		}
		seen[r.SubscriberID] = struct{}{}
	}
	return nil
}
