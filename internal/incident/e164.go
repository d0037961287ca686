package incident

import "strings"

// findPhone returns where the first substring of s that looks like an
// E.164 phone number starts and ends, or -1, -1. It looks like one if it is
// a "+" (or "%2B", its URL encoding) followed by at least 7 digits, the
// first not 0, with spaces, dots, hyphens or parentheses allowed between
// them. It errs on the side of finding one: a false find costs an export, a
// missed one could publish a subscriber.
func findPhone(s string) (start, end int) {
	for i := 0; i < len(s); i++ {
		var after int
		switch {
		case s[i] == '+':
			after = i + 1
		case len(s)-i >= 3 && s[i] == '%' && s[i+1] == '2' && (s[i+2] == 'B' || s[i+2] == 'b'):
			after = i + 3
		default:
			continue
		}
		if e := digitRun(s[after:]); e > 0 {
			return i, after + e
		}
	}
	return -1, -1
}

// digitRun returns the length of the phone-like run of digits and
// separators at the start of s, ending at its last digit, if it holds at
// least 7 digits and its first digit is not 0; otherwise 0.
func digitRun(s string) int {
	digits, end := 0, 0
run:
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c >= '0' && c <= '9':
			if digits == 0 && c == '0' {
				return 0
			}
			digits++
			end = j + 1
		case strings.IndexByte(" .-()", c) >= 0:
		default:
			break run
		}
	}
	if digits < 7 {
		return 0
	}
	return end
}

// redactPhones replaces everything that looks like a phone number in s by a
// redacted form that keeps the first and the last two digits, the way a
// phone.Number prints: "+1******23".
func redactPhones(s string) string {
	var b strings.Builder
	for {
		i, j := findPhone(s)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(redacted(s[i:j]))
		s = s[j:]
	}
}

func redacted(num string) string {
	if len(num) > 3 && num[0] == '%' {
		num = num[3:] // "%2B"
	}
	var d []byte
	for k := 0; k < len(num); k++ {
		if num[k] >= '0' && num[k] <= '9' {
			d = append(d, num[k])
		}
	}
	return "+" + string(d[0]) + "******" + string(d[len(d)-2:])
}
