package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionText: tocsin version says the module version, the VCS
// revision and a date when Go recorded them, and says plainly what it does
// not know when the binary was built without VCS information (as with
// GOFLAGS=-buildvcs=false, or outside a git checkout).
func TestVersionText(t *testing.T) {
	stamped := &debug.BuildInfo{Main: debug.Module{Path: "github.com/tocsin/tocsin", Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "5d116c5aa1"}, {Key: "vcs.time", Value: "2026-12-07T21:00:00Z"}, {Key: "vcs.modified", Value: "false"}}}
	dirty := &debug.BuildInfo{Main: debug.Module{Path: "github.com/tocsin/tocsin", Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "5d116c5aa1"}, {Key: "vcs.time", Value: "2026-12-07T21:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	bare := &debug.BuildInfo{Main: debug.Module{Path: "github.com/tocsin/tocsin", Version: "(devel)"}}
	tests := []struct {
		name          string
		info          *debug.BuildInfo
		ldVer, ldDate string
		want          string
	}{
		{"a tagged module built in a checkout", stamped, "", "", "tocsin v1.4.0 (revision 5d116c5aa1, committed 2026-12-07T21:00:00Z)"},
		{"a checkout with changes", dirty, "", "", "tocsin (devel) (revision 5d116c5aa1 with uncommitted changes, committed 2026-12-07T21:00:00Z)"},
		{"built without VCS information", bare, "", "", "tocsin (devel) (revision unknown (built without VCS information), build date unknown)"},
		{"no build information at all", nil, "", "", "tocsin (devel) (revision unknown (built without VCS information), build date unknown)"},
		{"the Dockerfile's stamps", bare, "v1.4.0-3-gabc", "2026-12-08T01:00:00Z", "tocsin v1.4.0-3-gabc (revision unknown (built without VCS information), built 2026-12-08T01:00:00Z)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionText(tt.info, tt.ldVer, tt.ldDate); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out := cli(t, 0, args...)
		if !strings.HasPrefix(out, "tocsin ") || !strings.Contains(out, "(revision ") || strings.Contains(out, "tocsin dev") {
			t.Errorf("tocsin %s: %q", args[0], out)
		}
	}
}
