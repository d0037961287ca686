package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"UTC", true},
		{"America/Los_Angeles", true},
		{"America/Puerto_Rico", true},
		{"", false},
		{"Local", false},
		{"Mars/Olympus_Mons", false},
		{"PST8PDT-ish", false},
		{"../../etc/passwd", false},
	}
	for _, tt := range tests {
		loc, err := loadZone(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("loadZone(%q) = %v, %v; want ok %v", tt.name, loc, err, tt.ok)
			continue
		}
		if err != nil && (!strings.Contains(err.Error(), "--timezone") || !strings.Contains(err.Error(), "America/Los_Angeles")) {
			t.Errorf("loadZone(%q): %q does not say what to give", tt.name, err)
		}
		if err == nil && loc.String() != tt.name {
			t.Errorf("loadZone(%q) = %s", tt.name, loc)
		}
	}
}

// A wrong zone stops tocsin serve at once, before it makes anything.
func TestServeRefusesUnknownTimezone(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	err := runServe(context.Background(), []string{"--data", data, "--timezone", "Europe/Atlantis"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `--timezone "Europe/Atlantis"`) {
		t.Fatalf("runServe with an unknown zone: %v", err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the data directory was made: %v", err)
	}
}
