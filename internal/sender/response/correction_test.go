package response

import (
	"strings"
	"testing"
)

// TestQuotedWords checks the quotation on its own: where it stops, and
// that what it keeps cannot close the quotation, add a line or a link.
func TestQuotedWords(t *testing.T) {
	tests := []struct{ fake, want string }{
		{"Your data was sent. Reply YES", "Your data was sent. Reply YES"},
		{"Tus datos: https://x.co/a ahora", "Tus datos:"},
		{"Visit example.org today", "Visit"},
		{"mail me@evil.test", "mail"},
		{"He said \"stop\" [ALERT]\r\nnow", "He said stop ALERT now"},
		{"www now", ""},
		{"código 1234 ya", "codigo"},
		{strings.Repeat("abcdefghij ", 20), "abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij"},
	}
	for _, tt := range tests {
		if got := strings.Join(quotedWords(tt.fake), " "); got != tt.want {
			t.Errorf("quotedWords(%q) = %q, want %q", tt.fake, got, tt.want)
		}
	}
}
