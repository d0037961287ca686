package host

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/store"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/trust/keyfile"
)

// memberFlag collects NAME=KEYFILE pairs for one role.
type memberFlag struct {
	role    string
	members *[]trust.Member
}

func (m memberFlag) String() string { return "" }

func (m memberFlag) Set(v string) error {
	name, file, ok := strings.Cut(v, "=")
	if !ok || name == "" || file == "" {
		return fmt.Errorf("want NAME=KEYFILE, got %q", v)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	pub, err := cmdline.ReadPublicKey(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	*m.members = append(*m.members, trust.Member{Name: name, Role: m.role, Keys: []ed25519.PublicKey{pub}})
	return nil
}

// RunInit creates the root key (for the administrators to keep offline), the
// trust anchor on the server and roster version 1, signed by the root key.
func RunInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("init", "Creates the offline root key (passphrase from TOCSIN_ROOT_PASSPHRASE or asked), writes DATA/keys/trust-anchor.pub, and signs roster version 1 with the operators given.", stderr)
	data := fs.String("data", "./tocsin-data", "data directory")
	dbArg := fs.String("db", "", datadir.DBUsage)
	rootPath := fs.String("root-key", "root.key", "root key file to create (keep it offline), or an existing one to use; never inside the data directory")
	var members []trust.Member
	fs.Var(memberFlag{trust.RoleAdmin, &members}, "admin", "NAME=KEYFILE of an administrator (repeat; KEYFILE.pub from tocsin key new is enough)")
	fs.Var(memberFlag{trust.RoleDispatcher, &members}, "dispatcher", "NAME=KEYFILE of a dispatcher (repeat)")
	fs.Var(memberFlag{trust.RoleViewer, &members}, "viewer", "NAME=KEYFILE of a viewer (repeat)")
	single := fs.Bool("single-admin", false, "allow one administrator (for a trial only: that person could then change the roster alone)")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	switch n := countRole(members, trust.RoleAdmin); {
	case n == 0:
		return errors.New("name at least two --admin NAME=KEYFILE: administrators sign every later roster version")
	case n < trust.DefaultPolicy().RosterThreshold && !*single:
		return fmt.Errorf("name at least %d administrators (--admin NAME=KEYFILE, repeated): with fewer, one person could change the roster alone; --single-admin allows it for a trial", trust.DefaultPolicy().RosterThreshold)
	}
	if err := outsideData(*rootPath, *data); err != nil {
		return err
	}
	root, created, err := rootKey(*rootPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(*data, "keys"), 0o700); err != nil {
		return err
	}
	st, err := datadir.OpenStore(ctx, *data, *dbArg)
	if err != nil {
		return err
	}
	defer st.Close()
	if chain, err := st.RosterChain(ctx); err != nil || len(chain) > 0 {
		if err == nil {
			err = errors.New("a roster exists already: later versions are signed by its administrators")
		}
		return err
	}
	r := &trust.Roster{Version: 1, IssuedAt: time.Now(), Members: members, Policy: trust.DefaultPolicy()}
	body, err := r.Encode()
	if err != nil {
		return err
	}
	sig := trust.SignRoster(root, body)
	err = st.InTx(ctx, func(q store.Querier) error {
		if err := q.PutRosterVersion(ctx, 1, body); err != nil {
			return err
		}
		return q.AddRosterSig(ctx, 1, store.Sig{KeyID: string(sig.KeyID), Signature: sig.Signature})
	})
	if err != nil {
		return err
	}
	anchor := filepath.Join(*data, "keys", datadir.AnchorFile)
	pub := root.Public().(ed25519.PublicKey)
	if err := os.WriteFile(anchor, []byte(base64.StdEncoding.EncodeToString(pub)+"\n"), 0o644); err != nil {
		return err
	}
	if n := countRole(members, trust.RoleAdmin); n < 2 {
		fmt.Fprintf(stdout, "Warning: only %d administrator: one person can change the roster alone. Add a second with tocsin roster propose --admin.\n", n)
	}
	if created {
		fmt.Fprintf(stdout, "Root key written to %s: keep it offline; it is needed only to start over.\n", *rootPath)
	}
	fmt.Fprintf(stdout, "Trust anchor written to %s (root key id %s).\nRoster version 1 signed: %d operators; alerts to more than 25 people need 2 signatures.\n", anchor, sig.KeyID, len(members))
	fmt.Fprintln(stdout, "If tocsin serve or tocsin sender is running, restart it: it loads the trust anchor when it starts (a separate sender needs a copy of it in its keys directory).")
	return nil
}

// outsideData refuses a root key path inside the data directory: the root
// key belongs offline, not on the server beside what it protects.
func outsideData(rootPath, data string) error {
	absKey, err := filepath.Abs(rootPath)
	if err != nil {
		return err
	}
	absData, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(absData, absKey); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("--root-key %s is inside the data directory %s: the root key must be kept offline, away from the server; give a path elsewhere (such as a USB stick), and run init from another directory", rootPath, data)
	}
	return nil
}

func countRole(ms []trust.Member, role string) int {
	n := 0
	for _, m := range ms {
		if m.Role == role {
			n++
		}
	}
	return n
}

// rootKey opens the root key file, or creates it.
func rootKey(path string) (ed25519.PrivateKey, bool, error) {
	if _, err := os.Stat(path); err == nil {
		_, k, err := cmdline.OpenKey(path, "TOCSIN_ROOT_PASSPHRASE")
		return k, false, err
	}
	pass, err := cmdline.Passphrase("TOCSIN_ROOT_PASSPHRASE", "Passphrase for the new root key: ", true)
	if err != nil {
		return nil, false, err
	}
	data, _, err := keyfile.New("root", pass)
	if err != nil {
		return nil, false, err
	}
	if err := cmdline.WriteNew(path, data); err != nil {
		return nil, false, err
	}
	_, k, err := keyfile.Open(data, pass)
	return k, true, err
}
