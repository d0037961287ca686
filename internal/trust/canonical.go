package trust

import (
	"bytes"
	"crypto/sha256"
)

// encoder is every signed record: a statement, a roster version, a freeze
// order.
type encoder interface{ Encode() ([]byte, error) }

// digestOf is the SHA-256 of a record's canonical encoding, or the zero
// digest (which no signature check accepts) when it does not encode.
func digestOf(e encoder) [32]byte {
	b, err := e.Encode()
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// reencodes reports whether a decoded record encodes back to exactly b:
// decoders refuse anything that is not in canonical form.
func reencodes(e encoder, b []byte) (bool, error) {
	enc, err := e.Encode()
	if err != nil {
		return false, err
	}
	return bytes.Equal(enc, b), nil
}
