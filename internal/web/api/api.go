// Package api is the JSON API of operators and partners: operators'
// signatures on alerts and notices, freeze orders, the signed alert list of
// tocsin alert list, the keyed report queue for partner networks, and the
// OpenAPI document of every /api/v1 route.
//
// It must never import another surface package, the sender, a provider or
// the vault. A signature it checks is checked again by the sender, and only
// the sender's check counts: the API can record a signature, never cause a
// message.
package api

import (
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Store is what the API reads and writes: alerts and their approvals,
// notices and theirs, freeze orders (store.Trust), the partners' keys and
// the report queue.
type Store interface {
	store.Alerts
	store.Notices
	store.Trust
	store.APIKeys
	store.Reports
}

// Handler serves the JSON API.
type Handler struct {
	*webkit.Kit
	st   Store
	zips *geo.ZIPs // where the phony queue of a canary key places its reports
	wake func()    // tells an in-process sender that an alert or order waits
}

// New returns the API's handler.
func New(kit *webkit.Kit, st Store, zips *geo.ZIPs, wake func()) *Handler {
	return &Handler{Kit: kit, st: st, zips: zips, wake: wake}
}
