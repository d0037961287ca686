package main

import (
	"fmt"
	"time"

	// The zone database travels in the binary: the distroless image and a
	// bare server may have none.
	_ "time/tzdata"
)

// timezoneUsage is the help of --timezone.
const timezoneUsage = "time zone the public pages and the console show times in, as an IANA name (America/Los_Angeles, America/Chicago, UTC); every time shown names it"

// loadZone checks a --timezone value and returns its location.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("--timezone %q: give an IANA zone name such as America/Los_Angeles or UTC", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("--timezone %q is not a known IANA time zone name: give one such as America/Los_Angeles, America/New_York or UTC (names are case-sensitive)", name)
	}
	return loc, nil
}
