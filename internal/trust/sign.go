package trust

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrApproval is wrapped by every error of VerifyApproval.
var ErrApproval = errors.New("approval refused")

// Signature domains: every signed message starts with one of these, so a
// signature made for one purpose can never be used for another.
const (
	approvalDomain = "tocsin/alert-approval/v1\x00"
	rosterDomain   = "tocsin/roster/v1\x00"
	freezeDomain   = "tocsin/freeze/v1\x00"
	noticeDomain   = "tocsin/notice-approval/v1\x00"
)

// KeyID names a public key: "ed25519:" followed by the first 16 characters
// of the unpadded base64url SHA-256 of the key (96 bits).
type KeyID string

// KeyIDOf returns the KeyID of pub.
func KeyIDOf(pub ed25519.PublicKey) KeyID {
	h := sha256.Sum256(pub)
	return KeyID("ed25519:" + base64.RawURLEncoding.EncodeToString(h[:])[:16])
}

// Kind is the kind of signature an approval carries.
type Kind string

// KindEd25519 is a plain Ed25519 signature by an operator key file. A
// WebAuthn (passkey) kind will sign the same digest through an assertion.
const KindEd25519 Kind = "ed25519"

// Approval is one operator's signature over the digest of a statement.
// Only Kind, KeyID, Digest and Signature are authenticated; AlertID and
// SignedAt are informational (the digest already binds the alert id). A
// notice's approval carries the notice id in AlertID.
type Approval struct {
	AlertID   string
	Digest    [32]byte
	Kind      Kind
	KeyID     KeyID
	Signature []byte
	SignedAt  time.Time
}

// domainMessage returns domain || digest.
func domainMessage(domain string, digest [32]byte) []byte {
	m := make([]byte, 0, len(domain)+len(digest))
	return append(append(m, domain...), digest[:]...)
}

// SignStatement signs st with priv: an Ed25519 signature over
// "tocsin/alert-approval/v1\x00" || st.Digest(). It refuses a statement that
// does not encode.
func SignStatement(priv ed25519.PrivateKey, st *Statement, now time.Time) (*Approval, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: not an Ed25519 private key", ErrApproval)
	}
	enc, err := st.Encode()
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(enc)
	pub := priv.Public().(ed25519.PublicKey)
	return &Approval{
		AlertID:   st.AlertID,
		Digest:    d,
		Kind:      KindEd25519,
		KeyID:     KeyIDOf(pub),
		Signature: ed25519.Sign(priv, domainMessage(approvalDomain, d)),
		SignedAt:  canon.NormTime(now),
	}, nil
}

// VerifyApproval checks that a is a valid signature of kind ed25519 by pub
// over digest. It checks the kind, that a names pub's KeyID, that a's digest
// is digest (and not zero), and the signature itself.
func VerifyApproval(pub ed25519.PublicKey, digest [32]byte, a *Approval) error {
	return verifyApprovalIn(approvalDomain, pub, digest, a)
}

// verifyApprovalIn checks a as a signature over domain || digest.
func verifyApprovalIn(domain string, pub ed25519.PublicKey, digest [32]byte, a *Approval) error {
	switch {
	case a == nil:
		return fmt.Errorf("%w: no approval", ErrApproval)
	case a.Kind != KindEd25519:
		return fmt.Errorf("%w: unsupported signature kind %q", ErrApproval, canon.Clip(string(a.Kind)))
	case len(pub) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: not an Ed25519 public key", ErrApproval)
	case a.KeyID != KeyIDOf(pub):
		return fmt.Errorf("%w: made with key %s, not %s", ErrApproval, canon.Clip(string(a.KeyID)), KeyIDOf(pub))
	case digest == [32]byte{}:
		return fmt.Errorf("%w: zero digest (the statement does not encode)", ErrApproval)
	case a.Digest != digest:
		return fmt.Errorf("%w: signed a different statement (digest %s…, not %s…)", ErrApproval,
			hex.EncodeToString(a.Digest[:6]), hex.EncodeToString(digest[:6]))
	case len(a.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub, domainMessage(domain, digest), a.Signature):
		return fmt.Errorf("%w: bad signature", ErrApproval)
	}
	return nil
}
