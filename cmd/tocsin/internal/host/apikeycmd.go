package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/web/consoleadmin"
)

// RunAPIKey handles "tocsin apikey new|list|revoke": keys with which a
// partner network reads the report queue (GET /api/v1/reports).
func RunAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: tocsin apikey new --name NAME | tocsin apikey list | tocsin apikey revoke ID  [--data DIR] [--db DB]"
	if len(args) == 0 || (args[0] != "new" && args[0] != "list" && args[0] != "revoke") {
		return errors.New(usage)
	}
	fs := cmdline.FlagSet("apikey "+args[0], "Creates, lists or revokes keys to the report queue (GET /api/v1/reports, scope reports:read). A key is shown once; only its hash is kept.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	name := fs.String("name", "", "who the key is for (1 to 60 characters)")
	rest := args[1:]
	var id string
	if args[0] == "revoke" && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		id, rest = rest[0], rest[1:]
	}
	if err := cmdline.Parse(fs, rest); err != nil {
		return err
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "new":
		key, err := consoleadmin.NewAPIKey(ctx, st, "cli", *name, false, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API key for %s (shown once; keep it secret):\n%s\n", *name, key)
		return nil
	case "list":
		return listAPIKeys(ctx, st, stdout, false)
	case "revoke":
		if id == "" {
			return errors.New("usage: tocsin apikey revoke ID (the id is the key's first 12 characters, as apikey list shows)")
		}
		if err := st.RevokeAPIKey(ctx, id, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API key %s revoked.\n", id)
		return nil
	}
	return errors.New(usage)
}

// listAPIKeys prints the keys (canaries only, or real ones only).
func listAPIKeys(ctx context.Context, st interface {
	ListAPIKeys(context.Context) ([]tocsin.APIKey, error)
}, stdout io.Writer, canary bool) error {
	keys, err := st.ListAPIKeys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCREATED\tLAST USED\tREVOKED")
	for _, k := range keys {
		if k.Canary != canary {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, day(k.CreatedAt), day(k.LastUsedAt), day(k.RevokedAt))
	}
	return tw.Flush()
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}
