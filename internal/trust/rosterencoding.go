package trust

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

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
	line("issued", canon.FmtTime(n.IssuedAt))
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
func (r *Roster) Digest() [32]byte { return canon.Digest(r) }

// DecodeRoster parses a canonical roster encoding, strictly: anything that
// does not re-encode to the same bytes is refused.
func DecodeRoster(b []byte) (*Roster, error) {
	r, err := decodeRoster(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRoster, err)
	}
	if ok, err := canon.Reencodes(r, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, rosterErr("not in canonical form (it does not re-encode to the same bytes)")
	}
	return r, nil
}

func decodeRoster(b []byte) (*Roster, error) {
	lr := canon.NewReader(b)
	if err := lr.Exact(RosterHeader); err != nil {
		return nil, err
	}
	r := &Roster{}
	intField := func(key string, lo, hi int64) (int, error) {
		v, err := lr.Field(key)
		if err != nil {
			return 0, err
		}
		n, err := canon.ParseInt(key, v, lo, hi)
		return int(n), err
	}
	var err error
	if r.Version, err = intField("version", 1, 1<<31-1); err != nil {
		return nil, err
	}
	v, err := lr.Field("prev")
	if err != nil {
		return nil, err
	}
	if len(v) != 64 {
		return nil, fmt.Errorf("line %d: prev is 64 lower-case hex digits", lr.Line())
	}
	if _, err := hex.Decode(r.Prev[:], []byte(v)); err != nil {
		return nil, fmt.Errorf("line %d: prev is 64 lower-case hex digits", lr.Line())
	}
	if v, err = lr.Field("issued"); err != nil {
		return nil, err
	}
	if r.IssuedAt, err = canon.ParseTime("issued", v); err != nil {
		return nil, err
	}
	p := &r.Policy
	if p.RosterThreshold, err = intField("roster-threshold", 1, maxThreshold); err != nil {
		return nil, err
	}
	for strings.HasPrefix(lr.Peek(), "alert-rule ") {
		if len(p.AlertRules) >= maxAlertRules {
			return nil, fmt.Errorf("more than %d alert rules", maxAlertRules)
		}
		v, _ := lr.Field("alert-rule")
		a, s, ok := strings.Cut(v, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: alert-rule wants recipients and signatures", lr.Line())
		}
		mr, err := canon.ParseInt("alert-rule recipients", a, 0, MaxAudience)
		if err != nil {
			return nil, err
		}
		sg, err := canon.ParseInt("alert-rule signatures", s, 1, maxThreshold)
		if err != nil {
			return nil, err
		}
		p.AlertRules = append(p.AlertRules, AlertRule{MinRecipients: int(mr), Signatures: int(sg)})
	}
	if len(p.AlertRules) == 0 {
		return nil, fmt.Errorf("line %d: no alert-rule line", lr.Line()+1)
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
	for strings.HasPrefix(lr.Peek(), "member ") {
		if len(r.Members) >= MaxMembers {
			return nil, fmt.Errorf("more than %d members", MaxMembers)
		}
		v, _ := lr.Field("member")
		name, role, ok := strings.Cut(v, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: member wants a name and a role", lr.Line())
		}
		m := Member{Name: name, Role: role}
		for strings.HasPrefix(lr.Peek(), "key ") {
			if len(m.Keys) >= MaxKeysPerMember {
				return nil, fmt.Errorf("member %s: more than %d keys", canon.Clip(name), MaxKeysPerMember)
			}
			v, _ := lr.Field("key")
			k, err := hex.DecodeString(v)
			if err != nil || len(k) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("line %d: a key is 64 lower-case hex digits", lr.Line())
			}
			m.Keys = append(m.Keys, ed25519.PublicKey(k))
		}
		r.Members = append(r.Members, m)
	}
	if err := lr.End(); err != nil {
		return nil, err
	}
	return r, nil
}
