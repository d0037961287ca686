// Package events records what the sender's services see: security events
// (in the audit trail's hash chain too) and the sender's audit entries.
// Every service records through one Recorder; none writes either table
// itself.
package events

import (
	"context"
	"fmt"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/store"
)

// Querier is the part of the store a Recorder writes, in the caller's
// transaction or not.
type Querier interface {
	AddSecurityEvent(ctx context.Context, e *store.SecurityEvent) error
	AppendAudit(ctx context.Context, e *tocsin.AuditEntry) error
}

// Recorder records security events and audit entries as the sender.
type Recorder struct {
	cfg *config.Config // Now and Log
}

// New returns a Recorder that reads the clock and the logger from cfg.
func New(cfg *config.Config) *Recorder { return &Recorder{cfg: cfg} }

// Event records an event, in the audit trail too, and logs it. Failing to
// record one is an error: the caller must not go on as if it had been
// seen.
func (r *Recorder) Event(ctx context.Context, q Querier, e *store.SecurityEvent) error {
	if e.At.IsZero() {
		e.At = r.cfg.Now()
	}
	r.cfg.Log.Warn("security event", "kind", e.Kind, "severity", e.Severity, "subject", e.Subject, "detail", e.Detail)
	if err := q.AddSecurityEvent(ctx, e); err != nil {
		return fmt.Errorf("security event: %w", err)
	}
	// The audit trail's hash chain holds every event too.
	return r.Audit(ctx, q, "security."+e.Kind, e.Subject, e.Detail)
}

// Security records a security event of kind with the default severity.
func (r *Recorder) Security(ctx context.Context, q Querier, kind, subject, detail string) error {
	return r.Event(ctx, q, &store.SecurityEvent{Kind: kind, Subject: subject, Detail: detail})
}

// Audit appends an audit entry with the sender as its actor.
func (r *Recorder) Audit(ctx context.Context, q Querier, action, subject, detail string) error {
	if err := q.AppendAudit(ctx, &tocsin.AuditEntry{At: r.cfg.Now(), Actor: "sender", Action: action, Subject: subject, Detail: detail}); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}
