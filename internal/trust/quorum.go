package trust

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrQuorum is wrapped when an alert lacks the approvals it needs, or its
// audience exceeds the signed bound.
var ErrQuorum = errors.New("not enough approvals")

// Verdict is the outcome of CheckApprovals.
type Verdict struct {
	Signers  []string // distinct member names that validly signed, sorted
	Need     int      // signatures the policy requires
	Problems []string // one line per refused approval: why
}

// CheckApprovals counts the distinct members of the verified roster r who
// may approve (admins and dispatchers) and whose approval verifies over
// st.Digest(). Approvals over another digest, by keys not in r, by viewers,
// of an unknown kind, with a bad signature, or repeating a member already
// counted are listed in Problems.
//
// The number needed is r.Policy.SignaturesFor of the larger of recipients
// (the audience the sender resolved) and st.MaxRecipients (the bound the
// signers approved), so a bound larger than the audience cannot lower the
// bar. recipients above st.MaxRecipients is refused outright. The error
// wraps ErrQuorum ("need 2 signatures from distinct operators, have 1")
// when there are fewer signers than needed; the Verdict is filled in either
// way.
func CheckApprovals(r *Roster, st *Statement, recipients int, as []Approval) (Verdict, error) {
	var v Verdict
	if r == nil {
		return v, fmt.Errorf("%w: no verified roster", ErrQuorum)
	}
	enc, err := st.Encode()
	if err != nil {
		return v, err
	}
	digest := sha256.Sum256(enc)
	if recipients < 0 {
		return v, fmt.Errorf("%w: negative audience %d", ErrQuorum, recipients)
	}
	v = r.tally(approvalDomain, digest, st.AlertID, as)
	v.Need = r.Policy.SignaturesFor(max(recipients, st.MaxRecipients))
	if recipients > st.MaxRecipients {
		return v, fmt.Errorf("%w: %d recipients resolved, more than the %d the signers approved", ErrQuorum, recipients, st.MaxRecipients)
	}
	if len(v.Signers) < v.Need {
		return v, fmt.Errorf("%w: need %d signatures from distinct operators, have %d", ErrQuorum, v.Need, len(v.Signers))
	}
	return v, nil
}

// tally counts the distinct admins and dispatchers of r whose approvals
// verify over domain || digest and are labelled for id (or unlabelled); it
// says why each other approval does not count.
func (r *Roster) tally(domain string, digest [32]byte, id string, as []Approval) Verdict {
	var v Verdict
	for i := range as {
		a := &as[i]
		m, ok := r.Member(a.KeyID)
		switch {
		case !ok:
			v.Problems = append(v.Problems, fmt.Sprintf("approval %d: key %s is not in the verified roster (version %d)", i+1, canon.Clip(string(a.KeyID)), r.Version))
			continue
		case m.Role != RoleAdmin && m.Role != RoleDispatcher:
			v.Problems = append(v.Problems, fmt.Sprintf("approval %d: %s is a %s and cannot approve", i+1, m.Name, m.Role))
			continue
		}
		if err := verifyApprovalIn(domain, m.key(a.KeyID), digest, a); err != nil {
			v.Problems = append(v.Problems, fmt.Sprintf("approval %d by %s: %v", i+1, m.Name, err))
			continue
		}
		if a.AlertID != "" && a.AlertID != id {
			v.Problems = append(v.Problems, fmt.Sprintf("approval %d by %s: labelled for alert or notice %q, not %q", i+1, m.Name, canon.Clip(a.AlertID), id))
			continue
		}
		if slices.Contains(v.Signers, m.Name) {
			v.Problems = append(v.Problems, fmt.Sprintf("approval %d: %s already approved; a second key of the same operator does not count", i+1, m.Name))
			continue
		}
		v.Signers = append(v.Signers, m.Name)
	}
	slices.Sort(v.Signers)
	return v
}
