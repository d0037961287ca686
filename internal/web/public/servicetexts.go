package public

import (
	"regexp"
	"strings"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/replies"
	"github.com/tocsin/tocsin/internal/web/logview"
)

// serviceTexts recognises the texts the service sends to one person (the
// answers to keywords, the confirmation code, the welcome text: the
// templates of internal/replies), in both languages, in a normalised text.
// They are not in the transparency log, so /verify can only say that a text
// has the wording of one of them, whoever sent it.
type serviceTexts []serviceText

type serviceText struct {
	key replies.Key
	re  *regexp.Regexp
}

// verbRE is a template's argument: %[1]s the name, %[2]s or %[2]d the Arg.
var verbRE = regexp.MustCompile(`%\[(\d)\][sd]`)

// argPatterns is what each kind of argument looks like in a normalised text.
func argPattern(a replies.Arg) string {
	switch a {
	case replies.ZIPList:
		return `\d{5}(?:, \d{5})*`
	case replies.ZIP:
		return `\d{5}`
	case replies.Site:
		return `\S+`
	default: // a count, a confirmation code of any length
		return `\d+`
	}
}

// newServiceTexts compiles every template in both languages for the
// service's name.
func newServiceTexts(name string) serviceTexts {
	var out serviceTexts
	for _, t := range replies.Templates() {
		for _, lang := range []tocsin.Language{tocsin.English, tocsin.Spanish} {
			out = append(out, serviceText{key: t.Key, re: templateRE(t.Format(lang), name, t.Arg)})
		}
	}
	return out
}

// templateRE turns a template's format into a pattern over normalised
// text: each literal piece normalised as a pasted text is, the name
// literal, the argument by its kind.
func templateRE(format, name string, arg replies.Arg) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	pieces := verbRE.Split(format, -1)
	verbs := verbRE.FindAllStringSubmatch(format, -1)
	for i, p := range pieces {
		b.WriteString(regexp.QuoteMeta(normalisePiece(p)))
		if i < len(verbs) {
			if verbs[i][1] == "1" {
				b.WriteString(regexp.QuoteMeta(logview.Normalise(name)))
			} else {
				b.WriteString(argPattern(arg))
			}
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// normalisePiece normalises a piece of a template as normalise does a
// whole text, keeping one space where the piece began or ended with one.
func normalisePiece(p string) string {
	n := logview.Normalise(p)
	if n == "" {
		if strings.TrimSpace(p) != p {
			return " "
		}
		return ""
	}
	if strings.TrimLeft(p, " \n") != p {
		n = " " + n
	}
	if strings.TrimRight(p, " \n") != p {
		n += " "
	}
	return n
}

// match returns the template a normalised text has the wording of.
func (ts serviceTexts) match(pasted string) (replies.Key, bool) {
	for _, t := range ts {
		if t.re.MatchString(pasted) {
			return t.key, true
		}
	}
	return "", false
}
