package smstext

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// segmentsJS is the browser counter that must count exactly like this
// package.
const segmentsJS = "../web/webkit/static/segments.js"

// markedLine returns the one line of src that contains marker.
func markedLine(t *testing.T, src, marker string) string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(src, "\n") {
		if strings.Contains(line, marker) {
			found = append(found, line)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d lines marked %q, want 1", segmentsJS, len(found), marker)
	}
	return found[0]
}

// jsString returns the first double-quoted string literal on line, decoded.
// The tables use only escapes that mean the same in JavaScript and Go
// (\n \r \f \\ \" \uXXXX).
func jsString(t *testing.T, line string) string {
	t.Helper()
	start := strings.IndexByte(line, '"')
	if start < 0 {
		t.Fatalf("no string literal in %q", line)
	}
	end := -1
	for i := start + 1; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if line[i] == '"' {
			end = i
			break
		}
	}
	if end < 0 {
		t.Fatalf("unterminated string literal in %q", line)
	}
	s, err := strconv.Unquote(line[start : end+1])
	if err != nil {
		t.Fatalf("string literal %s: %v", line[start:end+1], err)
	}
	return s
}

func TestJSTablesMatch(t *testing.T) {
	b, err := os.ReadFile(segmentsJS)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)

	tables := []struct {
		marker, want string
	}{
		{"// GSM7-BASIC", gsm7Basic},
		{"// GSM7-EXT", gsm7Ext},
	}
	for _, tt := range tables {
		if got := jsString(t, markedLine(t, src, tt.marker)); got != tt.want {
			t.Errorf("%s table in %s differs from Go:\n  js %q\n  go %q", tt.marker, segmentsJS, got, tt.want)
		}
	}

	line := markedLine(t, src, "// GSM7-MAP")
	open, end := strings.IndexByte(line, '{'), strings.LastIndexByte(line, '}')
	if open < 0 || end < open {
		t.Fatalf("no object literal in %q", line)
	}
	var js map[string]string
	if err := json.Unmarshal([]byte(line[open:end+1]), &js); err != nil {
		t.Fatalf("GSM7-MAP is not a JSON object literal: %v", err)
	}
	for r, want := range toGSM {
		if got, ok := js[string(r)]; !ok || got != want {
			t.Errorf("GSM7-MAP[%q] = %q (present %v), Go has %q", r, got, ok, want)
		}
	}
	if len(js) != len(toGSM) {
		t.Errorf("GSM7-MAP has %d entries, Go has %d", len(js), len(toGSM))
	}

	for _, name := range []string{"GSM7_SINGLE = 160", "GSM7_MULTI = 153", "UCS2_SINGLE = 70", "UCS2_MULTI = 67"} {
		if !strings.Contains(src, name) {
			t.Errorf("%s does not define %s", segmentsJS, name)
		}
	}
}
