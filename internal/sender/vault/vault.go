// Package vault holds the sender's secrets for subscriber phone numbers: the
// X25519 private key that opens numbers sealed by the web tier
// (phone.Sealer) and the HMAC key of the keyed hash used for equality
// look-ups (STOP, duplicates).
//
// SENDER SIDE ONLY. The web tier must NEVER import this package: it gets the
// public key with phone.LoadPublicKey(dir/sender.pub) and nothing else. This
// package must never print, log, or encode a key (Keys redacts itself), never
// write sender.key readable by anyone but its owner, never load a key file
// that group or others can read, and never overwrite an existing key (that
// would make every stored number unreadable).
package vault

import (
	"crypto/ecdh"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/nacl/box"
	//lint:ignore SA1019 HSalsa20 (below) is what box.Precompute does after its own X25519; no other package exports it
	"golang.org/x/crypto/salsa20/salsa"

	"github.com/tocsin/tocsin/internal/phone"
)

// File names inside the key directory.
const (
	KeyFile    = "sender.key" // private: mode 0600
	PublicFile = "sender.pub" // public: mode 0644, read by the web tier
)

// keyFormat identifies the sender.key format; keyVersion is its version.
const (
	keyFormat  = "tocsin-sender-key"
	keyVersion = 1
)

// hashDomain separates the phone-number hash from any other use of the key.
const hashDomain = "tocsin/phone/v1\x00"

// ErrSealed is wrapped by the errors of Open and OpenData: the box was not
// sealed to this key, was tampered with, or does not hold a valid number.
var ErrSealed = errors.New("vault: cannot open sealed box")

// Keys are the sender's secrets. A Keys value never prints its contents:
// String, GoString, Format, LogValue and MarshalJSON all yield
// "vault.Keys{redacted}".
type Keys struct {
	priv [32]byte // X25519 private key
	pub  [32]byte // X25519 public key, derived from priv
	mac  [32]byte // HMAC-SHA256 key for Hash
	// ecdh is priv ready for crypto/ecdh, made once: opening then costs one
	// scalar multiplication instead of two.
	ecdh *ecdh.PrivateKey
}

// Generate returns new random keys. Most callers want Create or
// LoadOrCreate, which also store them.
func Generate() (*Keys, error) {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("vault: generating key: %w", err)
	}
	k := &Keys{priv: *priv, pub: *pub}
	if k.ecdh, err = ecdh.X25519().NewPrivateKey(k.priv[:]); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if _, err := io.ReadFull(rand.Reader, k.mac[:]); err != nil {
		return nil, fmt.Errorf("vault: generating hmac key: %w", err)
	}
	return k, nil
}

// Public returns the public key that the web tier seals numbers to.
func (k *Keys) Public() phone.PublicKey { return phone.PublicKey(k.pub) }

// Open opens a phone number sealed with phone.Sealer.Seal. Because the box
// is anonymous, anyone who knows the public key can seal; Open therefore
// accepts only a canonical E.164 number valid for its region. Errors wrap
// ErrSealed and never contain the plaintext.
func (k *Keys) Open(sealed []byte) (phone.Number, error) {
	b, err := k.OpenData(sealed)
	if err != nil {
		return "", err
	}
	s := string(b)
	if !strings.HasPrefix(s, "+") {
		return "", fmt.Errorf("%w: payload is not an E.164 number", ErrSealed)
	}
	n, err := phone.Parse(s, "US")
	if err != nil || n.E164() != s {
		return "", fmt.Errorf("%w: payload is not a canonical E.164 number", ErrSealed)
	}
	return n, nil
}

// OpenKnown opens a sealed number that must have the keyed hash want: the
// hash the sender recorded when it first parsed and accepted the number. It
// skips the full parse of Open, which the hash makes redundant, so it is the
// one to use on the delivery hot path; a number swapped in the database
// (sealed to the public key by anyone) fails the hash and is refused.
func (k *Keys) OpenKnown(sealed, want []byte) (phone.Number, error) {
	b, err := k.OpenData(sealed)
	if err != nil {
		return "", err
	}
	if !isE164(b) {
		return "", fmt.Errorf("%w: payload is not an E.164 number", ErrSealed)
	}
	n := phone.Number(b)
	if !hmac.Equal(k.Hash(n), want) {
		return "", fmt.Errorf("%w: number does not match its recorded hash", ErrSealed)
	}
	return n, nil
}

