package keyword

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		body string
		want Command
	}{
		// Empty and unknown.
		{"", Command{}},
		{"   \n\t ", Command{}},
		{"?!", Command{}},
		{"hola", Command{}},
		{"please stop", Command{}},
		{"SUBSCRIBE 90210", Command{}},
		{"joiner 90210", Command{}},
		{"stopx", Command{}},

		// Join.
		{"JOIN 90210", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"join 90210", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"  JOIN: 90210, ", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"Join\n\n90210   90211\n", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210", "90211"}}},
		{"ALTA 90210", Command{Kind: Join, Lang: "es", ZIPs: []string{"90210"}}},
		{"Alta 90210, 90211 y 90210", Command{Kind: Join, Lang: "es", ZIPs: []string{"90210", "90211"}}},
		{"ÁLTA 90210", Command{Kind: Join, Lang: "es", ZIPs: []string{"90210"}}},
		{"unirse 10001", Command{Kind: Join, Lang: "es", ZIPs: []string{"10001"}}},
		{"JOIN90210", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"ÁLTA90210", Command{Kind: Join, Lang: "es", ZIPs: []string{"90210"}}},
		{"JOIN 90210-1234", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"JOIN zip 90210 and 10001", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210", "10001"}}},
		{"ALTA 90210 español", Command{Kind: Join, Lang: "es", ZIPs: []string{"90210"}, SetLang: "es"}},
		{"JOIN 90210 ES", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}, SetLang: "es"}},
		{"ＪＯＩＮ　９０２１０", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}}},
		{"JOIN", Command{Kind: Join, Lang: "en", Problem: NoZIP}},
		{"JOIN please", Command{Kind: Join, Lang: "en", Problem: NoZIP}},
		{"JOIN 9021", Command{Kind: Join, Lang: "en", Problem: BadZIP}},
		{"JOIN 902100", Command{Kind: Join, Lang: "en", Problem: BadZIP}},
		{"JOIN 9021O", Command{Kind: Join, Lang: "en", Problem: BadZIP}},
		{"JOIN 90210 123", Command{Kind: Join, Lang: "en", ZIPs: []string{"90210"}, Problem: BadZIP}},
		{"JOIN 10001 10002 10003 10004 10005", Command{Kind: Join, Lang: "en",
			ZIPs: []string{"10001", "10002", "10003", "10004", "10005"}}},
		{"JOIN 10001 10002 10003 10004 10005 10001", Command{Kind: Join, Lang: "en",
			ZIPs: []string{"10001", "10002", "10003", "10004", "10005"}}},
		{"JOIN 10001 10002 10003 10004 10005 10006", Command{Kind: Join, Lang: "en",
			ZIPs: []string{"10001", "10002", "10003", "10004", "10005", "10006"}, Problem: TooManyZIPs}},

		// Stop: the first word decides, whatever follows.
		{"STOP", Command{Kind: Stop, Lang: "en"}},
		{"stop", Command{Kind: Stop, Lang: "en"}},
		{" Stop. ", Command{Kind: Stop, Lang: "en"}},
		{"STOPALL", Command{Kind: Stop, Lang: "en"}},
		{"UNSUBSCRIBE", Command{Kind: Stop, Lang: "en"}},
		{"cancel", Command{Kind: Stop, Lang: "en"}},
		{"End", Command{Kind: Stop, Lang: "en"}},
		{"QUIT", Command{Kind: Stop, Lang: "en"}},
		{"revoke", Command{Kind: Stop, Lang: "en"}},
		{"OPTOUT", Command{Kind: Stop, Lang: "en"}},
		{"opt out", Command{Kind: Stop, Lang: "en"}},
		{"Opt-Out please", Command{Kind: Stop, Lang: "en"}},
		{"STOP sending me these", Command{Kind: Stop, Lang: "en"}},
		{"stop JOIN 90210", Command{Kind: Stop, Lang: "en"}},
		{"ALTO", Command{Kind: Stop, Lang: "es"}},
		{"¡Alto!", Command{Kind: Stop, Lang: "es"}},
		{"BAJA", Command{Kind: Stop, Lang: "es"}},
		{"parar", Command{Kind: Stop, Lang: "es"}},
		{"Cancelar por favor", Command{Kind: Stop, Lang: "es"}},
		{"STOP90210", Command{Kind: Stop, Lang: "en"}},

		// Start.
		{"START", Command{Kind: Start, Lang: "en"}},
		{"unstop", Command{Kind: Start, Lang: "en"}},
		{"Inicio", Command{Kind: Start, Lang: "es"}},

		// Help.
		{"HELP", Command{Kind: Help, Lang: "en"}},
		{"help me", Command{Kind: Help, Lang: "en"}},
		{"INFO", Command{Kind: Help, Lang: ""}},
		{"AYUDA", Command{Kind: Help, Lang: "es"}},
		{"AYÚDA", Command{Kind: Help, Lang: "es"}},
		{"¿ayuda?", Command{Kind: Help, Lang: "es"}},
		{"ayu\u0301da", Command{Kind: Help, Lang: "es"}}, // decomposed accent

		// Lang.
		{"LANG ES", Command{Kind: Lang, Lang: "en", SetLang: "es"}},
		{"lang en", Command{Kind: Lang, Lang: "en", SetLang: "en"}},
		{"IDIOMA ESPAÑOL", Command{Kind: Lang, Lang: "es", SetLang: "es"}},
		{"idioma espanol", Command{Kind: Lang, Lang: "es", SetLang: "es"}},
		{"Idioma: inglés", Command{Kind: Lang, Lang: "es", SetLang: "en"}},
		{"LANG SPANISH", Command{Kind: Lang, Lang: "en", SetLang: "es"}},
		{"language English", Command{Kind: Lang, Lang: "en", SetLang: "en"}},
		{"LANG", Command{Kind: Lang, Lang: "en", Problem: NoLang}},
		{"LANG FR", Command{Kind: Lang, Lang: "en", Problem: NoLang}},

		// Report.
		{"REPORT", Command{Kind: Report, Lang: "en", Category: "other", Problem: NoText}},
		{"reporte: ", Command{Kind: Report, Lang: "es", Category: "other", Problem: NoText}},
		{"REPORT checkpoint at Main & 5th",
			Command{Kind: Report, Lang: "en", Category: "checkpoint", Text: "at Main & 5th"}},
		{"REPORT: Checkpoint: Main & 5th, 90210",
			Command{Kind: Report, Lang: "en", Category: "checkpoint", Text: "Main & 5th, 90210", ZIPs: []string{"90210"}}},
		{"REPORTE Retén en la calle Álvarez 90210 ahora mismo",
			Command{Kind: Report, Lang: "es", Category: "checkpoint", Text: "en la calle Álvarez 90210 ahora mismo", ZIPs: []string{"90210"}}},
		{"reporte reten",
			Command{Kind: Report, Lang: "es", Category: "checkpoint"}},
		{"REPORTE punto de control en Broadway",
			Command{Kind: Report, Lang: "es", Category: "checkpoint", Text: "en Broadway"}},
		{"REPORTE Punto de Control - Broadway",
			Command{Kind: Report, Lang: "es", Category: "checkpoint", Text: "Broadway"}},
		{"REPORTE punto de encuentro en Broadway",
			Command{Kind: Report, Lang: "es", Category: "other", Text: "punto de encuentro en Broadway"}},
		{"report RAID at the car wash on 12345 Elm St 90210",
			Command{Kind: Report, Lang: "en", Category: "raid", Text: "at the car wash on 12345 Elm St 90210", ZIPs: []string{"90210"}}},
		{"REPORTE redada en la fábrica",
			Command{Kind: Report, Lang: "es", Category: "raid", Text: "en la fábrica"}},
		{"REPORTE vehículo sin placas",
			Command{Kind: Report, Lang: "es", Category: "vehicle", Text: "sin placas"}},
		{"reporte CAMIONETA blanca 10001",
			Command{Kind: Report, Lang: "es", Category: "vehicle", Text: "blanca 10001", ZIPs: []string{"10001"}}},
		{"Report vehicle",
			Command{Kind: Report, Lang: "en", Category: "vehicle"}},
		{"REPORTE detención en la parada del bus",
			Command{Kind: Report, Lang: "es", Category: "detention", Text: "en la parada del bus"}},
		{"REPORTE arresto",
			Command{Kind: Report, Lang: "es", Category: "detention"}},
		{"REPORTE otro retén en la 5",
			Command{Kind: Report, Lang: "es", Category: "other", Text: "otro retén en la 5"}},
		{"REPORT  ¡Hay ICE en la tienda!  \n",
			Command{Kind: Report, Lang: "en", Category: "other", Text: "¡Hay ICE en la tienda!"}},
		{"REPORT men in vests at 7-Eleven, call 555-123-4567",
			Command{Kind: Report, Lang: "en", Category: "other", Text: "men in vests at 7-Eleven, call 555-123-4567"}},
		{"REPORT 90210",
			Command{Kind: Report, Lang: "en", Category: "other", ZIPs: []string{"90210"}, Problem: NoText}},
		{"REPORT raiding party\xff",
			Command{Kind: Report, Lang: "en", Category: "other", Text: "raiding party\uFFFD"}},

		// Length limit.
		{strings.Repeat("a", MaxBodyBytes), Command{}},
		{"STOP " + strings.Repeat("a", MaxBodyBytes), Command{Kind: Unknown, Problem: TooLong}},
	}
	for _, tt := range tests {
		name := tt.body
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			got := Parse(tt.body)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Unknown.String(), "unknown"},
		{Join.String(), "join"},
		{Stop.String(), "stop"},
		{Start.String(), "start"},
		{Help.String(), "help"},
		{Lang.String(), "lang"},
		{Report.String(), "report"},
		{Kind(99).String(), "Kind(99)"},
		{Kind(-1).String(), "Kind(-1)"},
		{None.String(), "none"},
		{NoZIP.String(), "no-zip"},
		{BadZIP.String(), "bad-zip"},
		{TooManyZIPs.String(), "too-many-zips"},
		{NoLang.String(), "no-lang"},
		{NoText.String(), "no-text"},
		{TooLong.String(), "too-long"},
		{Problem(42).String(), "Problem(42)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Every opt-out word, in any case and with or without accents or trailing
// text, must be a Stop: missing one is a legal and trust failure.
func TestEveryStopWord(t *testing.T) {
	words := []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
		"ALTO", "BAJA", "PARAR", "CANCELAR"}
	for _, w := range words {
		for _, body := range []string{w, strings.ToLower(w), " " + w + " ", w + ".", w + " JOIN 90210", w + "\nthanks"} {
			if got := Parse(body); got.Kind != Stop {
				t.Errorf("Parse(%q).Kind = %v, want stop", body, got.Kind)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "JOIN 90210", "ALTA 90210-1234, 10001", "STOP", "AYÚDA",
		"LANG ES", "IDIOMA ESPAÑOL", "REPORTE punto de control 90210 calle Ñandú",
		"REPORT raid", "join90210", "ＪＯＩＮ９０２１０", "opt out", "\xff\xfe", "a\u0301\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		c := Parse(body)
		if c.Kind < Unknown || c.Kind > Report {
			t.Fatalf("Parse(%q): invalid kind %d", body, c.Kind)
		}
		if c.Problem < None || c.Problem > TooLong {
			t.Fatalf("Parse(%q): invalid problem %d", body, c.Problem)
		}
		switch c.Lang {
		case "", "en", "es":
		default:
			t.Fatalf("Parse(%q): Lang %q", body, c.Lang)
		}
		for _, z := range c.ZIPs {
			if len(z) != 5 || !isDigits(z) {
				t.Fatalf("Parse(%q): ZIP %q", body, z)
			}
		}
		if c.Kind == Lang && c.Problem == None && c.SetLang != "en" && c.SetLang != "es" {
			t.Fatalf("Parse(%q): SetLang %q", body, c.SetLang)
		}
		if c.Kind == Report {
			switch c.Category {
			case CategoryCheckpoint, CategoryRaid, CategoryVehicle, CategoryDetention, CategoryOther:
			default:
				t.Fatalf("Parse(%q): Category %q", body, c.Category)
			}
			if !utf8.ValidString(c.Text) {
				t.Fatalf("Parse(%q): invalid UTF-8 in Text", body)
			}
		}
		if c.Kind != Unknown && c.Kind != Report && (c.Text != "" || c.Category != "") {
			t.Fatalf("Parse(%q): Text/Category set for %v", body, c.Kind)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	bodies := []string{"JOIN 90210", "AYÚDA", "REPORTE Retén en la calle Álvarez 90210 ahora mismo",
		"REPORT " + strings.Repeat("ñandú 90210 ", 113)}
	for _, body := range bodies {
		b.Run(strconv.Itoa(len(body)), func(b *testing.B) {
			for b.Loop() {
				Parse(body)
			}
		})
	}
}

func TestReportLeadingZIP(t *testing.T) {
	tests := []struct {
		body, zip, category, text string
		problem                   Problem
	}{
		{"REPORT 90210 checkpoint at Main and 3rd", "90210", CategoryCheckpoint, "at Main and 3rd", None},
		{"reporte 90210 redada en la fábrica", "90210", CategoryRaid, "en la fábrica", None},
		{"REPORT 90210 two vans on 12345 Elm", "90210", CategoryOther, "two vans on 12345 Elm", None},
		{"REPORT 90210", "90210", CategoryOther, "", NoText},
	}
	for _, tt := range tests {
		c := Parse(tt.body)
		if c.Kind != Report || len(c.ZIPs) != 1 || c.ZIPs[0] != tt.zip || c.Category != tt.category || c.Text != tt.text || c.Problem != tt.problem {
			t.Errorf("Parse(%q) = %+v", tt.body, c)
		}
	}
}
