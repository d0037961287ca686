package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/trust"
	"github.com/tocsin/tocsin/internal/trust/keyfile"
)

// RunKey handles "tocsin key new": an operator's signing key, made and kept
// on the operator's own machine, never on the server.
func RunKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "new" {
		return errors.New("usage: tocsin key new --out FILE --name NAME")
	}
	fs := cmdline.FlagSet("key new", "Creates an Ed25519 signing key in a passphrase-protected file (passphrase from TOCSIN_PASSPHRASE or asked) and prints its public key id.", stderr)
	out := fs.String("out", "", "file to write (must not exist)")
	name := fs.String("name", "", "your operator name, as in the roster")
	if err := cmdline.Parse(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" || *name == "" {
		return errors.New("give --out FILE and --name NAME")
	}
	pass, err := cmdline.Passphrase("TOCSIN_PASSPHRASE", "Passphrase for the new key: ", true)
	if err != nil {
		return err
	}
	data, pub, err := keyfile.New(*name, pass)
	if err != nil {
		return err
	}
	if err := cmdline.WriteNew(*out, data); err != nil {
		return err
	}
	pubData, _ := json.MarshalIndent(cmdline.PublicKeyFile{Format: cmdline.PublicKeyFormat, Version: 1, Name: *name, PublicKey: base64.StdEncoding.EncodeToString(pub)}, "", "  ")
	if err := cmdline.WriteNew(*out+".pub", append(pubData, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Key for %s written to %s (keep it to yourself) and its public half to %s.pub.\nKey id: %s\nGive %s.pub to your administrator to put you in the roster.\n", *name, *out, *out, trust.KeyIDOf(pub), *out)
	return nil
}
