package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"unicode/utf16"

	_ "modernc.org/sqlite" // the "sqlite" driver, to read the database as an attacker would
)

// numberForm is one way a phone number can be written down.
type numberForm struct {
	name string
	b    []byte
}

// numberForms lists the common ways of writing a NANP number given in E.164
// ("+13105550123").
func numberForms(e164 string) []numberForm {
	nat := e164[2:] // 3105550123
	area, exch, line := nat[:3], nat[3:6], nat[6:]
	return []numberForm{
		{"E.164", []byte(e164)},
		{"national digits", []byte(nat)},
		{"(310) 555-0123", []byte("(" + area + ") " + exch + "-" + line)},
		{"310-555-0123", []byte(area + "-" + exch + "-" + line)},
		{"310.555.0123", []byte(area + "." + exch + "." + line)},
		{"310 555 0123", []byte(area + " " + exch + " " + line)},
		{"UTF-16LE digits", utf16LE(nat)},
		{"UTF-16LE E.164", utf16LE(e164)},
	}
}

func utf16LE(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// findNumbers returns a description of every form of every number in b.
func findNumbers(b []byte, numbers []string) []string {
	found := newNumberSet(numbers).find(b)
	// A short list is also looked for form by form, the plain way, so that
	// the fast scan below is checked against it on every run.
	if len(numbers) <= 10 && len(found) == 0 {
		for _, n := range numbers {
			for _, f := range numberForms(n) {
				if i := bytes.Index(b, f.b); i >= 0 {
					found = append(found, fmt.Sprintf("%s as %s at byte %d", n, f.name, i))
				}
			}
		}
	}
	return found
}

// numberSet finds any of many NANP numbers, in any of the forms of
// numberForms, in one pass over the bytes: runs of ASCII digits and of
// UTF-16LE digits are cut into ten-digit windows and looked up, and the
// written forms with separators are found with a pattern.
type numberSet struct {
	national map[string]string // "3105550123" → "+13105550123"
}

func newNumberSet(numbers []string) *numberSet {
	s := &numberSet{national: make(map[string]string, len(numbers))}
	for _, n := range numbers {
		s.national[n[2:]] = n
	}
	return s
}

var writtenNumberRE = regexp.MustCompile(`\((\d{3})\) (\d{3})-(\d{4})|(\d{3})[-. ](\d{3})[-. ](\d{4})`)

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// find returns a description of every number of the set found in b.
func (s *numberSet) find(b []byte) []string {
	var found []string
	windows := func(run []byte, at int, form string) {
		for i := 0; i+10 <= len(run); i++ {
			if n, ok := s.national[string(run[i:i+10])]; ok {
				found = append(found, fmt.Sprintf("%s as %s at byte %d", n, form, at))
			}
		}
	}
	for i := 0; i < len(b); {
		if !isDigit(b[i]) {
			i++
			continue
		}
		j := i
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j-i >= 10 {
			windows(b[i:j], i, "digits")
		}
		i = j
	}
	for i := 0; i+1 < len(b); {
		if !isDigit(b[i]) || b[i+1] != 0 {
			i++
			continue
		}
		var run []byte
		j := i
		for j+1 < len(b) && isDigit(b[j]) && b[j+1] == 0 {
			run = append(run, b[j])
			j += 2
		}
		if len(run) >= 10 {
			windows(run, i, "UTF-16LE digits")
		}
		i = j
	}
	for _, m := range writtenNumberRE.FindAllSubmatchIndex(b, -1) {
		var digits string
		if m[2] >= 0 {
			digits = string(b[m[2]:m[3]]) + string(b[m[4]:m[5]]) + string(b[m[6]:m[7]])
		} else {
			digits = string(b[m[8]:m[9]]) + string(b[m[10]:m[11]]) + string(b[m[12]:m[13]])
		}
		if n, ok := s.national[digits]; ok {
			found = append(found, fmt.Sprintf("%s as %q at byte %d", n, b[m[0]:m[1]], m[0]))
		}
	}
	return found
}

// scanDataDir checks every file under dir except outbox.jsonl, and returns
// the files it read.
func scanDataDir(t *testing.T, dir string, numbers []string) []string {
	t.Helper()
	set := newNumberSet(numbers)
	var scanned []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (d.Name() == "outbox.jsonl" && filepath.Dir(path) == dir) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		scanned = append(scanned, fmt.Sprintf("%s (%d bytes)", rel, len(b)))
		for _, f := range set.find(b) {
			t.Errorf("%s holds a phone number in the clear: %s", rel, f)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", dir, err)
	}
	return scanned
}

// scanDatabase reads every value of every table of the SQLite database at
// path, as someone holding a copy of it would, and looks for the numbers in
// text and blobs and, as integers, in numeric columns.
func scanDatabase(t *testing.T, path string, numbers []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatalf("%s has no tables", path)
	}

	set := newNumberSet(numbers)
	ints := map[int64]string{}
	for _, n := range numbers {
		for _, digits := range []string{n[1:], n[2:]} {
			v, _ := strconv.ParseInt(digits, 10, 64)
			ints[v] = n
		}
	}
	total := 0
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("read table %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			total++
			for i, v := range vals {
				var found []string
				switch v := v.(type) {
				case string:
					found = set.find([]byte(v))
				case []byte:
					found = set.find(v)
				case int64:
					if n, ok := ints[v]; ok {
						found = []string{n + " as an integer"}
					}
				case float64:
					if n, ok := ints[int64(v)]; ok && float64(int64(v)) == v {
						found = []string{n + " as a real"}
					}
				}
				for _, f := range found {
					t.Errorf("database column %s.%s holds a phone number: %s", table, cols[i], f)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read table %s: %v", table, err)
		}
		rows.Close()
	}
	t.Logf("database: read %d rows in %d tables", total, len(tables))
}

// TestNumberScanner checks the scanner itself: every form of a number,
// hidden in other bytes, is found, and other numbers are not.
func TestNumberScanner(t *testing.T) {
	numbers := numbersFrom("+1310555", 120, 3)
	set := newNumberSet(numbers)
	for _, n := range numbers {
		for _, f := range numberForms(n) {
			b := append(append([]byte("\x00\x01noise 4242 "), f.b...), "\xff 99"...)
			if got := set.find(b); len(got) == 0 {
				t.Errorf("%s written as %s (%q) not found", n, f.name, f.b)
			}
			if got := newNumberSet([]string{"+12125550100"}).find(b); len(got) != 0 {
				t.Errorf("found another number in %q: %v", f.b, got)
			}
		}
	}
}
