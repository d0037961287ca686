package stix

import (
	"fmt"
	"strings"
)

// ValidatePattern checks that p is a well-formed STIX 2.1 pattern, by a
// recursive-descent parser for the whole grammar of STIX Patterning (Part
// 5): observation expressions in brackets joined by AND, OR and FOLLOWEDBY,
// parenthesised, with WITHIN, REPEATS and START/STOP qualifiers (a qualifier
// kind at most once on one bracketed observation); comparisons of an object
// path (type:property, then .name, .'quoted name' or [index]) with a literal
// of the kind each operator takes, joined by AND and OR, negated by NOT,
// parenthesised, or EXISTS; string literals with only the \' and \\
// escapes. It does not check that an object type or property exists, nor a
// MATCHES regular expression (PCRE, which Go does not parse).
func ValidatePattern(p string) error {
	toks, err := lexPattern(p)
	if err != nil {
		return fmt.Errorf("incident: pattern: %w", err)
	}
	ps := &patternParser{toks: toks}
	if err := ps.observations(); err != nil {
		return fmt.Errorf("incident: pattern: %w", err)
	}
	if t := ps.peek(); t.kind != tEOF {
		return fmt.Errorf("incident: pattern: at %d: unexpected %s after the pattern", t.pos, describe(t))
	}
	return nil
}

// Quote makes s a STIX pattern string literal: in quotes, with quotes and
// backslashes escaped (the only escapes the grammar has).
func Quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

type patternParser struct {
	toks []token
	i    int
}

func (ps *patternParser) peek() token { return ps.toks[ps.i] }

func (ps *patternParser) next() token {
	t := ps.toks[ps.i]
	if t.kind != tEOF {
		ps.i++
	}
	return t
}

// is reports whether the next token is of kind k and, if text is not "",
// reads text.
func (ps *patternParser) is(k tokKind, text string) bool {
	t := ps.peek()
	return t.kind == k && (text == "" || t.text == text)
}

func (ps *patternParser) accept(k tokKind, text string) bool {
	if ps.is(k, text) {
		ps.next()
		return true
	}
	return false
}

