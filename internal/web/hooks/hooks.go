// Package hooks takes providers' webhooks: inbound texts and delivery
// receipts, from Twilio, Kannel, the canary account and, in a trial, the
// dev hook. Numbers are sealed at once; requests the web tier cannot check
// are sealed whole to the sender, which checks them.
//
// It must never import another surface package, the sender, a provider or
// the vault: it can seal a number but never open one, and it holds no
// credential that can send (Kannel's hook secret cannot).
package hooks

import (
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/webkit"
)

// Config is what the hooks need besides the shared kit.
type Config struct {
	Store  store.Hooks
	Sealer *phone.Sealer
	// CanaryHook is the provider of /hooks/sms/canary ("twilio", "kannel"
	// or "").
	CanaryHook string
	// KannelHookSecret, when set, lets the hooks check Kannel's calls.
	KannelHookSecret string
	// Wake tells an in-process sender that work is waiting.
	Wake func()
}

// Handler serves the webhooks.
type Handler struct {
	*webkit.Kit
	cfg Config
}

// New returns the webhooks' handler.
func New(kit *webkit.Kit, cfg Config) *Handler {
	return &Handler{Kit: kit, cfg: cfg}
}