// isE164 checks the shape "+" and 8 to 15 digits, the first not 0.
func isE164(b []byte) bool {
	if len(b) < 9 || len(b) > 16 || b[0] != '+' || b[1] == '0' {
		return false
	}
	for _, c := range b[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// OpenData opens a payload sealed with phone.Sealer.SealData. Errors wrap
// ErrSealed.
func (k *Keys) OpenData(sealed []byte) ([]byte, error) {
	if len(sealed) < box.AnonymousOverhead {
		return nil, fmt.Errorf("%w: too short", ErrSealed)
	}
	out, ok := k.openAnonymous(sealed)
	if !ok {
		return nil, fmt.Errorf("%w: not sealed to this key or tampered with", ErrSealed)
	}
	return out, nil
}

// openAnonymous is box.OpenAnonymous (the NaCl sealed box: an ephemeral
// public key, then box.Seal under the nonce BLAKE2b-192(ephemeral ||
// recipient)) with the recipient's key prepared once: box.Open would derive
// the public half of the private key again for every message, doubling the
// sender's cost per text. TestOpenMatchesNaCl checks it against box.
func (k *Keys) openAnonymous(sealed []byte) ([]byte, bool) {
	eph, err := ecdh.X25519().NewPublicKey(sealed[:32])
	if err != nil {
		return nil, false
	}
	shared, err := k.ecdh.ECDH(eph)
	if err != nil {
		return nil, false
	}
	var key [32]byte
	salsa.HSalsa20(&key, new([16]byte), (*[32]byte)(shared), &salsa.Sigma)
	h, err := blake2b.New(24, nil)
	if err != nil {
		return nil, false
	}
	h.Write(sealed[:32])
	h.Write(k.pub[:])
	var nonce [24]byte
	copy(nonce[:], h.Sum(nil))
	return box.OpenAfterPrecomputation(nil, sealed[32:], &nonce, &key)
}

// Hash returns the keyed hash of n used for equality look-ups (STOP,
// duplicate subscriptions): HMAC-SHA256(hmacKey, "tocsin/phone/v1\x00" +
// E.164), 32 bytes. Without the key the hash is useless for finding a number,
// which a plain hash would not be: there are only about 10^10 numbers.
func (k *Keys) Hash(n phone.Number) []byte {
	m := hmac.New(sha256.New, k.mac[:])
	m.Write([]byte(hashDomain))
	m.Write([]byte(n.E164()))
	return m.Sum(nil)
}

// String returns "vault.Keys{redacted}".
func (k Keys) String() string { return "vault.Keys{redacted}" }

// GoString returns "vault.Keys{redacted}", for %#v.
func (k Keys) GoString() string { return k.String() }

// Format implements fmt.Formatter: every verb prints "vault.Keys{redacted}".
func (k Keys) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

// LogValue implements slog.LogValuer: keys log as "vault.Keys{redacted}".
func (k Keys) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON encodes keys as the string "vault.Keys{redacted}"; use Create
// to store them.
func (k Keys) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// keyFileJSON is the sender.key format.
type keyFileJSON struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	PrivateKey string `json:"private_key"` // base64 std, X25519
	PublicKey  string `json:"public_key"`  // base64 std, checked against private_key
	HMACKey    string `json:"hmac_key"`    // base64 std, 32 bytes
}

func (k *Keys) encode() ([]byte, error) {
	b, err := json.MarshalIndent(keyFileJSON{
		Format:     keyFormat,
		Version:    keyVersion,
		PrivateKey: base64.StdEncoding.EncodeToString(k.priv[:]),
		PublicKey:  base64.StdEncoding.EncodeToString(k.pub[:]),
		HMACKey:    base64.StdEncoding.EncodeToString(k.mac[:]),
	}, "", "  ")
	return append(b, '\n'), err
}

func decode(b []byte) (*Keys, error) {
	var f keyFileJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, errors.New("not a sender key file (bad JSON)")
	}
	if f.Format != keyFormat {
		return nil, fmt.Errorf("not a sender key file (format %q)", f.Format)
	}
	if f.Version != keyVersion {
		return nil, fmt.Errorf("unsupported key file version %d (want %d)", f.Version, keyVersion)
	}
	k := new(Keys)
	if err := decode32(k.priv[:], f.PrivateKey); err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	if err := decode32(k.mac[:], f.HMACKey); err != nil {
		return nil, fmt.Errorf("hmac_key: %w", err)
	}
	pub, err := curve25519.X25519(k.priv[:], curve25519.Basepoint)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	copy(k.pub[:], pub)
	if f.PublicKey != "" {
		var stored [32]byte
		if err := decode32(stored[:], f.PublicKey); err != nil {
			return nil, fmt.Errorf("public_key: %w", err)
		}
		if subtle.ConstantTimeCompare(stored[:], k.pub[:]) != 1 {
			return nil, errors.New("public_key does not match private_key")
		}
	}
	if k.mac == [32]byte{} {
		return nil, errors.New("hmac_key is all zeros")
	}
	if k.ecdh, err = ecdh.X25519().NewPrivateKey(k.priv[:]); err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	return k, nil
}

