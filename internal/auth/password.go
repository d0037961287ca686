package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits. MinPasswordLen counts characters (Unicode code
// points); MaxPasswordBytes counts bytes, and keeps hashing cost bounded.
const (
	MinPasswordLen   = 12
	MaxPasswordBytes = 256
)

// Limits on parameters accepted from a stored PHC string, so that a
// tampered or corrupt hash cannot make a login attempt exhaust memory or CPU.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 16
	maxThreads   = 64
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	maxEncoded   = 512
	saltLen      = 16
)

// Errors returned by the password functions. They are safe to show to the
// person choosing a password (ErrWeakPassword, ErrPasswordTooLong); the
// others indicate a corrupt or tampered stored hash and belong in logs.
var (
	ErrWeakPassword    = errors.New("password is too short: use at least 12 characters (a few unrelated words work well)")
	ErrPasswordTooLong = errors.New("password is too long: use at most 256 bytes")
	ErrInvalidHash     = errors.New("auth: stored password hash is malformed")
	ErrUnsafeParams    = errors.New("auth: argon2id parameters out of the accepted range")
)

// Params are the argon2id cost parameters. Memory is in KiB.
type Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
	KeyLen  uint32
}

// DefaultParams returns the production parameters: 64 MiB, 2 passes,
// 2 lanes, 32-byte key.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 2, KeyLen: 32}
}

// TestParams returns deliberately cheap parameters for use in tests of other
// packages. Never use them in production.
func TestParams() Params {
	return Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32}
}

func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime,
		p.Threads < 1 || p.Threads > maxThreads,
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB,
		p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: m=%d t=%d p=%d keylen=%d", ErrUnsafeParams, p.Memory, p.Time, p.Threads, p.KeyLen)
	}
	return nil
}

func checkPasswordLength(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return ErrWeakPassword
	}
	return nil
}

// b64 is the PHC base64 alphabet: standard, unpadded, strict.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64().EncodeToString(salt), b64().EncodeToString(key))
}

// HashPassword hashes pw with argon2id and a fresh 16-byte random salt and
// returns a PHC string suitable for storage:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>
//
// It refuses passwords shorter than 12 characters (ErrWeakPassword) or longer
// than 256 bytes (ErrPasswordTooLong).
func HashPassword(pw string, p Params) (string, error) {
	if err := checkPasswordLength(pw); err != nil {
		return "", err
	}
	if err := p.validate(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt) // crypto/rand.Read never returns an error.
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// parseUint parses a canonical decimal number (digits only, no sign, no
// leading zeros) that fits in bits.
func parseUint(s string, bits int) (uint64, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(s, 10, bits)
	return v, err == nil
}

func decodePHC(encoded string) (Params, []byte, []byte, error) {
	var p Params
	if len(encoded) > maxEncoded {
		return p, nil, nil, ErrInvalidHash
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrInvalidHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrInvalidHash, parts[2])
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, ErrInvalidHash
	}
	var vals [3]uint64
	for i, prefix := range [3]string{"m=", "t=", "p="} {
		rest, found := strings.CutPrefix(fields[i], prefix)
		if !found {
			return p, nil, nil, ErrInvalidHash
		}
		v, ok := parseUint(rest, 32)
		if !ok {
			return p, nil, nil, ErrInvalidHash
		}
		vals[i] = v
	}
	if vals[2] > maxThreads {
		return p, nil, nil, fmt.Errorf("%w: p=%d", ErrUnsafeParams, vals[2])
	}
	salt, err := b64().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, ErrInvalidHash
	}
	key, err := b64().DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, ErrInvalidHash
	}
	p = Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]), KeyLen: uint32(len(key))}
	if err := p.validate(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}

// VerifyPassword reports whether pw matches the PHC string encoded. The
// parameters are read from encoded; strings that are malformed or ask for
// absurd costs (memory over 1 GiB, more than 16 passes, more than 64 lanes)
// are rejected with an error before any hashing. The final comparison is
// constant-time. A wrong password gives (false, nil).
func VerifyPassword(pw, encoded string) (ok bool, err error) {
	if len(pw) > MaxPasswordBytes {
		return false, ErrPasswordTooLong
	}
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummySalt is a fixed, public salt used only by DummyVerify.
const dummySalt = "tocsin-dummy-salt"

// DummyVerify spends about as long as VerifyPassword does on a hash made
// with DefaultParams, and always fails. Call it when a login names an
// unknown operator so that response time does not reveal which usernames
// exist.
func DummyVerify(pw string) {
	p := DefaultParams()
	encoded := encodePHC(p, []byte(dummySalt), make([]byte, p.KeyLen))
	_, _ = VerifyPassword(pw, encoded)
}
