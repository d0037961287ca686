package sender

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/alarm"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Auto-freeze rules: what freezes all outbound messaging at once, before
// any person has looked. Unfreezing needs the roster's threshold, as ever.
const (
	// RuleCanarySubscriber: a canary subscriber received a text the ledger
	// did not send.
	RuleCanarySubscriber = "canary-subscriber"
	// RuleReconcileUnknown: a provider lists a message tocsin did not send.
	RuleReconcileUnknown = "reconcile-unknown"
	// RuleCanaryCredential: someone used a canary credential operators
	// planted where only an insider would look (a canary API key). The
	// credentials in the public decoy files alert but never freeze: anyone
	// can fetch those.
	RuleCanaryCredential = "canary-credential"
)

// Rules are every auto-freeze rule, all on by default.
var Rules = []string{RuleCanarySubscriber, RuleReconcileUnknown, RuleCanaryCredential}

// ParseAutoFreeze reads a comma-separated list of rules ("all" or "none").
func ParseAutoFreeze(s string) (map[string]bool, error) {
	on := map[string]bool{}
	switch s = strings.TrimSpace(s); s {
	case "none", "":
		return on, nil
	case "all":
		for _, r := range Rules {
			on[r] = true
		}
		return on, nil
	}
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if !slices.Contains(Rules, r) {
			return nil, fmt.Errorf("unknown auto-freeze rule %q: use %s, all or none", r, strings.Join(Rules, ", "))
		}
		on[r] = true
	}
	return on, nil
}

// correctionBy marks the drafts the sender prepares.
const correctionBy = "sender"

// draftCorrection prepares, once a day at most, a correction to every
// subscriber as an alert draft: it goes out only once operators approve it
// with the usual signatures. fake is the text a canary captured, if any:
// the correction quotes its first words (correctionBodies).
func (s *Sender) draftCorrection(ctx context.Context, q store.Querier, fake string) error {
	now := s.cfg.Now()
	drafts, err := q.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertDraft}, 200)
	if err != nil {
		return err
	}
	for _, a := range drafts {
		if a.CreatedBy == correctionBy && now.Sub(a.CreatedAt) < 24*time.Hour {
			return nil // one correction waits already
		}
	}
	areas, _, err := q.ActiveAreas(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var zips []string
	for _, a := range areas {
		if a.ZIP != "" && !seen[a.ZIP] {
			seen[a.ZIP] = true
			zips = append(zips, a.ZIP)
		}
	}
	circle := pointsCircle(areas)
	if len(zips) == 0 && circle == nil {
		return nil
	}
	slices.Sort(zips)
	subs := map[int64]bool{}
	for _, a := range areas {
		subs[a.SubscriberID] = true
	}
	vurl := ""
	if s.cfg.PublicURL != "" {
		vurl = strings.TrimRight(s.cfg.PublicURL, "/") + "/v/"
	}
	a := &tocsin.Alert{ID: tocsin.NewID(), Ref: tocsin.NewAlertRef(), State: tocsin.AlertDraft, Correction: true,
		Area: tocsin.Area{ZIPs: zips, Circle: circle}, CreatedBy: correctionBy, CreatedAt: now.Truncate(time.Second), ValidUntil: now.Add(24 * time.Hour).Truncate(time.Second), VerifyURL: vurl}
	correctionBodies(a, s.cfg.Name, fake)
	st := trust.StatementOf(a, s.audience.StatementCells(a.Area), trust.AudienceBound(len(subs)))
	if a.Statement, err = st.Encode(); err != nil {
		return err
	}
	if err := q.CreateAlert(ctx, a); err != nil {
		return err
	}
	return s.events.Audit(ctx, q, "incident.correction_drafted", a.ID, fmt.Sprintf("a correction to %d subscribers in %d ZIP codes waits for approval", len(subs), len(zips)))
}

// notifyEvery bounds how often a failing alarm channel is tried again.
const notifyEvery = 30 * time.Second

// ruleFor maps the kinds of events the web tier raises on bait to the
// auto-freeze rule they answer to ("" for none: told, not frozen).
func ruleFor(kind string) string {
	if kind == "canary.apikey" {
		return RuleCanaryCredential
	}
	return ""
}

// handleEvents answers new high and critical security events, once for the
// cluster (the coordinator): the response their rule calls for (a freeze
// and a correction for a canary credential the web tier saw used), and an
// alarm to operators over a channel that does not go through the SMS
// provider. An event whose alarm could not be delivered is tried again.
func (s *Sender) handleEvents(ctx context.Context) error {
	if s.cfg.Now().Before(s.nextNotify) {
		return nil
	}
	evs, err := s.cfg.Store.UnnotifiedEvents(ctx, []string{store.SeverityHigh, store.SeverityCritical}, 50)
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
				err := s.cfg.Store.InTx(ctx, func(q store.Querier) error { return s.respond(ctx, q, rule, e.Kind+": "+e.Subject, "") })
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
		if err := s.cfg.Store.MarkNotified(ctx, done, s.cfg.Now()); err != nil {
			return err
		}
	}
	if failed != nil {
		return fmt.Errorf("alarm channel: %w", failed)
	}
	return nil
}

func (s *Sender) alarmFor(e store.SecurityEvent) alarm.Alarm {
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

// pointsCircle is a circle around every point subscription (an area with
// no ZIP code), for a correction that must reach them too: centred on their
// mean, as wide as the farthest one's reach, at most tocsin.MaxRadiusM (a
// subscription beyond that is left to the operators, who see the draft).
func pointsCircle(areas []store.AreaCandidate) *tocsin.Circle {
	var pts []geo.Point
	var reach []float64
	for _, a := range areas {
		if a.ZIP == "" {
			pts = append(pts, geo.CellCenter(a.Cell))
			reach = append(reach, a.RadiusM)
		}
	}
	if len(pts) == 0 {
		return nil
	}
	var c geo.Point
	for _, p := range pts {
		c.Lat += p.Lat / float64(len(pts))
		c.Lon += p.Lon / float64(len(pts))
	}
	r := float64(tocsin.MinRadiusM)
	for i, p := range pts {
		r = max(r, geo.DistanceMeters(c, p)+reach[i])
	}
	return &tocsin.Circle{Lat: c.Lat, Lon: c.Lon, RadiusM: min(math.Ceil(r), tocsin.MaxRadiusM)}
}
