package phone

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/nacl/box"
)

// MaxSealData is the largest payload SealData accepts.
const MaxSealData = 4096

// SealOverhead is the number of bytes a sealed box adds to its payload.
const SealOverhead = box.AnonymousOverhead

// PublicKey is the sender's X25519 public key. Numbers sealed to it can be
// opened only with the matching private key, which stays with the sender.
type PublicKey [32]byte

// ParsePublicKey decodes a public key in standard base64 (as written to
// sender.pub). Surrounding white space is ignored.
func ParsePublicKey(s string) (PublicKey, error) {
	var k PublicKey
	b, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace([]byte(s))))
	if err != nil {
		return k, fmt.Errorf("phone: public key is not valid base64: %w", err)
	}
	if len(b) != len(k) {
		return k, fmt.Errorf("phone: public key is %d bytes, want %d", len(b), len(k))
	}
	copy(k[:], b)
	if k.IsZero() {
		return k, errors.New("phone: public key is all zeros")
	}
	return k, nil
}

// LoadPublicKey reads the sender's public key from a file such as
// DATA/sender.pub (base64, as written by the sender's vault). This is how the
// web tier gets the key without importing the vault.
func LoadPublicKey(path string) (PublicKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return PublicKey{}, fmt.Errorf("phone: reading public key: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return PublicKey{}, fmt.Errorf("phone: reading public key %s: %w", path, err)
	}
	k, err := ParsePublicKey(string(b))
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// String returns the key in standard base64, the format of sender.pub.
func (k PublicKey) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// IsZero reports whether k is the all-zero (unset) key.
func (k PublicKey) IsZero() bool { return k == PublicKey{} }

// Sealer seals phone numbers to the sender's public key with an anonymous
// NaCl sealed box (X25519, XSalsa20-Poly1305). It is safe for concurrent
// use. It cannot open what it seals.
type Sealer struct {
	pub PublicKey
}

// NewSealer returns a Sealer for the sender's public key.
func NewSealer(pub PublicKey) *Sealer { return &Sealer{pub: pub} }

// Seal encrypts n to the sender's key. Each call uses a fresh ephemeral key,
// so two seals of the same number differ; use the sender's keyed hash for
// equality. The result is len(n.E164())+SealOverhead bytes.
func (s *Sealer) Seal(n Number) ([]byte, error) {
	if !n.wellFormed() {
		return nil, errors.New("phone: refusing to seal a malformed number")
	}
	return s.SealData([]byte(n))
}

// SealData encrypts an arbitrary payload of at most MaxSealData bytes (for
// example a number and a confirmation code) to the sender's key.
func (s *Sealer) SealData(b []byte) ([]byte, error) {
	if s == nil || s.pub.IsZero() {
		return nil, errors.New("phone: sealer has no public key")
	}
	if len(b) > MaxSealData {
		return nil, fmt.Errorf("phone: payload of %d bytes exceeds %d", len(b), MaxSealData)
	}
	pub := [32]byte(s.pub)
	out, err := box.SealAnonymous(nil, b, &pub, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("phone: sealing: %w", err)
	}
	return out, nil
}
