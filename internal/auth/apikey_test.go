package auth

import (
	"regexp"
	"testing"
)

var apiKeyRE = regexp.MustCompile(`^tsk_[0-9A-Za-z]{40}$`)

// Real, canary and derived (decoy-file) keys have one form: nothing tells
// them apart without the store or the secret.
func TestAPIKeyForms(t *testing.T) {
	seen := map[string]bool{}
	for i := range 200 {
		key, id, hash := NewAPIKey()
		derived := DerivedAPIKey([]byte("web secret"), string(rune('a'+i%26))+string(rune(i)))
		for _, k := range []string{key, derived} {
			if !apiKeyRE.MatchString(k) || !ValidAPIKeyForm(k) {
				t.Fatalf("key %q does not have the API key form", k)
			}
			if seen[k] {
				t.Fatalf("key %q made twice", k)
			}
			seen[k] = true
		}
		if id != key[:12] || len(hash) != 32 {
			t.Fatalf("id %q, hash %d bytes", id, len(hash))
		}
	}
	if a, b := DerivedAPIKey([]byte("s"), "env"), DerivedAPIKey([]byte("s"), "env"); a != b {
		t.Error("a derived key changes between calls")
	}
	if DerivedAPIKey([]byte("s"), "env") == DerivedAPIKey([]byte("t"), "env") {
		t.Error("two secrets derive the same key")
	}
	for _, bad := range []string{"", "tsk_", "tsk_short", "TSK_" + string(make([]byte, 40)), "tsk_" + "0123456789012345678901234567890123456789!"} {
		if ValidAPIKeyForm(bad) {
			t.Errorf("%q has the API key form", bad)
		}
	}
}
