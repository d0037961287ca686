package tocsin_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestArchitecture checks the package boundaries the threat model relies on:
// the web tier cannot reach anything that opens a phone number or sends a
// message, and the domain depends on nothing of ours.
func TestArchitecture(t *testing.T) {
	const module = "github.com/tocsin/tocsin/"
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"./internal/web", []string{"internal/sender", "internal/sms"}},
		{"./internal/phone", []string{"internal/sender", "internal/sms", "internal/store"}},
		{"./internal/audience", []string{"internal/sender", "internal/sms", "internal/phone"}},
		{"./internal/replies", []string{"internal/sender", "internal/sms", "internal/store", "internal/phone"}},
		{"./internal/store/...", []string{"internal/sender", "internal/sms", "internal/web"}},
		{".", []string{"internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range tt.forbidden {
					f = module + f
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", tt.pkg, dep)
					}
				}
			}
		})
	}
}
