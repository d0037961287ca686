// Package sender is the privileged side of tocsin: the only code that opens
// sealed phone numbers and talks to SMS providers. Its work is done by small
// services, each in a package of its own under internal/sender (inbound
// texts and replies, sign-ups, the fan-out, the transparency-log keeper, the
// coordinator's periodic work); the Sender builds them, owns their lifetimes
// and runs them in rounds.
//
// It listens on no public port and takes no instruction except through the
// database. The web tier must never import it; an import test enforces that.
package sender

import (
	"crypto/ed25519"
	"errors"
	"log/slog"
	"time"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/coordinator"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/signups"
	"github.com/tocsin/tocsin/internal/sender/state"
)

// Config is what a Sender needs (package config, shared read-only by the
// sender's services).
type Config = config.Config

// Sender owns the sender's services and their lifetimes: it builds them
// with what each needs (services.go), takes this process's roles in the
// cluster (cluster.go) and runs, each round, the services those roles call
// for, in an order that matters (run.go). It holds the routes to the
// providers (dispatch.go), which the services reach only through a
// dispatcher.
type Sender struct {
	cluster  // the leases this process holds (cluster.go)
	cfg      *Config
	routes   []*route
	state    *state.Dir
	wake     chan struct{}
	events   *events.Recorder
	guard    *guard.Guard
	svc      services
	released bool // claims left by an earlier run released
	primed   bool // first round as primary done: log signed, index built
}

// New checks cfg and returns a Sender.
func New(cfg Config) (*Sender, error) {
	if len(cfg.Routes) == 0 && cfg.Provider != nil {
		cfg.Routes = []Route{{Provider: cfg.Provider}}
	}
	if cfg.Store == nil || cfg.Keys == nil || len(cfg.Routes) == 0 || cfg.ZIPs == nil || cfg.StateDir == "" {
		return nil, errors.New("sender: store, keys, provider, ZIP table and state directory are required")
	}
	if len(cfg.TrustAnchor) != 0 && len(cfg.TrustAnchor) != ed25519.PublicKeySize {
		return nil, errors.New("sender: the trust anchor is not an Ed25519 public key")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.Lanes <= 0 {
		cfg.Lanes = 2
	}
	if cfg.LogOrigin == "" {
		cfg.LogOrigin = "tocsin-log"
	}
	if cfg.ReconcileEvery <= 0 {
		cfg.ReconcileEvery = time.Minute
	}
	if cfg.Name == "" {
		cfg.Name = "tocsin"
	}
	if cfg.CodesPerHour <= 0 {
		cfg.CodesPerHour = 3
	}
	if cfg.CodesPerBlockPerHour <= 0 {
		cfg.CodesPerBlockPerHour = signups.DefaultCodesPerBlock
	}
	if cfg.SMSPolicy == nil {
		cfg.SMSPolicy = phone.DefaultPolicy()
	}
	if cfg.ClaimLease <= 0 {
		cfg.ClaimLease = coordinator.DefaultClaimLease
	}
	if cfg.AutoFreeze == nil {
		cfg.AutoFreeze, _ = response.ParseAutoFreeze("all")
	}
	if cfg.EventNetworkRetention <= 0 {
		cfg.EventNetworkRetention = 30 * 24 * time.Hour
	}
	if cfg.EventRetention <= 0 {
		cfg.EventRetention = 365 * 24 * time.Hour
	}
	st, err := state.Open(cfg.StateDir, cfg.Now().Add(-state.TextsTTL))
	if err != nil {
		return nil, err
	}
	s := &Sender{
		cluster: cluster{cfg: &cfg, store: cfg.Store, id: st.ID},
		cfg:     &cfg,
		routes:  newRoutes(cfg.Routes),
		state:   st,
		wake:    make(chan struct{}, 1),
		events:  events.New(&cfg),
	}
	s.guard = guard.New(&cfg, cfg.Store, st, s.events)
	s.svc = newServices(s)
	return s, nil
}
