// Package cmdline holds what every tocsin command shares: flags that are also
// read from TOCSIN_* variables (and NAME_FILE for secrets), the help
// convention, operators' key files and passphrases, and the log's origin.
package cmdline

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// FlagSet returns a flag set whose help lists each flag's TOCSIN_* variable.
func FlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("tocsin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tocsin %s [flags]\n\n%s\n\nFlags (each also read from the environment variable shown):\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(fs.Output(), "  --%s (%s)\n    \t%s (default %q)\n", f.Name, EnvName(f.Name), f.Usage, f.DefValue)
		})
		fmt.Fprintf(fs.Output(), "\nAny variable may instead name a file holding the value: NAME_FILE (for secrets).\n")
	}
	return fs
}

// EnvName maps a flag name to its environment variable: base-url → TOCSIN_BASE_URL.
func EnvName(flagName string) string {
	return "TOCSIN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Parse reads flags, filling those not given from the environment.
func Parse(fs *flag.FlagSet, args []string) error {
	if WantsHelp(args) {
		// Anywhere on the line, even after an argument that would stop
		// the flag package, --help answers and nothing else happens.
		fs.Usage()
		return flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		v, ok := os.LookupEnv(EnvName(f.Name))
		if path, isFile := os.LookupEnv(EnvName(f.Name) + "_FILE"); isFile && !ok {
			// Secrets from files (Docker and systemd credentials): NAME_FILE.
			b, e := os.ReadFile(path)
			if e != nil {
				err = fmt.Errorf("%s_FILE: %w", EnvName(f.Name), e)
				return
			}
			v, ok = strings.TrimRight(string(b), "\r\n"), true
		}
		if ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", EnvName(f.Name), e)
			}
		}
	})
	return err
}

// WantsHelp reports whether the arguments ask for help (-h, --help, -help
// or --h) before a "--".
func WantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--h", "-help", "--help":
			return true
		}
	}
	return false
}
