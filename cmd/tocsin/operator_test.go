package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestOperatorAddLink: the enrolment link starts with the site's public
// URL from the same setting as tocsin serve (TOCSIN_BASE_URL); without
// one it points at the listen address, and says so with a warning.
func TestOperatorAddLink(t *testing.T) {
	tests := []struct {
		name, baseURL, listen string
		prefix                string
		warn                  bool
	}{
		{"from TOCSIN_BASE_URL", "https://alerts.example.org/", "", "https://alerts.example.org/enrol/", false},
		{"no base URL", "", "", "http://127.0.0.1:8080/enrol/", true},
		{"no base URL, serve's listen address", "", "0.0.0.0:9000", "http://0.0.0.0:9000/enrol/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TOCSIN_BASE_URL", tt.baseURL)
			t.Setenv("TOCSIN_LISTEN", tt.listen)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"operator", "add", "--data", t.TempDir(), "--name", "ana", "--role", "admin"}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), "\n"+tt.prefix) {
				t.Errorf("the link does not start with %s:\n%s", tt.prefix, out.String())
			}
			if got := strings.Contains(errb.String(), "Warning: no --base-url"); got != tt.warn {
				t.Errorf("warning %v, want %v: %q", got, tt.warn, errb.String())
			}
		})
	}
}
