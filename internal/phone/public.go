package phone

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Public is one of the service's own numbers: the one people text JOIN,
// STOP or REPORT to. It is published on every page, so, unlike a Number,
// it prints in the clear. It never holds a subscriber's number.
type Public struct {
	e164, display string
}

// ParsePublic reads one of the service's numbers in E.164 form
// ("+13105550100"): a "+", the country code and the number, digits only.
// Any valid number is accepted (toll-free numbers send texts too).
func ParsePublic(s string) (Public, error) {
	n := Number(strings.TrimSpace(s))
	if !n.wellFormed() {
		return Public{}, fmt.Errorf("%q is not in E.164 form: a + and the country code, then the number, digits only (for example +13105550100)", s)
	}
	pn, err := phonenumbers.Parse(string(n), "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return Public{}, fmt.Errorf("%q is not a valid phone number", s)
	}
	format := phonenumbers.INTERNATIONAL
	if pn.GetCountryCode() == 1 {
		format = phonenumbers.NATIONAL // (310) 555-0100: how people in the US write it
	}
	return Public{e164: string(n), display: phonenumbers.Format(pn, format)}, nil
}

// ParsePublicList reads a comma-separated list of numbers (ParsePublic),
// leaving out blanks and repeats.
func ParsePublicList(list string) ([]Public, error) {
	var out []Public
	for f := range strings.SplitSeq(list, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		p, err := ParsePublic(f)
		if err != nil {
			return nil, err
		}
		if !containsPublic(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func containsPublic(ps []Public, p Public) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// E164 returns the number in E.164 form, e.g. "+13105550100".
func (p Public) E164() string { return p.e164 }

// String returns the number as people write it: "(310) 555-0100" in the
// US and its territories, "+44 7400 123456" elsewhere.
func (p Public) String() string { return p.display }

// IsZero reports whether p is the empty Public.
func (p Public) IsZero() bool { return p.e164 == "" }

// SMSURI returns an sms: URI (RFC 5724) that opens a new text to p with
// body prefilled: "sms:+13105550100?&body=JOIN%2090210". The body is
// percent-encoded, spaces as %20 (a "+" would show as a plus sign). The
// "?&" reads on both phones: Android's messaging apps take the query
// (RFC 5724's "?body="), and iOS Messages looks for "&body=".
func (p Public) SMSURI(body string) string {
	if body == "" {
		return "sms:" + p.e164
	}
	return "sms:" + p.e164 + "?&body=" + strings.ReplaceAll(url.QueryEscape(body), "+", "%20")
}
