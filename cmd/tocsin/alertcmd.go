package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/tocsin/tocsin/internal/trust"
)

// runAlert handles "tocsin alert show" and "tocsin alert approve".
func runAlert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "show" && args[0] != "approve") {
		return errors.New("usage: tocsin alert show ID --server URL | tocsin alert approve ID --key FILE --server URL")
	}
	verb, id, rest := args[0], "", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	fs := flagSet("alert "+verb, "Shows exactly what an alert's approvers sign, or signs it with your key (passphrase from TOCSIN_PASSPHRASE or asked) and sends the signature.", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL")
	keyPath := fs.String("key", "", "your key file (approve)")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("give the alert's id: tocsin alert %s ID", verb)
	}
	c, err := newAPI(*server)
	if err != nil {
		return err
	}
	raw, err := c.do(ctx, "GET", "/api/v1/alerts/"+url.PathEscape(id)+"/statement", nil, nil)
	if err != nil {
		return err
	}
	st, err := trust.DecodeStatement(raw)
	if err != nil {
		return fmt.Errorf("the server sent a statement that does not decode: %w", err)
	}
	if st.AlertID != id {
		return fmt.Errorf("the server sent the statement of alert %s, not %s", st.AlertID, id)
	}
	fmt.Fprintln(stdout, st.Describe())
	if verb == "show" {
		return nil
	}
	if *keyPath == "" {
		return errors.New("give --key FILE to approve")
	}
	name, priv, err := openKey(*keyPath, "TOCSIN_PASSPHRASE")
	if err != nil {
		return err
	}
	ap, err := trust.SignStatement(priv, st, time.Now())
	if err != nil {
		return err
	}
	var res struct {
		Signers  []string `json:"signers"`
		Need     int      `json:"need"`
		Approved bool     `json:"approved"`
	}
	body := map[string]any{"kind": ap.Kind, "key_id": ap.KeyID, "digest": fmt.Sprintf("%x", ap.Digest),
		"signature": base64.StdEncoding.EncodeToString(ap.Signature), "signed_at": ap.SignedAt.UTC().Format(time.RFC3339)}
	if _, err := c.do(ctx, "POST", "/api/v1/alerts/"+url.PathEscape(id)+"/approvals", body, &res); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Signed by %s. Signatures: %d of %d (%s).\n", name, len(res.Signers), res.Need, strings.Join(res.Signers, ", "))
	if res.Approved {
		fmt.Fprintln(stdout, "Enough operators have signed: the sender verifies the alert and sends it.")
	}
	return nil
}
