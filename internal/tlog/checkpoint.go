package tlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is a tree head of the log: its origin (the log's unique name,
// a schema-less URL such as "tocsin.example.org/log"), the number of leaves,
// and the RFC 6962 root hash of those leaves.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   [32]byte
}

// Text returns the checkpoint's note text in the C2SP tlog-checkpoint format:
//
//	<origin>\n<decimal size>\n<base64 root>\n
//
// with no extension lines. Text does not validate the origin; [Sign] does.
func (c Checkpoint) Text() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root[:]))
	b.WriteByte('\n')
	return b.Bytes()
}

// validOrigin reports an error unless origin is usable as a checkpoint
// origin: non-empty UTF-8 with no control characters, Unicode spaces or "+"
// (the rules for a note key name, so that the origin can name the key).
func validOrigin(origin string) error {
	switch {
	case origin == "":
		return errors.New("tlog: empty checkpoint origin")
	case !utf8.ValidString(origin):
		return errors.New("tlog: checkpoint origin is not valid UTF-8")
	case strings.IndexFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("tlog: checkpoint origin %q contains a space or control character", origin)
	case strings.Contains(origin, "+"):
		return fmt.Errorf("tlog: checkpoint origin %q contains '+'", origin)
	}
	return nil
}

// ParseCheckpoint parses a C2SP tlog-checkpoint note text, as returned by
// [Checkpoint.Text]. It is strict: the size must be canonical decimal (no
// sign, no leading zeros), the root canonical padded base64 of exactly 32
// bytes, every line newline-terminated, and there must be no extension lines
// (tocsin's log never writes them, and silently dropping signed lines would
// hide what a signer said). For any text it accepts, Text returns the same
// bytes.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return Checkpoint{}, errors.New("tlog: checkpoint text does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint has %d lines, want 3", len(lines))
	}
	if len(lines) > 3 {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint has %d extension lines; none are accepted", len(lines)-3)
	}
	origin, sizeText, rootText := lines[0], lines[1], lines[2]
	if err := validOrigin(origin); err != nil {
		return Checkpoint{}, err
	}
	size, err := strconv.ParseUint(sizeText, 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != sizeText {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint size %q is not a canonical decimal number", sizeText)
	}
	root, err := base64.StdEncoding.Strict().DecodeString(rootText)
	if err != nil || len(root) != HashSize || base64.StdEncoding.EncodeToString(root) != rootText {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint root %q is not canonical base64 of %d bytes", rootText, HashSize)
	}
	return Checkpoint{Origin: origin, Size: size, Root: to32(root)}, nil
}

// NewSigner generates a new Ed25519 note key pair named name (by convention
// the log's origin, and subject to the same rules: no spaces, no "+"). skey is the secret signer key, which belongs to the
// sender role only; vkey is the public verifier key that clients pin.
func NewSigner(name string) (skey, vkey string, err error) {
	// note.GenerateKey does not check the name, and note.NewSigner then
	// rejects the key it made, so check here.
	if err := validOrigin(name); err != nil {
		return "", "", fmt.Errorf("tlog: key name: %w", err)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("tlog: generating key %q: %w", name, err)
	}
	return skey, vkey, nil
}

// Sign returns c as a signed note: its [Checkpoint.Text], a blank line, and
// a signature line from signerKey.
//
// Sign signs whatever it is given. The caller must only sign a checkpoint
// that extends the previous one it signed (see the package documentation).
func Sign(c Checkpoint, signerKey string) ([]byte, error) {
	if err := validOrigin(c.Origin); err != nil {
		return nil, err
	}
	s, err := note.NewSigner(signerKey)
	if err != nil {
		return nil, fmt.Errorf("tlog: signer key: %w", err)
	}
	signed, err := note.Sign(&note.Note{Text: string(c.Text())}, s)
	if err != nil {
		return nil, fmt.Errorf("tlog: signing checkpoint: %w", err)
	}
	return signed, nil
}

// Open verifies a signed checkpoint with verifierKey and returns it. It
// fails unless the note carries a valid signature by that key, its text is a
// well-formed checkpoint (see [ParseCheckpoint]), and its origin is origin.
// Signatures by other keys (such as witness cosignatures) are allowed and
// ignored.
func Open(signed []byte, verifierKey string, origin string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: opening checkpoint: %w", err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint origin %q, want %q", c.Origin, origin)
	}
	return c, nil
}

// VerifierOf returns the public verifier key of a signer key made by
// [NewSigner]: a process holding the signer key can check checkpoints that
// another process signed with the same key (a sender taking over the log).
func VerifierOf(signerKey string) (string, error) {
	// The signer key is "PRIVATE+KEY+name+hash+base64(alg || seed)" and
	// the verifier "name+hash+base64(alg || public key)" (x/mod/sumdb/note).
	parts := strings.SplitN(signerKey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("tlog: not a signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("tlog: not an Ed25519 signer key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey := parts[2] + "+" + parts[3] + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, pub...))
	if _, err := note.NewVerifier(vkey); err != nil { // checks the key hash too
		return "", fmt.Errorf("tlog: signer key: %w", err)
	}
	return vkey, nil
}

// CheckVerifier reports an error unless verifierKey is a note verifier key
// (the contents of log.pub) that [Open] can use.
func CheckVerifier(verifierKey string) error {
	if _, err := note.NewVerifier(verifierKey); err != nil {
		return fmt.Errorf("tlog: verifier key: %w", err)
	}
	return nil
}
