package sender

import (
	"strings"
	"testing"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/store"
)

func TestKeywords(t *testing.T) {
	tests := []struct {
		name   string
		before []string // texts sent first
		body   string
		reply  string // substring of the one reply; "" means no reply
		active bool   // subscription active afterwards
		lang   tocsin.Language
	}{
		{name: "join", body: "JOIN 90210", reply: "you will get alerts for 90210", active: true, lang: tocsin.English},
		{name: "join lower case many zips", body: "join 90210, 10001", reply: "90210, 10001", active: true, lang: tocsin.English},
		{name: "alta", body: "ALTA 90210", reply: "recibiras alertas para 90210", active: true, lang: tocsin.Spanish},
		{name: "alta accented lower", body: "álta 90210", reply: "recibiras alertas", active: true, lang: tocsin.Spanish},
		{name: "join without zip", body: "JOIN", reply: "add your ZIP code"},
		{name: "alta without zip", body: "ALTA", reply: "agrega tu codigo postal"},
		{name: "join unknown zip", body: "JOIN 00000", reply: "do not know the ZIP code 00000"},
		{name: "join bad zip", body: "JOIN 9021", reply: "5 digits"},
		{name: "join too many", body: "JOIN 90210 90211 90212 10001 10002 10003", reply: "at most 5"},
		{name: "stop", before: []string{"JOIN 90210"}, body: "STOP", reply: "unsubscribed"},
		{name: "stopall", before: []string{"JOIN 90210"}, body: "stopall", reply: "unsubscribed"},
		{name: "unsubscribe", before: []string{"JOIN 90210"}, body: "Unsubscribe", reply: "unsubscribed"},
		{name: "cancel", before: []string{"JOIN 90210"}, body: "CANCEL", reply: "unsubscribed"},
		{name: "end", before: []string{"JOIN 90210"}, body: "end", reply: "unsubscribed"},
		{name: "quit", before: []string{"JOIN 90210"}, body: "QUIT", reply: "unsubscribed"},
		{name: "alto", before: []string{"ALTA 90210"}, body: "ALTO", reply: "te diste de baja", lang: tocsin.Spanish},
		{name: "baja", before: []string{"ALTA 90210"}, body: "Baja", reply: "te diste de baja", lang: tocsin.Spanish},
		{name: "stop twice is confirmed once", before: []string{"JOIN 90210", "STOP"}, body: "STOP", reply: ""},
		{name: "stop unknown number", body: "STOP", reply: "unsubscribed"},
		{name: "start after stop", before: []string{"JOIN 90210", "STOP"}, body: "START", reply: "welcome back", active: true, lang: tocsin.English},
		{name: "unstop after stop", before: []string{"JOIN 90210", "STOP"}, body: "unstop", reply: "welcome back", active: true, lang: tocsin.English},
		{name: "start never joined", body: "START", reply: "text JOIN and your ZIP code"},
		{name: "help", body: "HELP", reply: "JOIN + ZIP"},
		{name: "info", body: "info", reply: "JOIN + ZIP"},
		{name: "ayuda", body: "AYUDA", reply: "ALTA + codigo postal"},
		{name: "ayuda accented", body: "ayúda", reply: "ALTA + codigo postal"},
		{name: "help after stop still answered", before: []string{"JOIN 90210", "STOP"}, body: "HELP", reply: "JOIN + ZIP"},
		{name: "lang es", before: []string{"JOIN 90210"}, body: "LANG ES", reply: "recibiras mensajes en espanol", active: true, lang: tocsin.Spanish},
		{name: "idioma en", before: []string{"ALTA 90210"}, body: "idioma en", reply: "messages in English", active: true, lang: tocsin.English},
		{name: "idioma espanol", before: []string{"JOIN 90210"}, body: "IDIOMA ESPAÑOL", reply: "espanol", active: true, lang: tocsin.Spanish},
		{name: "lang without language", before: []string{"JOIN 90210"}, body: "LANG", reply: "LANG EN", active: true, lang: tocsin.English},
		{name: "report", body: "REPORT 90210 checkpoint at Main and 3rd", reply: "your report was received"},
		{name: "reporte", body: "REPORTE 90210 redada en la fabrica", reply: "recibimos tu reporte"},
		{name: "report without text", body: "REPORT", reply: "REPORT, the ZIP code"},
		{name: "report after stop gets nothing", before: []string{"JOIN 90210", "STOP"}, body: "REPORT 90210 raid", reply: ""},
		{name: "unknown gets help", body: "hello?", reply: "JOIN + ZIP"},
		{name: "empty gets help", body: "", reply: "JOIN + ZIP"},
		{name: "unknown after stop gets nothing", before: []string{"JOIN 90210", "STOP"}, body: "hello?", reply: ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			number := "+1310555" + pad4(i)
			for _, before := range tt.before {
				b.text(t, number, before)
			}
			got := b.text(t, number, tt.body)
			switch {
			case tt.reply == "" && len(got) != 0:
				t.Fatalf("want no reply, got %q", got)
			case tt.reply != "" && len(got) != 1:
				t.Fatalf("want exactly one reply, got %q", got)
			case tt.reply != "" && !strings.Contains(got[0], tt.reply):
				t.Fatalf("reply %q does not contain %q", got[0], tt.reply)
			}
			sub := b.subscriber(t, number)
			if active := sub != nil && sub.Active; active != tt.active {
				t.Errorf("active = %v, want %v", active, tt.active)
			}
			if tt.lang != "" && sub != nil && sub.Lang != tt.lang {
				t.Errorf("lang = %q, want %q", sub.Lang, tt.lang)
			}
			if n, _ := b.store.ListInbound(b.ctx, 10); len(n) != 0 {
				t.Errorf("%d inbound texts left unhandled", len(n))
			}
		})
	}
}

func TestReportBySMSKeepsNoSender(t *testing.T) {
	b := setup(t)
	b.text(t, "+13105550100", "REPORT 90210 checkpoint at Main and 3rd")
	rs, err := b.store.ListReports(b.ctx, store.ReportFilter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("reports = %v, %v", rs, err)
	}
	r := rs[0]
	if r.Source != tocsin.SourceSMS || r.ZIP != "90210" || r.Category != tocsin.CategoryCheckpoint || r.State != tocsin.ReportNew {
		t.Errorf("report = %+v", r)
	}
	if strings.Contains(r.Description+r.PlaceText, "555") {
		t.Errorf("report holds the number: %+v", r)
	}
	if b.subscriber(t, "+13105550100") != nil {
		t.Error("reporting by text created a subscriber")
	}
}

func TestJoinAddsZIPsUpToTheLimit(t *testing.T) {
	b := setup(t)
	const n = "+13105550101"
	b.text(t, n, "JOIN 90210")
	b.text(t, n, "JOIN 90210 10001")
	sub := b.subscriber(t, n)
	if len(sub.Areas) != 2 {
		t.Fatalf("areas = %+v, want 90210 and 10001 once each", sub.Areas)
	}
	got := b.text(t, n, "JOIN 60614 60615 60616 60617")
	contains(t, got, "at most 5")
	if sub := b.subscriber(t, n); len(sub.Areas) != 2 {
		t.Errorf("areas changed after a refused JOIN: %+v", sub.Areas)
	}
}
