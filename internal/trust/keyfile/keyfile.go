// Package keyfile holds an operator's signing key at rest: an Ed25519 key
// sealed with a passphrase (argon2id + secretbox) in a JSON file, created
// (New) and opened (Open) on the operator's own device, never on the
// server. PublicKeyOf reads the public key of a file without its
// passphrase, for init and roster proposals.
//
// It is part of the trust core's family and imports only the domain's trust
// types and golang.org/x/crypto. It must never write a passphrase or a
// private key anywhere, nor open a file a passphrase did not seal: the
// name and public key in the clear are checked against the sealed part.
package keyfile

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/trust/internal/canon"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/nacl/secretbox"
)

// Key file errors.
var (
	// ErrKeyFile is wrapped by errors about a malformed key file.
	ErrKeyFile = errors.New("bad operator key file")
	// ErrBadPassphrase means the passphrase does not open the key file (or
	// the sealed part of the file was altered: the two cannot be told apart).
	ErrBadPassphrase = errors.New("wrong passphrase or damaged key file")
	// ErrWeakPassphrase means a passphrase too short to protect a key.
	ErrWeakPassphrase = errors.New("passphrase too short")
)

// Key file format constants.
const (
	KeyFileFormat     = "tocsin-operator-key"
	KeyFileVersion    = 1
	MinPassphraseLen  = 8
	keyFileKDF        = "argon2id"
	argonTime         = 3
	argonMemoryKiB    = 64 * 1024
	argonThreads      = 4
	maxArgonTime      = 16
	maxArgonMemoryKiB = 1024 * 1024
	minArgonMemoryKiB = 8 * 1024
	maxArgonThreads   = 16
	saltLen           = 16
)

