package trust

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// AlertRule says that an alert whose audience is at least MinRecipients
// needs Signatures distinct signers.
type AlertRule struct{ MinRecipients, Signatures int }

// Policy is the approval policy a verified roster carries; the sender
// enforces it. In Roster.Encode a zero field takes its default.
type Policy struct {
	RosterThreshold   int           // admins of version N that must sign version N+1 (default 2, capped by the number of admins)
	AlertRules        []AlertRule   // sorted by MinRecipients, the first at 0 (default: {0→1}, {26→2})
	UnfreezeThreshold int           // default: the alert threshold for the largest audience
	MaxAlertsPerHour  int           // default 10
	MaxSegments       int           // default 4
	MaxValidity       time.Duration // default 24h: bound on ValidUntil-ValidFrom, whole seconds
}

// DefaultPolicy returns the default policy.
func DefaultPolicy() Policy {
	return Policy{
		RosterThreshold:   2,
		AlertRules:        []AlertRule{{MinRecipients: 0, Signatures: 1}, {MinRecipients: 26, Signatures: 2}},
		UnfreezeThreshold: 2,
		MaxAlertsPerHour:  10,
		MaxSegments:       4,
		MaxValidity:       24 * time.Hour,
	}
}

// withDefaults fills zero fields with their defaults.
func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.RosterThreshold == 0 {
		p.RosterThreshold = d.RosterThreshold
	}
	if len(p.AlertRules) == 0 {
		p.AlertRules = d.AlertRules
	} else {
		p.AlertRules = slices.Clone(p.AlertRules)
	}
	if p.UnfreezeThreshold == 0 {
		for _, r := range p.AlertRules {
			p.UnfreezeThreshold = max(p.UnfreezeThreshold, r.Signatures)
		}
	}
	if p.MaxAlertsPerHour == 0 {
		p.MaxAlertsPerHour = d.MaxAlertsPerHour
	}
	if p.MaxSegments == 0 {
		p.MaxSegments = d.MaxSegments
	}
	if p.MaxValidity == 0 {
		p.MaxValidity = d.MaxValidity
	}
	return p
}

func (p Policy) check() error {
	between := func(what string, v, lo, hi int) error {
		if v < lo || v > hi {
			return fmt.Errorf("policy %s %d is out of range [%d, %d]", what, v, lo, hi)
		}
		return nil
	}
	if err := errors.Join(
		between("roster-threshold", p.RosterThreshold, 1, maxThreshold),
		between("unfreeze-threshold", p.UnfreezeThreshold, 1, maxThreshold),
		between("max-alerts-per-hour", p.MaxAlertsPerHour, 1, maxAlertsPerHour),
		between("max-segments", p.MaxSegments, 1, maxSegments),
		between("number of alert rules", len(p.AlertRules), 1, maxAlertRules),
	); err != nil {
		return err
	}
	for i, r := range p.AlertRules {
		if err := between("alert-rule signatures", r.Signatures, 1, maxThreshold); err != nil {
			return err
		}
		if i == 0 {
			if r.MinRecipients != 0 {
				return fmt.Errorf("policy: the first alert rule must start at 0 recipients, not %d", r.MinRecipients)
			}
			continue
		}
		prev := p.AlertRules[i-1]
		if r.MinRecipients <= prev.MinRecipients || r.MinRecipients > MaxAudience {
			return fmt.Errorf("policy: alert rules must be sorted by strictly increasing recipients (%d after %d)", r.MinRecipients, prev.MinRecipients)
		}
		if r.Signatures < prev.Signatures {
			return fmt.Errorf("policy: a larger audience cannot need fewer signatures (%d recipients: %d, %d recipients: %d)",
				prev.MinRecipients, prev.Signatures, r.MinRecipients, r.Signatures)
		}
	}
	if p.MaxValidity <= 0 || p.MaxValidity > maxPolicyValid || p.MaxValidity%time.Second != 0 {
		return fmt.Errorf("policy max-validity %s must be whole seconds in (0, %s]", p.MaxValidity, maxPolicyValid)
	}
	return nil
}

// SignaturesFor returns how many distinct signers an alert reaching
// recipients subscribers needs: the Signatures of the last rule whose
// MinRecipients is at most recipients. It fails closed: with no rules it
// uses the default rules, and a negative audience needs the most
// signatures of any rule.
func (p Policy) SignaturesFor(recipients int) int {
	rules := p.AlertRules
	if len(rules) == 0 {
		rules = DefaultPolicy().AlertRules
	}
	need, most := 0, 0
	found := false
	for _, r := range rules {
		most = max(most, r.Signatures)
		if r.MinRecipients <= recipients && recipients >= 0 {
			need, found = max(need, r.Signatures), true
		}
	}
	if !found || need < 1 {
		return max(most, 1)
	}
	return need
}

// CheckWindow checks a statement against the policy's validity bound and
// the time now: the window must be at most MaxValidity long and now must
// lie within [ValidFrom, ValidUntil). An approved alert replayed after its
// window is refused here.
func (p Policy) CheckWindow(st *Statement, now time.Time) error {
	n, err := st.Normalized()
	if err != nil {
		return err
	}
	maxv := p.MaxValidity
	if maxv <= 0 {
		maxv = DefaultPolicy().MaxValidity
	}
	switch w := n.ValidUntil.Sub(n.ValidFrom); {
	case w > maxv:
		return fmt.Errorf("%w: valid for %s, the policy allows at most %s", ErrPolicy, w, maxv)
	case now.Before(n.ValidFrom):
		return fmt.Errorf("%w: not valid before %s", ErrPolicy, canon.FmtTime(n.ValidFrom))
	case !now.Before(n.ValidUntil):
		return fmt.Errorf("%w: expired at %s", ErrPolicy, canon.FmtTime(n.ValidUntil))
	}
	return nil
}

// ErrPolicy is wrapped by errors of Policy checks.
var ErrPolicy = errors.New("refused by policy")
