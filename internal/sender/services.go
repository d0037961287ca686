package sender

import (
	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/sender/canary"
	"github.com/tocsin/tocsin/internal/sender/coordinator"
	"github.com/tocsin/tocsin/internal/sender/fanout"
	"github.com/tocsin/tocsin/internal/sender/inbound"
	"github.com/tocsin/tocsin/internal/sender/logkeeper"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/sender/signups"
	"github.com/tocsin/tocsin/internal/sender/starts"
)

// services are the Sender's services, each given only what it needs: the
// configuration, its part of the store, the shared pieces (the state
// directory, the event recorder, the guard, the start records) and, for
// those that text, a dispatcher over the Sender's routes. None holds
// another's state; where one needs another's work (the fan-out appends to
// the log, retention trims the inbound service's memory of webhooks) it
// holds it as a small interface.
type services struct {
	log        *logkeeper.Keeper
	response   *response.Responder
	canary     *canary.Watch
	inbound    *inbound.Service
	signups    *signups.Service
	fanout     *fanout.Service
	retention  *coordinator.Retention
	reconciler *coordinator.Reconciler
	incidents  *coordinator.Incidents
}

// newServices builds the services of s.
func newServices(s *Sender) services {
	cfg, st, ev, g := s.cfg, s.cfg.Store, s.events, s.guard
	aud := &audience.Resolver{ZIPs: cfg.ZIPs}
	sb := starts.New(cfg, s.state)
	var v services
	v.log = logkeeper.New(cfg, st, s.state, ev, g, sb)
	v.response = response.New(cfg, g, ev, aud)
	v.canary = canary.New(cfg, st, s.state, ev, sb, v.response)
	v.inbound = inbound.New(cfg, st, s.state, ev, g, v.canary, dispatcher{s})
	v.signups = signups.New(cfg, st, ev)
	v.fanout = fanout.New(cfg, st, s.state, ev, g, sb, v.log, dispatcher{s}, aud)
	v.retention = coordinator.NewRetention(cfg, st, v.inbound)
	v.reconciler = coordinator.NewReconciler(cfg, st, ev, g, sb, v.response, s.providers)
	v.incidents = coordinator.NewIncidents(cfg, st, g, v.response)
	return v
}
