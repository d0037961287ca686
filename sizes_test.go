package tocsin_test

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The size rule (docs/architecture.md, Checks): a file that grows past
// maxFileLines holds more than one purpose, a package past maxPackageLines
// more than one responsibility. Test files do not count, nor generated files
// (a "// Code generated … DO NOT EDIT." line, as go generate writes).
const (
	maxFileLines    = 500
	maxPackageLines = 1500
)

// largePackages may pass maxPackageLines, each for the reason given. A
// package that comes back under the limit must leave the list.
var largePackages = map[string]string{
	// The contract suite every store driver must pass: test code that is not
	// in _test.go files only because both drivers' tests import it. It grows
	// with the store, one file per domain.
	"internal/store/storetest": "test code: the drivers' shared contract suite",
}

// skippedTrees are not measured (none: issue 13 split internal/web and
// internal/sender).
var skippedTrees = []string{}

var generated = regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)

// TestSizes checks the size rule on every Go package of the module.
func TestSizes(t *testing.T) {
	files := map[string]int{}    // non-test file → lines
	packages := map[string]int{} // directory → non-test lines
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			if path != "." && fileExists(filepath.Join(path, "go.mod")) {
				return filepath.SkipDir // another module (tools/)
			}
			for _, s := range skippedTrees {
				if path == s {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if generated.Match(b) {
			return nil
		}
		n := bytes.Count(b, []byte("\n"))
		if len(b) > 0 && b[len(b)-1] != '\n' {
			n++
		}
		files[filepath.ToSlash(path)] = n
		packages[filepath.ToSlash(filepath.Dir(path))] += n
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Go file found: is the test run from the module's root?")
	}
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if n := files[f]; n > maxFileLines {
			t.Errorf("%s has %d lines, more than %d: split it into files with one purpose each", f, n, maxFileLines)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(packages)) {
		n := packages[p]
		_, allowed := largePackages[p]
		switch {
		case n > maxPackageLines && !allowed:
			t.Errorf("package %s has %d non-test lines, more than %d: split it where it has a seam, or list it in largePackages with the reason", p, n, maxPackageLines)
		case n <= maxPackageLines && allowed:
			t.Errorf("package %s has %d non-test lines, within %d: take it off largePackages", p, n, maxPackageLines)
		}
	}
	for p := range largePackages {
		if _, ok := packages[p]; !ok {
			t.Errorf("largePackages names %s, which holds no Go file", p)
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
