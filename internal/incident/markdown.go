package incident

import (
	"fmt"
	"strings"
	"unicode"
)

// maxShown is the most runes of one untrusted value a report shows.
const maxShown = 300

// visible returns untrusted text fit to show on one line: valid UTF-8,
// anything that looks like a phone number redacted, control and format
// characters (newlines, bidirectional overrides, zero-width characters)
// written as escapes, and at most maxShown runes.
func visible(s string) string {
	s = redactPhones(clean(s))
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxShown {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r < 0x80 && (r < 0x20 || r == 0x7f):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdText makes untrusted text inert inline Markdown, in a paragraph, a list
// item or a table cell: on one line (see visible); the characters that
// start emphasis, code, links, images, headings, strike-through, math or a
// table cell escaped by a backslash; '<', '>' and '&' written as entities,
// so that no HTML tag or autolink can form; and the characters that make
// GitHub's bare links (the ':' of "://", the '.' of "www.", '@') escaped, so
// that a reader cannot click through to an attacker's server. Every escape
// is of ASCII punctuation, which CommonMark renders as the character itself.
func mdText(s string) string {
	var b strings.Builder
	v := visible(s)
	for i, r := range v {
		switch {
		case r == ':' && strings.HasPrefix(v[i+1:], "//"),
			r == '.' && i >= 3 && strings.EqualFold(v[i-3:i], "www"),
			r == '@':
			b.WriteByte('\\')
			b.WriteRune(r)
			continue
		}
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|', '#', '!', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
