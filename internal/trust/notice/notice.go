// Package notice is the trust core's public incident notice (FORMAT.md):
// the statement operators sign, its encoding, digest and strict decoding.
// Signing it and counting its approvals against the roster are in package
// trust, which names these types as its own.
package notice

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrInvalid is wrapped by every error about a notice statement that
// cannot be encoded or decoded.
var ErrInvalid = errors.New("invalid notice statement")

// Header is the first line of an encoded notice statement. No other
// format shares it, so a notice can never be read as an alert, nor an alert
// as a notice.
const Header = "tocsin notice statement v1"

// Notice limits.
const (
	MaxTitleBytes  = 600                 // per language, one line
	MaxBodyBytes   = 16000               // per language
	MaxValidity    = 90 * 24 * time.Hour // valid-until − valid-from
	maxOriginBytes = 255
)

// Statement is a public incident notice exactly as it is shown: the
// title and body in each language, the window in which it heads the home
// page, and the origin (the name of the transparency log it is published
// in). Operators sign its digest; the sender appends it to the log only
// with enough signatures, and the web tier shows only what is in the log.
type Statement struct {
	ID         string    // random nonce id, [a-z0-9]{8,64}
	Origin     string    // the log's origin (its checkpoints' first line), e.g. "tocsin-log"
	CreatedAt  time.Time // UTC, second precision
	ValidFrom  time.Time // not before CreatedAt
	ValidUntil time.Time // after ValidFrom, at most MaxValidity later
	// Replaces is the id of the notice this one is a new version of (""
	// for a new notice): once this one is published, that one is no
	// longer shown. Withdraws is the id of the notice this one takes down:
	// its title and body say why, and it heads no home page. At most one
	// of the two is set; each needs the same signatures as any notice, so
	// no one operator can change or take down a published notice.
	Replaces  string
	Withdraws string
	Titles    map[string]string // "en" (required), "es" (optional): one line each
	Bodies    map[string]string // "en" (required), "es" (optional)
}

func noticeErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func (s *Statement) normalized() (*Statement, error) {
	if s == nil {
		return nil, noticeErr("no notice")
	}
	n := *s
	if !canon.ValidID(n.ID) {
		return nil, noticeErr("notice id %q must be %d to %d characters a-z 0-9", canon.Clip(n.ID), canon.MinIDLen, canon.MaxIDLen)
	}
	if err := checkOrigin(n.Origin); err != nil {
		return nil, err
	}
	n.CreatedAt, n.ValidFrom, n.ValidUntil = canon.NormTime(n.CreatedAt), canon.NormTime(n.ValidFrom), canon.NormTime(n.ValidUntil)
	for _, f := range []struct {
		what string
		t    time.Time
	}{{"created time", n.CreatedAt}, {"valid-from time", n.ValidFrom}, {"valid-until time", n.ValidUntil}} {
		if err := canon.CheckTime(f.what, f.t); err != nil {
			return nil, noticeErr("%v", err)
		}
	}
	switch w := n.ValidUntil.Sub(n.ValidFrom); {
	case n.ValidFrom.Before(n.CreatedAt):
		return nil, noticeErr("valid-from %s is before the creation time %s", canon.FmtTime(n.ValidFrom), canon.FmtTime(n.CreatedAt))
	case w <= 0:
		return nil, noticeErr("valid-until %s is not after valid-from %s", canon.FmtTime(n.ValidUntil), canon.FmtTime(n.ValidFrom))
	case w > MaxValidity:
		return nil, noticeErr("valid for %s, more than %s", w, MaxValidity)
	}
	for _, f := range []struct{ what, id string }{{"replaces", n.Replaces}, {"withdraws", n.Withdraws}} {
		switch {
		case f.id == "":
		case !canon.ValidID(f.id):
			return nil, noticeErr("%s: notice id %q must be %d to %d characters a-z 0-9", f.what, canon.Clip(f.id), canon.MinIDLen, canon.MaxIDLen)
		case f.id == n.ID:
			return nil, noticeErr("a notice cannot name itself in %s", f.what)
		}
	}
	if n.Replaces != "" && n.Withdraws != "" {
		return nil, noticeErr("a notice either replaces or withdraws another, not both")
	}
	var err error
	if n.Titles, err = noticeTexts("title", n.Titles, MaxTitleBytes, true); err != nil {
		return nil, err
	}
	if n.Bodies, err = noticeTexts("body", n.Bodies, MaxBodyBytes, false); err != nil {
		return nil, err
	}
	return &n, nil
}

// noticeTexts checks the texts of one field: English required, only en and
// es, each within the character rules of alert texts; empty ones dropped.
func noticeTexts(what string, in map[string]string, maxBytes int, oneLine bool) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for lang, t := range in {
		if !canon.IsLang(lang) {
			return nil, noticeErr("language %q is not supported (en, es)", canon.Clip(lang))
		}
		if t == "" {
			continue
		}
		if err := canon.CheckText("the "+lang+" "+what, t, maxBytes); err != nil {
			return nil, noticeErr("%v", err)
		}
		if oneLine && strings.Contains(t, "\n") {
			return nil, noticeErr("the %s %s is more than one line", lang, what)
		}
		out[lang] = t
	}
	if out["en"] == "" {
		return nil, noticeErr("the English %s is missing", what)
	}
	return out, nil
}

// checkOrigin: 1–255 bytes of printable ASCII without a space or '+' (a
// checkpoint origin tocsin can sign).
func checkOrigin(o string) error {
	if o == "" || len(o) > maxOriginBytes {
		return noticeErr("the origin must be 1 to %d bytes", maxOriginBytes)
	}
	for i := 0; i < len(o); i++ {
		if c := o[i]; c <= 0x20 || c >= 0x7f || c == '+' {
			return noticeErr("the origin %q must be printable ASCII without a space or '+'", canon.Clip(o))
		}
	}
	return nil
}

