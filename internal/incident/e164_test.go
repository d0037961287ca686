package incident

import "testing"

func TestFindPhone(t *testing.T) {
	tests := []struct {
		in   string
		want string // the part found, "" for none
	}{
		{"+13105550123", "+13105550123"},
		{"call +1 (310) 555-0123 now", "+1 (310) 555-0123"},
		{"/u?to=%2B13105550123&x=1", "%2B13105550123"},
		{"%2b442071838750", "%2b442071838750"},
		{"tel:+442071838750", "+442071838750"},
		{"+1.310.555.0123", "+1.310.555.0123"},
		{"+0123456789", ""},        // no country code starts with 0
		{"+123456", ""},            // 6 digits
		{"+12345 67", "+12345 67"}, // 7 digits with a space
		{"2026-03-14T09:00:05+01:00", ""},
		{"Googlebot/2.1 (+http://www.google.com/bot.html)", ""},
		{"203.0.113.7", ""},
		{"2001:db8::42", ""},
		{"13105550123", ""}, // without "+" a number is a number
		{"+", ""},
		{"%2", ""},
		{"a+b+13105550123", "+13105550123"},
	}
	for _, tt := range tests {
		i, j := findPhone(tt.in)
		got := ""
		if i >= 0 {
			got = tt.in[i:j]
		}
		if got != tt.want {
			t.Errorf("findPhone(%q) found %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"text from +13105550123 received", "text from +1******23 received"},
		{"+1 (310) 555-0123 and +442071838750", "+1******23 and +4******50"},
		{"no number here", "no number here"},
		{"/x?to=%2B13105550123", "/x?to=+1******23"},
	}
	for _, tt := range tests {
		if got := redactPhones(tt.in); got != tt.want {
			t.Errorf("redactPhones(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
