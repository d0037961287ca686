package incident

import "time"

// Incident is what the caller gathered about one incident: the security
// events that belong to it and the audit entries of the same period (the
// response actions among them).
type Incident struct {
	ID      string // stable, e.g. "2026-03-14-1"; seeds the bundle's ids
	Title   string
	Opened  time.Time
	Closed  time.Time // zero while the incident is open
	Events  []Event
	Audit   []AuditEntry
	Service string // the instance's name, e.g. "alerts.example.org"; "tocsin" if empty
}

// Event is one security event, as the detector recorded it.
type Event struct {
	ID       int64
	At       time.Time
	Kind     string // e.g. "canary.apikey", "reconcile.unknown", "canary.subscriber"
	Severity string // "info", "warning", "high" or "critical"
	Subject  string
	Detail   string
	Net      *Network // only for events a request caused (canary keys, decoy URLs, canary logins)
}

// Network is what the request that caused an event showed of its sender.
// Every field comes from the attacker.
type Network struct {
	SourceAddr string // IP address, v4 or v6 (a port, "[v6]:port" or "v4:port", is accepted)
	UserAgent  string
	Method     string
	Path       string // may carry a query string; it is dropped from every output
	Headers    map[string]string
}

// AuditEntry is one entry of the audit trail.
type AuditEntry struct {
	At      time.Time
	Actor   string
	Action  string // e.g. "freeze.freeze", "freeze.unfreeze", "alert.create"
	Subject string
	Detail  string
}

// service returns the instance's name for the producer identity.
func (inc *Incident) service() string {
	if inc.Service == "" {
		return "tocsin"
	}
	return inc.Service
}
