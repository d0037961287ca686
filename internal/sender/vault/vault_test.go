package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/nacl/box"

	"github.com/tocsin/tocsin/internal/phone"
)

func mustParse(t *testing.T, s string) phone.Number {
	t.Helper()
	n, err := phone.Parse(s, "US")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSealOpenRoundTrip(t *testing.T) {
	dir := t.TempDir()
	k, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The web tier's view: only sender.pub.
	pub, err := phone.LoadPublicKey(filepath.Join(dir, PublicFile))
	if err != nil {
		t.Fatal(err)
	}
	if pub != k.Public() {
		t.Fatal("sender.pub does not match the key")
	}
	s := phone.NewSealer(pub)
	tests := []string{"(310) 555-0123", "+44 20 7946 0958", "+353 86 123 4567"}
	for _, raw := range tests {
		t.Run(raw, func(t *testing.T) {
			n := mustParse(t, raw)
			a, err := s.Seal(n)
			if err != nil {
				t.Fatal(err)
			}
			b, err := s.Seal(n)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(a, b) {
				t.Fatal("two seals of the same number are equal")
			}
			for _, box := range [][]byte{a, b} {
				got, err := k.Open(box)
				if err != nil {
					t.Fatal(err)
				}
				if got != n {
					t.Fatalf("Open = %v, want %v", got, n)
				}
			}
			// Keys loaded from disk open it as well.
			k2, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := k2.Open(a); err != nil || got != n {
				t.Fatalf("loaded keys: Open = %v, %v", got, err)
			}
		})
	}
	payload := []byte("+13105550123\x00code=123456")
	sealed, err := s.SealData(payload)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.OpenData(sealed)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("OpenData = %q, %v", got, err)
	}
}

