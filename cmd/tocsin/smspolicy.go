package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender"
)

// smsPolicyConfig is which numbers the service texts, against SMS pumping.
// Both roles read it: the web role refuses other numbers at the form, the
// sender refuses them again before a code or a reply.
type smsPolicyConfig struct {
	countries     string
	codesPerBlock int
}

func (c *smsPolicyConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.countries, "sms-countries", strings.Join(phone.USAndTerritories(), ","),
		"region codes (ISO 3166-1) whose mobile numbers the service texts; others are refused at sign-up and get no reply. The web role and the sender need the same list")
	fs.IntVar(&c.codesPerBlock, "codes-per-block", sender.DefaultCodesPerBlock,
		"confirmation codes an hour to the numbers of one block of 10,000 (a number without its last 4 digits: the area code and exchange in the US)")
}

// policy checks the settings and returns the policy.
func (c *smsPolicyConfig) policy() (*phone.Policy, error) {
	p, err := phone.ParsePolicy(c.countries)
	if err != nil {
		return nil, fmt.Errorf("--sms-countries: %w", err)
	}
	if c.codesPerBlock < 1 {
		return nil, fmt.Errorf("--codes-per-block must be at least 1, not %d", c.codesPerBlock)
	}
	return p, nil
}
