package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

// runCanary handles "tocsin canary subscriber add|list": decoy subscribers
// that are numbers of the service's own provider account. It runs where
// the sender's directory is, since only the sender may know which
// subscribers are canaries.
func runCanary(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: tocsin canary subscriber add --data SENDER-DIR --db DB --number +1… --zip ZIP --label NAME | tocsin canary subscriber list --data SENDER-DIR"
	if len(args) < 2 || args[0] != "subscriber" {
		return errors.New(usage)
	}
	fs := flagSet("canary subscriber "+args[1], "Adds or lists canary subscribers: numbers of your own provider account, subscribed like anyone, on which any text the ledger did not send raises the alarm and freezes outbound messaging.", stderr)
	data := fs.String("data", "./tocsin-sender", "the sender's directory (tocsin serve: the data directory)")
	dbArg := fs.String("db", "", dbUsage)
	number := fs.String("number", "", "a number of your provider account that receives texts (its inbound texts reach tocsin)")
	zip := fs.String("zip", "", "the ZIP code it subscribes to, like a real subscriber's")
	label := fs.String("label", "", "a name for it that says nothing to an outsider, e.g. twilio-2")
	if err := parse(fs, args[2:]); err != nil {
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
			fmt.Fprintf(stdout, "%s\tadded %s\n", c.Label, c.Added.Format(time.RFC3339))
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
	st, err := openStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	areas := []tocsin.SubscriberArea{{ZIP: *zip, Cell: geo.LeafCell(p), RadiusM: tocsin.ZIPAreaRadiusM}}
	if err := sender.AddCanarySubscriber(ctx, st, keys, stateDir, *label, n, areas, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Canary subscriber %s added in %s. Copy %s to every sender's state directory.\n", *label, *zip, filepath.Join(stateDir, sender.CanaryFile))
	return nil
}