func decode32(dst []byte, s string) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		return errors.New("want 32 bytes in standard base64")
	}
	copy(dst, b)
	return nil
}

// Create generates keys and writes dir/sender.key (mode 0600) and
// dir/sender.pub (mode 0644), creating dir (0700) if needed. It refuses to
// overwrite an existing key or public key file: the error wraps
// fs.ErrExist. Each file appears atomically, complete or not at all.
func Create(dir string) (*Keys, error) {
	for _, name := range []string{KeyFile, PublicFile} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			return nil, fmt.Errorf("vault: %s already exists; refusing to overwrite it: %w", filepath.Join(dir, name), fs.ErrExist)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("vault: %w", err)
		}
	}
	k, err := Generate()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	b, err := k.encode()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if err := writeNew(dir, KeyFile, b, 0o600); err != nil {
		return nil, err
	}
	if err := writePublic(dir, k); err != nil {
		return nil, err
	}
	return k, nil
}

func writePublic(dir string, k *Keys) error {
	return writeNew(dir, PublicFile, []byte(k.Public().String()+"\n"), 0o644)
}

// writeNew writes data to dir/name with the given mode, never replacing an
// existing file: it writes a temporary file, syncs it, and hard-links it
// into place (link fails with EEXIST if name exists).
func writeNew(dir, name string, data []byte, mode os.FileMode) (err error) {
	final := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	tmp := f.Name()
	defer func() {
		_ = os.Remove(tmp)
	}()
	// CreateTemp makes the file 0600; set the exact mode before any
	// secret is written, independent of the umask.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("vault: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("vault: writing %s: %w", final, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("vault: writing %s: %w", final, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("vault: writing %s: %w", final, err)
	}
	if err := os.Link(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("vault: %s already exists; refusing to overwrite it: %w", final, fs.ErrExist)
		}
		return fmt.Errorf("vault: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Load reads dir/sender.key. It refuses a key file that is not a regular
// file or that group or others may read or write (mode & 0o077 != 0).
func Load(dir string) (*Keys, error) {
	path := filepath.Join(dir, KeyFile)
	f, err := os.OpenFile(path, os.O_RDONLY|syscallNoFollow, 0)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("vault: %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("vault: %s has mode %#o: group or others can access the sender's private key; run `chmod 600 %s` (and consider the key compromised if others could read it)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("vault: reading %s: %w", path, err)
	}
	k, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("vault: %s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreate loads the keys in dir, or creates them if dir/sender.key does
// not exist (created is then true). When the key exists but sender.pub is
// missing it rewrites sender.pub; when sender.pub disagrees with the key it
// returns an error rather than let the web tier seal to the wrong key.
func LoadOrCreate(dir string) (k *Keys, created bool, err error) {
	k, err = Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		k, err = Create(dir)
		if err == nil {
			return k, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, false, err
		}
		// Lost a race with another creator: load what it wrote. If the
		// key is still missing, a stray sender.pub blocks creation.
		cerr := err
		k, err = Load(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, cerr
		}
	}
	if err != nil {
		return nil, false, err
	}
	pub, perr := phone.LoadPublicKey(filepath.Join(dir, PublicFile))
	switch {
	case errors.Is(perr, fs.ErrNotExist):
		if err := writePublic(dir, k); err != nil {
			return nil, false, err
		}
	case perr != nil:
		return nil, false, fmt.Errorf("vault: %w", perr)
	case pub != k.Public():
		return nil, false, fmt.Errorf("vault: %s does not match %s", filepath.Join(dir, PublicFile), filepath.Join(dir, KeyFile))
	}
	return k, false, nil
}

// MAC returns HMAC-SHA256 under the sender's key over a domain and parts,
// each length-prefixed, so that rows the sender writes (ledger rows, queued
// texts) can be told from rows written by anyone else.
func (k *Keys) MAC(domain string, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, k.mac[:])
	m.Write([]byte("tocsin/mac/v1\x00" + domain + "\x00"))
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		m.Write(n[:])
		m.Write(p)
	}
	return m.Sum(nil)
}
