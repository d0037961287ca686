package trust

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/trust/internal/canon"
)

func mustEncode(t testing.TB, s *Statement) []byte {
	t.Helper()
	b, err := s.Encode()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestStatementRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Statement)
	}{
		{"full", func(*Statement) {}},
		{"english only, ZIP only", func(s *Statement) {
			delete(s.Texts, "es")
			s.Circle, s.Cells = nil, nil
		}},
		{"spanish only, circle only", func(s *Statement) {
			delete(s.Texts, "en")
			s.ZIPs = nil
		}},
		{"all clear, unconfirmed", func(s *Statement) { s.AllClear, s.Confirmed = true, false }},
		{"negative coordinates and extremes", func(s *Statement) {
			s.Circle = &Circle{LatE6: -90_000_000, LonE6: 180_000_000, RadiusM: MaxCircleRadiusM}
			s.MaxRecipients = MaxAudience
		}},
		{"text of maximum length with newlines", func(s *Statement) {
			s.Texts["en"] = strings.Repeat("a\n", MaxTextBytes/2)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := baseStatement()
			tc.edit(s)
			enc := mustEncode(t, s)
			got, err := DecodeStatement(enc)
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, enc)
			}
			if !reflect.DeepEqual(got, s) {
				t.Fatalf("round trip changed the statement:\n got %+v\nwant %+v", got, s)
			}
			if got.Digest() != s.Digest() {
				t.Fatal("digest changed")
			}
		})
	}
}

func TestStatementEncodeNormalizes(t *testing.T) {
	s := baseStatement()
	s.ZIPs = []string{"90211", "90210", "90211"}
	s.Cells = []uint64{0x80c2c7d000000000, 0x80c2c7b000000000, 0x80c2c7d000000000}
	la := time.FixedZone("PDT", -7*3600)
	s.CreatedAt = t0.In(la).Add(400 * time.Millisecond)
	s.ValidFrom = t0.In(la).Add(900 * time.Millisecond)
	s.ValidUntil = s.ValidUntil.Add(time.Nanosecond)
	want := mustEncode(t, baseStatement())
	if got := mustEncode(t, s); !bytes.Equal(got, want) {
		t.Fatalf("not normalised:\n%s\nwant\n%s", got, want)
	}
	if s.ZIPs[0] != "90211" || s.CreatedAt.Location() != la {
		t.Fatal("Encode modified its receiver")
	}
}

func TestStatementDigestCoversEveryField(t *testing.T) {
	edits := map[string]func(*Statement){
		"id":                     func(s *Statement) { s.AlertID = "k3q9x2m7c4v8b1n7" },
		"created":                func(s *Statement) { s.CreatedAt = s.CreatedAt.Add(-time.Second) },
		"valid-from":             func(s *Statement) { s.ValidFrom = s.ValidFrom.Add(time.Second) },
		"valid-until":            func(s *Statement) { s.ValidUntil = s.ValidUntil.Add(time.Second) },
		"english text":           func(s *Statement) { s.Texts["en"] += "!" },
		"spanish text":           func(s *Statement) { s.Texts["es"] = strings.Replace(s.Texts["es"], "é", "e", 1) },
		"language dropped":       func(s *Statement) { delete(s.Texts, "es") },
		"text moved to language": func(s *Statement) { s.Texts["es"] = s.Texts["en"] },
		"zip added":              func(s *Statement) { s.ZIPs = append(s.ZIPs, "90212") },
		"zip changed":            func(s *Statement) { s.ZIPs[1] = "90212" },
		"circle removed":         func(s *Statement) { s.Circle = nil },
		"circle latitude":        func(s *Statement) { s.Circle.LatE6++ },
		"circle longitude":       func(s *Statement) { s.Circle.LonE6++ },
		"circle radius":          func(s *Statement) { s.Circle.RadiusM++ },
		"cell added":             func(s *Statement) { s.Cells = append(s.Cells, 0x80c2c7f000000000) },
		"cell removed":           func(s *Statement) { s.Cells = s.Cells[:1] },
		"max recipients":         func(s *Statement) { s.MaxRecipients++ },
		"confirmed":              func(s *Statement) { s.Confirmed = false },
		"all clear":              func(s *Statement) { s.AllClear = true },
	}
	base := baseStatement().Digest()
	seen := map[[32]byte]string{base: "base"}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			s := baseStatement()
			edit(s)
			d := s.Digest()
			if d == ([32]byte{}) {
				_, err := s.Encode()
				t.Fatalf("edited statement does not encode: %v", err)
			}
			if other, dup := seen[d]; dup {
				t.Fatalf("same digest as %s", other)
			}
			seen[d] = name
		})
	}
}

