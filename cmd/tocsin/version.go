package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
)

// version and buildDate may be set at build time with -ldflags
// "-X main.version=… -X main.buildDate=…" (the Dockerfile does, as its
// build context has no .git); otherwise they come from the build
// information Go records.
var version, buildDate string

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("version", "Prints the module version, the VCS revision and the build date of this binary (also: tocsin --version).", stderr)
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	fmt.Fprintln(stdout, versionText(info, version, buildDate))
	return nil
}

// versionText is "tocsin VERSION (revision REV, built DATE)", or
// "committed DATE" (the revision's time) when no build date was stamped. Without VCS
// information (a build outside a git checkout, or with -buildvcs=false) it
// says the revision is unknown rather than inventing one.
func versionText(info *debug.BuildInfo, ldVersion, ldDate string) string {
	v, rev, date, modified := ldVersion, "", "", false
	if info != nil {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				date = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	switch {
	case rev == "":
		rev = "unknown (built without VCS information)"
	case modified:
		rev += " with uncommitted changes"
	}
	when := "build date unknown"
	switch {
	case ldDate != "":
		when = "built " + ldDate
	case date != "":
		when = "committed " + date
	}
	return fmt.Sprintf("tocsin %s (revision %s, %s)", v, rev, when)
}
