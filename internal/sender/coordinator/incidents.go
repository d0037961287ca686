package coordinator

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/alarm"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/sender/response"
	"github.com/tocsin/tocsin/internal/store"
)

// IncidentStore is what the incident response reads and writes.
type IncidentStore interface {
	InTx(ctx context.Context, fn func(q store.Querier) error) error
	UnnotifiedEvents(ctx context.Context, severities []string, limit int) ([]store.SecurityEvent, error)
	MarkNotified(ctx context.Context, ids []int64, at time.Time) error
}

// Incidents answers high and critical security events: the response their
// rule calls for, and the operators' alarm.
type Incidents struct {
	cfg        *config.Config // Alarm, PublicURL, Now
	store      IncidentStore
	guard      *guard.Guard
	response   *response.Responder
	nextNotify time.Time
	responded  map[int64]bool // events whose auto-freeze rule was carried out
}

// NewIncidents returns the incident response of a sender.
func NewIncidents(cfg *config.Config, st IncidentStore, g *guard.Guard, r *response.Responder) *Incidents {
	return &Incidents{cfg: cfg, store: st, guard: g, response: r, responded: map[int64]bool{}}
}

// notifyEvery bounds how often a failing alarm channel is tried again.
const notifyEvery = 30 * time.Second

// ruleFor maps the kinds of events the web tier raises on bait to the
// auto-freeze rule they answer to ("" for none: told, not frozen).
func ruleFor(kind string) string {
	if kind == "canary.apikey" {
		return response.RuleCanaryCredential
	}
	return ""
}

// Tick answers new high and critical security events, once for the
// cluster (the coordinator): the response their rule calls for (a freeze
// and a correction for a canary credential the web tier saw used), and an
// alarm to operators over a channel that does not go through the SMS
// provider. An event whose alarm could not be delivered is tried again.
func (s *Incidents) Tick(ctx context.Context) error {
	if s.cfg.Now().Before(s.nextNotify) {
		return nil
	}
	evs, err := s.store.UnnotifiedEvents(ctx, []string{store.SeverityHigh, store.SeverityCritical}, 50)
	if err != nil || len(evs) == 0 {
		return err
	}
	var done []int64
	var failed error
	responded := false
	for _, e := range evs {
		// Respond once per event, however often its alarm is retried.
		if rule := ruleFor(e.Kind); rule != "" && !s.responded[e.ID] {
			if !responded {
				err := s.store.InTx(ctx, func(q store.Querier) error { return s.response.Respond(ctx, q, rule, e.Kind+": "+e.Subject, "") })
				if err != nil {
					return err
				}
				responded = true
			}
			s.responded[e.ID] = true
		}
		if s.cfg.Alarm != nil {
			if err := s.cfg.Alarm.Notify(ctx, s.alarmFor(e)); err != nil {
				failed = err
				s.nextNotify = s.cfg.Now().Add(notifyEvery)
				break
			}
		}
		done = append(done, e.ID)
	}
	if responded {
		s.guard.Frozen(ctx) // apply the freeze at once
	}
	if len(done) > 0 {
		if err := s.store.MarkNotified(ctx, done, s.cfg.Now()); err != nil {
			return err
		}
	}
	if failed != nil {
		return fmt.Errorf("alarm channel: %w", failed)
	}
	return nil
}

func (s *Incidents) alarmFor(e store.SecurityEvent) alarm.Alarm {
	sev := alarm.SeverityHigh
	if e.Severity == store.SeverityCritical {
		sev = alarm.SeverityCritical
	}
	a := alarm.Alarm{Kind: e.Kind, Severity: sev, At: e.At, Subject: e.Subject, Detail: e.Detail}
	if e.Net != nil {
		// The address stays in the console, under its retention: an alarm
		// leaves over third-party channels and is kept there.
		a.Detail += "\nThe request's network details are in the console."
	}
	if s.cfg.PublicURL != "" {
		a.ConsoleURL = strings.TrimRight(s.cfg.PublicURL, "/") + "/console/security"
	}
	return a
}
