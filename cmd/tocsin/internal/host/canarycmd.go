package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/web/bait"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// RunCanary handles "tocsin canary subscriber add|list": decoy subscribers
// that are numbers of the service's own provider account. It runs where
// the sender's directory is, since only the sender may know which
// subscribers are canaries.
func RunCanary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: tocsin canary subscriber add|list … | tocsin canary apikey new --name NAME | tocsin canary operator add --name NAME [--role ROLE] | tocsin canary list"
	if len(args) >= 1 && args[0] == "list" {
		return listCanaries(ctx, args[1:], stdout, stderr)
	}
	if len(args) >= 2 && (args[0] == "apikey" || args[0] == "operator") {
		return webCanary(ctx, args, stdout, stderr)
	}
	if len(args) < 2 || args[0] != "subscriber" {
		return errors.New(usage)
	}
	fs := cmdline.FlagSet("canary subscriber "+args[1], "Adds or lists canary subscribers: numbers of your own provider account, subscribed like anyone, on which any text the ledger did not send raises the alarm and freezes outbound messaging.", stderr)
	data := fs.String("data", "./tocsin-sender", "the sender's directory (tocsin serve: the data directory)")
	dbArg := fs.String("db", "", datadir.DBUsage)
	number := fs.String("number", "", "a number of your provider account that receives texts (its inbound texts reach tocsin)")
	zip := fs.String("zip", "", "the ZIP code it subscribes to, like a real subscriber's")
	label := fs.String("label", "", "a name for it that says nothing to an outsider, e.g. twilio-2")
	other := fs.Bool("other-account", false, "the number is on another provider account or carrier than the one tocsin sends through, and its inbound texts reach /hooks/sms/canary (see --canary-hook): whoever holds the sending account can neither list it nor silence it")
	if err := cmdline.Parse(fs, args[2:]); err != nil {
		return err
	}
	stateDir := filepath.Join(*data, "sender")
	switch args[1] {
	case "list":
		cs, err := sender.ReadCanaries(stateDir)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			fmt.Fprintln(stdout, "No canary subscribers.")
		}
		for _, c := range cs {
			where := "the sending account"
			if c.OtherAccount {
				where = "another account (canary hook)"
			}
			fmt.Fprintf(stdout, "%s\tadded %s\t%s\n", c.Label, c.Added.Format(time.RFC3339), where)
		}
		return nil
	case "add":
	default:
		return errors.New(usage)
	}
	n, err := phone.Parse(*number, "US")
	if err != nil {
		return fmt.Errorf("--number: %w", err)
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		return err
	}
	p, ok := zips.Lookup(*zip)
	if !ok {
		return fmt.Errorf("--zip %q is not a US ZIP code we know", *zip)
	}
	keys, err := vault.Load(filepath.Join(*data, "keys"))
	if err != nil {
		return fmt.Errorf("the sender's keys: %w", err)
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	areas := []tocsin.SubscriberArea{{ZIP: *zip, Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}
	if err := sender.AddCanarySubscriber(ctx, st, keys, stateDir, *label, *other, n, areas, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Canary subscriber %s added in %s. Copy %s to every sender's state directory.\n", *label, *zip, filepath.Join(stateDir, sender.CanaryFile))
	return nil
}

// webCanary creates a canary API key or a canary operator account.
func webCanary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("canary "+args[0]+" "+args[1], "Creates a canary: an API key of the real form that answers with phony data, or an operator account that never logs in. Any use raises a security event with the request's network details.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	name := fs.String("name", "", "the key's purpose as an intruder would read it (e.g. backup-job), or the account's username")
	role := fs.String("role", "admin", "the canary account's role: admin, dispatcher or viewer")
	if err := cmdline.Parse(fs, args[2:]); err != nil {
		return err
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] + " " + args[1] {
	case "apikey new":
		key, err := consoleadmin.NewAPIKey(ctx, st, "cli", *name, true, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Canary API key %q. Leave it where an intruder would look (a config file, a wiki page, a CI variable):\n%s\n", *name, key)
		return nil
	case "operator add":
		if err := consoleadmin.NewCanaryOperator(ctx, st, "cli", *name, *role, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Canary operator account %q (%s) created. It never logs in; every attempt raises canary.login.\n", *name, *role)
		return nil
	}
	return errors.New("usage: tocsin canary apikey new --name NAME | tocsin canary operator add --name NAME")
}

// listCanaries prints every canary this host knows.
func listCanaries(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("canary list", "Lists the canary API keys, canary operator accounts, decoy URLs and (with the sender's directory) canary subscribers.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory (tocsin serve), or the web role's")
	dbArg := fs.String("db", "", datadir.DBUsage)
	senderData := fs.String("sender-data", "", "the sender's directory, for its canary subscribers (default: --data)")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "Canary API keys:")
	if err := listAPIKeys(ctx, st, stdout, true); err != nil {
		return err
	}
	ops, err := st.ListOperators(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nCanary operator accounts:")
	for _, o := range ops {
		if o.Canary {
			fmt.Fprintf(stdout, "  %s (%s)\n", o.Username, o.Role)
		}
	}
	paths := bait.DecoyPaths()
	slices.Sort(paths)
	fmt.Fprintln(stdout, "\nDecoy URLs:")
	for _, p := range paths {
		fmt.Fprintf(stdout, "  %s\n", p)
	}
	dir := *senderData
	if dir == "" {
		dir = *data
	}
	cs, err := sender.ReadCanaries(filepath.Join(dir, "sender"))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nCanary subscribers:")
	for _, c := range cs {
		fmt.Fprintf(stdout, "  %s (added %s)\n", c.Label, c.Added.Format(time.RFC3339))
	}
	return nil
}
