package sender

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sms"
	"github.com/tocsin/tocsin/internal/store"
)

// Route is one provider the sender may send through (package config).
type Route = config.Route

// Failover: a provider with this many temporary failures in a row is taken
// out of rotation for outOfRotation, and the next route takes over.
const (
	failuresBeforeFailover = 5
	outOfRotation          = 30 * time.Second
	retriesPerMessage      = 3
	firstBackoff           = 100 * time.Millisecond
)

// errNoRoute: every provider is out of rotation (config.ErrNoRoute).
var errNoRoute = config.ErrNoRoute

// anyRouteUp reports whether some provider is in rotation.
func (s *Sender) anyRouteUp() bool {
	now := time.Now()
	for _, r := range s.routes {
		if r.up(now) {
			return true
		}
	}
	return false
}

// route is a Route at run time, shared by every worker of the process.
type route struct {
	Route
	lim *rate.Limiter

	mu        sync.Mutex
	fails     int
	downUntil time.Time
}

func newRoutes(rs []Route) []*route {
	out := make([]*route, len(rs))
	for i, r := range rs {
		lim := rate.NewLimiter(rate.Inf, 1)
		if r.Rate > 0 {
			lim = rate.NewLimiter(rate.Limit(r.Rate), 1)
		}
		out[i] = &route{Route: r, lim: lim}
	}
	return out
}

func (r *route) up(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !now.Before(r.downUntil)
}

// down takes the route out of rotation now; it reports whether it was in
// rotation until now, so that the alarm is raised once.
func (r *route) down(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	was := !now.Before(r.downUntil)
	r.fails, r.downUntil = 0, now.Add(outOfRotation)
	return was
}

// result records the outcome of one attempt and reports whether the route
// has just been taken out of rotation.
func (r *route) result(err error, now time.Time) (tripped bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil || !errors.Is(err, sms.ErrTemporary) {
		r.fails = 0
		return false
	}
	r.fails++
	if r.fails >= failuresBeforeFailover {
		r.fails, r.downUntil = 0, now.Add(outOfRotation)
		return true
	}
	return false
}

// handOver hands one message to the first provider in rotation, paced to
// its rate; temporary failures are retried with exponential backoff and
// jitter, and a provider that keeps failing is taken out of rotation so the
// next one takes over. It returns the provider used.
func (s *Sender) handOver(ctx context.Context, m sms.Message) (string, sms.Result, error) {
	var lastErr error = errNoRoute
	for _, r := range s.routes {
		if !r.up(time.Now()) {
			continue
		}
		for attempt := range retriesPerMessage {
			if err := r.lim.Wait(ctx); err != nil {
				return "", sms.Result{}, fmt.Errorf("%w: %w", sms.ErrTemporary, err)
			}
			res, err := r.Provider.Send(ctx, m)
			if errors.Is(err, sms.ErrAuth) {
				// Our credentials, not the recipient: out of rotation, and the
				// message stays queued for the next provider or later (the
				// error no longer says permanent).
				if r.down(time.Now()) {
					s.authFailed(ctx, r.Provider.Name())
				}
				lastErr = fmt.Errorf("%w: %s refused our credentials", errNoRoute, r.Provider.Name())
				break
			}
			if r.result(err, time.Now()) {
				s.cfg.Log.Warn("provider taken out of rotation after repeated failures", "provider", r.Provider.Name(), "for", outOfRotation)
			}
			if err == nil || !errors.Is(err, sms.ErrTemporary) {
				return r.Provider.Name(), res, err
			}
			lastErr = err
			if !r.up(time.Now()) {
				break // failover
			}
			backoff := firstBackoff << attempt
			backoff += time.Duration(rand.Int64N(int64(backoff))) // jitter: up to as much again
			select {
			case <-ctx.Done():
				return "", sms.Result{}, fmt.Errorf("%w: %w", sms.ErrTemporary, ctx.Err())
			case <-time.After(backoff):
			}
		}
	}
	return "", sms.Result{}, lastErr
}

// recordSent notes provider ids for reconciliation. A failure is logged:
// the messages are out, and reconciliation would at worst raise a false
// alarm.
func (s *Sender) recordSent(ctx context.Context, sent []store.SentMessage) {
	if len(sent) == 0 {
		return
	}
	if err := s.cfg.Store.RecordSent(ctx, sent, s.cfg.Now()); err != nil {
		s.cfg.Log.Error("record sent messages", "err", err)
	}
}

// authFailed raises the alarm, once per rotation, when a provider refuses
// our credentials (revoked, rotated, or changed by someone else).
func (s *Sender) authFailed(ctx context.Context, provider string) {
	if err := s.events.Security(ctx, s.cfg.Store, "provider.auth_refused", provider, provider+" refused our credentials: taken out of rotation; messages wait"); err != nil {
		s.cfg.Log.Error("security event", "err", err)
	}
}

// dispatcher gives the services the Sender's routes: they hand messages
// over through it and never hold the routes themselves.
type dispatcher struct{ s *Sender }

func (d dispatcher) HandOver(ctx context.Context, m sms.Message) (string, sms.Result, error) {
	return d.s.handOver(ctx, m)
}

func (d dispatcher) RecordSent(ctx context.Context, sent []store.SentMessage) {
	d.s.recordSent(ctx, sent)
}

func (d dispatcher) AnyRouteUp() bool { return d.s.anyRouteUp() }

func (d dispatcher) RenewLeases(ctx context.Context) { d.s.renewLeases(ctx) }

func (d dispatcher) Wake() { d.s.Wake() }

// Webhooks is the configured provider of that name that takes webhooks,
// nil for none.
func (d dispatcher) Webhooks(provider string) sms.Webhooks {
	for _, r := range d.s.routes {
		if wh, ok := r.Provider.(sms.Webhooks); ok && r.Provider.Name() == provider {
			return wh
		}
	}
	return nil
}

// providers are the providers of the routes, in order.
func (s *Sender) providers() []sms.Provider {
	ps := make([]sms.Provider, len(s.routes))
	for i, r := range s.routes {
		ps[i] = r.Provider
	}
	return ps
}
