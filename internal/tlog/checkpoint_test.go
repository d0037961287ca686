package tlog

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// specRoot is the root hash of the example in c2sp.org/tlog-checkpoint.
func specRoot(t *testing.T) [32]byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
	if err != nil || len(b) != 32 {
		t.Fatal("bad spec root")
	}
	return [32]byte(b)
}

func TestCheckpointText(t *testing.T) {
	root := specRoot(t)
	tests := []struct {
		name string
		c    Checkpoint
		want string
	}{
		{"C2SP example", Checkpoint{"example.com/behind-the-sofa", 20852163, root},
			"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"},
		{"empty log", Checkpoint{"tocsin.example.org/log", 0, EmptyRoot()},
			"tocsin.example.org/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"},
		{"max size", Checkpoint{"o", 1<<64 - 1, [32]byte{}},
			"o\n18446744073709551615\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.c.Text()
			if string(got) != tc.want {
				t.Fatalf("Text() = %q, want %q", got, tc.want)
			}
			back, err := ParseCheckpoint(got)
			if err != nil {
				t.Fatalf("ParseCheckpoint: %v", err)
			}
			if back != tc.c {
				t.Errorf("round trip = %+v, want %+v", back, tc.c)
			}
		})
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"no final newline", "o\n1\n" + root},
		{"two lines", "o\n1\n"},
		{"extension line", "o\n1\n" + root + "\nextra\n"},
		{"blank extension line", "o\n1\n" + root + "\n\n"},
		{"empty origin", "\n1\n" + root + "\n"},
		{"origin with space", "o o\n1\n" + root + "\n"},
		{"origin with plus", "o+o\n1\n" + root + "\n"},
		{"origin with CR", "o\r\n1\n" + root + "\n"},
		{"origin not UTF-8", "o\xff\n1\n" + root + "\n"},
		{"size leading zero", "o\n01\n" + root + "\n"},
		{"size plus sign", "o\n+1\n" + root + "\n"},
		{"size negative", "o\n-1\n" + root + "\n"},
		{"size overflow", "o\n18446744073709551616\n" + root + "\n"},
		{"size hex", "o\n0x10\n" + root + "\n"},
		{"size empty", "o\n\n" + root + "\n"},
		{"size trailing space", "o\n1 \n" + root + "\n"},
		{"root unpadded", "o\n1\n" + strings.TrimSuffix(root, "=") + "\n"},
		{"root URL base64", "o\n1\n" + strings.NewReplacer("/", "_", "+", "-").Replace(root) + "\n"},
		{"root short", "o\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n"},
		{"root long", "o\n1\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n"},
		{"root hex", "o\n1\n" + strings.Repeat("00", 32) + "\n"},
		{"root non-canonical padding bits", "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n"},
		{"root with CR", "o\n1\n" + root + "\r\n"},
		{"CRLF lines", "o\r\n1\r\n" + root + "\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if c, err := ParseCheckpoint([]byte(tc.text)); err == nil {
				t.Errorf("ParseCheckpoint(%q) = %+v, want error", tc.text, c)
			}
		})
	}
}

