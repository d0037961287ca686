package logview

import (
	"regexp"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/smstext"
)

// TextVariants are the normalised forms of an alert text that count as
// it: as sent, without its reference line, without its label ("[CONFIRMED]"
// and the like, which people leave out when they copy the words), without
// both. A pasted text is never stripped itself, so "[CONFIRMED]" put on an
// unconfirmed alert's words matches nothing.
func TextVariants(text string) []string {
	n := Normalise(text)
	bare := withoutRef(n)
	return []string{n, bare, withoutLabel(n), withoutLabel(bare)}
}

// refLine is the reference line at the end of a normalised text: "Ref
// CODE", or the link after "Verify: " (English, and Spanish before issue 12)
// or "Verifica: " (Spanish).
var refLine = regexp.MustCompile(` ?(ref [a-z0-9]{6}|verif(y|ica): \S*/v/[a-z0-9]{6})$`)

func withoutRef(s string) string { return strings.TrimSpace(refLine.ReplaceAllString(s, "")) }

// withoutLabel removes the label a normalised alert text starts with.
func withoutLabel(s string) string {
	for _, a := range []tocsin.Alert{{Confirmed: true}, {}, {AllClear: true}} {
		for _, es := range []bool{false, true} {
			if rest, ok := strings.CutPrefix(s, Normalise(a.Label(es))+" "); ok {
				return rest
			}
		}
	}
	return s
}

// Normalise undoes what phones and copying do to a text: typographic quotes
// and dashes (to GSM-7), case, and runs of spaces and line breaks.
func Normalise(s string) string {
	s, _ = smstext.ToGSM(s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}
