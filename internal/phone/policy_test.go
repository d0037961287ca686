package phone

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestPolicyRefusesPumping plays the SMS-pumping attacker: numbers that
// earn their owner money per text received (foreign ranges, premium rate)
// and numbers that cannot take a text are refused; the US and its
// territories' mobile numbers are accepted.
func TestPolicyRefusesPumping(t *testing.T) {
	p := DefaultPolicy()
	tests := []struct {
		number string
		want   error // nil: accepted
	}{
		{"+2348031234567", ErrRegion}, // Nigeria, mobile
		{"+447911123456", ErrRegion},  // UK mobile
		{"+14165550123", ErrRegion},   // Canada: NANP, but not enabled
		{"+18095550123", ErrRegion},   // Dominican Republic: NANP, a pumping favourite
		{"+19005550123", ErrType},     // premium rate
		{"+18005550123", ErrType},     // toll free
		{"+18885550123", ErrType},     // toll free
		{"+15005550123", ErrType},     // personal communications service
		{"+13105550123", nil},         // Los Angeles
		{"+12125550123", nil},         // New York
		{"+17875550123", nil},         // Puerto Rico
		{"+16712345678", nil},         // Guam
		{"+13407123456", nil},         // US Virgin Islands
		{"+16847331234", nil},         // American Samoa
		{"+16702345678", nil},         // Northern Mariana Islands
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			n, err := Parse(tt.number, "US")
			if err != nil {
				t.Fatalf("Parse: %v (the test needs a valid number)", err)
			}
			err = p.Check(n)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.number[2:]) {
				t.Fatalf("error %q holds the number", err)
			}
			var r *Refusal
			if !errors.As(err, &r) || r.Reason() == "" {
				t.Fatalf("error %v is not a Refusal with a reason", err)
			}
		})
	}
}

func TestPolicyRegions(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr bool
	}{
		{"US,PR,GU,VI,AS,MP", []string{"AS", "GU", "MP", "PR", "US", "VI"}, false},
		{" us , ca ,US", []string{"CA", "US"}, false},
		{"", nil, true},
		{",,", nil, true},
		{"US,XX", nil, true},
		{"USA", nil, true},
		{"001", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			p, err := ParsePolicy(tt.list)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParsePolicy(%q) = %v, want error", tt.list, p.Regions())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Regions(), tt.want) {
				t.Fatalf("Regions = %v, want %v", p.Regions(), tt.want)
			}
		})
	}
	if !DefaultPolicy().USAndTerritoriesOnly() {
		t.Error("the default policy is not the US and its territories")
	}
	ca, _ := ParsePolicy("US,CA")
	if ca.USAndTerritoriesOnly() {
		t.Error("US,CA is said to be the US and its territories")
	}
	n, _ := Parse("+14165550123", "US")
	if err := ca.Check(n); err != nil {
		t.Errorf("a Canadian number under US,CA: %v", err)
	}
}

func TestPolicyZeroTextsNobody(t *testing.T) {
	n, _ := Parse("+13105550123", "US")
	if err := (&Policy{}).Check(n); !errors.Is(err, ErrRegion) {
		t.Fatalf("zero Policy: %v, want ErrRegion", err)
	}
}

func TestBlock(t *testing.T) {
	tests := []struct{ n, want string }{
		{"+13105550123", "+1310555"},
		{"+19005550199", "+1900555"},
		{"+2348031234567", "+234803123"},
	}
	for _, tt := range tests {
		if got := Number(tt.n).Block(); got != tt.want {
			t.Errorf("Block(%s) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
