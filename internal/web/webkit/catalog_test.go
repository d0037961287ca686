package webkit

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
)

var (
	// {{.T "key"}}, {{$.T "key"}}
	tKeyRE = regexp.MustCompile(`\.T\s+"([^"]+)"`)
	// {{.T (print "family." value)}}
	tFamilyRE = regexp.MustCompile(`\.T\s+\(print\s+"([^"]+)"`)
	// Any other dynamic use of .T, which this test could not check.
	tAnyRE = regexp.MustCompile(`\.T\s+([^\s"(][^\s}]*)`)
	// Keys used from Go: p.T("key"), NewPage(r, "key"), ConsolePage(r, "key").
	goKeyRE = regexp.MustCompile(`(?:\.T\(|[nN]ewPage\(r,\s*|[cC]onsolePage\(r,\s*)"([^"]+)"`)
)

// familyValues are the values each (print "family." …) may take.
func familyValues(t *testing.T, family string) []string {
	t.Helper()
	var out []string
	switch family {
	case "cat.":
		for _, c := range tocsin.Categories() {
			out = append(out, string(c))
		}
	case "state.":
		for _, s := range tocsin.ReportStates() {
			out = append(out, string(s))
		}
	case "action.":
		// queue.html offers an action for every state but new and expired.
		for _, s := range tocsin.ReportStates() {
			if s != tocsin.ReportNew && s != tocsin.ReportExpired {
				out = append(out, string(s))
			}
		}
	case "compose.lang.", "counts.lang.":
		// compose.html names each language the statement has a text in,
		// console_counts.html each language subscribers chose.
		out = []string{string(tocsin.English), string(tocsin.Spanish)}
	default:
		t.Fatalf("templates use a key family %q this test does not know", family)
	}
	return out
}

// usedKeys returns every catalog key the templates and handlers use.
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	used := map[string][]string{} // key → where
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, m := range tKeyRE.FindAllStringSubmatch(src, -1) {
			used[m[1]] = append(used[m[1]], n)
		}
		for _, m := range tFamilyRE.FindAllStringSubmatch(src, -1) {
			for _, v := range familyValues(t, m[1]) {
				used[m[1]+v] = append(used[m[1]+v], n)
			}
		}
		for _, m := range tAnyRE.FindAllStringSubmatch(src, -1) {
			t.Errorf("%s: .T %s is a dynamic key this test cannot check", n, m[1])
		}
	}
	// Every package of the web tier (internal/web and the packages under
	// it) renders with this catalogue.
	var gofiles []string
	err = filepath.WalkDir("..", func(n string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(n, ".go") {
			gofiles = append(gofiles, n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range gofiles {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = append(used[m[1]], n)
		}
	}
	return used
}

func TestCatalogHasEveryKeyInBothLanguages(t *testing.T) {
	cat := newCatalog()
	used := usedKeys(t)
	if len(used) < 50 {
		t.Fatalf("found only %d keys; the scan is broken", len(used))
	}
	for key, where := range used {
		tr, ok := cat[key]
		if !ok {
			t.Errorf("key %q (used in %v) is not in the catalog", key, slices.Compact(where))
			continue
		}
		if strings.TrimSpace(tr[0]) == "" {
			t.Errorf("key %q has no English text", key)
		}
		if strings.TrimSpace(tr[1]) == "" {
			t.Errorf("key %q has no Spanish text", key)
		}
	}
	for key, tr := range cat {
		if strings.TrimSpace(tr[0]) == "" || strings.TrimSpace(tr[1]) == "" {
			t.Errorf("catalog key %q lacks a language: %q", key, tr)
		}
		if _, ok := used[key]; !ok {
			t.Logf("catalog key %q is not used", key)
		}
	}
	// Every category, state and action the console can show is translated.
	for _, c := range tocsin.Categories() {
		if _, ok := cat["cat."+string(c)]; !ok {
			t.Errorf("category %q has no text", c)
		}
	}
}

func TestCatalogText(t *testing.T) {
	cat := newCatalog()
	if got := cat.text(tocsin.Spanish, "nav.report"); got != "Reportar actividad" {
		t.Errorf("Spanish nav.report = %q", got)
	}
	if got := cat.text(tocsin.English, "nav.report"); got != "Report activity" {
		t.Errorf("English nav.report = %q", got)
	}
	if got := cat.text(tocsin.Spanish, "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key = %q", got)
	}
	// The catalog is built afresh: a change to one does not reach the next.
	cat["nav.report"] = [2]string{"changed", "cambiado"}
	if newCatalog()["nav.report"][0] != "Report activity" {
		t.Error("newCatalog shares state between calls")
	}
}

func TestIsLocalPath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"/", true},
		{"/report", true},
		{"/alerts/ABC?x=1", true},
		{"", false},
		{"report", false},
		{"//evil.com", false},
		{"/\\evil.com", false},
		{"https://evil.com", false},
		{"/\t/evil.com", false},
		{"/\n/evil.com", false},
		{"/\r\n/evil.com", false},
		{"/\x00", false},
	}
	for _, tt := range tests {
		if got := IsLocalPath(tt.p); got != tt.want {
			t.Errorf("IsLocalPath(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
