// Package consoleadmin is the console's oversight screens: security events
// and the freeze, the audit trail, canaries, incident notices (drafts,
// new versions, withdrawals) and the abuse limits' counts.
//
// It must never import another surface package, the sender, a provider or
// the vault. A freeze is the one thing it does at once, and stopping is
// always safe; a notice drafted here is public only after operators sign
// it and the sender puts it in the transparency log.
package consoleadmin

import (
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/abuse"
	"github.com/tocsin/tocsin/internal/web/logview"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the oversight screens read and write: notices, the log's
// checkpoint, API keys and operators (canaries), the audit trail, security
// events and freeze orders (store.Trust), and the limits' counts; canary
// accounts are written in one transaction with their audit entry.
type Store interface {
	Tx
	store.Notices
	store.Log
	store.APIKeys
	store.Operators
	store.Audit
	store.Trust
	store.Limits
}

// Handler serves the oversight screens.
type Handler struct {
	*webkit.Kit
	st     Store
	limits *abuse.Limiter
	logs   *logview.Checker
	origin string   // the transparency log's name: notices are drafted for it
	wake   func()   // tells an in-process sender that a freeze order waits
	decoys []string // the bait's decoy URLs, whose hits the canaries screen counts
}

// New returns the oversight screens' handler; decoys are the bait's decoy
// URLs.
func New(kit *webkit.Kit, st Store, limits *abuse.Limiter, logs *logview.Checker, origin string, wake func(), decoys []string) *Handler {
	return &Handler{Kit: kit, st: st, limits: limits, logs: logs, origin: origin, wake: wake, decoys: decoys}
}
