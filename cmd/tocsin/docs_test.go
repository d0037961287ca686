package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDocsNameRealCommands catches the next drift between the documents
// and the binary: every `tocsin COMMAND [VERB]` written in code in docs/
// and README.md names a real command and verb, every --flag written after
// it is one of that command's flags, every flag in the table of a
// "## `tocsin X`" section is one of X's, and every other --flag written as
// code is a flag of some command. The flags are read from the commands'
// own --help, so a flag added or removed in the code is seen here.
func TestDocsNameRealCommands(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	book := newFlagBook(t)
	for _, f := range append(files, filepath.Join(root, "README.md")) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range docProblems(book, string(b)) {
			t.Errorf("%s:%s", filepath.Base(f), p)
		}
	}
	if book.checked < 100 {
		t.Errorf("only %d tocsin command lines found in the documents: the checker is broken", book.checked)
	}
}

// TestDocProblems shows the checker catching what it is for.
func TestDocProblems(t *testing.T) {
	book := newFlagBook(t)
	doc := "## `tocsin operator add`\n\n| flag | variable |\n|---|---|\n| `--base-url` | x |\n| `--listen` | x |\n\n" +
		"Run `tocsin alert show ID --server URL`, `tocsin alert shout ID`, `tocsin frobnicate`, `tocsin roster show --nope`.\n\n" +
		"```\ntocsin serve --data /srv \\\n    --no-such-flag\n$ tocsin is running at http://x\n```\n\nSet `--sms-countries`, not `--sms-country`.\n"
	got := strings.Join(docProblems(book, doc), "\n")
	for _, want := range []string{"--listen", "alert shout", "frobnicate", "--nope", "--no-such-flag", "--sms-country:"} {
		if !strings.Contains(got, want) {
			t.Errorf("the checker missed %q; it said:\n%s", want, got)
		}
	}
	for _, fine := range []string{"--base-url", "--server", "tocsin is", "--sms-countries"} {
		if strings.Contains(got, fine+" ") || strings.Contains(got, fine+"\n") {
			t.Errorf("the checker flagged %q; it said:\n%s", fine, got)
		}
	}
}

// flagBook knows each command's verbs and flags, from the code.
type flagBook struct {
	flags   map[string]map[string]bool // "serve", "alert list" → flag names
	all     map[string]bool
	checked int // command lines checked, so that a checker that finds none fails
}

var helpFlag = regexp.MustCompile(`(?m)^  --([a-z0-9][a-z0-9-]*) \(TOCSIN_`)

func newFlagBook(t *testing.T) *flagBook {
	t.Helper()
	t.Chdir(t.TempDir())
	b := &flagBook{flags: map[string]map[string]bool{}, all: map[string]bool{}}
	for _, c := range commands() {
		keys := []string{c.name}
		for _, v := range verbs()[c.name] {
			keys = append(keys, c.name+" "+v)
		}
		for _, k := range keys {
			var out, errb bytes.Buffer
			if code := run(context.Background(), append(strings.Fields(k), "--help"), &out, &errb); code != 0 {
				t.Fatalf("tocsin %s --help: exit %d", k, code)
			}
			set := map[string]bool{}
			for _, m := range helpFlag.FindAllStringSubmatch(out.String(), -1) {
				set[m[1]], b.all[m[1]] = true, true
			}
			b.flags[k] = set
		}
	}
	return b
}

// check returns what is wrong with a tocsin command line's words (after
// "tocsin") and flags.
func (b *flagBook) check(words, flags []string) []string {
	if len(words) == 0 || b.flags[words[0]] == nil {
		if len(words) > 0 && !slices.Contains(notCommands, words[0]) {
			return []string{fmt.Sprintf("tocsin %s: no such command", strings.Join(words, " "))}
		}
		return nil
	}
	key := words[0]
	if vs := verbs()[key]; len(vs) > 0 && len(words) > 1 {
		v := verbOf(words[1:], vs)
		if v == "" {
			return []string{fmt.Sprintf("tocsin %s: %s has no such subcommand (it has %s)", strings.Join(words, " "), key, strings.Join(vs, ", "))}
		}
		key += " " + v
	}
	var out []string
	for _, f := range flags {
		if !b.flagOf(key, f) {
			out = append(out, fmt.Sprintf("tocsin %s --%s: no such flag", key, f))
		}
	}
	return out
}

