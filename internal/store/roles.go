package store

import "context"

// The store's operations are grouped by who may call them. The web tier
// holds Web: none of its methods writes the ledger, claims a row, touches an
// outbound text, reads a subscriber's sealed number or appends to the log.
// Those are Privileged: the sender's and the command line's (run on the
// host), which hold the whole Store. TestArchitecture checks on the types
// that the two sets are apart and that package web calls nothing
// Privileged.

// WebQuerier is what the web tier may do, inside a transaction or not:
// take reports and sign-ups, draft and approve alerts and notices, take
// freeze orders and provider webhooks, run the console and its sessions,
// read the log, and keep the abuse limits.
type WebQuerier interface {
	Reports
	Audience
	Signups
	Hooks
	Alerts
	Operators
	Audit
	Trust
	Log
	APIKeys
	Notices
	Limits
	Counts
}

// Web is the store as the web tier holds it.
type Web interface {
	WebQuerier
	// InWebTx runs fn in one transaction, as InTx does, with only the web
	// tier's operations.
	InWebTx(ctx context.Context, fn func(q WebQuerier) error) error
}

// Privileged is what only the sender and the command line may do: the
// fan-out's ledger and claims, the inbound handler's queue and replies,
// subscribers and their sign-up codes, the log keeper's appends and
// checkpoints, the coordinator's leases and upkeep, roster writes.
type Privileged interface {
	Ledger
	Cluster
	Gateways
	Messages
	Subscribers
	LogWriter
	Roster
	Upkeep
}

// AsWeb adapts fn for InTx: fn sees the transaction's operations through
// a value that has the web tier's methods only, so not even a type
// assertion gives it the others. Drivers implement InWebTx with it.
func AsWeb(fn func(q WebQuerier) error) func(q Querier) error {
	return func(q Querier) error { return fn(webOnly{q}) }
}

// webOnly hides every method of the querier it holds but WebQuerier's.
type webOnly struct{ WebQuerier }