// Encode returns the canonical encoding of s (see FORMAT.md). It fails,
// wrapping ErrInvalid, when a field is invalid. s is not modified.
func (s *Statement) Encode() ([]byte, error) {
	n, err := s.normalized()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nid %s\norigin %s\ncreated %s\nvalid-from %s\nvalid-until %s\n",
		Header, n.ID, n.Origin, canon.FmtTime(n.CreatedAt), canon.FmtTime(n.ValidFrom), canon.FmtTime(n.ValidUntil))
	if n.Replaces != "" {
		fmt.Fprintf(&b, "replaces %s\n", n.Replaces)
	}
	if n.Withdraws != "" {
		fmt.Fprintf(&b, "withdraws %s\n", n.Withdraws)
	}
	for _, lang := range canon.Langs() {
		for _, f := range []struct {
			key string
			m   map[string]string
		}{{"title", n.Titles}, {"body", n.Bodies}} {
			if t, ok := f.m[lang]; ok {
				fmt.Fprintf(&b, "%s %s %d\n%s\n", f.key, lang, len(t), t)
			}
		}
	}
	b.WriteString("end\n")
	return b.Bytes(), nil
}

// Digest returns the SHA-256 of the canonical encoding, or zero when s does
// not encode.
func (s *Statement) Digest() [32]byte { return canon.Digest(s) }

// IsNotice reports whether b starts like a notice statement (a log entry's
// kind, before it is decoded).
func IsNotice(b []byte) bool { return bytes.HasPrefix(b, []byte(Header+"\n")) }

// Decode parses a canonical notice statement, strictly.
func Decode(b []byte) (*Statement, error) {
	s, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if ok, err := canon.Reencodes(s, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, noticeErr("not in canonical form")
	}
	return s, nil
}

func decode(b []byte) (*Statement, error) {
	r := canon.NewReader(b)
	if err := r.Exact(Header); err != nil {
		return nil, err
	}
	s := &Statement{Titles: map[string]string{}, Bodies: map[string]string{}}
	var err error
	for _, f := range []struct {
		key string
		v   *string
	}{{"id", &s.ID}, {"origin", &s.Origin}} {
		if *f.v, err = r.Field(f.key); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		key string
		t   *time.Time
	}{{"created", &s.CreatedAt}, {"valid-from", &s.ValidFrom}, {"valid-until", &s.ValidUntil}} {
		v, err := r.Field(f.key)
		if err != nil {
			return nil, err
		}
		if *f.t, err = canon.ParseTime(f.key, v); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		key string
		v   *string
	}{{"replaces", &s.Replaces}, {"withdraws", &s.Withdraws}} {
		if strings.HasPrefix(r.Peek(), f.key+" ") {
			if *f.v, err = r.Field(f.key); err != nil {
				return nil, err
			}
		}
	}
	for r.Peek() != "end" {
		key, rest, _ := strings.Cut(r.Peek(), " ")
		m, limit := s.Titles, MaxTitleBytes
		switch key {
		case "title":
		case "body":
			m, limit = s.Bodies, MaxBodyBytes
		default:
			_, err := r.Next()
			if err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("line %d: want a title, body or end line", r.Line())
		}
		lang, n, _ := strings.Cut(rest, " ")
		if _, err := r.Next(); err != nil {
			return nil, err
		}
		if _, dup := m[lang]; dup || !canon.IsLang(lang) {
			return nil, fmt.Errorf("line %d: %s in language %q repeated or not supported", r.Line(), key, canon.Clip(lang))
		}
		size, err := canon.ParseInt(key+" length", n, 1, int64(limit))
		if err != nil {
			return nil, err
		}
		t, err := r.Raw(int(size))
		if err != nil {
			return nil, err
		}
		m[lang] = string(t)
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return s, nil
}

// Describe renders s for a person about to sign it (`tocsin notice show`).
func (s *Statement) Describe() string {
	n, err := s.normalized()
	if err != nil {
		return "INVALID NOTICE — do not approve: " + err.Error() + "\n"
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("Notice %s — a public statement in the service's name, in the log %s\n", n.ID, n.Origin)
	p("Created:     %s\n", canon.FmtTime(n.CreatedAt))
	switch {
	case n.Withdraws != "":
		p("WITHDRAWS notice %s: once published, that notice is no longer shown; the text below says why\n", n.Withdraws)
		p("Signatures accepted until %s\n", canon.FmtTime(n.ValidUntil))
	case n.Replaces != "":
		p("REPLACES notice %s: once published, this new version is shown instead\n", n.Replaces)
		fallthrough
	default:
		p("Heads the home page from %s until %s (%s)\n", canon.FmtTime(n.ValidFrom), canon.FmtTime(n.ValidUntil), n.ValidUntil.Sub(n.ValidFrom))
	}
	for _, lang := range canon.Langs() {
		if t, ok := n.Titles[lang]; ok {
			p("Title (%s): | %s\n", lang, t)
		}
		if t, ok := n.Bodies[lang]; ok {
			p("Text (%s), one line after each \"| \":\n", lang)
			for l := range strings.SplitSeq(t, "\n") {
				p("  | %s\n", l)
			}
		}
	}
	d := n.Digest()
	p("Digest:      %s\n", hex.EncodeToString(d[:]))
	p("Signing publishes exactly this text, in the transparency log, in the service's name.\n")
	return b.String()
}