func (ps *patternParser) expect(k tokKind, text, what string) (token, error) {
	if !ps.is(k, text) {
		t := ps.peek()
		return t, fmt.Errorf("at %d: want %s, got %s", t.pos, what, describe(t))
	}
	return ps.next(), nil
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of pattern"
	case tString:
		return "a string literal"
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// binary parses operand {op operand} where op is the keyword kw: the shape
// of every level of the grammar's operator precedence.
func (ps *patternParser) binary(kw string, operand func() error) error {
	if err := operand(); err != nil {
		return err
	}
	for ps.accept(tKeyword, kw) {
		if err := operand(); err != nil {
			return err
		}
	}
	return nil
}

// observations: FOLLOWEDBY binds loosest, then OR, then AND.
func (ps *patternParser) observations() error {
	return ps.binary("FOLLOWEDBY", func() error {
		return ps.binary("OR", func() error {
			return ps.binary("AND", ps.qualifiedObservation)
		})
	})
}

// qualifiedObservation: '[' comparisons ']' or '(' observations ')', then
// any qualifiers.
func (ps *patternParser) qualifiedObservation() error {
	simple := ps.is(tPunct, "[")
	switch {
	case ps.accept(tPunct, "["):
		if ps.is(tPunct, "]") {
			return fmt.Errorf("at %d: empty observation expression", ps.peek().pos)
		}
		if err := ps.comparisons(); err != nil {
			return err
		}
		if _, err := ps.expect(tPunct, "]", "']' to close the observation expression"); err != nil {
			return err
		}
	case ps.accept(tPunct, "("):
		if err := ps.observations(); err != nil {
			return err
		}
		if _, err := ps.expect(tPunct, ")", "')'"); err != nil {
			return err
		}
	default:
		t := ps.peek()
		return fmt.Errorf("at %d: want an observation expression ('[' or '('), got %s", t.pos, describe(t))
	}
	return ps.qualifiers(simple)
}

func (ps *patternParser) qualifiers(simple bool) error {
	used := map[string]bool{}
	for {
		t := ps.peek()
		var err error
		switch {
		case ps.accept(tKeyword, "WITHIN"):
			err = ps.within()
		case ps.accept(tKeyword, "REPEATS"):
			err = ps.repeats()
		case ps.accept(tKeyword, "START"):
			err = ps.startStop()
		default:
			return nil
		}
		if err != nil {
			return err
		}
		if simple && used[t.text] {
			return fmt.Errorf("at %d: duplicate %s qualifier", t.pos, t.text)
		}
		used[t.text] = true
	}
}

func (ps *patternParser) within() error {
	t := ps.next()
	if (t.kind != tInt && t.kind != tFloat) || t.neg || zero(t.text) {
		return fmt.Errorf("at %d: WITHIN takes a positive number of seconds, got %s", t.pos, describe(t))
	}
	_, err := ps.expect(tKeyword, "SECONDS", "SECONDS")
	return err
}

func (ps *patternParser) repeats() error {
	t := ps.next()
	if t.kind != tInt || t.neg || zero(t.text) {
		return fmt.Errorf("at %d: REPEATS takes a positive integer, got %s", t.pos, describe(t))
	}
	_, err := ps.expect(tKeyword, "TIMES", "TIMES")
	return err
}

func (ps *patternParser) startStop() error {
	start, err := ps.expect(tTimestamp, "", "a timestamp literal after START")
	if err != nil {
		return err
	}
	if _, err := ps.expect(tKeyword, "STOP", "STOP"); err != nil {
		return err
	}
	stop, err := ps.expect(tTimestamp, "", "a timestamp literal after STOP")
	if err != nil {
		return err
	}
	a, _ := parseStamp(start.text, false)
	b, _ := parseStamp(stop.text, false)
	if !a.Before(b) {
		return fmt.Errorf("at %d: STOP must be after START", stop.pos)
	}
	return nil
}

// zero reports whether a number literal is zero.
func zero(n string) bool { return strings.Trim(n, "+-0.") == "" }

// comparisons: OR binds looser than AND.
func (ps *patternParser) comparisons() error {
	return ps.binary("OR", func() error { return ps.binary("AND", ps.propTest) })
}

// propTest: '(' comparisons ')', EXISTS path, or path NOT? operator literal.
func (ps *patternParser) propTest() error {
	if ps.accept(tPunct, "(") {
		if err := ps.comparisons(); err != nil {
			return err
		}
		_, err := ps.expect(tPunct, ")", "')'")
		return err
	}
	if ps.accept(tKeyword, "EXISTS") {
		return ps.objectPath()
	}
	if err := ps.objectPath(); err != nil {
		return err
	}
	ps.accept(tKeyword, "NOT")
	return ps.operatorAndLiteral()
}

func (ps *patternParser) operatorAndLiteral() error {
	t := ps.next()
	switch {
	case t.kind == tOp && (t.text == "=" || t.text == "==" || t.text == "!=" || t.text == "<>"):
		return ps.literal(true)
	case t.kind == tOp:
		return ps.literal(false)
	case t.kind == tKeyword && t.text == "IN":
		return ps.set()
	case t.kind == tKeyword && (t.text == "LIKE" || t.text == "MATCHES" || t.text == "ISSUBSET" || t.text == "ISSUPERSET"):
		_, err := ps.expect(tString, "", "a string literal after "+t.text)
		return err
	}
	return fmt.Errorf("at %d: want a comparison operator (= != < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET), got %s", t.pos, describe(t))
}

// literal reads a literal: any primitive one, or with orderable only (for
// < <= > >=) anything but a boolean.
func (ps *patternParser) literal(boolOK bool) error {
	t := ps.next()
	switch t.kind {
	case tString, tInt, tFloat, tHex, tBinary, tTimestamp:
		return nil
	case tBool:
		if boolOK {
			return nil
		}
	}
	return fmt.Errorf("at %d: want a literal, got %s (an unquoted string?)", t.pos, describe(t))
}

// set: '(' ')' or '(' literal {',' literal} ')'.
func (ps *patternParser) set() error {
	if _, err := ps.expect(tPunct, "(", "'(' to open the set after IN"); err != nil {
		return err
	}
	if ps.accept(tPunct, ")") {
		return nil
	}
	for {
		if err := ps.literal(true); err != nil {
			return err
		}
		if ps.accept(tPunct, ")") {
			return nil
		}
		if _, err := ps.expect(tPunct, ",", "',' or ')' in the set"); err != nil {
			return err
		}
	}
}

// objectPath: type ':' (name | 'quoted') then any of '.' (name | 'quoted')
// and '[' (integer | '*') ']'. Only an object type may have hyphens
// unquoted.
func (ps *patternParser) objectPath() error {
	t := ps.next()
	if t.kind != tIdent && t.kind != tIdentHyphen {
		return fmt.Errorf("at %d: want an object path (type:property), got %s", t.pos, describe(t))
	}
	if _, err := ps.expect(tPunct, ":", "':' after the object type "+t.text); err != nil {
		return err
	}
	if err := ps.pathName(); err != nil {
		return err
	}
	for {
		switch {
		case ps.accept(tPunct, "."):
			if err := ps.pathName(); err != nil {
				return err
			}
		case ps.accept(tPunct, "["):
			if t := ps.next(); t.kind != tInt && !(t.kind == tPunct && t.text == "*") {
				return fmt.Errorf("at %d: want a list index (integer or *), got %s", t.pos, describe(t))
			}
			if _, err := ps.expect(tPunct, "]", "']' to close the list index"); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (ps *patternParser) pathName() error {
	t := ps.next()
	if t.kind != tIdent && t.kind != tString {
		return fmt.Errorf("at %d: want a property name (quote one with a hyphen), got %s", t.pos, describe(t))
	}
	return nil
}
