// Package pow issues and checks proof-of-work challenges in the format of
// ALTCHA (altcha.org, "Proof-of-Work v1"): the client finds the number n,
// 0 ≤ n ≤ maxnumber, with hex(SHA-256(salt ‖ n)) = challenge, and sends back
// the challenge, the salt, n and the server's signature. The server signs
// each challenge with an HMAC key, so it keeps nothing until a solution is
// spent, and the expiry is in the signed salt.
//
// It is written here, in about a hundred lines, because the ALTCHA project's
// own Go library (github.com/altcha-org/altcha-lib-go) is not served by the
// Go module proxy; the format is the same, so ALTCHA's widget can use
// GET /api/v1/challenge as its challenge URL.
//
// A challenge holds random bytes and a time only: it must never hold
// anything about who asked (no address, no cookie, no number).
package pow

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only hash this package issues and accepts.
const Algorithm = "SHA-256"

// Errors of Check. A solution that fails is refused the same way whatever
// the reason; these tell tests and counts apart.
var (
	ErrMalformed = errors.New("pow: the solution is not a proof-of-work payload")
	ErrForged    = errors.New("pow: the challenge was not issued by this server")
	ErrExpired   = errors.New("pow: the challenge has expired")
	ErrWrong     = errors.New("pow: the number does not solve the challenge")
)

// Challenge is what a client is asked to solve (ALTCHA's JSON names).
type Challenge struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	MaxNumber int    `json:"maxnumber"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Solution is what a client sends back, as base64 of its JSON.
type Solution struct {
	Algorithm string `json:"algorithm"`
	Challenge string `json:"challenge"`
	Number    int    `json:"number"`
	Salt      string `json:"salt"`
	Signature string `json:"signature"`
}

// Issuer makes and checks challenges.
type Issuer struct {
	Key       []byte        // HMAC key, at least 16 bytes
	MaxNumber int           // the solver tries maxnumber/2 hashes on average
	TTL       time.Duration // how long a challenge may be answered
}

// New returns a fresh challenge that expires TTL after now.
func (is Issuer) New(now time.Time) (Challenge, error) {
	if len(is.Key) < 16 || is.MaxNumber < 1 || is.TTL <= 0 {
		return Challenge{}, errors.New("pow: an issuer needs a key of 16 bytes, a max number and a time to live")
	}
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		return Challenge{}, fmt.Errorf("pow: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(is.MaxNumber)+1))
	if err != nil {
		return Challenge{}, fmt.Errorf("pow: %w", err)
	}
	salt := hex.EncodeToString(r[:]) + "?expires=" + strconv.FormatInt(now.Add(is.TTL).Unix(), 10)
	ch := hash(salt, int(n.Int64()))
	return Challenge{Algorithm: Algorithm, Challenge: ch, MaxNumber: is.MaxNumber, Salt: salt, Signature: is.sign(ch)}, nil
}

// Check verifies a payload and returns the challenge's id (to record it as
// spent, so it is answered once) and when it expires.
func (is Issuer) Check(payload string, now time.Time) (id string, expires time.Time, err error) {
	s, err := Decode(payload)
	if err != nil {
		return "", time.Time{}, err
	}
	if s.Algorithm != Algorithm || len(s.Challenge) != 64 || len(s.Signature) != 64 {
		return "", time.Time{}, ErrMalformed
	}
	if !hmac.Equal([]byte(is.sign(s.Challenge)), []byte(strings.ToLower(s.Signature))) {
		return "", time.Time{}, ErrForged
	}
	expires, err = saltExpiry(s.Salt)
	if err != nil {
		return "", time.Time{}, err
	}
	// A salt longer than the issued one would let digits of the number move
	// into it (the hash is of salt ‖ n, the signature of the hash only), and
	// with them a later expiry: the salt must have exactly the issued form,
	// and no challenge lives longer than TTL.
	if !now.Before(expires) || expires.After(now.Add(is.TTL)) {
		return "", time.Time{}, ErrExpired
	}
	if s.Number < 0 || s.Number > is.MaxNumber || hash(s.Salt, s.Number) != strings.ToLower(s.Challenge) {
		return "", time.Time{}, ErrWrong
	}
	return strings.ToLower(s.Challenge), expires, nil
}

// Decode reads a payload: base64 (standard or URL alphabet) of JSON.
func Decode(payload string) (Solution, error) {
	var s Solution
	payload = strings.TrimSpace(payload)
	if payload == "" || len(payload) > 2048 {
		return s, ErrMalformed
	}
	b, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		if b, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "=")); err != nil {
			return s, ErrMalformed
		}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, ErrMalformed
	}
	return s, nil
}

// Encode returns the payload a client sends.
func (s Solution) Encode() string {
	b, _ := json.Marshal(s) // plain strings and an int: never fails
	return base64.StdEncoding.EncodeToString(b)
}

// Solve finds the number as a client does, trying 0, 1, 2, … in turn.
func Solve(c Challenge) (Solution, bool) {
	for n := 0; n <= c.MaxNumber; n++ {
		if hash(c.Salt, n) == c.Challenge {
			return Solution{Algorithm: c.Algorithm, Challenge: c.Challenge, Number: n, Salt: c.Salt, Signature: c.Signature}, true
		}
	}
	return Solution{}, false
}

func (is Issuer) sign(challenge string) string {
	m := hmac.New(sha256.New, is.Key)
	m.Write([]byte(strings.ToLower(challenge)))
	return hex.EncodeToString(m.Sum(nil))
}

func hash(salt string, n int) string {
	h := sha256.Sum256([]byte(salt + strconv.Itoa(n)))
	return hex.EncodeToString(h[:])
}

// issuedSalt is the only salt New makes: 24 hex digits and a ten-digit
// expiry. Nothing else is accepted, so no digit can move between the salt
// and the number.
var issuedSalt = regexp.MustCompile(`^[0-9a-f]{24}\?expires=([1-9][0-9]{9})$`)

// saltExpiry reads the expires parameter of a salt ("…?expires=1700000000").
func saltExpiry(salt string) (time.Time, error) {
	m := issuedSalt.FindStringSubmatch(salt)
	if m == nil {
		return time.Time{}, ErrMalformed
	}
	sec, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return time.Time{}, ErrMalformed
	}
	return time.Unix(sec, 0), nil
}
