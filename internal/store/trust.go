package store

import (
	"context"
	"time"
)

// Sig is one signature over a signed record, by the key KeyID.
type Sig struct {
	KeyID     string
	Signature []byte
}

// Signed is a signed record as stored: a canonical body (a roster version or
// a freeze order, see package trust) and the signatures gathered for it. The
// store checks nothing about them: only the sender's verification counts.
type Signed struct {
	Seq  int64 // roster version or freeze order sequence number
	Body []byte
	Sigs []Sig
}

// Approval is one operator's signature over an alert statement, or over a
// notice statement (AlertID is then the notice's id).
type Approval struct {
	AlertID   string
	Kind      string // "ed25519"; room for "webauthn"
	KeyID     string
	Digest    []byte // SHA-256 of the statement, as the signer saw it
	Signature []byte
	SignedAt  time.Time
}

// Severities of security events, lowest first. Operators are told of high
// and critical ones at once, over the alarm channel.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// SecurityEvent is something refused or detected that operators must see.
type SecurityEvent struct {
	ID       int64
	At       time.Time
	Kind     string // e.g. "alert.refused", "roster.rejected", "freeze", "canary.subscriber"
	Severity string // info, warning (the default), high or critical
	Subject  string // what was touched: alert id, roster version, canary, …
	Detail   string // why, for a person; never a phone number
	// Net: the request's network details, only for an event that a request
	// to bait caused (a canary key, a decoy, a canary account); nil
	// otherwise. Never a reporter's or a subscriber's.
	Net        *NetworkDetails
	NotifiedAt time.Time // zero until operators were told
}

// NetworkDetails are what a request to bait gives away about who made it.
type NetworkDetails struct {
	SourceAddr string
	UserAgent  string
	Headers    map[string]string
}

// Trust stores what the sender verifies: approvals, the roster chain (read
// here, written through Roster), freeze orders; and security events.
type Trust interface {
	// AddApproval stores an approval; a second one by the same key for the
	// same alert replaces the first.
	AddApproval(ctx context.Context, a *Approval) error
	ListApprovals(ctx context.Context, alertID string) ([]Approval, error)

	// RosterChain returns every version in order, with its signatures.
	RosterChain(ctx context.Context) ([]Signed, error)

	// PutFreezeOrder stores a freeze order body at its sequence number
	// (ECONFLICT if taken by another body); AddFreezeSig adds a signature.
	PutFreezeOrder(ctx context.Context, seq int64, body []byte) error
	AddFreezeSig(ctx context.Context, seq int64, sig Sig) error
	// FreezeOrders returns the orders with seq > after, in order.
	FreezeOrders(ctx context.Context, after int64) ([]Signed, error)

	// AddSecurityEvent records an event (severity warning when empty).
	AddSecurityEvent(ctx context.Context, e *SecurityEvent) error
	// ListSecurityEvents returns the newest events first.
	ListSecurityEvents(ctx context.Context, limit int) ([]SecurityEvent, error)
	// SecurityEventsBetween returns the events in [from, to), oldest first.
	SecurityEventsBetween(ctx context.Context, from, to time.Time) ([]SecurityEvent, error)
}

// Roster writes roster versions and their signatures: the command line's
// (tocsin init, tocsin roster), on the host.
type Roster interface {
	// PutRosterVersion stores a roster version body (ECONFLICT if that
	// version exists with another body); AddRosterSig adds a signature.
	PutRosterVersion(ctx context.Context, version int64, body []byte) error
	AddRosterSig(ctx context.Context, version int64, sig Sig) error
}
