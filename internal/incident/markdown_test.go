package incident

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a|b", `a\|b`},
		{"`code`", "\\`code\\`"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"# heading", `\# heading`},
		{"*em* _em_ ~~s~~", `\*em\* \_em\_ \~\~s\~\~`},
		{"[x](http://evil.example)", `\[x\](http\://evil.example)`},
		{"![i](y)", `\!\[i\](y)`},
		{"www.evil.example", `www\.evil.example`},
		{"me@evil.example", `me\@evil.example`},
		{"a & b", "a &amp; b"},
		{`back\slash`, `back\\slash`},
		{"$x$", `\$x\$`},
		{"line\nbreak\r\ttab", `line\\x0abreak\\x0d\\x09tab`},
		{"\u202egnp.exe", `\\u202egnp.exe`},
		{"zero\u200bwidth", `zero\\u200bwidth`},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"call +13105550123", "call +1\\*\\*\\*\\*\\*\\*23"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := mdText(strings.Repeat("a", 1000))
	if utf8.RuneCountInString(long) != maxShown+1 || !strings.HasSuffix(long, "…") {
		t.Errorf("a long value is shown as %d runes", utf8.RuneCountInString(long))
	}
}

// cells counts the cells of a table row: pipes not escaped by an odd
// number of backslashes, less one.
func cells(line string) int {
	n, backslashes := 0, 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			backslashes++
			continue
		case '|':
			if backslashes%2 == 0 {
				n++
			}
		}
		backslashes = 0
	}
	return n - 1
}

func FuzzMdText(f *testing.F) {
	for _, s := range []string{"a|b", "<x>", "\n# h", "`", "\\|", "http://x", "+13105550123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := mdText(s)
		if strings.ContainsAny(got, "<>\n\r") || cells("|"+got+"|") != 1 {
			t.Errorf("mdText(%q) = %q", s, got)
		}
		if i, _ := findPhone(got); i >= 0 {
			t.Errorf("mdText(%q) = %q shows a phone number", s, got)
		}
	})
}
