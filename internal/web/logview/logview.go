// Package logview is the web tier's checked view of the transparency log,
// shared by the surfaces that show what the service sent: the public pages
// call an alert or a notice genuine only when this view finds it in the
// log under a checkpoint that opens with the log's public key, and the
// console shows which notices are published as checked here.
//
// It must never import a surface package, the sender, a provider or the
// vault, nor write to the log: it reads the log and raises security events
// (log.tampered, alert.unlogged, notice.tampered) when what it reads does
// not hold.
package logview

import (
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the checks read: the log, the notices and their approvals,
// and the roster chain (store.Trust).
type Store interface {
	store.Log
	store.Notices
	store.Trust
}

// Checker checks alerts and notices against the view, once per web tier.
type Checker struct {
	*webkit.Kit
	st      Store
	view    *View  // the transparency log as checked with the log's key
	origin  string // the log's name: notices must be drafted for it
	seen    unloggedSeen
	notices noticeChecks
}

// NewChecker returns the checker of a log whose note verifier key is
// logKey ("" for none: nothing is genuine) and whose origin is origin.
func NewChecker(kit *webkit.Kit, st Store, logKey, origin string) *Checker {
	return &Checker{Kit: kit, st: st, view: NewView(logKey), origin: origin}
}

// View is the checked log itself.
func (s *Checker) View() *View { return s.view }
