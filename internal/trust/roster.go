package trust

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
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
	n, err := st.normalized()
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
		return fmt.Errorf("%w: not valid before %s", ErrPolicy, fmtTime(n.ValidFrom))
	case !now.Before(n.ValidUntil):
		return fmt.Errorf("%w: expired at %s", ErrPolicy, fmtTime(n.ValidUntil))
	}
	return nil
}

// ErrPolicy is wrapped by errors of Policy checks.
var ErrPolicy = errors.New("refused by policy")

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
	n.IssuedAt = normTime(n.IssuedAt)
	if err := checkTime("issued time", n.IssuedAt); err != nil {
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
		if !validName(m.Name) {
			return nil, rosterErr("member name %q must be 1 to 64 characters A-Z a-z 0-9 . _ - @ +", clip(m.Name))
		}
		switch m.Role {
		case RoleAdmin:
			admins++
		case RoleDispatcher, RoleViewer:
		default:
			return nil, rosterErr("member %s: unknown role %q", m.Name, clip(m.Role))
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

// Encode returns the canonical encoding of r (see FORMAT.md). Zero policy
// fields take their defaults; members are sorted by name and keys by their
// bytes. r is not modified.
func (r *Roster) Encode() ([]byte, error) {
	n, err := r.normalized()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, " "))
		b.WriteByte('\n')
	}
	itoa := strconv.Itoa
	p := n.Policy
	line(RosterHeader)
	line("version", itoa(n.Version))
	line("prev", hex.EncodeToString(n.Prev[:]))
	line("issued", fmtTime(n.IssuedAt))
	line("roster-threshold", itoa(p.RosterThreshold))
	for _, ar := range p.AlertRules {
		line("alert-rule", itoa(ar.MinRecipients), itoa(ar.Signatures))
	}
	line("unfreeze-threshold", itoa(p.UnfreezeThreshold))
	line("max-alerts-per-hour", itoa(p.MaxAlertsPerHour))
	line("max-segments", itoa(p.MaxSegments))
	line("max-validity", strconv.FormatInt(int64(p.MaxValidity/time.Second), 10))
	for _, m := range n.Members {
		line("member", m.Name, m.Role)
		for _, k := range m.Keys {
			line("key", hex.EncodeToString(k))
		}
	}
	line("end")
	return b.Bytes(), nil
}

// Digest returns the SHA-256 of the canonical encoding, or the zero digest
// when r does not encode.
func (r *Roster) Digest() [32]byte { return digestOf(r) }

// DecodeRoster parses a canonical roster encoding, strictly: anything that
// does not re-encode to the same bytes is refused.
func DecodeRoster(b []byte) (*Roster, error) {
	r, err := decodeRoster(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRoster, err)
	}
	if ok, err := reencodes(r, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, rosterErr("not in canonical form (it does not re-encode to the same bytes)")
	}
	return r, nil
}

func decodeRoster(b []byte) (*Roster, error) {
	lr := &lineReader{b: b}
	if err := lr.exact(RosterHeader); err != nil {
		return nil, err
	}
	r := &Roster{}
	intField := func(key string, lo, hi int64) (int, error) {
		v, err := lr.field(key)
		if err != nil {
			return 0, err
		}
		n, err := parseInt(key, v, lo, hi)
		return int(n), err
	}
	var err error
	if r.Version, err = intField("version", 1, 1<<31-1); err != nil {
		return nil, err
	}
	v, err := lr.field("prev")
	if err != nil {
		return nil, err
	}
	if len(v) != 64 {
		return nil, fmt.Errorf("line %d: prev is 64 lower-case hex digits", lr.line)
	}
	if _, err := hex.Decode(r.Prev[:], []byte(v)); err != nil {
		return nil, fmt.Errorf("line %d: prev is 64 lower-case hex digits", lr.line)
	}
	if v, err = lr.field("issued"); err != nil {
		return nil, err
	}
	if r.IssuedAt, err = parseTime("issued", v); err != nil {
		return nil, err
	}
	p := &r.Policy
	if p.RosterThreshold, err = intField("roster-threshold", 1, maxThreshold); err != nil {
		return nil, err
	}
	for strings.HasPrefix(lr.peek(), "alert-rule ") {
		if len(p.AlertRules) >= maxAlertRules {
			return nil, fmt.Errorf("more than %d alert rules", maxAlertRules)
		}
		v, _ := lr.field("alert-rule")
		a, s, ok := strings.Cut(v, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: alert-rule wants recipients and signatures", lr.line)
		}
		mr, err := parseInt("alert-rule recipients", a, 0, MaxAudience)
		if err != nil {
			return nil, err
		}
		sg, err := parseInt("alert-rule signatures", s, 1, maxThreshold)
		if err != nil {
			return nil, err
		}
		p.AlertRules = append(p.AlertRules, AlertRule{MinRecipients: int(mr), Signatures: int(sg)})
	}
	if len(p.AlertRules) == 0 {
		return nil, fmt.Errorf("line %d: no alert-rule line", lr.line+1)
	}
	if p.UnfreezeThreshold, err = intField("unfreeze-threshold", 1, maxThreshold); err != nil {
		return nil, err
	}
	if p.MaxAlertsPerHour, err = intField("max-alerts-per-hour", 1, maxAlertsPerHour); err != nil {
		return nil, err
	}
	if p.MaxSegments, err = intField("max-segments", 1, maxSegments); err != nil {
		return nil, err
	}
	secs, err := intField("max-validity", 1, int64(maxPolicyValid/time.Second))
	if err != nil {
		return nil, err
	}
	p.MaxValidity = time.Duration(secs) * time.Second
	for strings.HasPrefix(lr.peek(), "member ") {
		if len(r.Members) >= MaxMembers {
			return nil, fmt.Errorf("more than %d members", MaxMembers)
		}
		v, _ := lr.field("member")
		name, role, ok := strings.Cut(v, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: member wants a name and a role", lr.line)
		}
		m := Member{Name: name, Role: role}
		for strings.HasPrefix(lr.peek(), "key ") {
			if len(m.Keys) >= MaxKeysPerMember {
				return nil, fmt.Errorf("member %s: more than %d keys", clip(name), MaxKeysPerMember)
			}
			v, _ := lr.field("key")
			k, err := hex.DecodeString(v)
			if err != nil || len(k) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("line %d: a key is 64 lower-case hex digits", lr.line)
			}
			m.Keys = append(m.Keys, ed25519.PublicKey(k))
		}
		r.Members = append(r.Members, m)
	}
	if err := lr.end(); err != nil {
		return nil, err
	}
	return r, nil
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