func TestSignOpen(t *testing.T) {
	const origin = "tocsin.example.org/log"
	skey, vkey, err := NewSigner(origin)
	if err != nil {
		t.Fatal(err)
	}
	_, otherVkey, err := NewSigner(origin) // same name, different key
	if err != nil {
		t.Fatal(err)
	}
	otherSkey, _, err := NewSigner("witness.example.net")
	if err != nil {
		t.Fatal(err)
	}
	c := Checkpoint{Origin: origin, Size: 42, Root: LeafHash([]byte("root"))}
	signed, err := Sign(c, skey)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, append(c.Text(), '\n')) {
		t.Fatalf("signed note does not start with the checkpoint text and a blank line:\n%s", signed)
	}
	if sig := string(signed[len(c.Text())+1:]); !strings.HasPrefix(sig, "— "+origin+" ") || !strings.HasSuffix(sig, "\n") || strings.Count(sig, "\n") != 1 {
		t.Fatalf("signature block = %q, want one line for %s", sig, origin)
	}

	// A cosignature by a witness key, appended as witnesses do.
	cosigned, err := Sign(c, otherSkey)
	if err != nil {
		t.Fatal(err)
	}
	withWitness := append(bytes.Clone(signed), cosigned[len(c.Text())+1:]...)

	otherRoot := LeafHash([]byte("other"))
	tampered := func(old, new string) []byte {
		b := bytes.Replace(bytes.Clone(signed), []byte(old), []byte(new), 1)
		if bytes.Equal(b, signed) {
			t.Fatalf("tampering %q -> %q changed nothing", old, new)
		}
		return b
	}
	tests := []struct {
		name   string
		signed []byte
		vkey   string
		origin string
		ok     bool
	}{
		{"genuine", signed, vkey, origin, true},
		{"genuine with a witness cosignature", withWitness, vkey, origin, true},
		{"other key with the same name", signed, otherVkey, origin, false},
		{"other origin", signed, vkey, "tocsin.example.org/other", false},
		{"size changed", tampered("\n42\n", "\n43\n"), vkey, origin, false},
		{"origin changed", tampered(origin+"\n", "tocsin.example.org/lag\n"), vkey, "tocsin.example.org/lag", false},
		{"root changed", tampered(base64.StdEncoding.EncodeToString(c.Root[:]), base64.StdEncoding.EncodeToString(otherRoot[:])), vkey, origin, false},
		{"extension line added", tampered("=\n\n", "=\nextra\n\n"), vkey, origin, false},
		{"signature byte changed", append(bytes.Clone(signed[:len(signed)-3]), 'A', 'A', '\n'), vkey, origin, false},
		{"signature removed", append(c.Text(), '\n'), vkey, origin, false},
		{"only a witness signature", append(append(c.Text(), '\n'), cosigned[len(c.Text())+1:]...), vkey, origin, false},
		{"bad verifier key", signed, "not a key", origin, false},
		{"empty", nil, vkey, origin, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Open(tc.signed, tc.vkey, tc.origin)
			if !tc.ok {
				if err == nil {
					t.Errorf("Open succeeded: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got != c {
				t.Errorf("Open = %+v, want %+v", got, c)
			}
		})
	}
}

func TestSignRejects(t *testing.T) {
	skey, _, err := NewSigner("tocsin.example.org/log")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Checkpoint
		skey string
	}{
		{"empty origin", Checkpoint{Origin: ""}, skey},
		{"origin with newline", Checkpoint{Origin: "a\n999"}, skey},
		{"origin with space", Checkpoint{Origin: "a b"}, skey},
		{"bad signer key", Checkpoint{Origin: "tocsin.example.org/log"}, "not a key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Sign(tc.c, tc.skey); err == nil {
				t.Error("Sign succeeded")
			}
		})
	}
	for _, name := range []string{"", "bad name", "a+b", "a\nb"} {
		if _, _, err := NewSigner(name); err == nil {
			t.Errorf("NewSigner(%q) succeeded", name)
		}
	}
}

func TestVerifierOf(t *testing.T) {
	for range 5 {
		skey, vkey, err := NewSigner("tocsin-log")
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifierOf(skey)
		if err != nil || got != vkey {
			t.Fatalf("VerifierOf = %q, %v; want %q", got, err, vkey)
		}
	}
	for _, bad := range []string{"", "tocsin-log+1234+AQ==", "PRIVATE+KEY+x+00000000+AQ==", "PRIVATE+KEY+tocsin-log+deadbeef+" + strings.Repeat("A", 44)} {
		if _, err := VerifierOf(bad); err == nil {
			t.Errorf("VerifierOf(%q) accepted", bad)
		}
	}
}
