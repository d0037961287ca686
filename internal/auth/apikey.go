package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"strings"
)

// API keys look like "tsk_" + 8 characters of id + 32 characters of secret,
// all base62: "tsk_3kF9aQ2xV7…". The id is public (it names the key in
// lists); only the SHA-256 of the whole key is stored. Canary keys have
// exactly the same form: nothing in a key says whether it is one.
const (
	APIKeyPrefix  = "tsk_"
	apiKeyIDLen   = 8
	apiKeyBodyLen = 40 // id and secret
	base62        = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewAPIKey returns a new random key, its id and its hash.
func NewAPIKey() (key, id string, hash []byte) {
	var b strings.Builder
	b.WriteString(APIKeyPrefix)
	n := big.NewInt(int64(len(base62)))
	for range apiKeyBodyLen {
		i, _ := rand.Int(rand.Reader, n) // crypto/rand never fails
		b.WriteByte(base62[i.Int64()])
	}
	key = b.String()
	return key, APIKeyID(key), HashToken(key)
}

// DerivedAPIKey returns the key that secret derives for label: the same
// form as NewAPIKey, the same key every time (for decoy files served again
// and again), and impossible to tell apart without the secret.
func DerivedAPIKey(secret []byte, label string) string {
	var b strings.Builder
	b.WriteString(APIKeyPrefix)
	for ctr := byte(0); b.Len() < len(APIKeyPrefix)+apiKeyBodyLen; ctr++ {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("tocsin/derived-api-key/v1\x00" + label + "\x00"))
		m.Write([]byte{ctr})
		for _, c := range m.Sum(nil) {
			if int(c) < 248 && b.Len() < len(APIKeyPrefix)+apiKeyBodyLen { // 248 = 4·62: no bias
				b.WriteByte(base62[int(c)%62])
			}
		}
	}
	return b.String()
}

// ValidAPIKeyForm reports whether s has the form of an API key.
func ValidAPIKeyForm(s string) bool {
	body, ok := strings.CutPrefix(s, APIKeyPrefix)
	if !ok || len(body) != apiKeyBodyLen {
		return false
	}
	for i := 0; i < len(body); i++ {
		if !strings.ContainsRune(base62, rune(body[i])) {
			return false
		}
	}
	return true
}

// APIKeyID is a key's public id: its prefix and first characters.
func APIKeyID(key string) string {
	if len(key) < len(APIKeyPrefix)+apiKeyIDLen {
		return key
	}
	return key[:len(APIKeyPrefix)+apiKeyIDLen]
}