func TestOpenRejects(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	s := phone.NewSealer(k.Public())
	good, err := s.Seal(mustParse(t, "3105550123"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	sealData := func(p string) []byte {
		b, err := s.SealData([]byte(p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	otherSeal, err := phone.NewSealer(other.Public()).Seal(mustParse(t, "3105550123"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		box  []byte
	}{
		{"empty", nil},
		{"short", good[:10]},
		{"truncated", good[:len(good)-1]},
		{"flip ephemeral key", flip(0)},
		{"flip tag", flip(33)},
		{"flip body", flip(len(good) - 1)},
		{"other key", otherSeal},
		{"not a number", sealData("hello")},
		{"no plus", sealData("13105550123")},
		{"not canonical", sealData("+1 310 555 0123")},
		{"invalid number", sealData("+10000000000")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := k.Open(tt.box)
			if !errors.Is(err, ErrSealed) {
				t.Fatalf("Open = %q, %v; want ErrSealed", n.E164(), err)
			}
			if strings.Contains(err.Error(), "555") {
				t.Fatalf("error leaks plaintext: %v", err)
			}
		})
	}
}

func TestHash(t *testing.T) {
	k1, _ := Generate()
	k2, _ := Generate()
	a := mustParse(t, "(310) 555-0123")
	b := mustParse(t, "+1 310 555 0124")
	h := k1.Hash(a)
	tests := []struct {
		name  string
		other []byte
		equal bool
	}{
		{"stable", k1.Hash(mustParse(t, "310.555.0123")), true},
		{"other number", k1.Hash(b), false},
		{"other key", k2.Hash(a), false},
	}
	if len(h) != 32 {
		t.Fatalf("len = %d", len(h))
	}
	for _, tt := range tests {
		if got := bytes.Equal(h, tt.other); got != tt.equal {
			t.Errorf("%s: equal = %v, want %v", tt.name, got, tt.equal)
		}
	}
	// Stable across save and load.
	dir := t.TempDir()
	k3, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	k4, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k3.Hash(a), k4.Hash(a)) {
		t.Fatal("hash changed across Load")
	}
}

func TestCreateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if _, err := Create(dir); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mode fs.FileMode
	}{
		{KeyFile, 0o600},
		{PublicFile, 0o644},
	}
	for _, tt := range tests {
		st, err := os.Stat(filepath.Join(dir, tt.name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tt.mode {
			t.Errorf("%s mode = %#o, want %#o", tt.name, st.Mode().Perm(), tt.mode)
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %#o", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("stray files: %v", entries)
	}
	before, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if _, err := Create(dir); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create: %v, want ErrExist", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	if !bytes.Equal(before, after) {
		t.Fatal("Create overwrote the key")
	}
	// A stray sender.pub also blocks Create.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, PublicFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir2); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over sender.pub: %v", err)
	}
}

func TestLoadRefuses(t *testing.T) {
	good := func(t *testing.T) string {
		dir := t.TempDir()
		if _, err := Create(dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	edit := func(t *testing.T, dir string, f func(*keyFileJSON)) {
		p := filepath.Join(dir, KeyFile)
		b, _ := os.ReadFile(p)
		var kf keyFileJSON
		if err := json.Unmarshal(b, &kf); err != nil {
			t.Fatal(err)
		}
		f(&kf)
		b, _ = json.Marshal(kf)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T) string
		wantErr string
	}{
		{"mode 0644", func(t *testing.T) string {
			d := good(t)
			if err := os.Chmod(filepath.Join(d, KeyFile), 0o644); err != nil {
				t.Fatal(err)
			}
			return d
		}, "group or others"},
		{"mode 0640", func(t *testing.T) string {
			d := good(t)
			_ = os.Chmod(filepath.Join(d, KeyFile), 0o640)
			return d
		}, "group or others"},
		{"mode 0602", func(t *testing.T) string {
			d := good(t)
			_ = os.Chmod(filepath.Join(d, KeyFile), 0o602)
			return d
		}, "group or others"},
		{"missing", func(t *testing.T) string { return t.TempDir() }, "no such file"},
		{"symlink", func(t *testing.T) string {
			d := good(t)
			d2 := t.TempDir()
			if err := os.Symlink(filepath.Join(d, KeyFile), filepath.Join(d2, KeyFile)); err != nil {
				t.Skip(err)
			}
			return d2
		}, ""},
		{"garbage", func(t *testing.T) string {
			d := t.TempDir()
			_ = os.WriteFile(filepath.Join(d, KeyFile), []byte("hello"), 0o600)
			return d
		}, "not a sender key file"},
		{"wrong version", func(t *testing.T) string {
			d := good(t)
			edit(t, d, func(k *keyFileJSON) { k.Version = 2 })
			return d
		}, "version"},
		{"mismatched public key", func(t *testing.T) string {
			d := good(t)
			other, _ := Generate()
			edit(t, d, func(k *keyFileJSON) { k.PublicKey = other.Public().String() })
			return d
		}, "does not match"},
		{"short hmac key", func(t *testing.T) string {
			d := good(t)
			edit(t, d, func(k *keyFileJSON) { k.HMACKey = "AAAA" })
			return d
		}, "hmac_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t)
			k, err := Load(dir)
			if err == nil {
				t.Fatalf("Load succeeded: %v", k)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadOrCreate(dir)
	if err != nil || !created {
		t.Fatalf("first: created=%v err=%v", created, err)
	}
	k2, created, err := LoadOrCreate(dir)
	if err != nil || created {
		t.Fatalf("second: created=%v err=%v", created, err)
	}
	if k1.Public() != k2.Public() {
		t.Fatal("keys differ")
	}
	// A missing sender.pub is restored.
	if err := os.Remove(filepath.Join(dir, PublicFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreate(dir); err != nil {
		t.Fatal(err)
	}
	if pub, err := phone.LoadPublicKey(filepath.Join(dir, PublicFile)); err != nil || pub != k1.Public() {
		t.Fatalf("restored pub: %v %v", pub, err)
	}
	// A sender.pub for another key is an error.
	other, _ := Generate()
	_ = os.WriteFile(filepath.Join(dir, PublicFile), []byte(other.Public().String()), 0o644)
	if _, _, err := LoadOrCreate(dir); err == nil {
		t.Fatal("accepted a mismatched sender.pub")
	}
	// An insecure key file is not silently replaced.
	_ = os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, _, err := LoadOrCreate(dir); err == nil {
		t.Fatal("LoadOrCreate accepted a 0644 key")
	}
}

func TestKeysNeverPrint(t *testing.T) {
	dir := t.TempDir()
	k, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, KeyFile))
	var kf keyFileJSON
	if err := json.Unmarshal(raw, &kf); err != nil {
		t.Fatal(err)
	}
	secrets := []string{kf.PrivateKey, kf.HMACKey, string(k.priv[:4]), string(k.mac[:4])}

	var logBuf bytes.Buffer
	l := slog.New(slog.NewJSONHandler(&logBuf, nil))
	l.Info("keys", "k", k, "v", *k)
	js, _ := json.Marshal(k)
	jsv, _ := json.Marshal(struct{ K Keys }{*k})
	type wrap struct{ K *Keys }
	outs := []string{
		k.String(), fmt.Sprint(k), fmt.Sprint(*k),
		fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k),
		fmt.Sprintf("%v", *k), fmt.Sprintf("%+v", *k), fmt.Sprintf("%#v", *k),
		fmt.Sprintf("%x", *k), fmt.Sprintf("%s", *k), fmt.Sprintf("%+v", wrap{k}),
		string(js), string(jsv), logBuf.String(), k.LogValue().String(),
	}
	for _, out := range outs {
		if !strings.Contains(out, "redacted") {
			t.Errorf("output %q is not redacted", out)
		}
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output leaks a secret: %q", out)
			}
		}
	}
	// Numbers logged next to keys are redacted too.
	n := mustParse(t, "(310) 555-0123")
	logBuf.Reset()
	l.Info("opened", "phone", n)
	if strings.Contains(logBuf.String(), "5550123") || !strings.Contains(logBuf.String(), "+1******23") {
		t.Fatalf("log = %s", logBuf.String())
	}
}

func TestMAC(t *testing.T) {
	k, _ := Generate()
	other, _ := Generate()
	a := k.MAC("ledger", []byte("alert"), []byte("1"))
	tests := []struct {
		name string
		mac  []byte
		same bool
	}{
		{"same input", k.MAC("ledger", []byte("alert"), []byte("1")), true},
		{"other domain", k.MAC("outbound", []byte("alert"), []byte("1")), false},
		{"parts shifted", k.MAC("ledger", []byte("alert1"), []byte("")), false},
		{"other key", other.MAC("ledger", []byte("alert"), []byte("1")), false},
	}
	for _, tt := range tests {
		if got := string(tt.mac) == string(a); got != tt.same {
			t.Errorf("%s: equal = %v, want %v", tt.name, got, tt.same)
		}
	}
}

func TestOpenKnown(t *testing.T) {
	k, _ := Generate()
	s := phone.NewSealer(k.Public())
	n, _ := phone.Parse("+13105550123", "US")
	other, _ := phone.Parse("+13105550199", "US")
	sealed, _ := s.Seal(n)
	swapped, _ := s.Seal(other)
	junk, _ := s.SealData([]byte("+1abc"))
	tests := []struct {
		name   string
		sealed []byte
		ok     bool
	}{
		{"the recorded number", sealed, true},
		{"another number sealed in its place", swapped, false},
		{"not a number", junk, false},
		{"garbage", []byte("garbage"), false},
	}
	for _, tt := range tests {
		got, err := k.OpenKnown(tt.sealed, k.Hash(n))
		if (err == nil) != tt.ok || (tt.ok && got != n) {
			t.Errorf("%s: %v, %v", tt.name, got, err)
		}
	}
}

// TestOpenMatchesNaCl checks the prepared-key opening against NaCl's own
// box.OpenAnonymous, for good and tampered boxes.
func TestOpenMatchesNaCl(t *testing.T) {
	k, _ := Generate()
	for i := range 200 {
		msg := make([]byte, i%40)
		rand.Read(msg)
		sealed, err := box.SealAnonymous(nil, msg, &k.pub, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			sealed[i%len(sealed)] ^= 1 // tamper with a byte
		}
		want, wantOK := box.OpenAnonymous(nil, sealed, &k.pub, &k.priv)
		got, err := k.OpenData(sealed)
		if (err == nil) != wantOK || string(got) != string(want) {
			t.Fatalf("box %d: got %q, %v; NaCl %q, %v", i, got, err, want, wantOK)
		}
	}
}
