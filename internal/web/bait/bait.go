// Package bait is the web tier's bait (BRIEF: bait and detection): the
// decoy URLs a scanner or an intruder tries first, and the watch for the
// canary credentials those decoys hold. Everything here answers an
// intruder with something plausible and phony, records the request's
// network details in a security event, and exposes nothing real. Network
// details are kept only for requests to bait: they come from someone who
// read our files or probed for them, never from a reporter or a subscriber.
//
// It must never import another surface package, the sender, a provider or
// the vault, nor serve anything real: a decoy holds only made-up data and
// canary credentials.
package bait

import (
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Handler serves the decoys and watches every request for their
// credentials.
type Handler struct {
	*webkit.Kit
	st store.Operators // the canary accounts, for the decoy dump
}

// New returns the bait handler.
func New(kit *webkit.Kit, st store.Operators) *Handler {
	return &Handler{Kit: kit, st: st}
}
