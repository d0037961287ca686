package e2e

import (
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	var found []string
	for _, n := range numbers {
		for _, f := range numberForms(n) {
			if i := bytes.Index(b, f.b); i >= 0 {
				found = append(found, fmt.Sprintf("%s as %s at byte %d", n, f.name, i))
			}
		}
	}
	return found
}

// scanDataDir checks every file under dir except outbox.jsonl, and returns
// the files it read.
func scanDataDir(t *testing.T, dir string, numbers []string) []string {
	t.Helper()
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
		for _, f := range findNumbers(b, numbers) {
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
					found = findNumbers([]byte(v), numbers)
				case []byte:
					found = findNumbers(v, numbers)
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
