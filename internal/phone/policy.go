package phone

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// SMS pumping: someone makes a service text numbers whose carrier pays them
// per message received (premium-rate and foreign ranges), and the service
// pays the bill. A Policy is the one place that says which numbers tocsin
// texts at all; the web tier refuses the others at the form, and the sender
// refuses them again before any code or reply.

// ErrRegion is wrapped by Policy.Check for a number of a region (country)
// the administrator did not enable.
var ErrRegion = errors.New("phone: the service does not text this country")

// ErrType is wrapped by Policy.Check for a number of a type that cannot
// receive a text or is billed at a premium: premium rate, toll free, shared
// cost, personal number, pager, UAN, voicemail, fixed line, unknown.
var ErrType = errors.New("phone: the service does not text this kind of number")

// Refusal is the error Policy.Check returns: why the service does not text
// a number. It names the number's region and type, never the number. It
// matches ErrRegion or ErrType with errors.Is.
type Refusal struct {
	Region string // the number's region, e.g. "NG"
	Type   string // "" when refused for its region; else "premium rate", "toll free", …
}

func (r *Refusal) Error() string {
	if r.Type == "" {
		return fmt.Sprintf("%v (region %s)", ErrRegion, r.Region)
	}
	return fmt.Sprintf("%v (%s)", ErrType, r.Type)
}

// Is makes errors.Is(r, ErrRegion) or errors.Is(r, ErrType) hold.
func (r *Refusal) Is(target error) bool {
	return (target == ErrRegion && r.Type == "") || (target == ErrType && r.Type != "")
}

// Reason is a short reason for events and logs: "region NG", "premium
// rate".
func (r *Refusal) Reason() string {
	if r.Type == "" {
		return "region " + r.Region
	}
	return r.Type
}

// USAndTerritories are the default regions: the United States, Puerto
// Rico, Guam, the US Virgin Islands, American Samoa and the Northern
// Mariana Islands.
func USAndTerritories() []string { return []string{"US", "PR", "GU", "VI", "AS", "MP"} }

// Policy is the set of numbers the service texts: those of the enabled
// regions whose type can receive a text and is not billed at a premium. The
// zero Policy texts nobody; use NewPolicy or DefaultPolicy.
//
// Accepted types: MOBILE, FIXED_LINE_OR_MOBILE (most of the NANP: the
// numbering plan does not tell a US mobile from a landline) and VOIP (Google
// Voice and similar numbers are how many people get texts). Everything else
// is refused: PREMIUM_RATE (+1 900) is the fraud itself; TOLL_FREE,
// SHARED_COST and UAN are billed to or shared with the called party and
// rarely take texts; PERSONAL_NUMBER (+1 500, UK 070) and PAGER are
// classic revenue-share ranges; VOICEMAIL and FIXED_LINE cannot read a
// text; UNKNOWN is a number the metadata cannot vouch for.
type Policy struct {
	regions []string // sorted, upper case
}

// NewPolicy returns the policy that texts the given regions (ISO 3166-1
// codes such as "US", "PR"). Every code must be one the numbering metadata
// knows; at least one is needed.
func NewPolicy(regions []string) (*Policy, error) {
	supported := phonenumbers.GetSupportedRegions()
	var out []string
	for _, r := range regions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		if !supported[r] {
			return nil, fmt.Errorf("%q is not a region code the phone numbering data knows (use ISO 3166-1 codes such as US, PR, CA)", r)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("give at least one region code, such as US")
	}
	slices.Sort(out)
	return &Policy{regions: out}, nil
}

// ParsePolicy reads a comma-separated list of region codes, e.g.
// "US,PR,GU,VI,AS,MP".
func ParsePolicy(list string) (*Policy, error) {
	return NewPolicy(strings.Split(list, ","))
}

// DefaultPolicy texts the US and its territories.
func DefaultPolicy() *Policy {
	p, err := NewPolicy(USAndTerritories())
	if err != nil {
		panic(err) // the list above is fixed and valid
	}
	return p
}

// Regions returns the enabled region codes, sorted.
func (p *Policy) Regions() []string { return slices.Clone(p.regions) }

// USAndTerritoriesOnly reports whether the policy texts exactly the US and
// its territories, so that a page can say so in words.
func (p *Policy) USAndTerritoriesOnly() bool {
	want := USAndTerritories()
	slices.Sort(want)
	return slices.Equal(p.regions, want)
}

// acceptedType reports whether the service texts numbers of type t.
func acceptedType(t phonenumbers.PhoneNumberType) bool {
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE || t == phonenumbers.VOIP
}

// Check returns nil when the service may text n, or a *Refusal (which
// matches ErrRegion or ErrType).
func (p *Policy) Check(n Number) error {
	pn, err := phonenumbers.Parse(n.E164(), "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return &Refusal{Region: "?", Type: "invalid"}
	}
	region := phonenumbers.GetRegionCodeForNumber(pn)
	if !slices.Contains(p.regions, region) {
		return &Refusal{Region: region}
	}
	if t := phonenumbers.GetNumberType(pn); !acceptedType(t) {
		return &Refusal{Region: region, Type: typeName(t)}
	}
	return nil
}

// typeName names a number type for logs and events.
func typeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "fixed line"
	case phonenumbers.TOLL_FREE:
		return "toll free"
	case phonenumbers.PREMIUM_RATE:
		return "premium rate"
	case phonenumbers.SHARED_COST:
		return "shared cost"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal number"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "UAN"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return "mobile"
	case phonenumbers.VOIP:
		return "VoIP"
	}
	return "unknown type"
}

// Block returns the number without its last four digits, e.g. "+1310555"
// for +13105550123: the block of 10,000 numbers it belongs to (in the NANP,
// its area code and exchange, NPA-NXX, which carriers are assigned whole).
// The sender limits codes per block as well as per number, so that cycling
// through a range of numbers is stopped. A block identifies no one; the
// sender stores only its keyed hash all the same.
func (n Number) Block() string {
	s := string(n)
	if len(s) < 5 {
		return s
	}
	return s[:len(s)-4]
}
