package migrations

import (
	"slices"
	"strings"
	"testing"
)

// TestDialectsHaveTheSameSteps: every step exists in every dialect, so that
// a schema change cannot be made for one database and forgotten for another.
func TestDialectsHaveTheSameSteps(t *testing.T) {
	var want []string
	for i, d := range Dialects {
		ms, err := For(d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range ms {
			if strings.TrimSpace(m.SQL) == "" {
				t.Errorf("%s %s is empty", d, m.Name)
			}
			names = append(names, m.Name)
		}
		if !slices.IsSorted(names) {
			t.Errorf("%s: steps out of order: %v", d, names)
		}
		if i == 0 {
			want = names
			continue
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s has steps %v; %s has %v", d, names, Dialects[0], want)
		}
	}
}

func TestUnknownDialect(t *testing.T) {
	if _, err := For("oracle"); err == nil {
		t.Fatal("an unknown dialect has migrations")
	}
}