func TestStatementInvalid(t *testing.T) {
	tests := []struct {
		name, want string
		edit       func(*Statement)
	}{
		{"nil texts", "no text", func(s *Statement) { s.Texts = nil }},
		{"short id", "alert id", func(s *Statement) { s.AlertID = "abc" }},
		{"upper-case id", "alert id", func(s *Statement) { s.AlertID = "ABCDEFGHIJ" }},
		{"id with space", "alert id", func(s *Statement) { s.AlertID = "abcd efgh" }},
		{"long id", "alert id", func(s *Statement) { s.AlertID = strings.Repeat("a", 65) }},
		{"zero created", "created time is missing", func(s *Statement) { s.CreatedAt = time.Time{} }},
		{"year 10000", "out of range", func(s *Statement) { s.ValidUntil = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
		{"until equals from", "not after", func(s *Statement) { s.ValidUntil = s.ValidFrom }},
		{"until before from", "not after", func(s *Statement) { s.ValidUntil = s.ValidFrom.Add(-time.Hour) }},
		{"from before created", "before the creation", func(s *Statement) { s.ValidFrom = s.CreatedAt.Add(-time.Second) }},
		{"zero recipients", "max-recipients", func(s *Statement) { s.MaxRecipients = 0 }},
		{"too many recipients", "max-recipients", func(s *Statement) { s.MaxRecipients = MaxAudience + 1 }},
		{"french", "not supported", func(s *Statement) { s.Texts["fr"] = "Bonjour" }},
		{"upper-case language", "not supported", func(s *Statement) { s.Texts = map[string]string{"EN": "hi"} }},
		{"empty text", "empty", func(s *Statement) { s.Texts["en"] = "" }},
		{"NUL", "NUL", func(s *Statement) { s.Texts["en"] = "a\x00b" }},
		{"carriage return", "control character", func(s *Statement) { s.Texts["en"] = "a\r\nb" }},
		{"escape sequence", "control character", func(s *Statement) { s.Texts["en"] = "a\x1b[2Jb" }},
		{"C1 control", "control character", func(s *Statement) { s.Texts["en"] = "a\u0085b" }},
		{"bidi override", "bidirectional", func(s *Statement) { s.Texts["es"] = "a\u202eb" }},
		{"invalid UTF-8", "UTF-8", func(s *Statement) { s.Texts["en"] = "a\xffb" }},
		{"too long", "more than 1600", func(s *Statement) { s.Texts["en"] = strings.Repeat("á", 801) }},
		{"four-digit zip", "not a ZIP", func(s *Statement) { s.ZIPs = []string{"9021"} }},
		{"zip+4", "not a ZIP", func(s *Statement) { s.ZIPs = []string{"90210-1234"} }},
		{"no area", "no target area", func(s *Statement) { s.ZIPs, s.Circle = nil, nil }},
		{"latitude", "latitude", func(s *Statement) { s.Circle.LatE6 = 90_000_001 }},
		{"longitude", "longitude", func(s *Statement) { s.Circle.LonE6 = -180_000_001 }},
		{"small radius", "radius", func(s *Statement) { s.Circle.RadiusM = 99 }},
		{"large radius", "radius", func(s *Statement) { s.Circle.RadiusM = 50_001 }},
		{"zero cell", "S2 cell", func(s *Statement) { s.Cells = []uint64{0} }},
		{"cell on face 6", "S2 cell", func(s *Statement) { s.Cells = []uint64{0xd000000000000000} }},
		{"cell with odd lsb", "S2 cell", func(s *Statement) { s.Cells = []uint64{0x80c2c7a000000000} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := baseStatement()
			tc.edit(s)
			_, err := s.Encode()
			if !errors.Is(err, ErrInvalidStatement) {
				t.Fatalf("err = %v, want ErrInvalidStatement", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q, want it to mention %q", err, tc.want)
			}
			if s.Digest() != ([32]byte{}) {
				t.Fatal("an invalid statement has a non-zero digest")
			}
		})
	}
}

func TestDecodeStatementStrict(t *testing.T) {
	canon := string(mustEncode(t, baseStatement()))
	replace := func(old, new string) string {
		if !strings.Contains(canon, old) {
			t.Fatalf("fixture does not contain %q", old)
		}
		return strings.Replace(canon, old, new, 1)
	}
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"other header", replace("statement v1", "statement v2")},
		{"extra space after key", replace("id k3q", "id  k3q")},
		{"trailing space", replace("max-recipients 500\n", "max-recipients 500 \n")},
		{"tab separator", replace("confirmed yes", "confirmed\tyes")},
		{"CRLF", strings.ReplaceAll(canon, "\n", "\r\n")},
		{"CRLF on one line", replace("all-clear no\n", "all-clear no\r\n")},
		{"missing end", strings.TrimSuffix(canon, "end\n")},
		{"end without newline", strings.TrimSuffix(canon, "\n")},
		{"trailing data", canon + "x"},
		{"trailing newline", canon + "\n"},
		{"second end", canon + "end\n"},
		{"unsorted zips", replace("zip 90210\nzip 90211\n", "zip 90211\nzip 90210\n")},
		{"duplicate zip", replace("zip 90210\n", "zip 90210\nzip 90210\n")},
		{"unsorted cells", replace("cell 80c2c7b000000000\ncell 80c2c7d000000000\n", "cell 80c2c7d000000000\ncell 80c2c7b000000000\n")},
		{"upper-case cell", replace("cell 80c2c7b000000000", "cell 80C2C7B000000000")},
		{"short cell", replace("cell 80c2c7b000000000", "cell 80c2c7b")},
		{"leading zero", replace("max-recipients 500", "max-recipients 0500")},
		{"plus sign", replace("max-recipients 500", "max-recipients +500")},
		{"true instead of yes", replace("confirmed yes", "confirmed true")},
		{"time with offset", replace("created 2026-03-14T15:09:26Z", "created 2026-03-14T15:09:26+00:00")},
		{"fractional seconds", replace("created 2026-03-14T15:09:26Z", "created 2026-03-14T15:09:26.0Z")},
		{"lower-case z", replace("created 2026-03-14T15:09:26Z", "created 2026-03-14T15:09:26z")},
		{"fields out of order", replace("confirmed yes\nall-clear no\n", "all-clear no\nconfirmed yes\n")},
		{"circle before zips", replace("zip 90210\nzip 90211\ncircle 34052235 -118243683 2000\n", "circle 34052235 -118243683 2000\nzip 90210\nzip 90211\n")},
		{"two circles", replace("circle 34052235 -118243683 2000\n", "circle 34052235 -118243683 2000\ncircle 34052235 -118243683 2000\n")},
		{"circle -0", replace("circle 34052235", "circle -0")},
		{"unknown line", replace("all-clear no\n", "all-clear no\ncomment hello\n")},
		{"text length too long", replace("text en 63\n", "text en 64\n")},
		{"text length too short", replace("text en 63\n", "text en 62\n")},
		{"text length beyond input", replace("text es", "text es 99999\n")},
		{"languages out of order", swapTexts(t, canon)},
		{"duplicate language", replace("text es", "text en")},
		{"text without length", replace("text en 63", "text en")},
		{"NUL in text", replace("Avoid", "Av\x00id")},
		{"invalid UTF-8 in text", replace("Avoid", "Av\xffid")},
		{"no text", canon[:strings.Index(canon, "text en")] + "end\n"},
		{"no area", strings.NewReplacer("zip 90210\n", "", "zip 90211\n", "", "circle 34052235 -118243683 2000\n", "").Replace(canon)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := DecodeStatement([]byte(tc.in))
			if err == nil {
				t.Fatalf("accepted:\n%s\nas %+v", tc.in, s)
			}
			if !errors.Is(err, ErrInvalidStatement) {
				t.Fatalf("err = %v, does not wrap ErrInvalidStatement", err)
			}
		})
	}
}

