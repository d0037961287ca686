package trust

import (
	"crypto/ed25519"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestKeyIDOf(t *testing.T) {
	re := regexp.MustCompile(`^ed25519:[A-Za-z0-9_-]{16}$`)
	seen := map[KeyID]bool{}
	for b := byte(1); b <= 9; b++ {
		id := KeyIDOf(pubOf(b))
		if !re.MatchString(string(id)) {
			t.Fatalf("KeyIDOf = %q", id)
		}
		if seen[id] {
			t.Fatalf("KeyID %s repeats", id)
		}
		seen[id] = true
		if KeyIDOf(pubOf(b)) != id {
			t.Fatal("KeyIDOf is not deterministic")
		}
	}
}

func TestSignVerifyApproval(t *testing.T) {
	st := baseStatement()
	good, err := SignStatement(privOf(kAlice), st, t0.Add(1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if good.AlertID != st.AlertID || good.Kind != KindEd25519 || good.KeyID != KeyIDOf(pubOf(kAlice)) ||
		!good.SignedAt.Equal(t0.Add(time.Second)) || good.Digest != st.Digest() {
		t.Fatalf("approval = %+v", good)
	}
	other := baseStatement()
	other.Texts["en"] = "Everyone: your information was sent to the authorities."
	tests := []struct {
		name   string
		pub    ed25519.PublicKey
		digest [32]byte
		edit   func(*Approval)
		want   string // "" for valid
	}{
		{"valid", pubOf(kAlice), st.Digest(), func(*Approval) {}, ""},
		{"wrong digest", pubOf(kAlice), other.Digest(), func(*Approval) {}, "different statement"},
		{"digest field rewritten", pubOf(kAlice), other.Digest(), func(a *Approval) { a.Digest = other.Digest() }, "bad signature"},
		{"wrong key", pubOf(kBob), st.Digest(), func(*Approval) {}, "made with key"},
		{"wrong key, key id rewritten", pubOf(kBob), st.Digest(), func(a *Approval) { a.KeyID = KeyIDOf(pubOf(kBob)) }, "bad signature"},
		{"tampered signature", pubOf(kAlice), st.Digest(), func(a *Approval) { a.Signature[5] ^= 1 }, "bad signature"},
		{"truncated signature", pubOf(kAlice), st.Digest(), func(a *Approval) { a.Signature = a.Signature[:63] }, "bad signature"},
		{"no signature", pubOf(kAlice), st.Digest(), func(a *Approval) { a.Signature = nil }, "bad signature"},
		{"unknown kind", pubOf(kAlice), st.Digest(), func(a *Approval) { a.Kind = "webauthn" }, "unsupported"},
		{"zero digest", pubOf(kAlice), [32]byte{}, func(a *Approval) { a.Digest = [32]byte{} }, "zero digest"},
		{"short public key", pubOf(kAlice)[:31], st.Digest(), func(*Approval) {}, "not an Ed25519"},
		{"roster signature reused as approval", pubOf(kAlice), st.Digest(), func(a *Approval) {
			enc, _ := st.Encode()
			a.Signature = SignRoster(privOf(kAlice), enc).Signature
		}, "bad signature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := *good
			a.Signature = append([]byte(nil), good.Signature...)
			tc.edit(&a)
			err := VerifyApproval(tc.pub, tc.digest, &a)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrApproval) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrApproval mentioning %q", err, tc.want)
			}
		})
	}
	if err := VerifyApproval(pubOf(kAlice), st.Digest(), nil); !errors.Is(err, ErrApproval) {
		t.Fatalf("nil approval: %v", err)
	}
}

func TestSignStatementRefuses(t *testing.T) {
	bad := baseStatement()
	bad.Texts = nil
	tests := []struct {
		name string
		priv ed25519.PrivateKey
		st   *Statement
		want error
	}{
		{"invalid statement", privOf(kAlice), bad, ErrInvalidStatement},
		{"nil statement", privOf(kAlice), nil, ErrInvalidStatement},
		{"short key", privOf(kAlice)[:32], baseStatement(), ErrApproval},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SignStatement(tc.priv, tc.st, t0); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
