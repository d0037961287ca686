package stix

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a STIX pattern token.
type tokKind int

const (
	tEOF tokKind = iota
	tPunct
	tOp      // = == != <> < <= > >=
	tKeyword // AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUBSET ISSUPERSET EXISTS IN START STOP SECONDS WITHIN REPEATS TIMES LAST
	tBool
	tIdent       // [a-zA-Z_][a-zA-Z0-9_]*
	tIdentHyphen // the same with at least one hyphen: an object type only
	tString
	tInt
	tFloat
	tHex
	tBinary
	tTimestamp
)

type token struct {
	kind tokKind
	text string // the token as written; for tString, the unescaped value
	pos  int    // byte offset in the pattern
	neg  bool   // tInt, tFloat: written with '-'
}

func patternKeywords() []string {
	return []string{"AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET",
		"EXISTS", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES", "LAST"}
}

// lexPattern splits a pattern into tokens, per the lexer rules of the STIX
// 2.1 patterning grammar (Part 5 / STIXPattern.g4), skipping white space and
// comments. It ends the list with a tEOF token.
func lexPattern(p string) ([]token, error) {
	if !utf8.ValidString(p) {
		return nil, fmt.Errorf("pattern is not valid UTF-8")
	}
	var toks []token
	for i := 0; ; {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch {
		case i >= len(p):
			return append(toks, token{kind: tEOF, pos: i}), nil
		case unicode.IsSpace(r):
			i += size
			continue
		case strings.HasPrefix(p[i:], "/*"):
			end := strings.Index(p[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("at %d: unterminated comment", i)
			}
			i += end + 4
			continue
		case strings.HasPrefix(p[i:], "//"):
			end := strings.IndexAny(p[i:], "\r\n")
			if end < 0 {
				end = len(p) - i
			}
			i += end
			continue
		}
		t, n, err := lexToken(p, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i += n
	}
}

// lexToken reads the token at p[i:] and returns it and its length.
func lexToken(p string, i int) (token, int, error) {
	c := p[i]
	rest := p[i:]
	switch {
	case c == '.' && len(rest) > 1 && isDigit(rest[1]):
		return lexNumber(p, i)
	case strings.ContainsRune("[]():.,*", rune(c)):
		return token{kind: tPunct, text: string(c), pos: i}, 1, nil
	case strings.ContainsRune("=!<>", rune(c)):
		for _, op := range []string{"==", "!=", "<>", "<=", ">=", "=", "<", ">"} {
			if strings.HasPrefix(rest, op) {
				return token{kind: tOp, text: op, pos: i}, len(op), nil
			}
		}
		return token{}, 0, fmt.Errorf("at %d: bad operator %q", i, c)
	case c == '\'':
		s, n, err := lexString(p, i)
		return token{kind: tString, text: s, pos: i}, n, err
	case len(rest) > 1 && rest[1] == '\'' && strings.IndexByte("thb", c) >= 0:
		return lexTyped(p, i)
	case c == '+' || c == '-' || isDigit(c):
		return lexNumber(p, i)
	case isIdentStart(c):
		return lexIdent(p, i), identLen(rest), nil
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return token{}, 0, fmt.Errorf("at %d: unexpected character %q", i, r)
}

// lexString reads a string literal: quotes around anything but a quote or
// a backslash, or the escapes \' and \\ (the grammar has no others).
func lexString(p string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(p); j++ {
		switch p[j] {
		case '\'':
			return b.String(), j + 1 - i, nil
		case '\\':
			if j+1 >= len(p) || (p[j+1] != '\'' && p[j+1] != '\\') {
				return "", 0, fmt.Errorf("at %d: bad escape in string literal (only \\' and \\\\ exist)", j)
			}
			j++
		}
		b.WriteByte(p[j])
	}
	return "", 0, fmt.Errorf("at %d: unterminated string literal", i)
}

// lexTyped reads t'…' (timestamp), h'…' (hex) or b'…' (base64) literals.
func lexTyped(p string, i int) (token, int, error) {
	end := strings.IndexByte(p[i+2:], '\'')
	if end < 0 {
		return token{}, 0, fmt.Errorf("at %d: unterminated literal", i)
	}
	body := p[i+2 : i+2+end]
	n := end + 3
	switch p[i] {
	case 't':
		if _, err := parseStamp(body, false); err != nil {
			return token{}, 0, fmt.Errorf("at %d: bad timestamp literal: %w", i, err)
		}
		return token{kind: tTimestamp, text: body, pos: i}, n, nil
	case 'h':
		if len(body)%2 != 0 || strings.IndexFunc(body, func(r rune) bool { return !isHex(r) }) >= 0 {
			return token{}, 0, fmt.Errorf("at %d: bad hex literal", i)
		}
		return token{kind: tHex, text: body, pos: i}, n, nil
	default:
		if !isBase64(body) {
			return token{}, 0, fmt.Errorf("at %d: bad binary (base64) literal", i)
		}
		return token{kind: tBinary, text: body, pos: i}, n, nil
	}
}

// lexNumber reads '+'? or '-', then digits with no leading zero, or a float
// [0-9]* '.' [0-9]+.
func lexNumber(p string, i int) (token, int, error) {
	j := i
	neg := p[j] == '-'
	if p[j] == '+' || p[j] == '-' {
		j++
	}
	start := j
	for j < len(p) && isDigit(p[j]) {
		j++
	}
	intDigits := p[start:j]
	if j < len(p) && p[j] == '.' {
		j++
		fs := j
		for j < len(p) && isDigit(p[j]) {
			j++
		}
		if j == fs {
			return token{}, 0, fmt.Errorf("at %d: bad number: no digits after '.'", i)
		}
		return token{kind: tFloat, text: p[i:j], pos: i, neg: neg}, j - i, nil
	}
	switch {
	case intDigits == "":
		return token{}, 0, fmt.Errorf("at %d: bad number %q", i, p[i:j])
	case len(intDigits) > 1 && intDigits[0] == '0':
		return token{}, 0, fmt.Errorf("at %d: bad number %q: leading zero", i, p[i:j])
	}
	return token{kind: tInt, text: p[i:j], pos: i, neg: neg}, j - i, nil
}

func lexIdent(p string, i int) token {
	w := p[i : i+identLen(p[i:])]
	switch {
	case w == "true" || w == "false":
		return token{kind: tBool, text: w, pos: i}
	case strings.Contains(w, "-"):
		return token{kind: tIdentHyphen, text: w, pos: i}
	}
	for _, k := range patternKeywords() {
		if w == k {
			return token{kind: tKeyword, text: w, pos: i}
		}
	}
	return token{kind: tIdent, text: w, pos: i}
}

func identLen(s string) int {
	n := 1
	for n < len(s) && (isIdentStart(s[n]) || isDigit(s[n]) || s[n] == '-') {
		n++
	}
	return n
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isHex(r rune) bool        { return r < 0x80 && (isDigit(byte(r)) || (r|0x20 >= 'a' && r|0x20 <= 'f')) }

// isBase64 reports whether s is padded standard base64 of at least one byte,
// as the grammar's BinaryLiteral requires.
func isBase64(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	body := strings.TrimRight(s, "=")
	if len(s)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') || c == '+' || c == '/') {
			return false
		}
	}
	return true
}