// swapTexts puts the es text block before the en block.
func swapTexts(t *testing.T, canon string) string {
	i, j := strings.Index(canon, "text en "), strings.Index(canon, "text es ")
	k := strings.LastIndex(canon, "end\n")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("fixture lacks texts")
	}
	return canon[:i] + canon[j:k] + canon[i:j] + canon[k:]
}

// vectorStatements are the statements of the test vectors in testdata.
func vectorStatements() map[string]*Statement {
	minimal := &Statement{
		AlertID:       "abcdefgh",
		CreatedAt:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		ValidFrom:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		ValidUntil:    time.Date(2026, 1, 2, 5, 4, 5, 0, time.UTC),
		Texts:         map[string]string{"en": "Raid reported near 5th St. Stay inside.\nRef ACDEFG"},
		ZIPs:          []string{"10001"},
		MaxRecipients: 25,
	}
	allClear := &Statement{
		AlertID:       "z0z0z0z0z0z0z0z0z0z0z0z0z0",
		CreatedAt:     time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		ValidFrom:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		ValidUntil:    time.Date(2027, 1, 1, 23, 59, 59, 0, time.UTC),
		Texts:         map[string]string{"es": "Todo despejado: el retén se retiró.\nRef XY3479"},
		Circle:        &Circle{LatE6: -33_868_820, LonE6: 151_209_296, RadiusM: 100},
		Cells:         []uint64{0x6b12ae1000000000},
		MaxRecipients: 1_000_000,
		AllClear:      true,
	}
	return map[string]*Statement{"full": baseStatement(), "minimal": minimal, "all-clear": allClear}
}

