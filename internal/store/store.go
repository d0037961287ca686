// Package store defines the storage contract of tocsin: one interface that
// every database implementation satisfies and that one contract suite tests,
// composed of the role interfaces its consumers hold (roles.go): the web tier
// holds Web, which names no ledger, claim or outbound write.
//
// It holds no SQL. It must never hold a key that opens a sealed phone number,
// and nothing stored through it may be a phone number in the clear, an IP
// address or anything else that identifies a reporter.
package store

import (
	"context"
)

// Store is a database holding tocsin's state: every role's operations
// (roles.go), composed for the drivers.
type Store interface {
	Web
	Querier
	// InTx runs fn in one transaction: all of it happens or none of it.
	InTx(ctx context.Context, fn func(q Querier) error) error
	Close() error
}

// Querier is every operation, inside a transaction or not: what the web
// tier may do and what only the sender and the command line may. Not-found
// is reported as a *tocsin.Error with code ENOTFOUND, a state clash as
// ECONFLICT.
type Querier interface {
	WebQuerier
	Privileged
}
