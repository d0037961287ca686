package smstext

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTables(t *testing.T) {
	if n := utf8.RuneCountInString(gsm7Basic); n != 128 {
		t.Fatalf("basic table has %d characters, want 128", n)
	}
	basic := []rune(gsm7Basic)
	tests := []struct {
		code int
		want rune
	}{
		{0x00, '@'}, {0x01, '£'}, {0x02, '$'}, {0x09, 'Ç'}, {0x0A, '\n'}, {0x0D, '\r'},
		{0x10, 'Δ'}, {0x11, '_'}, {0x1B, 0x1B}, {0x1F, 'É'}, {0x20, ' '}, {0x24, '¤'},
		{0x40, '¡'}, {0x41, 'A'}, {0x5A, 'Z'}, {0x5B, 'Ä'}, {0x5F, '§'}, {0x60, '¿'},
		{0x61, 'a'}, {0x7A, 'z'}, {0x7B, 'ä'}, {0x7E, 'ü'}, {0x7F, 'à'},
	}
	for _, tt := range tests {
		if basic[tt.code] != tt.want {
			t.Errorf("basic[0x%02X] = %q, want %q", tt.code, basic[tt.code], tt.want)
		}
	}
	for _, r := range gsm7Ext {
		if strings.ContainsRune(gsm7Basic, r) {
			t.Errorf("%q is in both tables", r)
		}
	}
	for r, rep := range toGSM {
		if gsmUnits(r) > 0 {
			t.Errorf("toGSM maps %q, which is already GSM-7", r)
		}
		if !IsGSM(rep) {
			t.Errorf("toGSM[%q] = %q, which is not GSM-7", r, rep)
		}
	}
}

func TestAnalyze(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	o := func(n int) string { return strings.Repeat("ó", n) }
	tests := []struct {
		name string
		s    string
		want Info
	}{
		{"empty", "", Info{GSM7, 0, 1, 160, 160, nil}},
		{"hello", "Hello", Info{GSM7, 5, 1, 160, 155, nil}},
		{"ascii 160", a(160), Info{GSM7, 160, 1, 160, 0, nil}},
		{"ascii 161", a(161), Info{GSM7, 161, 2, 153, 145, nil}},
		{"ascii 306", a(306), Info{GSM7, 306, 2, 153, 0, nil}},
		{"ascii 307", a(307), Info{GSM7, 307, 3, 153, 152, nil}},
		{"euro", "€", Info{GSM7, 2, 1, 160, 158, nil}},
		{"brackets", "[text]", Info{GSM7, 8, 1, 160, 152, nil}},
		{"all extension", "\f^{}\\[~]|€", Info{GSM7, 20, 1, 160, 140, nil}},
		{"euro at 160", a(158) + "€", Info{GSM7, 160, 1, 160, 0, nil}},
		{"euro at 161", a(159) + "€", Info{GSM7, 161, 2, 153, 145, nil}},
		// 152 + 2 + 152 = 306 units, but the escape pair cannot straddle
		// the first boundary, so it takes three segments.
		{"escape pair not split", a(152) + "€" + a(152), Info{GSM7, 306, 3, 153, 152, nil}},
		{"spanish GSM letters", "¿Qué pasó? ñÑüÜ¡àèìòù", Info{UCS2, 21, 1, 70, 49, []rune{'ó'}}},
		{"donde", "¿Dónde?", Info{UCS2, 7, 1, 70, 63, []rune{'ó'}}},
		{"forcing distinct in order", "áéíóúáí", Info{UCS2, 7, 1, 70, 63, []rune{'á', 'í', 'ó', 'ú'}}},
		{"emoji", "😀", Info{UCS2, 2, 1, 70, 68, []rune{'😀'}}},
		{"emoji and text", "ok 👍", Info{UCS2, 5, 1, 70, 65, []rune{'👍'}}},
		{"curly quote", "it’s", Info{UCS2, 4, 1, 70, 66, []rune{'’'}}},
		{"escape char", "\x1b", Info{UCS2, 1, 1, 70, 69, []rune{0x1B}}},
		{"invalid utf8", "a\xffb", Info{UCS2, 3, 1, 70, 67, []rune{utf8.RuneError}}},
		{"ucs2 70", o(70), Info{UCS2, 70, 1, 70, 0, []rune{'ó'}}},
		{"ucs2 71", o(71), Info{UCS2, 71, 2, 67, 63, []rune{'ó'}}},
		{"ucs2 134", o(134), Info{UCS2, 134, 2, 67, 0, []rune{'ó'}}},
		{"ucs2 135", o(135), Info{UCS2, 135, 3, 67, 66, []rune{'ó'}}},
		{"euro in ucs2 counts 1", o(1) + "€", Info{UCS2, 2, 1, 70, 68, []rune{'ó'}}},
		// 66 + 2 + 66 = 134 units, but the surrogate pair cannot straddle
		// the first boundary.
		{"surrogate pair not split", o(66) + "😀" + o(66), Info{UCS2, 134, 3, 67, 66, []rune{'ó', '😀'}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Analyze(tt.s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Analyze(%q)\n got %+v\nwant %+v", tt.s, got, tt.want)
			}
		})
	}
}

