package smstext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// gsm7Basic is the GSM 03.38 default alphabet, one character per code
// 0x00..0x7F in order. Code 0x1B is the escape to the extension table, not a
// character: U+001B in a body is not GSM-7. Code 0x09 is mapped to Ç as in
// the Unicode consortium's GSM0338 table.
//
// segments.js holds the same string on the line marked "// GSM7-BASIC";
// TestJSTablesMatch keeps the two identical.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Ext is the GSM 03.38 extension table: each character is sent as ESC
// plus one septet, so it counts 2. Form feed is code 0x0A of the table.
//
// segments.js holds the same string on the line marked "// GSM7-EXT".
const gsm7Ext = "\f^{}\\[~]|€"

// Single-segment and concatenated-segment capacities.
const (
	GSM7Single = 160
	GSM7Multi  = 153
	UCS2Single = 70
	UCS2Multi  = 67
)

// Encoding is the data coding an SMS body needs.
type Encoding int

// The encodings. GSM7 is the zero value.
const (
	GSM7 Encoding = iota // GSM 03.38 default alphabet, 7 bits a character
	UCS2                 // UTF-16, 16 bits a code unit
)

// String returns "GSM-7" or "UCS-2".
func (e Encoding) String() string {
	switch e {
	case GSM7:
		return "GSM-7"
	case UCS2:
		return "UCS-2"
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// Info describes how a body will be sent.
type Info struct {
	Encoding Encoding
	// Units is the length in septets (GSM7; extension characters count 2) or
	// UTF-16 code units (UCS2; characters beyond U+FFFF such as emoji count 2).
	Units int
	// Segments is how many SMS the body is sent as (at least 1).
	Segments int
	// PerSegment is the capacity of each segment: 160 or 153 (GSM7), 70 or
	// 67 (UCS2).
	PerSegment int
	// Remaining is how many units still fit in the last segment.
	Remaining int
	// Forcing lists the distinct characters that are not GSM-7, in order of
	// first appearance; nil for GSM7.
	Forcing []rune
}

// Analyze reports the encoding, length and segment count of s. Invalid
// UTF-8 is counted as U+FFFD, which forces UCS-2.
func Analyze(s string) Info {
	var info Info
	var seen map[rune]bool
	for _, r := range s {
		if gsmUnits(r) == 0 {
			if seen == nil {
				seen = make(map[rune]bool)
			}
			if !seen[r] {
				seen[r] = true
				info.Forcing = append(info.Forcing, r)
			}
		}
	}
	single, multi, units := GSM7Single, GSM7Multi, gsmUnits
	if info.Forcing != nil {
		info.Encoding = UCS2
		single, multi, units = UCS2Single, UCS2Multi, ucs2Units
	}
	for _, r := range s {
		info.Units += units(r)
	}
	if info.Units <= single {
		info.Segments, info.PerSegment, info.Remaining = 1, single, single-info.Units
		return info
	}
	// Fill segments of multi units, moving a two-unit character (escape pair
	// or surrogate pair) whole to the next segment when it does not fit.
	segments, used := 1, 0
	for _, r := range s {
		u := units(r)
		if used+u > multi {
			segments++
			used = 0
		}
		used += u
	}
	info.Segments, info.PerSegment, info.Remaining = segments, multi, multi-used
	return info
}

// IsGSM reports whether every character of s is in the GSM 03.38 default
// alphabet or its extension table, so that s can be sent as GSM-7.
func IsGSM(s string) bool {
	for _, r := range s {
		if gsmUnits(r) == 0 {
			return false
		}
	}
	return true
}

// ToGSM returns s with the characters that force UCS-2 replaced, where the
// meaning stays the same, by GSM-7 equivalents: typographic quotes by ' and
// ", dashes by -, … by ..., unusual spaces by a space, • by -, zero-width
// characters removed, and accented letters GSM-7 lacks (á í ó ú â ê ã õ ...)
// by the GSM-7 letter (ç → Ç) or their base letter. Letters GSM-7 has (é ñ ü
// ¿ ¡ à è ...) are kept. Characters with no such equivalent (emoji, most
// non-Latin scripts) are left as they are, so the result may still be UCS-2.
// changed reports whether the result differs from s.
func ToGSM(s string) (out string, changed bool) {
	if IsGSM(s) {
		return s, false
	}
	// Compose first so that "o" + U+0301 is handled like "ó", and a GSM
	// letter written decomposed ("n" + U+0303) becomes the GSM letter.
	src := norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(src))
	for i, r := range src {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(src[i:]); size == 1 {
				b.WriteByte(src[i]) // keep invalid bytes as they were
				continue
			}
		}
		if rep, ok := gsmFor(r); ok {
			b.WriteString(rep)
		} else {
			b.WriteRune(r)
		}
	}
	out = b.String()
	return out, out != s
}

