package stix

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidatePatternAccepts(t *testing.T) {
	for _, p := range []string{
		// What IOCs writes.
		`[ipv4-addr:value = '203.0.113.7']`,
		`[ipv6-addr:value = '2001:db8::42']`,
		`[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Mozilla/5.0 (X11; Linux x86_64)']`,
		`[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'it\'s a \\ test \']']`,
		// The grammar's other shapes, from the examples of STIX 2.1 Part 9.
		`[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']`,
		`[email-message:from_ref.value MATCHES '.+\\@example\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
		`([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS`,
		`[file:size > 1024] REPEATS 5 TIMES START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'`,
		`[file:mime_type = 'image/bmp'] WITHIN 1.5 SECONDS REPEATS 2 TIMES`,
		`([a:b = 'c'] WITHIN 5 SECONDS) WITHIN 10 SECONDS`,
		`[network-traffic:dst_port IN (80, 443, 8080)]`,
		`[network-traffic:dst_port NOT IN ()]`,
		`[x-custom:flag NOT = true] AND [x-custom:flag != false] OR [x-custom:flag <> true]`,
		`[file:name LIKE 'foo%' OR file:name NOT LIKE '_bar']`,
		`[user-account:account_type ISSUBSET '198.51.100.0/24' AND user-account:x ISSUPERSET '10.0.0.0/8']`,
		`[EXISTS windows-registry-key:values]`,
		`[artifact:payload_bin = b'aGVsbG8=' AND artifact:x = b'aGVsbA==' AND artifact:y = b'aGVs']`,
		`[file:magic_number_hex = h'ffd8' AND file:x = h'']`,
		`[x:y < -1.5 AND x:y >= .5 AND x:y <= +3 AND x:y > -0 AND x:y == 0]`,
		`[windows-registry-key:values[0].name = 'x' AND windows-registry-key:values[-1].data = 'y']`,
		`[process:extensions.'windows-process-ext'.aslr_enabled = true]`,
		`[x:'quoted name' = 'v']`,
		`[a:b = 'c'] AND [c:d = 'e'] OR [e:f = 'g'] FOLLOWEDBY [g:h = 'i']`,
		`[(a:b = 'c' OR a:d = 'e') AND (a:f = 'g')]`,
		"\t[ a:b\n=\u00a0'c' ] /* comment */ // to the end\n",
		`[x:t = t'2016-06-01T00:00:00.123Z']`,
		`[x:s = '']`,
		`[x:s = 'line one` + "\n" + `line two']`,
	} {
		if err := ValidatePattern(p); err != nil {
			t.Errorf("ValidatePattern(%q) = %v, want nil", p, err)
		}
	}
}

func TestValidatePatternRejects(t *testing.T) {
	tests := []struct {
		name, pattern, want string
	}{
		{"unbalanced: no ]", `[ipv4-addr:value = '1.2.3.4'`, "']' to close"},
		{"unbalanced: no [", `ipv4-addr:value = '1.2.3.4']`, "want an observation expression"},
		{"unbalanced: nested [", `[[ipv4-addr:value = '1.2.3.4']]`, "object path"},
		{"unbalanced: no )", `([a:b = 'c']`, "')'"},
		{"unbalanced: extra )", `[a:b = 'c'])`, "after the pattern"},
		{"unbalanced: index", `[a:b[0 = 'c']`, "']' to close the list index"},
		{"unquoted string", `[ipv4-addr:value = 1.2.3.4]`, "want ']'"},
		{"unquoted word", `[a:b = foo]`, "want a literal"},
		{"bad operator ===", `[a:b === 'c']`, "want a literal"},
		{"bad operator =~", `[a:b =~ 'c']`, "unexpected character"},
		{"bad operator ~", `[a:b ~ 'c']`, "unexpected character"},
		{"bad operator word", `[a:b EQUALS 'c']`, "want a comparison operator"},
		{"bad operator !", `[a:b ! 'c']`, "bad operator"},
		{"LIKE a number", `[a:b LIKE 5]`, "string literal after LIKE"},
		{"> a boolean", `[a:b > true]`, "want a literal"},
		{"IN a string", `[a:b IN 'c']`, "'(' to open the set"},
		{"set without comma", `[a:b IN (1 2)]`, "',' or ')'"},
		{"bad escape \\n", `[a:b = 'it\'s \n']`, "bad escape"},
		{"bad escape \\\"", `[a:b = 'c\"']`, "bad escape"},
		{"escaped closing quote", `[a:b = 'c\']`, "unterminated string"},
		{"backslash at the end", `[a:b = 'c\`, "bad escape"},
		{"empty observation", `[]`, "empty observation"},
		{"empty observation with space", `[ ]`, "empty observation"},
		{"empty pattern", ``, "want an observation expression"},
		{"empty parentheses", `()`, "want an observation expression"},
		{"no colon", `[a = 'b']`, "':' after the object type"},
		{"hyphen in a property", `[a:b-c = 'd']`, "want a property name"},
		{"keyword as a property", `[a:AND = 'b']`, "want a property name"},
		{"lower-case and", `[a:b = 'c' and a:d = 'e']`, "want ']'"},
		{"dangling AND", `[a:b = 'c' AND]`, "object path"},
		{"dangling observation AND", `[a:b = 'c'] AND`, "want an observation expression"},
		{"dangling FOLLOWEDBY", `[a:b = 'c'] FOLLOWEDBY`, "want an observation expression"},
		{"WITHIN 0", `[a:b = 'c'] WITHIN 0 SECONDS`, "positive number"},
		{"WITHIN negative", `[a:b = 'c'] WITHIN -5 SECONDS`, "positive number"},
		{"WITHIN without SECONDS", `[a:b = 'c'] WITHIN 5`, "SECONDS"},
		{"REPEATS a float", `[a:b = 'c'] REPEATS 1.5 TIMES`, "positive integer"},
		{"REPEATS without TIMES", `[a:b = 'c'] REPEATS 2`, "TIMES"},
		{"duplicate qualifier", `[a:b = 'c'] WITHIN 5 SECONDS WITHIN 6 SECONDS`, "duplicate WITHIN"},
		{"START after STOP", `[a:b = 'c'] START t'2016-07-01T00:00:00Z' STOP t'2016-06-01T00:00:00Z'`, "STOP must be after START"},
		{"START without timestamp", `[a:b = 'c'] START '2016-07-01T00:00:00Z' STOP t'2016-08-01T00:00:00Z'`, "timestamp literal after START"},
		{"START without STOP", `[a:b = 'c'] START t'2016-07-01T00:00:00Z'`, "STOP"},
		{"STOP without timestamp", `[a:b = 'c'] START t'2016-07-01T00:00:00Z' STOP 5`, "timestamp literal after STOP"},
		{"bad month", `[a:b = t'2016-13-01T00:00:00Z']`, "bad timestamp"},
		{"offset timestamp", `[a:b = t'2016-06-01T00:00:00+01:00']`, "bad timestamp"},
		{"unterminated timestamp", `[a:b = t'2016-06-01T00:00:00Z]`, "unterminated literal"},
		{"odd hex", `[a:b = h'abc']`, "bad hex"},
		{"not hex", `[a:b = h'zz']`, "bad hex"},
		{"bad base64", `[a:b = b'abc']`, "bad binary"},
		{"empty base64", `[a:b = b'']`, "bad binary"},
		{"base64 too padded", `[a:b = b'a===']`, "bad binary"},
		{"base64 bad char", `[a:b = b'ab-d']`, "bad binary"},
		{"leading zero", `[a:b = 01]`, "leading zero"},
		{"sign alone", `[a:b = -]`, "bad number"},
		{"float without digits", `[a:b = 1.]`, "no digits after"},
		{"bad index", `[a:b[x] = 1]`, "list index"},
		{"stray character", `[a:b = 'c'] ;`, "unexpected character"},
		{"invalid UTF-8", "[a:b = '\xff']", "not valid UTF-8"},
		{"unterminated comment", `[a:b = 'c'] /* x`, "unterminated comment"},
		{"no object type", `[:b = 'c']`, "object path"},
		{"bad comparison in parentheses", `[(a:b = )]`, "want a literal"},
		{"bad set member", `[a:b IN (1, ]`, "want a literal"},
		{"no name after a dot", `[a:b. = 'c']`, "want a property name"},
		{"line comment hiding the end", `[a:b = 'c' // ]`, "want ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePattern(tt.pattern)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidatePattern(%q) = %v, want an error with %q", tt.pattern, err, tt.want)
			}
		})
	}
}

// TestQuote checks that any text, quoted, makes a valid pattern whose
// literal reads back as the text.
func TestQuote(t *testing.T) {
	for _, s := range []string{"", "plain", `it's`, `back\slash`, `\'`, `'`, `\`, `'] OR [x:y = 'z`, "new\nline", "ünïcödé"} {
		checkQuote(t, s)
	}
}

func checkQuote(t *testing.T, s string) {
	t.Helper()
	p := "[x:y = " + Quote(s) + "]"
	if err := ValidatePattern(p); err != nil {
		t.Fatalf("pattern of %q: %v", s, err)
	}
	toks, _ := lexPattern(p)
	if len(toks) != 8 || toks[5].kind != tString || toks[5].text != s {
		t.Fatalf("pattern of %q lexes to %+v", s, toks)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", `it's`, `a\b`, "'] OR [", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if utf8.ValidString(s) {
			checkQuote(t, s)
		}
	})
}

func FuzzValidatePattern(f *testing.F) {
	for _, s := range []string{`[ipv4-addr:value = '203.0.113.7']`, `([a:b IN (1, 'x', h'ff')] FOLLOWEDBY [c:d[*].'e' MATCHES 'f']) WITHIN 5 SECONDS`, `[a:b = t'2016-06-01T00:00:00Z'] START t'2016-06-01T00:00:00Z' STOP t'2017-06-01T00:00:00Z'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		_ = ValidatePattern(p) // must not panic or loop
	})
}