// A realistic Spanish alert: the accents GSM-7 lacks push it to UCS-2 and
// four segments; ToGSM brings it back to GSM-7 and two.
func TestSpanishAlert(t *testing.T) {
	alert := "ALERTA CONFIRMADA: retén de ICE en Av. Álvarez y calle 5 (90210), 9:40 a.m. " +
		"Evite la zona. Si llegan a su casa: no abra la puerta, pida una orden firmada por un juez. " +
		"Código: K7Q2 – verifique en tocsin.example/v"
	want := "ALERTA CONFIRMADA: retén de ICE en Av. Alvarez y calle 5 (90210), 9:40 a.m. " +
		"Evite la zona. Si llegan a su casa: no abra la puerta, pida una orden firmada por un juez. " +
		"Codigo: K7Q2 - verifique en tocsin.example/v"
	n := utf8.RuneCountInString(alert)

	before := Analyze(alert)
	if before.Encoding != UCS2 || before.Units != n || before.Segments != 4 {
		t.Errorf("before: %+v (runes %d)", before, n)
	}
	if !reflect.DeepEqual(before.Forcing, []rune{'Á', 'ó', '–'}) {
		t.Errorf("Forcing = %q", before.Forcing)
	}
	got, changed := ToGSM(alert)
	if got != want || !changed {
		t.Fatalf("ToGSM = %q, %v\nwant %q", got, changed, want)
	}
	after := Analyze(got)
	if after.Encoding != GSM7 || after.Units != n || after.Segments != 2 || after.Forcing != nil {
		t.Errorf("after: %+v", after)
	}
}

