package replies

import (
	"fmt"

	"github.com/tocsin/tocsin"
)

// Key names a template.
type Key string

// The templates.
const (
	Help        Key = "help"
	Joined      Key = "joined"
	Stopped     Key = "stopped"
	Started     Key = "started"
	StartNoArea Key = "start_no_area"
	NoZIP       Key = "no_zip"
	BadZIP      Key = "bad_zip"
	UnknownZIP  Key = "unknown_zip"
	TooManyZIPs Key = "too_many_zips"
	Lang        Key = "lang"
	NoLang      Key = "no_lang"
	Reported    Key = "reported"
	ReportHow   Key = "report_how"
	Code        Key = "code"
	Welcome     Key = "welcome"
)

// Arg is what a template's second argument (%[2]) holds; the first is
// always the service's name.
type Arg int

// The kinds of argument.
const (
	NoArg   Arg = iota
	ZIPList     // 5-digit ZIP codes joined by ", "
	ZIP         // one 5-digit ZIP code
	Count       // a number (%[2]d)
	Digits      // a confirmation code
	Site        // where to get help: the site's address
)

// Template is one reply in both languages.
type Template struct {
	Key Key
	// EN and ES are fmt formats: %[1]s is the service's name, %[2] the Arg.
	EN, ES string
	Arg    Arg
}

// Format returns the template's format for lang.
func (t Template) Format(lang tocsin.Language) string {
	if lang == tocsin.Spanish {
		return t.ES
	}
	return t.EN
}

// Text returns the reply key in lang from the service name, formatted with
// args; an unknown key gives the HELP text.
func Text(name string, lang tocsin.Language, key Key, args ...any) string {
	t, ok := Lookup(key)
	if !ok {
		t, _ = Lookup(Help)
	}
	return fmt.Sprintf(t.Format(lang), append([]any{name}, args...)...)
}

// Lookup returns the template named key.
func Lookup(key Key) (Template, bool) {
	for _, t := range Templates() {
		if t.Key == key {
			return t, true
		}
	}
	return Template{}, false
}
