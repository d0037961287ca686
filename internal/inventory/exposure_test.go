package inventory

import (
	"slices"
	"strings"
	"testing"
)

// exposedData returns the first word(s) of the Data of the exposed items.
func exposedData(exps []Exposure) []string {
	var out []string
	for _, e := range exps {
		if e.Exposed {
			name, _, _ := strings.Cut(e.Item.Data, " (")
			name, _, _ = strings.Cut(name, ":")
			out = append(out, name)
		}
	}
	return out
}

func TestAssess(t *testing.T) {
	const (
		numbers   = "Subscriber phone numbers"
		areas     = "Subscription areas and languages"
		reporters = "Who reported"
		reports   = "Report contents"
		operators = "Operator accounts"
		audit     = "Audit trail, security events and alert drafts"
		senderKey = "sender.key"
		provider  = "SMS provider credentials"
		logKey    = "log.key"
		webKey    = "web.key"
	)
	everything := []string{numbers, areas, reporters, reports, operators, audit, senderKey, provider, logKey, webKey}
	tests := []struct {
		touched []string
		want    []string
	}{
		{nil, nil},
		{[]string{DatabaseRead}, []string{areas, reports, operators, audit}},
		{[]string{DatabaseWrite}, []string{areas, reports, operators, audit}},
		{[]string{" Database Read ", ""}, []string{areas, reports, operators, audit}},
		{[]string{ProviderCredential}, []string{numbers, reporters, provider}},
		{[]string{WebTier}, everything},
		{[]string{SenderHost}, everything},
		{[]string{OperatorAccount}, []string{reports, audit}},
		{[]string{ServerLogs}, []string{audit}},
		{[]string{DatabaseRead, ProviderCredential}, []string{numbers, areas, reporters, reports, operators, audit, provider}},
		{[]string{"the laptop"}, append(slices.Clone(everything), "Operator signing keys and the root key")},
	}
	for _, tt := range tests {
		got := exposedData(Assess(Default(), tt.touched))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Assess(%q) exposed\n%q, want\n%q", tt.touched, got, tt.want)
		}
	}
}

// TestAssessWhy checks the reasons: each names the components, an item not
// exposed says how it is protected, and with nothing named nothing is
// claimed.
func TestAssessWhy(t *testing.T) {
	exps := Assess(Default(), []string{DatabaseWrite})
	numbers, operators := exps[0], exps[4]
	if numbers.Exposed || !strings.Contains(numbers.Why, "sealed (X25519 sealed box)") {
		t.Errorf("phone numbers after a database write: %+v", numbers)
	}
	if !operators.Exposed || !strings.HasPrefix(operators.Why, "database read: TOTP secrets") {
		t.Errorf("operator accounts after a database write: %+v", operators)
	}
	for _, e := range Assess(Default(), nil) {
		if e.Exposed || e.Why != "no compromised component was named." {
			t.Errorf("nothing named: %+v", e)
		}
	}
	e := Assess(Default(), []string{"laptop", "laptop"})[0]
	if !e.Exposed || strings.Count(e.Why, "laptop") != 1 {
		t.Errorf("unknown component: %+v", e)
	}
}

// TestDefaultInventory checks that every item is filled in and names only
// known components, and the promises the threat model makes: a database
// reader does not get phone numbers, and nothing on the server exposes the
// operators' signing keys.
func TestDefaultInventory(t *testing.T) {
	for _, item := range Default() {
		if item.Data == "" || item.Where == "" || item.Protection == "" || item.ExposedIf == "" || item.By == nil {
			t.Errorf("item not filled in: %+v", item)
		}
		for c := range item.By {
			if !slices.Contains(Components(), c) {
				t.Errorf("%s: unknown component %q", item.Data, c)
			}
		}
		if strings.Contains(item.Data, "phone numbers") && item.By[DatabaseRead] != "" {
			t.Error("a database read exposes phone numbers")
		}
	}
	last := Default()[len(Default())-1]
	if len(last.By) != 0 {
		t.Errorf("%s exposed by %v", last.Data, last.By)
	}
}