func TestToGSM(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"", "", false},
		{"Hello", "Hello", false},
		{"¿Dónde?", "¿Donde?", true},
		{"Sí, aquí está la policía", "Si, aqui esta la policia", true},
		{"ÁÍÓÚ áíóú", "AIOU aiou", true},
		{"âêîôû ÂÊÎÔÛ ãõ ÃÕ", "aeiou AEIOU ao AO", true},
		{"ç Ç", "Ç Ç", true},
		{"ÀÈÌÒÙ àèìòù", "AEIOU àèìòù", true},
		{"é É ñ Ñ ü Ü ¿ ¡ ä ö Ä Ö Å å Æ æ ß Ç ø Ø", "é É ñ Ñ ü Ü ¿ ¡ ä ö Ä Ö Å å Æ æ ß Ç ø Ø", false},
		{"‘single’ ‚low‛ “double” „low‟", "'single' 'low' \"double\" \"low\"", true},
		{"«comillas»", "\"comillas\"", true},
		{"a – b — c ‐ d − e", "a - b - c - d - e", true},
		{"wait…", "wait...", true},
		{"a\u00A0b\u2009c\u202Fd\u3000e\tf", "a b c d e f", true},
		{"• uno\n• dos", "- uno\n- dos", true},
		{"zero\u200Bwidth\uFEFF", "zerowidth", true},
		{"n\u0303o", "ño", true},   // decomposed GSM letter is composed
		{"o\u0301", "o", true},     // decomposed ó
		{"ﬁnal", "final", true},    // ligature
		{"ＡＢＣ１２３", "ABC123", true}, // full width
		{"ś ő ž", "s o z", true},   // other accents via decomposition
		{"1º 2ª", "1o 2a", true},   // ordinals
		{"€ [x] {y} ~ ^ | \\", "€ [x] {y} ~ ^ | \\", false},
		{"Hola 😀", "Hola 😀", false}, // no equivalent: left alone
		{"Sí 😀", "Si 😀", true},      // partial fix, still UCS-2
		{"a ≠ b", "a ≠ b", false},   // never drop a negating overlay
		{"=\u0338", "≠", true},      // composed by NFC, then kept
		{"日本", "日本", false},         // no equivalent
		{"bad\xffbyte", "bad\xffbyte", false},
		{"ó\xff", "o\xff", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, changed := ToGSM(tt.in)
			if got != tt.want || changed != tt.changed {
				t.Errorf("ToGSM(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestIsGSM(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"", true},
		{"Hello, world! @home $5 £3 ¥1 _x_", true},
		{"€[]{}^~\\|\f", true},
		{"¿Qué?", true},
		{"ñandú", false},
		{"`backtick`", false},
		{"tab\there", false},
		{"\x1b", false},
		{"😀", false},
		{"\xff", false},
	}
	for _, tt := range tests {
		if got := IsGSM(tt.s); got != tt.want {
			t.Errorf("IsGSM(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestEncodingString(t *testing.T) {
	tests := []struct {
		e    Encoding
		want string
	}{
		{GSM7, "GSM-7"},
		{UCS2, "UCS-2"},
		{Encoding(7), "Encoding(7)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%d.String() = %q, want %q", int(tt.e), got, tt.want)
		}
	}
}

// allMapped reports whether every character of s has a GSM-7 equivalent.
func allMapped(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return false
			}
		}
		if _, ok := gsmFor(r); !ok {
			return false
		}
	}
	return true
}

var fuzzSeeds = []string{"", "Hello", "¿Dónde?", "€" + strings.Repeat("a", 152) + "€", "😀ó",
	"“quoted” — text…", "n\u0303", "=\u0338", "\xff\xfe", "\x1b", "ﬁ½™", "日本語 👍🏽"}

func FuzzToGSM(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, changed := ToGSM(s)
		if changed != (out != s) {
			t.Fatalf("ToGSM(%q): changed = %v but out = %q", s, changed, out)
		}
		if IsGSM(s) && changed {
			t.Fatalf("ToGSM(%q) changed GSM-7 text to %q", s, out)
		}
		if allMapped(s) && !IsGSM(out) {
			t.Fatalf("ToGSM(%q) = %q, not GSM-7 although every character has a mapping", s, out)
		}
		if again, _ := ToGSM(out); again != out && IsGSM(out) {
			t.Fatalf("ToGSM not idempotent on %q", out)
		}
	})
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info := Analyze(s)
		if info.Segments < 1 || info.Remaining < 0 || info.Remaining > info.PerSegment {
			t.Fatalf("Analyze(%q) = %+v", s, info)
		}
		if info.Segments*info.PerSegment < info.Units {
			t.Fatalf("Analyze(%q) undercounts: %+v", s, info)
		}
		if (info.Encoding == GSM7) != IsGSM(s) || (info.Encoding == GSM7) != (info.Forcing == nil) {
			t.Fatalf("Analyze(%q): encoding %v, IsGSM %v, Forcing %q", s, info.Encoding, IsGSM(s), info.Forcing)
		}
		if info.Units < utf8.RuneCountInString(s) {
			t.Fatalf("Analyze(%q): %d units for %d characters", s, info.Units, utf8.RuneCountInString(s))
		}
	})
}
