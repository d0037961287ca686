package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		tok, h := NewToken()
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: %d bytes, %v", tok, len(raw), err)
		}
		want := sha256.Sum256([]byte(tok))
		if !bytes.Equal(h, want[:]) || !bytes.Equal(HashToken(tok), h) {
			t.Fatal("hash does not match SHA-256 of token")
		}
	}
}

func TestCSRF(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	otherKey := bytes.Repeat([]byte{8}, 32)
	_, sess := NewToken()
	_, other := NewToken()
	tok := CSRFToken(key, sess)
	if tok == "" {
		t.Fatal("empty CSRF token")
	}
	tests := []struct {
		name  string
		key   []byte
		sess  []byte
		token string
		want  bool
	}{
		{"valid", key, sess, tok, true},
		{"other session", key, other, tok, false},
		{"other key", otherKey, sess, tok, false},
		{"empty token", key, sess, "", false},
		{"truncated", key, sess, tok[:len(tok)-1], false},
		{"padded", key, sess, tok + "=", false},
		{"garbage", key, sess, "!!!!", false},
		{"nil session", key, nil, CSRFToken(key, nil), false},
		{"short key", key[:8], sess, CSRFToken(key[:8], sess), false},
		{"nil key", nil, sess, tok, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckCSRF(tt.key, tt.sess, tt.token); got != tt.want {
				t.Fatalf("CheckCSRF = %v, want %v", got, tt.want)
			}
		})
	}
	if CSRFToken(key, sess) != tok {
		t.Error("CSRFToken not deterministic")
	}
	if CSRFToken(key, nil) != "" || CSRFToken(nil, sess) != "" {
		t.Error("CSRFToken should refuse empty session or short key")
	}
}