// KDFParams are the argon2id parameters of a key file.
type KDFParams struct {
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// keyFile is the JSON form of an operator key file. The box seals the
// 32-byte Ed25519 seed followed by the name, so that the name and public key
// in the clear cannot be swapped without detection when the file is opened.
type keyFile struct {
	Format    string      `json:"format"`
	Version   int         `json:"version"`
	Name      string      `json:"name"`
	PublicKey []byte      `json:"public_key"` // base64 (standard, padded)
	KeyID     trust.KeyID `json:"key_id"`
	KDF       string      `json:"kdf"`
	KDFParams KDFParams   `json:"kdf_params"`
	Salt      []byte      `json:"salt"`
	Nonce     []byte      `json:"nonce"`
	Box       []byte      `json:"box"`
}

// New creates a new Ed25519 operator key and returns it as a key file
// sealed with passphrase, and its public key. It runs on the operator's
// device; the server never sees the file or the passphrase. The passphrase
// must be at least MinPassphraseLen bytes.
func New(name string, passphrase []byte) (data []byte, pub ed25519.PublicKey, err error) {
	if !canon.ValidName(name) {
		return nil, nil, fmt.Errorf("%w: name %q must be 1 to 64 characters A-Z a-z 0-9 . _ - @ +", ErrKeyFile, canon.Clip(name))
	}
	if len(passphrase) < MinPassphraseLen {
		return nil, nil, fmt.Errorf("%w: at least %d bytes, got %d", ErrWeakPassphrase, MinPassphraseLen, len(passphrase))
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	kf := keyFile{
		Format:    KeyFileFormat,
		Version:   KeyFileVersion,
		Name:      name,
		PublicKey: pub,
		KeyID:     trust.KeyIDOf(pub),
		KDF:       keyFileKDF,
		KDFParams: KDFParams{Time: argonTime, MemoryKiB: argonMemoryKiB, Threads: argonThreads},
		Salt:      make([]byte, saltLen),
		Nonce:     make([]byte, 24),
	}
	rand.Read(kf.Salt)
	rand.Read(kf.Nonce)
	key := deriveKey(passphrase, kf.Salt, kf.KDFParams)
	plain := append(bytes.Clone(priv.Seed()), name...)
	kf.Box = secretbox.Seal(nil, plain, (*[24]byte)(kf.Nonce), key)
	clear(plain)
	clear(key[:])
	clear(priv)
	data, err = json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return append(data, '\n'), pub, nil
}

func deriveKey(passphrase, salt []byte, p KDFParams) *[32]byte {
	var k [32]byte
	copy(k[:], argon2.IDKey(passphrase, salt, p.Time, p.MemoryKiB, p.Threads, 32))
	return &k
}

// parseKeyFile checks everything in the clear.
func parseKeyFile(data []byte) (*keyFile, error) {
	var kf keyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	p := kf.KDFParams
	switch {
	case kf.Format != KeyFileFormat:
		return nil, fmt.Errorf("%w: format %q, want %q", ErrKeyFile, canon.Clip(kf.Format), KeyFileFormat)
	case kf.Version != KeyFileVersion:
		return nil, fmt.Errorf("%w: version %d is not supported", ErrKeyFile, kf.Version)
	case !canon.ValidName(kf.Name):
		return nil, fmt.Errorf("%w: bad name %q", ErrKeyFile, canon.Clip(kf.Name))
	case len(kf.PublicKey) != ed25519.PublicKeySize:
		return nil, fmt.Errorf("%w: the public key is not 32 bytes", ErrKeyFile)
	case kf.KeyID != "" && kf.KeyID != trust.KeyIDOf(kf.PublicKey):
		return nil, fmt.Errorf("%w: key id does not match the public key", ErrKeyFile)
	case kf.KDF != keyFileKDF:
		return nil, fmt.Errorf("%w: kdf %q, want %q", ErrKeyFile, canon.Clip(kf.KDF), keyFileKDF)
	case p.Time < 1 || p.Time > maxArgonTime || p.MemoryKiB < minArgonMemoryKiB || p.MemoryKiB > maxArgonMemoryKiB ||
		p.Threads < 1 || p.Threads > maxArgonThreads:
		return nil, fmt.Errorf("%w: kdf parameters out of range", ErrKeyFile)
	case len(kf.Salt) < saltLen:
		return nil, fmt.Errorf("%w: salt shorter than %d bytes", ErrKeyFile, saltLen)
	case len(kf.Nonce) != 24:
		return nil, fmt.Errorf("%w: nonce is not 24 bytes", ErrKeyFile)
	case len(kf.Box) != secretbox.Overhead+ed25519.SeedSize+len(kf.Name):
		return nil, fmt.Errorf("%w: sealed key has the wrong length", ErrKeyFile)
	}
	return &kf, nil
}

// Open opens a key file with passphrase and returns the operator's
// name and private key. A wrong passphrase, or any change to the sealed
// key, gives ErrBadPassphrase; a public key or name in the clear that does
// not match the sealed key gives ErrKeyFile.
func Open(data, passphrase []byte) (name string, priv ed25519.PrivateKey, err error) {
	kf, err := parseKeyFile(data)
	if err != nil {
		return "", nil, err
	}
	key := deriveKey(passphrase, kf.Salt, kf.KDFParams)
	defer clear(key[:])
	plain, ok := secretbox.Open(nil, kf.Box, (*[24]byte)(kf.Nonce), key)
	if !ok {
		return "", nil, ErrBadPassphrase
	}
	defer clear(plain)
	priv = ed25519.NewKeyFromSeed(plain[:ed25519.SeedSize])
	if string(plain[ed25519.SeedSize:]) != kf.Name {
		clear(priv)
		return "", nil, fmt.Errorf("%w: the name in the clear does not match the sealed name", ErrKeyFile)
	}
	if subtle.ConstantTimeCompare(priv.Public().(ed25519.PublicKey), kf.PublicKey) != 1 {
		clear(priv)
		return "", nil, fmt.Errorf("%w: the public key in the clear does not match the sealed key", ErrKeyFile)
	}
	return kf.Name, priv, nil
}

// PublicKeyOf returns the name and public key of a key file without the
// passphrase (for enrolling the key in a roster). They are not authenticated
// until the file is opened.
func PublicKeyOf(data []byte) (name string, pub ed25519.PublicKey, err error) {
	kf, err := parseKeyFile(data)
	if err != nil {
		return "", nil, err
	}
	return kf.Name, ed25519.PublicKey(kf.PublicKey), nil
}
