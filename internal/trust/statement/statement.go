// Package statement is the canonical alert statement of the trust core
// (FORMAT.md): what an alert sends, to whom and when, its encoding, digest
// and strict decoding. Whether a statement may be sent (approvals, the
// roster, the policy) is decided in package trust, which names these types
// as its own.
package statement

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

// ErrInvalid is wrapped by every error about a statement that
// cannot be encoded or decoded.
var ErrInvalid = errors.New("invalid alert statement")

// Header is the first line of every encoded statement; it names the
// format and its version and separates the domain of statement digests
// from every other digest tocsin signs.
const Header = "tocsin alert statement v1"

// Statement limits. They bound what a decoder accepts; the policy in the
// roster and the composer apply tighter ones.
const (
	MaxTextBytes     = 1600        // per language
	MaxZIPs          = 1000        // ZIP codes in one statement
	MaxCells         = 10000       // S2 cells in one statement
	MaxAudience      = 100_000_000 // largest MaxRecipients
	MinCircleRadiusM = 100         // as tocsin.MinRadiusM
	MaxCircleRadiusM = 50_000      // as tocsin.MaxRadiusM
	maxLatE6         = 90_000_000  // micro-degrees
	maxLonE6         = 180_000_000 // micro-degrees
)

// Circle is a target circle in integer micro-degrees and metres, so that its
// encoding is exact.
type Circle struct {
	LatE6   int64 // latitude × 10^6, in [-90000000, 90000000]
	LonE6   int64 // longitude × 10^6, in [-180000000, 180000000]
	RadiusM int64 // in [MinCircleRadiusM, MaxCircleRadiusM]
}

// Statement is exactly what an alert sends, to whom and when. Operators sign
// its Digest; the sender sends only the texts of a statement whose digest
// carries enough valid approvals, only to the area it names, only within its
// validity window, and to at most MaxRecipients subscribers.
type Statement struct {
	AlertID       string            // random nonce id, [a-z0-9]{8,64}
	CreatedAt     time.Time         // UTC, second precision
	ValidFrom     time.Time         // not before CreatedAt
	ValidUntil    time.Time         // after ValidFrom
	Texts         map[string]string // language tag ("en", "es") → exact SMS body as sent (reference code included)
	ZIPs          []string          // target ZIP codes (sorted, deduplicated on encode)
	Circle        *Circle           // optional target circle
	Cells         []uint64          // S2 cell covering of the target area as computed by the composer (sorted, deduplicated on encode)
	MaxRecipients int               // audience bound: the sender refuses if it resolves more
	Confirmed     bool              // verified by a person on the ground
	AllClear      bool              // a follow-up that the danger has passed
}

