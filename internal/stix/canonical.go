package stix

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// CanonicalJSON encodes v as RFC 8785 (JSON Canonicalization Scheme) JSON,
// which STIX 2.1 §2.9 hashes to make the deterministic id of a cyber
// observable. It takes what the bundle's observables hold: objects
// (map[string]any), arrays ([]any), strings, integers (also as json.Number)
// and booleans. Floats are refused: no id this package makes or checks
// depends on one.
func CanonicalJSON(v any) ([]byte, error) {
	var b strings.Builder
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func writeCanonical(b *strings.Builder, v any) error {
	switch v := v.(type) {
	case string:
		return writeCanonicalString(b, v)
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("incident: canonical JSON: %s is not an integer", v)
		}
		b.WriteString(strconv.FormatInt(n, 10))
	case []string:
		items := make([]any, len(v))
		for i, s := range v {
			items[i] = s
		}
		return writeCanonical(b, items)
	case []any:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, item); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		return writeCanonicalObject(b, v)
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		return writeCanonicalObject(b, m)
	default:
		return fmt.Errorf("incident: canonical JSON: unsupported value of type %T", v)
	}
	return nil
}

// writeCanonicalObject writes members sorted by the UTF-16 code units of
// their names, as RFC 8785 §3.2.3 requires.
func writeCanonicalObject(b *strings.Builder, m map[string]any) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int {
		return slices.Compare(utf16.Encode([]rune(x)), utf16.Encode([]rune(y)))
	})
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeCanonicalString(b, k); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := writeCanonical(b, m[k]); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// writeCanonicalString escapes as ECMAScript's JSON.stringify does: '"',
// '\\' and control characters only, with the short forms where they exist
// and lowercase \u00xx otherwise; everything else is written as it is.
func writeCanonicalString(b *strings.Builder, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("incident: canonical JSON: string is not valid UTF-8")
	}
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return nil
}
