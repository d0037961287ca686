// Package response is the sender's answer to an intrusion: the auto-freeze
// rules, a freeze at once when the rule is on (through the guard), and a
// correction to every subscriber drafted for the operators to approve. It
// never sends anything itself.
package response

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/audience"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/sender/config"
	"github.com/tocsin/tocsin/internal/sender/events"
	"github.com/tocsin/tocsin/internal/sender/guard"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Querier is what drafting a correction reads and writes, in the caller's
// transaction.
type Querier interface {
	events.Querier
	ListAlerts(ctx context.Context, states []tocsin.AlertState, limit int) ([]tocsin.Alert, error)
	ActiveAreas(ctx context.Context) ([]store.AreaCandidate, int64, error)
	CreateAlert(ctx context.Context, a *tocsin.Alert) error
}

// Responder carries out the response to an intrusion.
type Responder struct {
	cfg      *config.Config // AutoFreeze, PublicURL, Name, Now
	guard    *guard.Guard
	events   *events.Recorder
	audience *audience.Resolver
}

// New returns the Responder of a sender.
func New(cfg *config.Config, g *guard.Guard, ev *events.Recorder, a *audience.Resolver) *Responder {
	return &Responder{cfg: cfg, guard: g, events: ev, audience: a}
}

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

// CorrectionBy marks the drafts the sender prepares.
const CorrectionBy = "sender"

// DraftCorrection prepares, once a day at most, a correction to every
// subscriber as an alert draft: it goes out only once operators approve it
// with the usual signatures. fake is the text a canary captured, if any:
// the correction quotes its first words (correctionBodies).
func (s *Responder) DraftCorrection(ctx context.Context, q Querier, fake string) error {
	now := s.cfg.Now()
	drafts, err := q.ListAlerts(ctx, []tocsin.AlertState{tocsin.AlertDraft}, 200)
	if err != nil {
		return err
	}
	for _, a := range drafts {
		if a.CreatedBy == CorrectionBy && now.Sub(a.CreatedAt) < 24*time.Hour {
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
		Area: tocsin.Area{ZIPs: zips, Circle: circle}, CreatedBy: CorrectionBy, CreatedAt: now.Truncate(time.Second), ValidUntil: now.Add(24 * time.Hour).Truncate(time.Second), VerifyURL: vurl}
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

// Respond carries out the response to an intrusion: freezing outbound at
// once when rule is on, and a correction for subscribers drafted for
// approval, quoting the start of fake (the text a canary captured, if
// any).
func (s *Responder) Respond(ctx context.Context, q Querier, rule, why, fake string) error {
	if s.cfg.AutoFreeze[rule] {
		if err := s.guard.FreezeWith("auto-freeze (" + rule + "): " + why); err != nil {
			return err
		}
	}
	return s.DraftCorrection(ctx, q, fake)
}