// NewAlertID returns a fresh random alert id: 26 characters of lower-case
// base32 (130 bits), which satisfies the statement's id syntax.
func NewAlertID() string { return strings.ToLower(rand.Text()) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Normalized returns a copy of s with times in UTC at second precision and
// ZIPs and cells sorted and deduplicated, after checking every field.
func (s *Statement) Normalized() (*Statement, error) {
	if s == nil {
		return nil, invalid("no statement")
	}
	n := *s
	if !canon.ValidID(n.AlertID) {
		return nil, invalid("alert id %q must be %d to %d characters a-z 0-9", canon.Clip(n.AlertID), canon.MinIDLen, canon.MaxIDLen)
	}
	n.CreatedAt, n.ValidFrom, n.ValidUntil = canon.NormTime(n.CreatedAt), canon.NormTime(n.ValidFrom), canon.NormTime(n.ValidUntil)
	for _, f := range []struct {
		what string
		t    time.Time
	}{{"created time", n.CreatedAt}, {"valid-from time", n.ValidFrom}, {"valid-until time", n.ValidUntil}} {
		if err := canon.CheckTime(f.what, f.t); err != nil {
			return nil, invalid("%v", err)
		}
	}
	if n.ValidFrom.Before(n.CreatedAt) {
		return nil, invalid("valid-from %s is before the creation time %s", canon.FmtTime(n.ValidFrom), canon.FmtTime(n.CreatedAt))
	}
	if !n.ValidUntil.After(n.ValidFrom) {
		return nil, invalid("valid-until %s is not after valid-from %s", canon.FmtTime(n.ValidUntil), canon.FmtTime(n.ValidFrom))
	}
	if n.MaxRecipients < 1 || n.MaxRecipients > MaxAudience {
		return nil, invalid("max-recipients %d is out of range [1, %d]", n.MaxRecipients, MaxAudience)
	}

	n.ZIPs = slices.Clone(n.ZIPs)
	slices.Sort(n.ZIPs)
	n.ZIPs = slices.Compact(n.ZIPs)
	if len(n.ZIPs) > MaxZIPs {
		return nil, invalid("%d ZIP codes, more than %d", len(n.ZIPs), MaxZIPs)
	}
	for _, z := range n.ZIPs {
		if !validZIP(z) {
			return nil, invalid("%q is not a ZIP code (5 digits)", canon.Clip(z))
		}
	}
	if c := n.Circle; c != nil {
		switch {
		case c.LatE6 < -maxLatE6 || c.LatE6 > maxLatE6:
			return nil, invalid("circle latitude %s is out of range", fmtE6(c.LatE6))
		case c.LonE6 < -maxLonE6 || c.LonE6 > maxLonE6:
			return nil, invalid("circle longitude %s is out of range", fmtE6(c.LonE6))
		case c.RadiusM < MinCircleRadiusM || c.RadiusM > MaxCircleRadiusM:
			return nil, invalid("circle radius %d m is out of range [%d, %d]", c.RadiusM, MinCircleRadiusM, MaxCircleRadiusM)
		}
		cc := *c
		n.Circle = &cc
	}
	if len(n.ZIPs) == 0 && n.Circle == nil {
		return nil, invalid("no target area: give at least one ZIP code or a circle")
	}
	n.Cells = slices.Clone(n.Cells)
	slices.Sort(n.Cells)
	n.Cells = slices.Compact(n.Cells)
	if len(n.Cells) > MaxCells {
		return nil, invalid("%d cells, more than %d", len(n.Cells), MaxCells)
	}
	for _, c := range n.Cells {
		if !validCellID(c) {
			return nil, invalid("cell %016x is not a valid S2 cell id", c)
		}
	}

	if len(n.Texts) == 0 {
		return nil, invalid("no text: give the text in at least one language")
	}
	texts := make(map[string]string, len(n.Texts))
	for lang, t := range n.Texts {
		if !canon.IsLang(lang) {
			return nil, invalid("language %q is not supported (en, es)", canon.Clip(lang))
		}
		if t == "" {
			return nil, invalid("the %s text is empty", lang)
		}
		if err := canon.CheckText("the "+lang+" text", t, MaxTextBytes); err != nil {
			return nil, invalid("%v", err)
		}
		texts[lang] = t
	}
	n.Texts = texts
	return &n, nil
}

// Encode returns the canonical encoding of s (see FORMAT.md). Times are
// taken in UTC and truncated to the second; ZIPs and cells are sorted and
// deduplicated. It fails, wrapping ErrInvalid, when a field is
// invalid. s is not modified.
func (s *Statement) Encode() ([]byte, error) {
	n, err := s.Normalized()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, " "))
		b.WriteByte('\n')
	}
	line(Header)
	line("id", n.AlertID)
	line("created", canon.FmtTime(n.CreatedAt))
	line("valid-from", canon.FmtTime(n.ValidFrom))
	line("valid-until", canon.FmtTime(n.ValidUntil))
	line("max-recipients", strconv.Itoa(n.MaxRecipients))
	line("confirmed", canon.YesNo(n.Confirmed))
	line("all-clear", canon.YesNo(n.AllClear))
	for _, z := range n.ZIPs {
		line("zip", z)
	}
	if c := n.Circle; c != nil {
		line("circle", strconv.FormatInt(c.LatE6, 10), strconv.FormatInt(c.LonE6, 10), strconv.FormatInt(c.RadiusM, 10))
	}
	for _, c := range n.Cells {
		line("cell", fmt.Sprintf("%016x", c))
	}
	for _, lang := range canon.Langs() {
		t, ok := n.Texts[lang]
		if !ok {
			continue
		}
		line("text", lang, strconv.Itoa(len(t)))
		b.WriteString(t)
		b.WriteByte('\n')
	}
	line("end")
	return b.Bytes(), nil
}

