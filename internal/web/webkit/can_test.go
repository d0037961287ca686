package webkit

import (
	"io/fs"
	"regexp"
	"slices"
	"testing"

	"github.com/tocsin/tocsin/internal/auth"
)

// canRE finds {{.Can "action"}} and {{$.Can "action"}} in templates.
var canRE = regexp.MustCompile(`\.Can\s+"([^"]+)"`)

// A template that asks for an action Role.Can does not know would hide
// its button from every role: each must be one of auth.Actions.
func TestTemplatesAskKnownActions(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range canRE.FindAllStringSubmatch(string(b), -1) {
			seen++
			if !slices.Contains(auth.Actions(), auth.Action(m[1])) {
				t.Errorf("%s asks .Can %q, which is not an auth.Action", n, m[1])
			}
		}
	}
	if seen < 5 {
		t.Errorf("found only %d .Can checks; the scan is broken", seen)
	}
}
