package replies_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/keyword"
	"github.com/tocsin/tocsin/internal/replies"
	"github.com/tocsin/tocsin/internal/smstext"
)

// ctia is what the carriers' CTIA handbook asks of a text, in one language.
type ctia struct {
	lang               tocsin.Language
	stop, help, start  string // the keywords the texts name
	rates, freq, ended string
	link               string // what alerts end with
}

var languages = []ctia{
	{tocsin.English, "STOP", "HELP", "START", "msg&data rates may apply", "msg freq varies", "no more messages", "Verify link"},
	{tocsin.Spanish, "ALTO", "AYUDA", "INICIO", "pueden aplicar tarifas de msj y datos", "frecuencia de msj varia", "no recibiras mas mensajes", "enlace Verifica"},
}

// sample formats a template with the arguments it takes.
func sample(t replies.Template, lang tocsin.Language, name string) string {
	switch t.Arg {
	case replies.ZIPList:
		return replies.Text(name, lang, t.Key, "90210, 10001")
	case replies.ZIP:
		return replies.Text(name, lang, t.Key, "99999")
	case replies.Count:
		return replies.Text(name, lang, t.Key, 5)
	case replies.Digits:
		return replies.Text(name, lang, t.Key, "123456")
	case replies.Site:
		return replies.Text(name, lang, t.Key, "alerts.example.org")
	}
	return replies.Text(name, lang, t.Key)
}

var commandWord = regexp.MustCompile(`\b[A-Z]{3,}\b`)

// Every reply, in both languages, carries what the CTIA handbook asks of
// it: the service's name always; the HELP text how to stop and that message
// and data rates may apply; each opt-in confirmation how to stop, how to get
// help, the rates and the frequency (and, for a new subscriber, that
// alerts end with a Verify link, as Alert.Reference writes it); the STOP confirmation that no more
// messages come and how to come back. Every keyword a text names is one the
// parser accepts, in the text's language, and every text is GSM-7.
func TestCTIA(t *testing.T) {
	const name = "Rapid Alert"
	for _, l := range languages {
		for _, tpl := range replies.Templates() {
			text := sample(tpl, l.lang, name)
			t.Run(string(l.lang)+"/"+string(tpl.Key), func(t *testing.T) {
				must := []string{name}
				switch tpl.Key {
				case replies.Help:
					must = append(must, l.stop, l.rates, "alerts.example.org") // how to get help
				case replies.Joined, replies.Welcome, replies.Started:
					must = append(must, l.stop, l.help, l.rates, l.freq)
					if tpl.Key != replies.Started {
						must = append(must, l.link)
					}
				case replies.Stopped:
					must = append(must, l.ended, l.start)
				}
				for _, m := range must {
					if !strings.Contains(strings.ToLower(text), strings.ToLower(m)) {
						t.Errorf("%q lacks %q", text, m)
					}
				}
				if !smstext.IsGSM(text) {
					t.Errorf("%q is not GSM-7", text)
				}
				for _, w := range commandWord.FindAllString(text, -1) {
					if w == "ZIP" {
						continue
					}
					cmd := keyword.Parse(w)
					if cmd.Kind == keyword.Unknown || cmd.Lang != "" && cmd.Lang != string(l.lang) {
						t.Errorf("%q names %s, which the parser reads as %v in %q", text, w, cmd.Kind, cmd.Lang)
					}
				}
			})
		}
	}
}

// The STOP confirmation names the word that brings a number back: the
// parser reads it as Start, in the reply's language.
func TestStoppedNamesItsStartWord(t *testing.T) {
	for _, l := range languages {
		cmd := keyword.Parse(l.start)
		if cmd.Kind != keyword.Start || cmd.Lang != string(l.lang) {
			t.Errorf("%s: %v %q, want start in %s", l.start, cmd.Kind, cmd.Lang, l.lang)
		}
	}
}

func TestTextUnknownKeyIsHelp(t *testing.T) {
	if got, want := replies.Text("x", tocsin.Spanish, "nope"), replies.Text("x", tocsin.Spanish, replies.Help); got != want {
		t.Errorf("got %q, want the HELP text %q", got, want)
	}
}