// Digest returns the SHA-256 of the canonical encoding: the value operators
// sign. For a statement that cannot be encoded it returns the zero digest,
// which VerifyApproval never accepts.
func (s *Statement) Digest() [32]byte { return canon.Digest(s) }

// Decode parses a canonical encoding. It is strict: anything that
// does not re-encode to exactly the same bytes (other spacing, CRLF, unsorted
// or repeated ZIPs or cells, non-canonical numbers, a missing "end", trailing
// data) is refused with an error wrapping ErrInvalid.
func Decode(b []byte) (*Statement, error) {
	s, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if ok, err := canon.Reencodes(s, b); err != nil {
		return nil, err
	} else if !ok {
		return nil, invalid("not in canonical form (it does not re-encode to the same bytes)")
	}
	return s, nil
}

func decode(b []byte) (*Statement, error) {
	r := canon.NewReader(b)
	if err := r.Exact(Header); err != nil {
		return nil, err
	}
	s := &Statement{}
	var err error
	if s.AlertID, err = r.Field("id"); err != nil {
		return nil, err
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
	v, err := r.Field("max-recipients")
	if err != nil {
		return nil, err
	}
	n, err := canon.ParseInt("max-recipients", v, 1, MaxAudience)
	if err != nil {
		return nil, err
	}
	s.MaxRecipients = int(n)
	for _, f := range []struct {
		key string
		b   *bool
	}{{"confirmed", &s.Confirmed}, {"all-clear", &s.AllClear}} {
		v, err := r.Field(f.key)
		if err != nil {
			return nil, err
		}
		if *f.b, err = canon.ParseYesNo(f.key, v); err != nil {
			return nil, err
		}
	}
	for strings.HasPrefix(r.Peek(), "zip ") {
		if len(s.ZIPs) >= MaxZIPs {
			return nil, fmt.Errorf("more than %d ZIP codes", MaxZIPs)
		}
		v, _ := r.Field("zip")
		s.ZIPs = append(s.ZIPs, v)
	}
	if strings.HasPrefix(r.Peek(), "circle ") {
		v, _ := r.Field("circle")
		parts := strings.Split(v, " ")
		if len(parts) != 3 {
			return nil, fmt.Errorf("line %d: circle wants 3 numbers", r.Line())
		}
		var c Circle
		if c.LatE6, err = canon.ParseInt("circle latitude", parts[0], -maxLatE6, maxLatE6); err != nil {
			return nil, err
		}
		if c.LonE6, err = canon.ParseInt("circle longitude", parts[1], -maxLonE6, maxLonE6); err != nil {
			return nil, err
		}
		if c.RadiusM, err = canon.ParseInt("circle radius", parts[2], MinCircleRadiusM, MaxCircleRadiusM); err != nil {
			return nil, err
		}
		s.Circle = &c
	}
	for strings.HasPrefix(r.Peek(), "cell ") {
		if len(s.Cells) >= MaxCells {
			return nil, fmt.Errorf("more than %d cells", MaxCells)
		}
		v, _ := r.Field("cell")
		if len(v) != 16 {
			return nil, fmt.Errorf("line %d: a cell is 16 lower-case hex digits", r.Line())
		}
		c, err := strconv.ParseUint(v, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: a cell is 16 lower-case hex digits", r.Line())
		}
		s.Cells = append(s.Cells, c)
	}
	for strings.HasPrefix(r.Peek(), "text ") {
		v, _ := r.Field("text")
		lang, ln, ok := strings.Cut(v, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: text wants a language and a byte length", r.Line())
		}
		if !canon.IsLang(lang) {
			return nil, fmt.Errorf("line %d: language %q is not supported (en, es)", r.Line(), canon.Clip(lang))
		}
		if _, dup := s.Texts[lang]; dup {
			return nil, fmt.Errorf("line %d: a second %s text", r.Line(), lang)
		}
		n, err := canon.ParseInt("text length", ln, 1, MaxTextBytes)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", r.Line(), err)
		}
		t, err := r.Raw(int(n))
		if err != nil {
			return nil, err
		}
		if s.Texts == nil {
			s.Texts = make(map[string]string, 2)
		}
		s.Texts[lang] = string(t)
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	return s, nil
}

func validZIP(z string) bool {
	if len(z) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if z[i] < '0' || z[i] > '9' {
			return false
		}
	}
	return true
}

