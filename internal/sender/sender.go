// Package sender is the privileged side of tocsin: the only code that opens
// sealed phone numbers and talks to SMS providers. It handles inbound texts,
// texts web sign-up codes, and fans alerts out through the delivery ledger.
//
// It listens on no public port and takes no instruction except through the
// database. The web tier must never import it; an import test enforces that.
package sender

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender/canary"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/coordinator"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/fanout"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/inbound"
	"github.com/tocsin/tocsin/internal/sender/logkeeper"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/signups"
	"github.com/tocsin/tocsin/internal/sender/starts"
	"github.com/tocsin/tocsin/internal/sender/state"
)

// Config is what a Sender needs (package config, shared read-only by the
// sender's services).
type Config = config.Config

// Sender does the sender's work in a loop until its context ends.
type Sender struct {
	cfg        *Config
	routes     []*route
	released   bool // claims left by an earlier run released
	primed     bool // first round as primary done: log signed, index built
	roles      roles
	renewMu    sync.Mutex // lanes renew the leases between batches
	nextRenew  time.Time
	members    int // live senders sharing the providers' pace
	state      *state.Dir
	wake       chan struct{}
	events     *events.Recorder
	guard      *guard.Guard
	starts     *starts.Book
	log        *logkeeper.Keeper
	response   *response.Responder
	canary     *canary.Watch
	signups    *signups.Service
	inbound    *inbound.Service
	fanout     *fanout.Service
	retention  *coordinator.Retention
	reconciler *coordinator.Reconciler
	incidents  *coordinator.Incidents
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
	ev := events.New(&cfg)
	aud := &audience.Resolver{ZIPs: cfg.ZIPs}
	g := guard.New(&cfg, cfg.Store, st, ev)
	sb := starts.New(&cfg, st)
	resp := response.New(&cfg, g, ev, aud)
	cw := canary.New(&cfg, cfg.Store, st, ev, sb, resp)
	s := &Sender{
		cfg:      &cfg,
		events:   ev,
		guard:    g,
		starts:   sb,
		log:      logkeeper.New(&cfg, cfg.Store, st, ev, g, sb),
		response: resp,
		canary:   cw,
		signups:  signups.New(&cfg, cfg.Store, ev),
		routes:   newRoutes(cfg.Routes),
		state:    st,
		wake:     make(chan struct{}, 1),
	}
	s.inbound = inbound.New(&cfg, cfg.Store, st, ev, g, cw, dispatcher{s})
	s.retention = coordinator.NewRetention(&cfg, cfg.Store, s.inbound)
	s.reconciler = coordinator.NewReconciler(&cfg, cfg.Store, ev, g, sb, resp, s.providers)
	s.incidents = coordinator.NewIncidents(&cfg, cfg.Store, g, resp)
	s.fanout = fanout.New(&cfg, cfg.Store, st, ev, g, sb, s.log, dispatcher{s}, aud)
	return s, nil
}

// Wake asks the sender to look for work now. In the all-in-one process the
// web tier calls it after queueing work, so nothing waits for the next poll.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	defer s.dropLeases(context.WithoutCancel(ctx))
	for {
		s.Tick(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Tick does one round of every kind of work this process's roles give it
// (see cluster.go). Errors are logged, and the next round tries again:
// nothing is lost, because nothing is deleted before it is done.
func (s *Sender) Tick(ctx context.Context) {
	if !s.released {
		// Rows this sender left claimed when it crashed go back to the
		// queue. The provider may have taken some of them: sent again, they
		// carry the same idempotency key, which providers that have one
		// honour.
		n, err := s.cfg.Store.ReleaseClaims(ctx, s.state.ID, s.cfg.Now().Add(-s.cfg.ClaimLease), s.cfg.Now())
		if err != nil {
			s.cfg.Log.Error("release claims", "err", err)
			return
		}
		if n > 0 {
			s.cfg.Log.Warn("resuming after a crash: ledger rows claimed but not finished go out again", "rows", n)
		}
		s.released = true
	}
	r, err := s.takeRoles(ctx)
	if err != nil {
		s.cfg.Log.Error("sender leases", "err", err)
		return
	}
	if !r.primary {
		s.primed = false // another primary may sign meanwhile: take the log over again on return
	}
	if r.primary && !s.primed {
		if err := s.log.AdoptCheckpoint(ctx); err != nil {
			s.cfg.Log.Error("take the log over", "err", err)
			return
		}
		if err := s.log.SignCheckpoint(ctx); err != nil { // the first start signs the empty log
			s.cfg.Log.Error("sign the log's checkpoint", "err", err)
			return
		}
		if err := s.fanout.WarmIndex(ctx); err != nil {
			s.cfg.Log.Error("build the recipient index", "err", err)
			return
		}
		s.primed = true
	}
	type step struct {
		name string
		fn   func(context.Context) error
	}
	var steps []step
	if r.coordinator {
		steps = append(steps, []step{
			{"canaries", s.canary.Check},
			{"hooks", s.inbound.Hooks},
			{"inbound", s.inbound.Inbound},
			{"signups", s.signups.Tick},
			{"outbound", s.inbound.Send},
		}...)
	}
	if r.primary {
		steps = append(steps, step{"start alerts", s.fanout.StartAlerts}, step{"notices", s.log.PublishNotices})
	}
	steps = append(steps, step{"deliver alerts", s.fanout.DeliverAlerts})
	if r.coordinator {
		steps = append(steps, []step{
			{"expire", s.retention.Expire},
			{"reconcile", s.reconciler.Tick},
			{"claims", s.retention.ReleaseStaleClaims},
			{"events", s.incidents.Tick},
		}...)
	}
	if r.primary {
		steps = append(steps, step{"audit", s.log.CommitAuditEvery})
	} else {
		steps = append(steps, step{"watch log", s.log.WatchCheckpoint})
	}
	for _, st := range steps {
		if ctx.Err() != nil {
			return
		}
		if err := st.fn(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("sender step failed", "step", st.name, "err", err)
		}
	}
}
