package response

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/smstext"
)

// The correction the sender drafts after an intrusion is an alert like any
// other (it needs the operators' signatures), labelled [CORRECTION] in
// both languages, in GSM-7, in at most MaxCorrectionSegments segments per
// language, with one link: the alert's own verify line. It quotes the fake
// only when a canary captured it, and then only its first words, made
// harmless: an attacker chose them.

// MaxCorrectionSegments bounds each language's correction text.
const MaxCorrectionSegments = 2

// Bounds on the quoted words of a captured fake.
const (
	maxQuoteWords = 10
	maxQuoteChars = 60
)

// quotePunct are the punctuation marks a quoted word may keep: none of
// them can close the quotation, open a label or start a link.
const quotePunct = ",.!?'-:;"

// domainLike matches a word that a phone may show as a link
// (example.org, bit.ly/x).
var domainLike = regexp.MustCompile(`(?i)[a-z0-9-]\.[a-z]{2,}`)

// quotedWords returns the first words of a captured fake that are safe to
// quote, in GSM-7: it stops at the first word that is or holds a link, an
// address, a number or a digit (a phone number, a code), and keeps in the
// others only GSM-7 letters and a little punctuation (no quotation mark, no
// bracket, no control character). The words stop there, or at
// maxQuoteWords words or maxQuoteChars characters.
func quotedWords(fake string) []string {
	fake, _ = smstext.ToGSM(fake)
	var words []string
	n := 0
	for _, f := range strings.Fields(fake) {
		if unsafeWord(f) {
			break
		}
		w := strings.Map(func(r rune) rune {
			if (unicode.IsLetter(r) && smstext.IsGSM(string(r))) || strings.ContainsRune(quotePunct, r) {
				return r
			}
			return -1
		}, f)
		if !strings.ContainsFunc(w, unicode.IsLetter) {
			continue // nothing readable left: an emoji, another script
		}
		if n += len([]rune(w)) + 1; n > maxQuoteChars || len(words) == maxQuoteWords {
			break
		}
		words = append(words, w)
	}
	return words
}

// unsafeWord reports whether a word of a fake is, or holds, a link, an
// address or a digit.
func unsafeWord(w string) bool {
	return strings.ContainsAny(w, "/@\\0123456789") || domainLike.MatchString(w) || strings.Contains(strings.ToLower(w), "www")
}

// correctionTexts returns the English and Spanish bodies of a correction,
// quoting words (the start of a captured fake) if any. link says whether
// the texts end with a verify link to point to.
func correctionTexts(name string, words []string, link bool) (en, es string) {
	name, _ = smstext.ToGSM(name)
	if len(words) == 0 {
		en = name + ": texts in our name that did NOT come from us may be going around. Do not reply to them or call any number in them."
		es = name + ": circulan mensajes en nuestro nombre que NO vinieron de nosotros. No los responda ni llame a los teléfonos que contienen."
	} else {
		q := "\"" + strings.TrimRight(strings.Join(words, " "), quotePunct) + "...\""
		en = name + ": a text that began " + q + " did NOT come from us. Do not reply to it or call any number in it."
		es = name + ": un mensaje que empezaba " + q + " NO vino de nosotros. No lo responda ni llame a los teléfonos que contiene."
	}
	if link {
		en += " Check any text at the link below."
		es += " Verifique cualquier mensaje en el enlace de abajo."
	}
	return en, es
}

// correctionBodies sets the bodies of correction a, quoting as many of the
// fake's first words as keep both texts, as sent (label and verify line
// included), in GSM-7 and within MaxCorrectionSegments; none if even one
// word does not fit.
func correctionBodies(a *tocsin.Alert, name, fake string) {
	words := quotedWords(fake)
	for k := len(words); k >= 0; k-- {
		a.BodyEN, a.BodyES = correctionTexts(name, words[:k], a.VerifyURL != "")
		if fits(a.Text(tocsin.English)) && fits(a.Text(tocsin.Spanish)) {
			return
		}
	}
}

// fits reports whether a text is GSM-7 within MaxCorrectionSegments.
func fits(text string) bool {
	info := smstext.Analyze(text)
	return info.Encoding == smstext.GSM7 && info.Segments <= MaxCorrectionSegments
}
