package stix

import (
	"testing"
	"time"
)

func TestParseStamp(t *testing.T) {
	tests := []struct {
		in     string
		millis bool
		ok     bool
	}{
		{"2026-03-14T09:00:05.123Z", true, true},
		{"2026-03-14T09:00:05.123Z", false, true},
		{"2026-03-14T09:00:05Z", false, true},
		{"2026-03-14T09:00:05.123456789Z", false, true},
		{"2016-12-31T23:59:60Z", false, true}, // leap second
		{"2026-03-14T09:00:05Z", true, false},
		{"2026-03-14T09:00:05.1234Z", true, false},
		{"2026-03-14T09:00:05.12Z", true, false},
		{"2026-03-14T09:00:05+01:00", false, false},
		{"2026-03-14T09:00:05.Z", false, false},
		{"2026-03-14 09:00:05Z", false, false},
		{"2026-13-14T09:00:05Z", false, false},
		{"2026-00-14T09:00:05Z", false, false},
		{"2026-02-30T09:00:05Z", false, false}, // shape is fine, the date is not
		{"2026-03-14T24:00:00Z", false, false},
		{"2026-03-14T09:60:00Z", false, false},
		{"2026-03-14T09:00:61Z", false, false},
		{"2026-3-14T09:00:05Z", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		_, err := parseStamp(tt.in, tt.millis)
		if (err == nil) != tt.ok {
			t.Errorf("parseStamp(%q, %v) error = %v, want ok=%v", tt.in, tt.millis, err, tt.ok)
		}
	}
	leap, _ := parseStamp("2016-12-31T23:59:60Z", false)
	if want := time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC); !leap.Before(want) || leap.Before(want.Add(-time.Second)) {
		t.Errorf("leap second read as %v", leap)
	}
	if got := Timestamp(time.Date(2026, 3, 14, 10, 0, 0, 5e8, time.FixedZone("x", 3600))).String(); got != "2026-03-14T09:00:00.500Z" {
		t.Errorf("stamp = %s", got)
	}
}
