package host

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
)

// RunRoster handles "tocsin roster show|propose|sign": the list of operators
// who may sign, as versions each signed by the administrators of the one
// before. Adding a key any other way has no effect.
func RunRoster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains([]string{"show", "propose", "sign"}, args[0]) {
		return errors.New("usage: tocsin roster show | propose [--admin|--dispatcher|--viewer NAME=KEYFILE] [--remove NAME] | sign --key FILE  (each with --data DIR)")
	}
	verb := args[0]
	fs := cmdline.FlagSet("roster "+verb, "Shows the verified roster, proposes the next version, or signs the proposed version with an administrator's key.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	keyPath := fs.String("key", "", "an administrator's key file (sign)")
	var added []trust.Member
	var removed stringList
	fs.Var(memberFlag{trust.RoleAdmin, &added}, "admin", "NAME=KEYFILE to add as an administrator (propose, repeat)")
	fs.Var(memberFlag{trust.RoleDispatcher, &added}, "dispatcher", "NAME=KEYFILE to add as a dispatcher (propose, repeat)")
	fs.Var(memberFlag{trust.RoleViewer, &added}, "viewer", "NAME=KEYFILE to add as a viewer (propose, repeat)")
	fs.Var(&removed, "remove", "NAME to remove (propose, repeat)")
	if err := cmdline.Parse(fs, args[1:]); err != nil {
		return err
	}
	anchor, err := datadir.LoadAnchor(filepath.Join(*data, "keys"))
	if err != nil || anchor == nil {
		return fmt.Errorf("no trust anchor in %s/keys: run tocsin init first (%v)", *data, err)
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.RosterChain(ctx)
	if err != nil {
		return err
	}
	current, verr, err := store.VerifiedRoster(ctx, st, ed25519.PublicKey(anchor))
	if err != nil {
		return err
	}
	if current == nil {
		return fmt.Errorf("no roster version verifies back to the trust anchor: %v", verr)
	}
	switch verb {
	case "show":
		printRoster(stdout, current)
		if verr != nil {
			fmt.Fprintf(stdout, "\nNot (yet) in effect: %v\n", verr)
		}
		return nil
	case "propose":
		return proposeRoster(ctx, st, current, rows, added, removed, stdout)
	default:
		return signRoster(ctx, st, current, rows, *keyPath, stdout)
	}
}

func proposeRoster(ctx context.Context, st store.Store, current *trust.Roster, rows []store.Signed, added []trust.Member, removed []string, stdout io.Writer) error {
	if int64(current.Version) != rows[len(rows)-1].Seq {
		return fmt.Errorf("version %d is proposed already and not yet signed: sign it, or let it be", rows[len(rows)-1].Seq)
	}
	next := &trust.Roster{Version: current.Version + 1, Prev: current.Digest(), IssuedAt: time.Now(), Policy: current.Policy}
	for _, m := range current.Members {
		if !slices.Contains(removed, m.Name) && !slices.ContainsFunc(added, func(a trust.Member) bool { return a.Name == m.Name }) {
			next.Members = append(next.Members, m)
		}
	}
	next.Members = append(next.Members, added...)
	body, err := next.Encode()
	if err != nil {
		return err
	}
	if err := st.PutRosterVersion(ctx, int64(next.Version), body); err != nil {
		return err
	}
	printRoster(stdout, next)
	fmt.Fprintf(stdout, "\nProposed. It takes effect when %d administrators of version %d have run: tocsin roster sign --key FILE\n", current.Policy.RosterThreshold, current.Version)
	return nil
}

func signRoster(ctx context.Context, st store.Store, current *trust.Roster, rows []store.Signed, keyPath string, stdout io.Writer) error {
	last := rows[len(rows)-1]
	if last.Seq == int64(current.Version) {
		return errors.New("no proposed version to sign: run tocsin roster propose first")
	}
	proposed, err := trust.DecodeRoster(last.Body)
	if err != nil {
		return err
	}
	printRoster(stdout, proposed)
	if keyPath == "" {
		return errors.New("give --key FILE (an administrator's key)")
	}
	name, priv, err := cmdline.OpenKey(keyPath, "TOCSIN_PASSPHRASE")
	if err != nil {
		return err
	}
	sig := trust.SignRoster(priv, last.Body)
	if err := st.AddRosterSig(ctx, last.Seq, store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nVersion %d signed by %s.\n", last.Seq, name)
	return nil
}

func printRoster(w io.Writer, r *trust.Roster) {
	fmt.Fprintf(w, "Roster version %d (issued %s)\n", r.Version, r.IssuedAt.UTC().Format(time.RFC3339))
	for _, m := range r.Members {
		ids := make([]string, len(m.Keys))
		for i, k := range m.Keys {
			ids[i] = string(trust.KeyIDOf(k))
		}
		fmt.Fprintf(w, "  %-12s %-10s %s\n", m.Name, m.Role, strings.Join(ids, " "))
	}
	fmt.Fprintf(w, "Policy: next version needs %d administrators; alerts need", r.Policy.RosterThreshold)
	for _, rule := range r.Policy.AlertRules {
		fmt.Fprintf(w, " %d signature(s) from %d recipients;", rule.Signatures, rule.MinRecipients)
	}
	fmt.Fprintf(w, " unfreeze needs %d; at most %d alerts an hour, %d segments, valid %s.\n",
		r.Policy.UnfreezeThreshold, r.Policy.MaxAlertsPerHour, r.Policy.MaxSegments, r.Policy.MaxValidity)
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