func TestVectors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "statement-*.txt"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 vectors in testdata, got %d (%v)", len(files), err)
	}
	structs := vectorStatements()
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "statement-"), ".txt")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			hexDigest, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".sha256")
			if err != nil {
				t.Fatal(err)
			}
			s, err := DecodeStatement(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if re := mustEncode(t, s); !bytes.Equal(re, b) {
				t.Fatalf("re-encoding differs:\n%s", re)
			}
			d := s.Digest()
			if got, want := hex.EncodeToString(d[:]), strings.TrimSpace(string(hexDigest)); got != want {
				t.Fatalf("digest %s, vector says %s", got, want)
			}
			want, ok := structs[name]
			if !ok {
				t.Fatalf("no struct for vector %s", name)
			}
			if !reflect.DeepEqual(s, want) {
				t.Fatalf("vector decodes to\n%+v\nwant\n%+v", s, want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	s := baseStatement()
	d := s.Digest()
	out := s.Describe()
	for _, want := range []string{
		"Alert k3q9x2m7c4v8b1n6 — CONFIRMED alert",
		"from 2026-03-14T15:09:26Z until 2026-03-14T17:09:26Z (2h0m0s)",
		"at most 500 recipients",
		"ZIP codes: 90210, 90211",
		"2000 m around 34.052235, -118.243683",
		"80c2c7b000000000 80c2c7d000000000",
		"Text (es, 60 characters, 61 bytes)",
		"  | Retén de ICE en Main St y 5th Ave. Evite la zona.\n  | Ref ACD347\n",
		hex.EncodeToString(d[:]),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Describe lacks %q:\n%s", want, out)
		}
	}
	s.AllClear = true
	if out := s.Describe(); !strings.Contains(out, "ALL CLEAR") {
		t.Errorf("all clear not shown:\n%s", out)
	}
	s.Texts["en"] = "\x1b[2J fake"
	if out := s.Describe(); !strings.HasPrefix(out, "INVALID STATEMENT") || strings.Contains(out, "\x1b") {
		t.Errorf("invalid statement rendered as:\n%q", out)
	}
}

func TestNewAlertID(t *testing.T) {
	a, b := NewAlertID(), NewAlertID()
	if a == b || !canon.ValidID(a) || len(a) != 26 {
		t.Fatalf("NewAlertID gave %q and %q", a, b)
	}
}

func FuzzDecodeStatement(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "statement-*.txt"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(StatementHeader + "\nend\n"))
	f.Add([]byte("text en 5\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeStatement(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidStatement) {
				t.Fatalf("error does not wrap ErrInvalidStatement: %v", err)
			}
			return
		}
		enc, err := s.Encode()
		if err != nil {
			t.Fatalf("decoded statement does not encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("decode→encode is not the identity:\n%q\n%q", b, enc)
		}
		s2, err := DecodeStatement(enc)
		if err != nil || !reflect.DeepEqual(s, s2) {
			t.Fatalf("second decode differs: %v", err)
		}
		_ = s.Describe()
	})
}
