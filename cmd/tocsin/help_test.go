package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// cutOff matches a flag's help that ends on a word that cannot end it.
var cutOff = regexp.MustCompile(`(?m)^    \t(.*\b(?:or|and|the|a|an|of|to|with|for)|.*,) \(default `)

// TestHelpEverywhere walks the whole command tree: every command and
// subcommand answers --help and -h on standard output with exit 0, even
// after an argument (an alert id), and reads no data directory and calls
// no server while doing so.
func TestHelpEverywhere(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer srv.Close()
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("TOCSIN_SERVER", srv.URL)
	t.Setenv("TOCSIN_PASSPHRASE", "x")
	var lines [][]string
	for _, c := range commands() {
		lines = append(lines, []string{c.name}, []string{c.name, "x"})
		for _, v := range verbs()[c.name] {
			words := append([]string{c.name}, strings.Fields(v)...)
			lines = append(lines, words, append(words[:len(words):len(words)], "x"))
		}
	}
	for _, words := range lines {
		for _, h := range []string{"--help", "-h"} {
			args := append(words[:len(words):len(words)], h)
			var out, errb bytes.Buffer
			code := run(context.Background(), args, &out, &errb)
			line := "tocsin " + strings.Join(args, " ")
			if code != 0 || errb.Len() > 0 || !strings.Contains(out.String(), "Usage: tocsin "+words[0]) {
				t.Errorf("%s: exit %d, want 0 with the usage on standard output\nstdout: %s\nstderr: %s", line, code, out.String(), errb.String())
			}
			for _, m := range cutOff.FindAllStringSubmatch(out.String(), -1) {
				t.Errorf("%s: a flag's help stops mid-sentence: %q", line, m[1])
			}
		}
	}
	if n := calls.Load(); n > 0 {
		t.Errorf("asking for help called the server %d times", n)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("asking for help created %s in the working directory", ents[0].Name())
	}
}
