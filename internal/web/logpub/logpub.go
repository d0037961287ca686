// Package logpub serves the transparency log to anyone: its latest signed
// checkpoint, its entries, inclusion and consistency proofs, and where an
// alert's or a notice's statement is in it, so that anyone can check the
// log without trusting this site.
//
// It must never import another surface package, the sender, a provider or
// the vault, nor write to the log: it serves what the sender appended and
// signed.
package logpub

import (
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the log's endpoints read: the log, and the alerts and
// notices whose statements they find in it.
type Store interface {
	store.Log
	store.Alerts
	store.Notices
}

// Handler serves the log's endpoints.
type Handler struct {
	*webkit.Kit
	st Store
}

// New returns the log endpoints' handler.
func New(kit *webkit.Kit, st Store) *Handler { return &Handler{Kit: kit, st: st} }
