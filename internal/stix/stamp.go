package stix

import (
	"fmt"
	"strings"
	"time"
)

// parseStamp parses a STIX timestamp: RFC 3339 in UTC with a "Z", seconds,
// and an optional fraction; with millis, exactly three fraction digits, as
// STIX requires of created and modified. A leap second (":60") is accepted
// and read as the last instant of the second before.
func parseStamp(s string, millis bool) (time.Time, error) {
	if !stampShape(s) {
		return time.Time{}, fmt.Errorf("%q is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)", s)
	}
	if millis && (len(s) != len("2006-01-02T15:04:05.000Z") || s[19] != '.') {
		return time.Time{}, fmt.Errorf("%q is not a timestamp with millisecond precision", s)
	}
	leap := s[17:19] == "60"
	if leap {
		s = s[:17] + "59" + s[19:]
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a valid time: %w", s, err)
	}
	if leap {
		t = t.Add(time.Second - time.Nanosecond)
	}
	return t, nil
}

// stampShape checks the form the STIX grammar and JSON schemas give a
// timestamp: digits where digits go, month 01-12, day 01-31, hour 00-23,
// minute 00-59, second 00-60, then an optional '.' and digits, then 'Z'.
func stampShape(s string) bool {
	const form = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(form)+1 || !strings.HasSuffix(s, "Z") {
		return false
	}
	for i := 0; i < len(form); i++ {
		if (form[i] == 'd' && !isDigit(s[i])) || (form[i] != 'd' && s[i] != form[i]) {
			return false
		}
	}
	frac := s[len(form) : len(s)-1]
	if frac != "" && (frac[0] != '.' || len(frac) < 2 || strings.Trim(frac[1:], "0123456789") != "") {
		return false
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	month, day, hour, minute, sec := two(5), two(8), two(11), two(14), two(17)
	return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && sec <= 60
}
