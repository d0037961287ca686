package sender

import (
	"strings"
	"testing"
	"unicode"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/smstext"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// correctionDraft returns the texts of the correction the sender drafted,
// as its statement holds them: exactly what would be sent.
func (b *bundle) correctionDraft(t *testing.T) map[string]string {
	t.Helper()
	drafts, err := b.store.ListAlerts(b.ctx, []tocsin.AlertState{tocsin.AlertDraft}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].CreatedBy != correctionBy {
		t.Fatalf("%d drafts, want the correction: %+v", len(drafts), drafts)
	}
	st, err := trust.DecodeStatement(drafts[0].Statement)
	if err != nil {
		t.Fatal(err)
	}
	return st.Texts
}

// TestCorrectionDraft plays the attacker who texts every subscriber in the
// service's name: the correction drafted when a canary catches it is
// labelled a correction in both languages (not [UNCONFIRMED]), is GSM-7 in
// at most two segments in each language, has one link (its verify line),
// and quotes the fake's first words only when a canary captured them —
// without the attacker's links, numbers, control characters, quotation
// marks or labels, however long and hostile the fake. A canary credential
// (no text captured) gets a correction that quotes nothing and claims
// nothing about what the fake said.
func TestCorrectionDraft(t *testing.T) {
	const attacker, canary = "+12025550177", "+13105559001"
	long := "[CONFIRMED] “ICE” está en camino\u0007\u202e — sus datos fueron enviados 🚨 a las autoridades " +
		strings.Repeat("palabra ", 200) + "https://evil.example/x"
	tests := []struct {
		name  string
		fake  string // "" for a canary credential: nothing captured
		quote string // the start of the quotation; "" for none
	}{
		{"canary credential", "", ""},
		{"2026 fake", "Your information has been sent to the authorities. Call +1 202 555 0177.", `began "Your information has been sent to the authorities. Call..."`},
		{"long hostile fake", long, `began "CONFIRMED ICE esta en camino sus datos`},
		{"starts with a link", "bit.ly/x9 your data was leaked", ""},
		{"number early", "Call 202-555-0177 now", `began "Call..." did`},
		{"other script", "Ваши данные переданы властям", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			b.sender.cfg.PublicURL = "https://alerts.example.org"
			b.sender.cfg.Name = "Red Rápida del Valle"
			b.subscribe(t, 2)
			if tt.fake == "" {
				if err := b.store.AddSecurityEvent(b.ctx, &store.SecurityEvent{At: b.now, Kind: "canary.apikey", Severity: store.SeverityCritical, Subject: "k"}); err != nil {
					t.Fatal(err)
				}
			} else {
				b.addCanary(t, "line-2", canary)
				b.arrive(t, attacker, canary, tt.fake)
			}
			b.sender.Tick(b.ctx)
			texts := b.correctionDraft(t)
			for lang, label := range map[string]string{"en": "[CORRECTION] ", "es": "[CORRECCION] "} {
				text := texts[lang]
				info := smstext.Analyze(text)
				switch {
				case !strings.HasPrefix(text, label):
					t.Errorf("%s text does not start with %q:\n%s", lang, label, text)
				case info.Encoding != smstext.GSM7 || info.Segments > maxCorrectionSegments:
					t.Errorf("%s text is %s in %d segments (forced by %q), want GSM-7 in at most %d:\n%s", lang, info.Encoding, info.Segments, info.Forcing, maxCorrectionSegments, text)
				case strings.Count(text, "http") != 1 || !strings.Contains(text, "https://alerts.example.org/v/"):
					t.Errorf("%s text has not one verify link:\n%s", lang, text)
				case strings.Count(text, "\n") != 1:
					t.Errorf("%s text has more lines than text and verify line:\n%s", lang, text)
				}
				for _, bad := range []string{"202", "0177", "evil", "bit.ly", "[CONFIRMED]", "UNCONFIRMED", "“", "🚨"} {
					if strings.Contains(text, bad) {
						t.Errorf("%s text holds %q:\n%s", lang, bad, text)
					}
				}
				if strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) {
					t.Errorf("%s text holds a control character: %q", lang, text)
				}
				if tt.quote == "" && (strings.Contains(text, `"`) || strings.Contains(text, "authorit") || strings.Contains(text, "autoridad")) {
					t.Errorf("%s text quotes or says what nothing captured:\n%s", lang, text)
				}
				if tt.quote != "" && strings.Count(text, `"`) != 2 {
					t.Errorf("%s text: the quotation is not closed once:\n%s", lang, text)
				}
			}
			if en := texts["en"]; tt.quote != "" && !strings.Contains(en, tt.quote) {
				t.Errorf("English text lacks %s:\n%s", tt.quote, en)
			}
			if !strings.Contains(texts["en"], "did NOT come from us") || !strings.Contains(texts["es"], "NO vin") {
				t.Errorf("the correction does not say the texts did not come from us:\n%s\n%s", texts["en"], texts["es"])
			}
		})
	}
}
