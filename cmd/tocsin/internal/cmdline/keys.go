package cmdline

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/tocsin/tocsin/internal/trust/keyfile"
)

// PublicKeyFile is the public half of an operator key, for the roster.
type PublicKeyFile struct {
	Format    string `json:"format"`
	Version   int    `json:"version"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key"`
}

// PublicKeyFormat names the format of a public key file.
const PublicKeyFormat = "tocsin-operator-public-key"

// ReadPublicKey reads an operator's public key from a .pub file or from a
// key file (whose public half is in the clear).
func ReadPublicKey(data []byte) (ed25519.PublicKey, error) {
	var p PublicKeyFile
	if json.Unmarshal(data, &p) == nil && p.Format == PublicKeyFormat {
		k, err := base64.StdEncoding.DecodeString(p.PublicKey)
		if err != nil || len(k) != ed25519.PublicKeySize || p.Version != 1 {
			return nil, errors.New("not a valid public key file")
		}
		return k, nil
	}
	_, pub, err := keyfile.PublicKeyOf(data)
	return pub, err
}

// WriteNew writes a file that must not exist yet, mode 0600.
func WriteNew(path string, data []byte) error {
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

// Passphrase reads a passphrase from the environment variable env, or asks
// on the terminal (twice when confirm is set).
func Passphrase(env, prompt string, confirm bool) ([]byte, error) {
	if v, ok := os.LookupEnv(env); ok {
		return []byte(v), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return nil, fmt.Errorf("no Passphrase: set %s or run in a terminal", env)
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

// OpenKey opens an operator key file with its passphrase.
func OpenKey(path, env string) (string, []byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("key file: %w", err)
	}
	pass, err := Passphrase(env, "Passphrase for "+path+": ", false)
	if err != nil {
		return "", nil, err
	}
	name, priv, err := keyfile.Open(data, pass)
	if err != nil {
		return "", nil, err
	}
	return name, priv, nil
}
