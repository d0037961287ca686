// Package canon holds the pieces every canonical encoding of the trust core
// is made of (FORMAT.md): the line reader its decoders share, canonical
// integers, times and yes/no, the checks on texts a person reviews and on
// names, and the digest of a record and the re-encoding test that makes
// one record have one encoding.
//
// It is internal to internal/trust: only the trust core and its parts
// encode and decode signed records, so no other package can decode one
// with these pieces and hand it on as if trust had. It decides nothing
// about signatures, rosters or policy.
package canon

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timeLayout is RFC 3339 in UTC with second precision and a literal 'Z'.
const timeLayout = "2006-01-02T15:04:05Z"

// Bounds on timestamps: four-digit years only, so the width is fixed.
const (
	minYear = 1970
	maxYear = 9999
)

// NormTime returns t in UTC truncated to the second.
func NormTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// CheckTime reports whether t (already normalised) can be encoded.
func CheckTime(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%s is missing", what)
	}
	if y := t.Year(); y < minYear || y > maxYear {
		return fmt.Errorf("%s %s is out of range (years %d to %d)", what, t.Format(time.RFC3339), minYear, maxYear)
	}
	return nil
}

func FmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Reader reads the line-oriented canonical encodings. It is strict about
// line endings (LF only) but leaves other canonicality checks to the
// re-encode comparison done by every decoder.
type Reader struct {
	b    []byte
	pos  int
	line int
}

// NewReader reads the encoding b, from its first line.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Line is the number of the last line read (0 before the first).
func (r *Reader) Line() int { return r.line }

// Next returns the next line without its LF.
func (r *Reader) Next() (string, error) {
	if r.pos >= len(r.b) {
		return "", fmt.Errorf("line %d: unexpected end of input", r.line+1)
	}
	i := bytes.IndexByte(r.b[r.pos:], '\n')
	if i < 0 {
		return "", fmt.Errorf("line %d: missing final newline", r.line+1)
	}
	s := string(r.b[r.pos : r.pos+i])
	r.pos += i + 1
	r.line++
	if strings.IndexByte(s, '\r') >= 0 {
		return "", fmt.Errorf("line %d: carriage return (lines end with LF only)", r.line)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("line %d: not valid UTF-8", r.line)
	}
	return s, nil
}

// Peek returns the next line without consuming it ("" at the end).
func (r *Reader) Peek() string {
	if r.pos >= len(r.b) {
		return ""
	}
	rest := r.b[r.pos:]
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		return string(rest[:i])
	}
	return string(rest)
}

// Exact reads a line that must equal want.
func (r *Reader) Exact(want string) error {
	s, err := r.Next()
	if err != nil {
		return err
	}
	if s != want {
		return fmt.Errorf("line %d: want %q, got %q", r.line, want, Clip(s))
	}
	return nil
}

// Field reads a line "key value" and returns value.
func (r *Reader) Field(key string) (string, error) {
	s, err := r.Next()
	if err != nil {
		return "", err
	}
	v, ok := strings.CutPrefix(s, key+" ")
	if !ok {
		return "", fmt.Errorf("line %d: want %q line, got %q", r.line, key, Clip(s))
	}
	return v, nil
}

// Raw reads exactly n bytes followed by an LF.
func (r *Reader) Raw(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.pos-1 {
		return nil, fmt.Errorf("line %d: %d bytes announced, fewer present", r.line+1, n)
	}
	out := r.b[r.pos : r.pos+n]
	if r.b[r.pos+n] != '\n' {
		return nil, fmt.Errorf("line %d: %d bytes announced, not followed by a newline", r.line+1, n)
	}
	r.line += bytes.Count(out, []byte{'\n'}) + 1
	r.pos += n + 1
	return bytes.Clone(out), nil
}

// End reads the final "end" line and checks that nothing follows it.
func (r *Reader) End() error {
	if err := r.Exact("end"); err != nil {
		return err
	}
	if r.pos != len(r.b) {
		return fmt.Errorf("%d bytes of trailing data after \"end\"", len(r.b)-r.pos)
	}
	return nil
}

// ParseInt parses a canonical decimal integer (no sign for positives, no
// leading zeros) within [lo, hi].
func ParseInt(what, s string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		return 0, fmt.Errorf("%s %q is not a canonical decimal integer", what, Clip(s))
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%s %d is out of range [%d, %d]", what, n, lo, hi)
	}
	return n, nil
}

func ParseTime(what, s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil || FmtTime(t) != s {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 UTC time with second precision", what, Clip(s))
	}
	return t, CheckTime(what, t)
}

func ParseYesNo(what, s string) (bool, error) {
	switch s {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, fmt.Errorf("%s must be yes or no, got %q", what, Clip(s))
}

func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Clip shortens s for an error message and quotes nothing itself.
func Clip(s string) string {
	const maxLen = 40
	if len(s) <= maxLen {
		return s
	}
	i := maxLen
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// CheckText refuses what must not appear in a text a person reviews and a
// phone displays: invalid UTF-8, NUL and other C0 controls except LF, DEL,
// C1 controls, and the bidirectional embedding, override and isolate
// controls that can make a terminal show something other than the bytes.
func CheckText(what, s string, maxBytes int) error {
	if len(s) > maxBytes {
		return fmt.Errorf("%s is %d bytes, more than %d", what, len(s), maxBytes)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8", what)
	}
	for i, c := range s {
		switch {
		case c == 0:
			return fmt.Errorf("%s contains NUL at byte %d", what, i)
		case c == '\n':
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f):
			return fmt.Errorf("%s contains control character U+%04X at byte %d", what, c, i)
		case (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069):
			return fmt.Errorf("%s contains bidirectional control U+%04X at byte %d", what, c, i)
		}
	}
	return nil
}

// ValidName reports whether s is a member or key-file name:
// 1 to 64 characters from A-Z a-z 0-9 . _ - @ +.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == '-', c == '@', c == '+':
		default:
			return false
		}
	}
	return true
}