// validCellID mirrors s2.CellID.IsValid: a face below 6 and the lowest set
// bit at an even position.
func validCellID(id uint64) bool {
	return id>>61 < 6 && id&-id&0x1555555555555555 != 0
}

// fmtE6 renders micro-degrees as a decimal number of degrees.
func fmtE6(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
}

// Describe renders s for a person about to sign it (`tocsin alert show`):
// what goes out, to whom, when, and the digest that is signed.
func (s *Statement) Describe() string {
	n, err := s.Normalized()
	if err != nil {
		return "INVALID STATEMENT — do not approve: " + err.Error() + "\n"
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	kind := "UNCONFIRMED alert"
	if n.Confirmed {
		kind = "CONFIRMED alert"
	}
	if n.AllClear {
		kind = "ALL CLEAR (" + strings.ToLower(strings.TrimSuffix(kind, " alert")) + ")"
	}
	p("Alert %s — %s\n", n.AlertID, kind)
	p("Created:     %s\n", canon.FmtTime(n.CreatedAt))
	p("Valid:       from %s until %s (%s)\n", canon.FmtTime(n.ValidFrom), canon.FmtTime(n.ValidUntil), n.ValidUntil.Sub(n.ValidFrom))
	p("Audience:    at most %d recipients (the sender refuses to send to more)\n", n.MaxRecipients)
	p("Area:\n")
	if len(n.ZIPs) > 0 {
		p("  ZIP codes: %s\n", strings.Join(n.ZIPs, ", "))
	}
	if c := n.Circle; c != nil {
		p("  circle:    %d m around %s, %s\n", c.RadiusM, fmtE6(c.LatE6), fmtE6(c.LonE6))
	}
	if len(n.Cells) == 0 {
		p("  S2 cells:  none\n")
	} else {
		p("  S2 cells:  %d\n", len(n.Cells))
		for i := 0; i < len(n.Cells); i += 4 {
			var row []string
			for _, c := range n.Cells[i:min(i+4, len(n.Cells))] {
				row = append(row, fmt.Sprintf("%016x", c))
			}
			p("             %s\n", strings.Join(row, " "))
		}
	}
	for _, lang := range canon.Langs() {
		t, ok := n.Texts[lang]
		if !ok {
			continue
		}
		p("Text (%s, %d characters, %d bytes), exactly as sent, one line after each \"| \":\n", lang, utf8.RuneCountInString(t), len(t))
		for l := range strings.SplitSeq(t, "\n") {
			p("  | %s\n", l)
		}
	}
	enc, _ := n.Encode()
	d := sha256.Sum256(enc)
	p("Digest:      %s\n", hex.EncodeToString(d[:]))
	p("Signing approves exactly this text, area, audience bound and validity window.\n")
	return b.String()
}

// TextLang is the language whose text a subscriber of lang receives: lang
// when the statement has a text in it, or else the first language that has
// one ("" for a statement without texts). The sender sends by it and the
// composer's preview counts by it, so the two agree.
func (s *Statement) TextLang(lang tocsin.Language) string {
	if _, ok := s.Texts[string(lang)]; ok {
		return string(lang)
	}
	for _, l := range canon.Langs() {
		if _, ok := s.Texts[l]; ok {
			return l
		}
	}
	return ""
}
