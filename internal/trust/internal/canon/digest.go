package canon

import (
	"bytes"
	"crypto/sha256"
)

// Encoder is every signed record: a statement, a roster version, a freeze
// order.
type Encoder interface{ Encode() ([]byte, error) }

// Digest is the SHA-256 of a record's canonical encoding, or the zero
// digest (which no signature check accepts) when it does not encode.
func Digest(e Encoder) [32]byte {
	b, err := e.Encode()
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// Reencodes reports whether a decoded record encodes back to exactly b:
// decoders refuse anything that is not in canonical form.
func Reencodes(e Encoder, b []byte) (bool, error) {
	enc, err := e.Encode()
	if err != nil {
		return false, err
	}
	return bytes.Equal(enc, b), nil
}
