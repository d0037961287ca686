package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

const (
	tokenBytes = 32
	// MinCSRFKeyLen is the shortest CSRF key accepted; shorter keys make
	// CSRFToken return "" and CheckCSRF refuse everything.
	MinCSRFKeyLen = 16
	csrfDomain    = "tocsin/csrf/v1\x00"
)

// NewToken returns a new random token (32 bytes from crypto/rand, base64url
// without padding) for sessions, enrolment links and similar, and its
// SHA-256 digest. Give the token to the client and store only the digest.
func NewToken() (token string, hash []byte) {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error.
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns SHA-256(token), the form in which tokens are stored and
// looked up. Because tokens carry 256 bits of entropy a fast hash suffices.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func csrfMAC(key, sessionHash []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(csrfDomain))
	m.Write(sessionHash)
	return m.Sum(nil)
}

// CSRFToken returns an anti-CSRF token bound to the session whose stored
// hash is sessionHash: base64url(HMAC-SHA256(key, domain || sessionHash)).
// It returns "" if key is shorter than MinCSRFKeyLen or sessionHash is
// empty; CheckCSRF never accepts "".
func CSRFToken(key []byte, sessionHash []byte) string {
	if len(key) < MinCSRFKeyLen || len(sessionHash) == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(csrfMAC(key, sessionHash))
}

// CheckCSRF reports, in constant time, whether token is the CSRF token for
// the session with hash sessionHash under key.
func CheckCSRF(key []byte, sessionHash []byte, token string) bool {
	if len(key) < MinCSRFKeyLen || len(sessionHash) == 0 || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return false
	}
	return hmac.Equal(got, csrfMAC(key, sessionHash))
}
