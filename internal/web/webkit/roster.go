package webkit

import (
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// Approvals are stored approvals as trust checks them; an approval whose
// digest is not 32 bytes is left out.
func Approvals(as []store.Approval) []trust.Approval {
	out := make([]trust.Approval, 0, len(as))
	for _, a := range as {
		if len(a.Digest) == 32 {
			out = append(out, trust.Approval{AlertID: a.AlertID, Digest: [32]byte(a.Digest), Kind: trust.Kind(a.Kind), KeyID: trust.KeyID(a.KeyID), Signature: a.Signature, SignedAt: a.SignedAt})
		}
	}
	return out
}
