package trust

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrRoster is wrapped by every error about a roster: encoding, decoding and
// chain verification.
var ErrRoster = errors.New("roster refused")

// RosterHeader is the first line of an encoded roster.
const RosterHeader = "tocsin roster v1"

// Roles of roster members.
const (
	RoleAdmin      = "admin"      // signs roster versions, approves alerts, freezes
	RoleDispatcher = "dispatcher" // approves alerts, freezes
	RoleViewer     = "viewer"     // signs nothing that counts
)

// Roster limits.
const (
	MaxMembers       = 1000
	MaxKeysPerMember = 16
	maxThreshold     = 100
	maxAlertRules    = 16
	maxAlertsPerHour = 10_000
	maxSegments      = 20
	maxPolicyValid   = 7 * 24 * time.Hour
)

// Member is an operator in the roster.
type Member struct {
	Name string // 1 to 64 characters A-Z a-z 0-9 . _ - @ +; unique in a roster
	Role string // admin | dispatcher | viewer
	Keys []ed25519.PublicKey
}

// Roster is one version of the operator roster.
type Roster struct {
	Version  int       // 1, 2, 3, …
	Prev     [32]byte  // digest of the previous version's encoding; zero for version 1
	IssuedAt time.Time // UTC, second precision; not before the previous version's
	Members  []Member
	Policy   Policy
}

func rosterErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRoster, fmt.Sprintf(format, args...))
}

// normalized returns a checked copy with defaults applied, members sorted by
// name and each member's keys sorted and deduplicated.
func (r *Roster) normalized() (*Roster, error) {
	if r == nil {
		return nil, rosterErr("no roster")
	}
	n := *r
	if n.Version < 1 {
		return nil, rosterErr("version %d: versions start at 1", n.Version)
	}
	if (n.Version == 1) != (n.Prev == [32]byte{}) {
		return nil, rosterErr("version %d: prev must be zero exactly for version 1", n.Version)
	}
	n.IssuedAt = canon.NormTime(n.IssuedAt)
	if err := canon.CheckTime("issued time", n.IssuedAt); err != nil {
		return nil, rosterErr("%v", err)
	}
	n.Policy = n.Policy.withDefaults()
	if err := n.Policy.check(); err != nil {
		return nil, rosterErr("%v", err)
	}
	if len(n.Members) == 0 || len(n.Members) > MaxMembers {
		return nil, rosterErr("%d members: a roster has 1 to %d", len(n.Members), MaxMembers)
	}
	n.Members = make([]Member, len(r.Members))
	seen := map[KeyID]string{}
	admins := 0
	for i, m := range r.Members {
		if !canon.ValidName(m.Name) {
			return nil, rosterErr("member name %q must be 1 to 64 characters A-Z a-z 0-9 . _ - @ +", canon.Clip(m.Name))
		}
		switch m.Role {
		case RoleAdmin:
			admins++
		case RoleDispatcher, RoleViewer:
		default:
			return nil, rosterErr("member %s: unknown role %q", m.Name, canon.Clip(m.Role))
		}
		keys := make([]ed25519.PublicKey, 0, len(m.Keys))
		for _, k := range m.Keys {
			if len(k) != ed25519.PublicKeySize {
				return nil, rosterErr("member %s: a key is not a 32-byte Ed25519 public key", m.Name)
			}
			keys = append(keys, slices.Clone(k))
		}
		slices.SortFunc(keys, func(a, b ed25519.PublicKey) int { return bytes.Compare(a, b) })
		keys = slices.CompactFunc(keys, func(a, b ed25519.PublicKey) bool { return bytes.Equal(a, b) })
		if len(keys) == 0 || len(keys) > MaxKeysPerMember {
			return nil, rosterErr("member %s has %d keys: 1 to %d", m.Name, len(keys), MaxKeysPerMember)
		}
		for _, k := range keys {
			id := KeyIDOf(k)
			if other, dup := seen[id]; dup {
				return nil, rosterErr("key %s is held by both %s and %s", id, other, m.Name)
			}
			seen[id] = m.Name
		}
		n.Members[i] = Member{Name: m.Name, Role: m.Role, Keys: keys}
	}
	slices.SortFunc(n.Members, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(n.Members); i++ {
		if n.Members[i].Name == n.Members[i-1].Name {
			return nil, rosterErr("two members named %s", n.Members[i].Name)
		}
	}
	if admins == 0 {
		return nil, rosterErr("no admin: nobody could sign the next version")
	}
	return &n, nil
}

// Member returns the member holding the key id, if any.
func (r *Roster) Member(id KeyID) (*Member, bool) {
	if r == nil {
		return nil, false
	}
	for i := range r.Members {
		if r.Members[i].key(id) != nil {
			return &r.Members[i], true
		}
	}
	return nil, false
}

// key returns m's key with the given id, or nil.
func (m *Member) key(id KeyID) ed25519.PublicKey {
	for _, k := range m.Keys {
		if KeyIDOf(k) == id {
			return k
		}
	}
	return nil
}

// CanApprove reports whether the key id belongs to an admin or a
// dispatcher: someone whose signature counts towards an alert or a freeze.
func (r *Roster) CanApprove(id KeyID) bool {
	m, ok := r.Member(id)
	return ok && (m.Role == RoleAdmin || m.Role == RoleDispatcher)
}

// rosterThreshold is the policy's roster threshold capped by the number of
// admins.
func (r *Roster) rosterThreshold() int {
	admins := 0
	for _, m := range r.Members {
		if m.Role == RoleAdmin {
			admins++
		}
	}
	return max(1, min(r.Policy.RosterThreshold, admins))
}
