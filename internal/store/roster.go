package store

import (
	"context"
	"crypto/ed25519"

	"github.com/tocsin/tocsin/internal/trust"
)

// VerifiedRoster reads the roster chain and verifies it back to the trust
// anchor. It returns the latest version that verifies (nil when none does or
// there is no anchor) and, when a later stored version does not verify, why:
// a caller must report that, and must not act on the unverified version.
func VerifiedRoster(ctx context.Context, q Trust, anchor ed25519.PublicKey) (*trust.Roster, error, error) {
	if len(anchor) != ed25519.PublicKeySize {
		return nil, nil, nil
	}
	rows, err := q.RosterChain(ctx)
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	chain := make([]trust.SignedRoster, len(rows))
	for i, r := range rows {
		chain[i] = trust.SignedRoster{Body: r.Body, Signatures: RosterSigs(r.Sigs)}
	}
	r, verr := trust.VerifyChain(anchor, chain)
	return r, verr, nil
}

// RosterSigs converts stored signatures for package trust.
func RosterSigs(sigs []Sig) []trust.RosterSignature {
	out := make([]trust.RosterSignature, len(sigs))
	for i, g := range sigs {
		out[i] = trust.RosterSignature{KeyID: trust.KeyID(g.KeyID), Signature: g.Signature}
	}
	return out
}