// gsmFor returns the GSM-7 text that stands for r, and whether there is one.
func gsmFor(r rune) (string, bool) {
	if gsmUnits(r) > 0 {
		return string(r), true
	}
	if rep, ok := toGSM[r]; ok {
		return rep, true
	}
	// Otherwise decompose (NFKD also unfolds full-width forms and
	// ligatures) and drop accents, but only from a letter: "≠" decomposes to
	// "=" plus a combining overlay, and dropping that would invert its
	// meaning.
	d := norm.NFKD.String(string(r))
	first, _ := utf8.DecodeRuneInString(d)
	var b strings.Builder
	for _, c := range d {
		switch {
		case unicode.Is(unicode.Mn, c):
			if !unicode.IsLetter(first) {
				return "", false
			}
		case gsmUnits(c) > 0:
			b.WriteRune(c)
		default:
			rep, ok := toGSM[c]
			if !ok {
				return "", false
			}
			b.WriteString(rep)
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// gsmUnits returns the septets r takes in GSM-7: 1 for the default
// alphabet, 2 for the extension table, 0 if r is not GSM-7.
func gsmUnits(r rune) int {
	if r == 0x1B {
		return 0
	}
	if strings.ContainsRune(gsm7Basic, r) {
		return 1
	}
	if strings.ContainsRune(gsm7Ext, r) {
		return 2
	}
	return 0
}

// ucs2Units returns the UTF-16 code units r takes.
func ucs2Units(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1 // not reached for runes decoded from a string
}

// toGSM maps characters outside GSM-7 to GSM-7 text with the same meaning.
// segments.js holds the same map on the line marked "// GSM7-MAP".
var toGSM = map[rune]string{
	// Quotes and apostrophes.
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '‹': "'", '›': "'", '`': "'", '´': "'",
	'“': "\"", '”': "\"", '„': "\"", '‟': "\"", '″': "\"", '«': "\"", '»': "\"",
	// Dashes, hyphens and minus.
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	// Ellipsis and bullets.
	'…': "...", '•': "-", '‣': "-", '◦': "-", '⁃': "-",
	// Spaces and line breaks.
	'\t': " ", '\v': " ", '\u00A0': " ", '\u1680': " ",
	'\u2000': " ", '\u2001': " ", '\u2002': " ", '\u2003': " ", '\u2004': " ", '\u2005': " ",
	'\u2006': " ", '\u2007': " ", '\u2008': " ", '\u2009': " ", '\u200A': " ",
	'\u202F': " ", '\u205F': " ", '\u3000': " ",
	'\u2028': "\n", '\u2029': "\n",
	// Invisible characters.
	'\u00AD': "", '\u200B': "", '\u2060': "", '\uFEFF': "",
	// Letters GSM-7 lacks (GSM-7 has é É ñ Ñ ü Ü à è ì ò ù ä ö Ä Ö å Å Ç).
	'á': "a", 'í': "i", 'ó': "o", 'ú': "u", 'Á': "A", 'Í': "I", 'Ó': "O", 'Ú': "U",
	'À': "A", 'È': "E", 'Ì': "I", 'Ò': "O", 'Ù': "U",
	'â': "a", 'ê': "e", 'î': "i", 'ô': "o", 'û': "u", 'Â': "A", 'Ê': "E", 'Î': "I", 'Ô': "O", 'Û': "U",
	'ã': "a", 'õ': "o", 'Ã': "A", 'Õ': "O",
	'ë': "e", 'ï': "i", 'ÿ': "y", 'Ë': "E", 'Ï': "I", 'Ÿ': "Y",
	'ç': "Ç", 'œ': "oe", 'Œ': "OE", 'ð': "d", 'Ð': "D", 'đ': "d", 'Đ': "D",
	'ł': "l", 'Ł': "L", 'ı': "i", 'ĸ': "k", 'ŀ': "l", 'Ŀ': "L", 'ŉ': "'n",
	'ª': "a", 'º': "o",
}