// flagOf reports whether the command key (with or without its verb) has
// the flag; a command named without its verb has the flags of any verb.
func (b *flagBook) flagOf(key, flag string) bool {
	if b.flags[key][flag] {
		return true
	}
	if strings.Contains(key, " ") {
		return false
	}
	for k, set := range b.flags {
		if strings.HasPrefix(k, key+" ") && set[flag] {
			return true
		}
	}
	return false
}

// afterFlag reports whether the text before "tocsin" ends with another
// program's flag (createdb --owner tocsin tocsin): then it is a value.
func afterFlag(before string) bool {
	f := strings.Fields(before)
	return len(f) > 0 && strings.HasPrefix(f[len(f)-1], "-")
}

// formatHeader matches the header line of an encoding (tocsin roster v1).
var formatHeader = regexp.MustCompile(`\bv[0-9]+\b`)

// notCommands are words that follow "tocsin" in code quoting the program's
// output ("tocsin is running at …"), not a command.
var notCommands = []string{"is"}

var (
	invocation = regexp.MustCompile(`(?:^|[\s/;|&(\x60$])tocsin((?: [a-z][a-z0-9-]*)+)(.*)`)
	flagToken  = regexp.MustCompile(`(?:^|[\s\x60\[(|,])--([a-z0-9][a-z0-9-]*)`)
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	heading    = regexp.MustCompile(`^#{2,} `)
	commandRef = regexp.MustCompile("`(?:tocsin )?([a-z][a-z-]*)")
)

// docProblems checks one Markdown document.
func docProblems(b *flagBook, doc string) []string {
	var out []string
	var section []string // the commands a "## `tocsin X`" heading names
	inFence := false
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		line, at := lines[i], fmt.Sprintf("%d: ", i+1)
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(line, "\\") + " " + lines[i]
			}
			for _, p := range checkCode(b, line, false) {
				out = append(out, at+p)
			}
			continue
		}
		if heading.MatchString(line) {
			section = nil
			for _, m := range commandRef.FindAllStringSubmatch(line, -1) {
				if b.flags[m[1]] != nil {
					section = append(section, m[1])
				}
			}
			continue
		}
		cells := strings.Split(line, "|")
		if strings.HasPrefix(line, "|") && len(cells) > 2 && len(section) > 0 {
			for _, m := range flagToken.FindAllStringSubmatch(cells[1], -1) {
				if !slices.ContainsFunc(section, func(c string) bool { return b.flagOf(c, m[1]) }) {
					out = append(out, fmt.Sprintf("%s--%s in the table of %s: no such flag", at, m[1], strings.Join(section, ", ")))
				}
			}
		}
		for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
			for _, p := range checkCode(b, m[1], true) {
				out = append(out, at+p)
			}
		}
	}
	return out
}

// checkCode checks code: a tocsin command line, or (in a code span) a flag.
func checkCode(b *flagBook, code string, span bool) []string {
	if loc := invocation.FindStringSubmatchIndex(code); loc != nil && !afterFlag(code[:loc[0]+1]) && !formatHeader.MatchString(code[loc[2]:loc[3]]) {
		m := []string{"", code[loc[2]:loc[3]], code[loc[4]:loc[5]]}
		b.checked++
		rest := m[2]
		if i := strings.IndexAny(rest, "|;#"); i >= 0 {
			rest = rest[:i] // the next command of a shell line
		}
		var flags []string
		for _, f := range flagToken.FindAllStringSubmatch(rest, -1) {
			if !strings.HasSuffix(f[1], "-") {
				flags = append(flags, f[1])
			}
		}
		return b.check(strings.Fields(m[1]), flags)
	}
	if span && strings.HasPrefix(code, "--") {
		f := flagToken.FindStringSubmatch(code)
		if f != nil && !strings.HasSuffix(f[1], "-") && !b.all[f[1]] { // --alarm-… names a family
			return []string{fmt.Sprintf("--%s: no command has this flag (%d flags known)", f[1], len(slices.Collect(maps.Keys(b.all))))}
		}
	}
	return nil
}
