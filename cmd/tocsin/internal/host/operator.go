package host

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/auth"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// RunOperator handles "tocsin operator add": a console operator and the link
// that enrols them.
func RunOperator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: tocsin operator add --name NAME --role admin|dispatcher|viewer [--data DIR] [--base-url URL]")
	}
	fs := cmdline.FlagSet("operator add", "Creates an operator and prints a one-time enrolment link (valid 72 hours).", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	baseURL := fs.String("base-url", "", "public URL of the site, for the link: the same setting as tocsin serve's (empty: http:// and TOCSIN_LISTEN, or 127.0.0.1:8080, with a warning)")
	name := fs.String("name", "", "operator name (2 to 40 characters)")
	role := fs.String("role", "dispatcher", "admin, dispatcher or viewer")
	if err := cmdline.Parse(fs, args[1:]); err != nil {
		return err
	}
	if _, err := auth.ParseRole(*role); err != nil {
		return fmt.Errorf("the role must be admin, dispatcher or viewer, not %q", *role)
	}
	if n := len(*name); n < 2 || n > 40 {
		return errors.New("give the operator a --name of 2 to 40 characters")
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	link, err := consoleadmin.NewOperator(ctx, st, *name, *role, time.Now())
	if err != nil {
		return err
	}
	base := strings.TrimRight(*baseURL, "/")
	if base == "" {
		base = "http://" + cmp.Or(os.Getenv("TOCSIN_LISTEN"), "127.0.0.1:8080")
		fmt.Fprintf(stderr, "Warning: no --base-url (TOCSIN_BASE_URL): the link points at the listen address %s, which the new operator can open only if it is reachable from their device. Give --base-url the site's public URL, as for tocsin serve.\n", base)
	}
	fmt.Fprintf(stdout, "Operator %q (%s) created. Open this one-time link to enrol (valid 72 hours):\n%s%s\n", *name, *role, base, link)
	return nil
}

// FirstAdmin creates the first administrator when there is no operator and
// prints the enrolment link.
func FirstAdmin(ctx context.Context, st store.Store, baseURL string, stdout io.Writer) error {
	n, err := st.CountOperators(ctx)
	if err != nil || n > 0 {
		return err
	}
	link, err := consoleadmin.NewOperator(ctx, st, "admin", "admin", time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "No operator yet. Enrol the first administrator (\"admin\") with this one-time link (valid 72 hours):\n%s%s\n", baseURL, link)
	return nil
}
