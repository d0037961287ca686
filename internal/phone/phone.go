// Package phone parses subscriber phone numbers, keeps them from leaking
// into logs, JSON and the database, and seals them to the sender's public
// key.
//
// This package is imported by the public web tier. It holds only the
// sender's PUBLIC key: it can seal a number but must NEVER be able to open
// one. It must never import the sender's vault (internal/sender/vault), never
// hold or load a private key or the keyed-hash (HMAC) key, and never write a
// clear phone number anywhere: every way of printing or encoding a Number
// except Number.E164 yields a redacted form such as "+1******23". The
// service's own numbers, which every page publishes, are a separate type,
// Public, which prints in the clear.
package phone

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// MaxInputLen is the longest raw input, in bytes, that Parse accepts.
const MaxInputLen = 32

// ErrInvalid is wrapped by every error Parse returns. Its message is meant to
// be shown to the person who typed the number. Errors from this package
// never contain the number itself.
var ErrInvalid = errors.New("that is not a valid phone number")

// Number is a phone number in E.164 form, e.g. "+13105550123".
//
// A Number redacts itself whenever it is printed or encoded: String,
// GoString, Format (every fmt verb, including %v, %+v, %#v, %s, %q, %x),
// LogValue (slog), MarshalText and MarshalJSON all produce "+1******23"
// (country code and last two digits). JSON-encoding a struct that holds a
// Number therefore never leaks it, but it also means such JSON cannot be
// decoded back into the number: UnmarshalText rejects the redacted form.
// Value (database/sql) refuses outright, so a clear number can never be
// written to the database by accident: store the output of Sealer.Seal.
//
// The one accessor for the clear value is E164.
//
// Limitation: fmt cannot call methods on unexported struct fields, so
// printing a struct with an unexported Number field (fmt.Sprint(struct{ n
// Number }{...})) prints the clear value. Keep Numbers in exported fields or
// local variables, and never print structs that hold one in an unexported
// field.
type Number string

// Parse parses a phone number as a person would type it, e.g.
// "(310) 555-0123", "+1 310 555 0123" or "310.555.0123", and returns it in
// E.164 form. defaultRegion is the ISO 3166-1 region ("US") assumed when the
// input does not start with "+"; "" means "US".
//
// Only digits, spaces and the characters + - . ( ) / are allowed: letters
// (vanity numbers, extensions) are rejected, as are inputs longer than
// MaxInputLen bytes and numbers that are not valid for their region.
// Errors wrap ErrInvalid.
func Parse(raw, defaultRegion string) (Number, error) {
	if len(raw) > MaxInputLen {
		return "", fmt.Errorf("%w: it is too long", ErrInvalid)
	}
	if defaultRegion == "" {
		defaultRegion = "US"
	}
	digits := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		case c == '+':
			if digits > 0 {
				return "", fmt.Errorf("%w: a + may only come first", ErrInvalid)
			}
		default:
			return "", fmt.Errorf("%w: use only digits, spaces and + - . ( )", ErrInvalid)
		}
	}
	if digits == 0 {
		return "", fmt.Errorf("%w: it is empty", ErrInvalid)
	}
	pn, err := phonenumbers.Parse(raw, strings.ToUpper(defaultRegion))
	if err != nil {
		// The library's errors never echo the input, but keep our own
		// wording so the message is one a person understands.
		switch {
		case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
			return "", fmt.Errorf("%w: it is too short", ErrInvalid)
		case errors.Is(err, phonenumbers.ErrNumTooLong):
			return "", fmt.Errorf("%w: it is too long", ErrInvalid)
		case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
			return "", fmt.Errorf("%w: the country code is unknown", ErrInvalid)
		}
		return "", ErrInvalid
	}
	if !phonenumbers.IsValidNumber(pn) {
		return "", ErrInvalid
	}
	n := Number(phonenumbers.Format(pn, phonenumbers.E164))
	if !n.wellFormed() {
		return "", ErrInvalid
	}
	return n, nil
}

// wellFormed reports whether n has the shape of an E.164 number: a "+"
// followed by 8 to 15 digits, the first not 0.
func (n Number) wellFormed() bool {
	s := string(n)
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// E164 returns the clear phone number, e.g. "+13105550123".
//
// WARNING: this is the only way to get the number out of a Number. On the
// web tier its only legitimate use is sealing (which Sealer.Seal does for
// you); on the sender it is handing the number to the SMS provider. Never
// log it, store it, put it in an error, or send it to a browser.
func (n Number) E164() string { return string(n) }

// IsZero reports whether n is the empty Number.
func (n Number) IsZero() bool { return n == "" }

// String returns the redacted number: the country code and the last two
// digits, e.g. "+1******23". It never returns the clear value.
func (n Number) String() string {
	if n == "" {
		return ""
	}
	if !n.wellFormed() {
		return "+******"
	}
	digits := string(n[1:])
	cc := ""
	for l := 1; l <= 3 && l < len(digits); l++ {
		code, err := strconv.Atoi(digits[:l])
		if err == nil && len(phonenumbers.GetRegionCodesForCountryCode(code)) > 0 {
			cc = digits[:l]
			break
		}
	}
	rest := len(digits) - len(cc)
	if rest < 6 {
		return "+" + cc + "******"
	}
	return "+" + cc + "******" + digits[len(digits)-2:]
}

// GoString returns the redacted number for %#v.
func (n Number) GoString() string { return "phone.Number(" + strconv.Quote(n.String()) + ")" }

// Format implements fmt.Formatter so that every verb, not only %v and %s,
// prints the redacted form.
func (n Number) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = f.Write([]byte(n.GoString()))
	case verb == 'q':
		_, _ = f.Write([]byte(strconv.Quote(n.String())))
	default:
		_, _ = f.Write([]byte(n.String()))
	}
}

// LogValue implements slog.LogValuer: a Number logs redacted.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.String()) }

// MarshalText implements encoding.TextMarshaler. It returns the REDACTED
// form, so that encoding a Number (JSON, XML, map keys) never leaks it.
func (n Number) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// MarshalJSON implements json.Marshaler. It returns the REDACTED form as a
// JSON string; see MarshalText.
func (n Number) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(n.String())), nil }

// UnmarshalText implements encoding.TextUnmarshaler by parsing text with
// Parse and the default region "US". A redacted number (as produced by
// MarshalText) is rejected, so a round trip through JSON fails loudly
// instead of silently storing "+1******23".
func (n *Number) UnmarshalText(text []byte) error {
	p, err := Parse(string(text), "US")
	if err != nil {
		return err
	}
	*n = p
	return nil
}

// Value implements driver.Valuer by refusing: a clear phone number must
// never be written to the database. Store Sealer.Seal's output (and, on the
// sender, the vault's keyed hash) instead.
func (n Number) Value() (driver.Value, error) {
	return nil, errors.New("phone: refusing to store a clear phone number; seal it")
}
