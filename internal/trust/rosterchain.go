package trust

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
)

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