// RosterSignature is a signature over "tocsin/roster/v1\x00" || SHA-256 of
// a roster body (or, on a freeze order, over "tocsin/freeze/v1\x00" ||
// SHA-256 of the order body).
type RosterSignature struct {
	KeyID     KeyID
	Signature []byte
}

// SignedRoster is an encoded roster version with its signatures.
type SignedRoster struct {
	Body       []byte // canonical roster encoding
	Signatures []RosterSignature
}

// SignRoster signs an encoded roster body with priv (the root key for
// version 1, an admin's key for later versions).
func SignRoster(priv ed25519.PrivateKey, body []byte) RosterSignature {
	return signBody(priv, rosterDomain, body)
}

func signBody(priv ed25519.PrivateKey, domain string, body []byte) RosterSignature {
	pub := priv.Public().(ed25519.PublicKey)
	return RosterSignature{
		KeyID:     KeyIDOf(pub),
		Signature: ed25519.Sign(priv, domainMessage(domain, sha256.Sum256(body))),
	}
}

func verifyBody(pub ed25519.PublicKey, domain string, digest [32]byte, sig RosterSignature) bool {
	return len(pub) == ed25519.PublicKeySize && sig.KeyID == KeyIDOf(pub) &&
		len(sig.Signature) == ed25519.SignatureSize &&
		ed25519.Verify(pub, domainMessage(domain, digest), sig.Signature)
}

// signers returns the distinct names of the members of r with one of roles
// who made a valid signature in sigs over domain || digest. Signatures by
// unknown keys, by members of another role, invalid ones and repeats are
// ignored.
func (r *Roster) signers(domain string, digest [32]byte, sigs []RosterSignature, roles ...string) []string {
	var names []string
	for _, s := range sigs {
		m, ok := r.Member(s.KeyID)
		if !ok || !slices.Contains(roles, m.Role) || slices.Contains(names, m.Name) {
			continue
		}
		if verifyBody(m.key(s.KeyID), domain, digest, s) {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return names
}

// VerifyChain verifies a roster chain from the trust anchor root and returns
// the latest verified version. Version 1 must be signed by root; every later
// version must be the previous version plus one, name the digest of the
// previous body in Prev, be issued no earlier, and carry valid signatures
// by at least the previous version's roster threshold (capped by its number
// of admins) of distinct admin members of the previous version. Unknown,
// invalid and repeated signatures are ignored.
//
// On error (wrapping ErrRoster and naming the failing version) it also
// returns the latest version verified before the failure, or nil: a caller
// may keep using that version, and must report the error.
func VerifyChain(root ed25519.PublicKey, chain []SignedRoster) (*Roster, error) {
	if len(root) != ed25519.PublicKeySize {
		return nil, rosterErr("the trust anchor is not an Ed25519 public key")
	}
	if len(chain) == 0 {
		return nil, rosterErr("empty chain")
	}
	var prev *Roster
	for i, sr := range chain {
		r, err := DecodeRoster(sr.Body)
		if err != nil {
			return prev, fmt.Errorf("roster entry %d: %w", i+1, err)
		}
		digest := sha256.Sum256(sr.Body)
		if prev == nil {
			if r.Version != 1 {
				return nil, rosterErr("the chain starts at version %d, not 1", r.Version)
			}
			ok := false
			for _, s := range sr.Signatures {
				if verifyBody(root, rosterDomain, digest, s) {
					ok = true
					break
				}
			}
			if !ok {
				return nil, rosterErr("version 1 is not signed by the root key %s", KeyIDOf(root))
			}
			prev = r
			continue
		}
		switch {
		case r.Version != prev.Version+1:
			return prev, rosterErr("version %d follows version %d (versions go up by one)", r.Version, prev.Version)
		case r.Prev != prev.Digest():
			return prev, rosterErr("version %d: prev does not match the digest of version %d", r.Version, prev.Version)
		case r.IssuedAt.Before(prev.IssuedAt):
			return prev, rosterErr("version %d is issued before version %d", r.Version, prev.Version)
		}
		names := prev.signers(rosterDomain, digest, sr.Signatures, RoleAdmin)
		if need := prev.rosterThreshold(); len(names) < need {
			return prev, rosterErr("version %d: needs signatures by %d distinct admins of version %d, has %d%s",
				r.Version, need, prev.Version, len(names), listNames(names))
		}
		prev = r
	}
	return prev, nil
}

func listNames(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (" + strings.Join(names, ", ") + ")"
}
