package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/tocsin/tocsin/internal/trust"
)

// runKey handles "tocsin key new": an operator's signing key, made and kept
// on the operator's own machine, never on the server.
func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "new" {
		return errors.New("usage: tocsin key new --out FILE --name NAME")
	}
	fs := flagSet("key new", "Creates an Ed25519 signing key in a passphrase-protected file (passphrase from TOCSIN_PASSPHRASE or asked) and prints its public key id.", stderr)
	out := fs.String("out", "", "file to write (must not exist)")
	name := fs.String("name", "", "your operator name, as in the roster")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" || *name == "" {
		return errors.New("give --out FILE and --name NAME")
	}
	pass, err := passphrase("TOCSIN_PASSPHRASE", "Passphrase for the new key: ", true)
	if err != nil {
		return err
	}
	data, pub, err := trust.NewKeyFile(*name, pass)
	if err != nil {
		return err
	}
	if err := writeNew(*out, data); err != nil {
		return err
	}
	pubData, _ := json.MarshalIndent(publicKeyFile{Format: publicKeyFormat, Version: 1, Name: *name, PublicKey: base64.StdEncoding.EncodeToString(pub)}, "", "  ")
	if err := writeNew(*out+".pub", append(pubData, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Key for %s written to %s (keep it to yourself) and its public half to %s.pub.\nKey id: %s\nGive %s.pub to your administrator to put you in the roster.\n", *name, *out, *out, trust.KeyIDOf(pub), *out)
	return nil
}

// publicKeyFile is the public half of an operator key, for the roster.
type publicKeyFile struct {
	Format    string `json:"format"`
	Version   int    `json:"version"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
}

const publicKeyFormat = "tocsin-operator-public-key"

// readPublicKey reads an operator's public key from a .pub file or from a
// key file (whose public half is in the clear).
func readPublicKey(data []byte) (ed25519.PublicKey, error) {
	var p publicKeyFile
	if json.Unmarshal(data, &p) == nil && p.Format == publicKeyFormat {
		k, err := base64.StdEncoding.DecodeString(p.PublicKey)
		if err != nil || len(k) != ed25519.PublicKeySize || p.Version != 1 {
			return nil, errors.New("not a valid public key file")
		}
		return k, nil
	}
	_, pub, err := trust.PublicKeyOfFile(data)
	return pub, err
}

// writeNew writes a file that must not exist yet, mode 0600.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// passphrase reads a passphrase from the environment variable env, or asks
// on the terminal (twice when confirm is set).
func passphrase(env, prompt string, confirm bool) ([]byte, error) {
	if v, ok := os.LookupEnv(env); ok {
		return []byte(v), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return nil, fmt.Errorf("no passphrase: set %s or run in a terminal", env)
		}
		return bytes.TrimRight([]byte(line), "\r\n"), nil
	}
	fmt.Fprint(os.Stderr, prompt)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return nil, err
	}
	if confirm {
		fmt.Fprint(os.Stderr, "Again: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(p, again) {
			return nil, errors.New("the two passphrases differ")
		}
	}
	return p, nil
}

// openKey opens an operator key file with its passphrase.
func openKey(path, env string) (string, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("key file: %w", err)
	}
	pass, err := passphrase(env, "Passphrase for "+path+": ", false)
	if err != nil {
		return "", nil, err
	}
	name, priv, err := trust.OpenKeyFile(data, pass)
	if err != nil {
		return "", nil, err
	}
	return name, priv, nil
}
