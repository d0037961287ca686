// Package signed holds the statements both SQL dialects share for the
// records the trust core signs or counts signatures of: approvals of alerts,
// roster versions, freeze orders, incident notices and their approvals.
// Records implements them over a sqlrow.Conn; each driver embeds it in its
// querier beside sqlrow.Shared.
//
// Like sqlrow it never opens a connection or a transaction and holds no
// statement that reads differently in one dialect. It decides nothing: what
// a signature is worth is the trust core's to say, from the bodies and
// signatures stored here as they were given.
package signed

import (
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store/sqlrow"
)

// Records implements, over a Conn, the store methods of signed records
// whose statements read the same in every dialect.
type Records struct{ Conn sqlrow.Conn }

// Errors of the store contract.
func notFound(what string) error { return tocsin.Errorf(tocsin.ENOTFOUND, "%s not found", what) }

func conflict(format string, args ...any) error {
	return tocsin.Errorf(tocsin.ECONFLICT, format, args...)
}

func invalid(format string, args ...any) error {
	return tocsin.Errorf(tocsin.EINVALID, format, args...)
}

// one turns a single-row read's error into the contract's.
func one(c sqlrow.Conn, err error, what string) error {
	if c.NoRows(err) {
		return notFound(what)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// NoticeCols are the columns of a notice, in the order Notice scans them.
const NoticeCols = `id, title_en, title_es, body_en, body_es, published_by, published_at, state, statement, created_by, created_at`

// Notice scans a row of NoticeCols into n.
func Notice(sc sqlrow.Scanner, n *tocsin.Notice) error {
	var at, created sqlrow.Seconds
	var state string
	err := sc.Scan(&n.ID, &n.TitleEN, &n.TitleES, &n.BodyEN, &n.BodyES, &n.PublishedBy, &at, &state, &n.Statement, &n.CreatedBy, &created)
	n.PublishedAt, n.CreatedAt, n.State = at.Time(), created.Time(), tocsin.NoticeState(state)
	return err
}
