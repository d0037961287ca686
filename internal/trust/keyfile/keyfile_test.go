package keyfile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tocsin/tocsin/internal/trust"
)

func TestKeyFile(t *testing.T) {
	pass := []byte("correct horse battery staple")
	data, pub, err := New("alice", pass)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, pass) {
		t.Fatal("the key file contains the passphrase")
	}
	// edit decodes the file as JSON, applies f and re-encodes it.
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	flipB64 := func(field string) func(map[string]any) {
		return func(m map[string]any) {
			s := []byte(m[field].(string))
			if s[3] == 'A' {
				s[3] = 'B'
			} else {
				s[3] = 'A'
			}
			m[field] = string(s)
		}
	}
	_, otherPub, err := New("bob", pass)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		data []byte
		pass []byte
		want error // nil: opens
	}{
		{"round trip", data, pass, nil},
		{"wrong passphrase", data, []byte("correct horse battery stapler"), ErrBadPassphrase},
		{"empty passphrase", data, nil, ErrBadPassphrase},
		{"tampered ciphertext", edit(flipB64("box")), pass, ErrBadPassphrase},
		{"tampered nonce", edit(flipB64("nonce")), pass, ErrBadPassphrase},
		{"tampered salt", edit(flipB64("salt")), pass, ErrBadPassphrase},
		{"public key swapped", edit(func(m map[string]any) { m["public_key"] = otherPub; delete(m, "key_id") }), pass, ErrKeyFile},
		{"name changed", edit(func(m map[string]any) { m["name"] = "carol" }), pass, ErrKeyFile},
		{"weakened kdf", edit(func(m map[string]any) { m["kdf_params"].(map[string]any)["memory_kib"] = 1 }), pass, ErrKeyFile},
		{"huge kdf", edit(func(m map[string]any) { m["kdf_params"].(map[string]any)["memory_kib"] = 1 << 30 }), pass, ErrKeyFile},
		{"other kdf", edit(func(m map[string]any) { m["kdf"] = "scrypt" }), pass, ErrKeyFile},
		{"other format", edit(func(m map[string]any) { m["format"] = "openssh" }), pass, ErrKeyFile},
		{"version 2", edit(func(m map[string]any) { m["version"] = 2 }), pass, ErrKeyFile},
		{"unknown field", edit(func(m map[string]any) { m["private_key"] = "x" }), pass, ErrKeyFile},
		{"not JSON", []byte("-----BEGIN PRIVATE KEY-----"), pass, ErrKeyFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name, priv, err := Open(tc.data, tc.pass)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if priv != nil {
					t.Fatal("returned a key with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if name != "alice" || !bytes.Equal(priv.Public().(ed25519.PublicKey), pub) {
				t.Fatalf("opened %q with another key", name)
			}
			a, err := trust.SignStatement(priv, baseStatement(), t0)
			if err != nil {
				t.Fatal(err)
			}
			if err := trust.VerifyApproval(pub, baseStatement().Digest(), a); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("public key without passphrase", func(t *testing.T) {
		name, got, err := PublicKeyOf(data)
		if err != nil || name != "alice" || !bytes.Equal(got, pub) {
			t.Fatalf("PublicKeyOf = %q, %x, %v", name, got, err)
		}
		if _, _, err := PublicKeyOf([]byte("{}")); !errors.Is(err, ErrKeyFile) {
			t.Fatalf("empty object: %v", err)
		}
	})
}

func TestNewKeyFileRefuses(t *testing.T) {
	tests := []struct {
		name, who string
		pass      []byte
		want      error
	}{
		{"empty passphrase", "alice", nil, ErrWeakPassphrase},
		{"seven bytes", "alice", []byte("1234567"), ErrWeakPassphrase},
		{"empty name", "", []byte("long enough"), ErrKeyFile},
		{"name with space", "al ice", []byte("long enough"), ErrKeyFile},
		{"name with newline", "alice\nadmin", []byte("long enough"), ErrKeyFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := New(tc.who, tc.pass); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
