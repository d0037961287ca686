package trust

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
	"github.com/tocsin/tocsin/internal/trust/notice"
)

// The notice statement and its codec are in package notice; its approvals
// are signed and counted against the roster here.

// NoticeStatement is a public incident notice exactly as it is shown (see
// notice.Statement).
type NoticeStatement = notice.Statement

// ErrInvalidNotice is wrapped by every error about a notice statement that
// cannot be encoded or decoded.
var ErrInvalidNotice = notice.ErrInvalid

// The notice's header line and limits (see package notice).
const (
	NoticeHeader        = notice.Header
	MaxNoticeTitleBytes = notice.MaxTitleBytes
	MaxNoticeBodyBytes  = notice.MaxBodyBytes
	MaxNoticeValidity   = notice.MaxValidity
)

// IsNotice reports whether b starts like a notice statement.
func IsNotice(b []byte) bool { return notice.IsNotice(b) }

// DecodeNotice parses a canonical notice statement, strictly.
func DecodeNotice(b []byte) (*NoticeStatement, error) { return notice.Decode(b) }

// SignNotice signs s with priv: an Ed25519 signature over
// "tocsin/notice-approval/v1\x00" || s.Digest(). The approval's AlertID
// carries the notice id.
func SignNotice(priv ed25519.PrivateKey, s *NoticeStatement, now time.Time) (*Approval, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: not an Ed25519 private key", ErrApproval)
	}
	enc, err := s.Encode()
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(enc)
	return &Approval{
		AlertID:   s.ID,
		Digest:    d,
		Kind:      KindEd25519,
		KeyID:     KeyIDOf(priv.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(priv, domainMessage(noticeDomain, d)),
		SignedAt:  canon.NormTime(now),
	}, nil
}

// VerifyNoticeApproval is VerifyApproval for a notice: the signature must
// be over "tocsin/notice-approval/v1\x00" || digest. An alert approval
// never verifies here, nor a notice approval in VerifyApproval.
func VerifyNoticeApproval(pub ed25519.PublicKey, digest [32]byte, a *Approval) error {
	return verifyApprovalIn(noticeDomain, pub, digest, a)
}

// NoticeSignatures is how many distinct operators must sign a notice: as
// many as an alert to the largest audience needs (the policy's strictest
// alert rule), since a notice reaches everyone.
func (p Policy) NoticeSignatures() int { return p.SignaturesFor(MaxAudience) }

// CheckNoticeApprovals counts the distinct admins and dispatchers of the
// verified roster r whose approvals verify over s's digest in the notice
// domain, and requires r.Policy.NoticeSignatures() of them. The error wraps
// ErrQuorum when there are too few; the Verdict is filled in either way.
func CheckNoticeApprovals(r *Roster, s *NoticeStatement, as []Approval) (Verdict, error) {
	var v Verdict
	if r == nil {
		return v, fmt.Errorf("%w: no verified roster", ErrQuorum)
	}
	enc, err := s.Encode()
	if err != nil {
		return v, err
	}
	v = r.tally(noticeDomain, sha256.Sum256(enc), s.ID, as)
	v.Need = r.Policy.NoticeSignatures()
	if len(v.Signers) < v.Need {
		return v, fmt.Errorf("%w: need %d signatures from distinct operators, have %d", ErrQuorum, v.Need, len(v.Signers))
	}
	return v, nil
}
