package remote

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tocsin/tocsin"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/trust"
)

// listedAlert is one alert of POST /api/v1/alerts/list.
type listedAlert struct {
	ID         string    `json:"id"`
	Ref        string    `json:"ref"`
	State      string    `json:"state"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	ValidUntil time.Time `json:"valid_until"`
	Text       string    `json:"text"`
	Signers    []string  `json:"signers"`
	Need       int       `json:"need"`
}

// listAlerts handles "tocsin alert list": the alerts waiting for
// signatures (or in another state), for a roster member without a console
// account. The request is signed with their roster key.
func listAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("alert list", "Lists the alerts waiting for signatures (or in another state), with who has signed. The request is signed with your roster key (passphrase from TOCSIN_PASSPHRASE or asked): only admins and dispatchers of the roster may list, and no console account is needed.", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL")
	keyPath := fs.String("key", "", "your key file")
	state := fs.String("state", "pending", "pending (waiting for signatures), approved, sending or sent")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *keyPath == "" {
		return errors.New("give --key FILE: your roster key signs the request")
	}
	c, err := newAPI(*server)
	if err != nil {
		return err
	}
	alerts, err := signedAlertList(ctx, c, *state, keyOnce(*keyPath))
	if err != nil {
		return err
	}
	if len(alerts) == 0 {
		fmt.Fprintf(stdout, "No %s alerts.\n", *state)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tSIGNED\tVALID UNTIL\tBY\tTEXT")
	for _, a := range alerts {
		text := strings.Join(strings.Fields(a.Text), " ")
		if r := []rune(text); len(r) > 60 {
			text = string(r[:59]) + "…"
		}
		signed := fmt.Sprintf("%d of %d", len(a.Signers), a.Need)
		if len(a.Signers) > 0 {
			signed += " (" + strings.Join(a.Signers, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Ref, signed, a.ValidUntil.UTC().Format("2006-01-02 15:04Z"), a.CreatedBy, text)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *state == "pending" {
		fmt.Fprintln(stdout, "\nRead one in full with tocsin alert show ID, and sign it with tocsin alert approve ID --key FILE.")
	}
	return nil
}

// signedAlertList asks the server for the alerts in state, signing the
// request with the operator's key.
func signedAlertList(ctx context.Context, c *api, state string, key func() (string, ed25519.PrivateKey, error)) ([]listedAlert, error) {
	body, err := trust.ReadRequest{What: "alerts " + state, At: time.Now()}.Encode()
	if err != nil {
		return nil, fmt.Errorf("--state %q: give pending, approved, sending or sent", state)
	}
	_, priv, err := key()
	if err != nil {
		return nil, err
	}
	sig := trust.SignReadRequest(priv, body)
	var res struct {
		Alerts []listedAlert `json:"alerts"`
	}
	req := map[string]string{"request": base64.StdEncoding.EncodeToString(body), "key_id": string(sig.KeyID), "signature": base64.StdEncoding.EncodeToString(sig.Signature)}
	if _, err := c.do(ctx, "POST", "/api/v1/alerts/list", req, &res); err != nil {
		return nil, err
	}
	return res.Alerts, nil
}

// errNoKey is keyOnce's error when no --key was given.
var errNoKey = errors.New("give --key FILE")

// keyOnce opens the key file at most once, when first needed.
func keyOnce(path string) func() (string, ed25519.PrivateKey, error) {
	var (
		name string
		priv ed25519.PrivateKey
		err  error
		done bool
	)
	return func() (string, ed25519.PrivateKey, error) {
		if path == "" {
			return "", nil, errNoKey
		}
		if !done {
			var k []byte
			name, k, err = cmdline.OpenKey(path, "TOCSIN_PASSPHRASE")
			priv, done = k, true
		}
		return name, priv, err
	}
}

// resolveAlert finds the alert an operator named: its 16-character id,
// its reference code, or its verification URL (/v/REF or /alerts/REF, whose
// server is the default one). A sent alert's code is looked up in the
// public transparency log; a pending one's in the signed list of pending
// alerts, with the operator's key.
func resolveAlert(ctx context.Context, arg, server string, serverSet bool, key func() (string, ed25519.PrivateKey, error)) (*api, string, error) {
	ref := arg
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		u, err := url.Parse(arg)
		if err != nil {
			return nil, "", fmt.Errorf("%q is not a URL: %w", arg, err)
		}
		p := strings.Trim(u.Path, "/")
		if !strings.HasPrefix(p, "v/") && !strings.HasPrefix(p, "alerts/") {
			return nil, "", fmt.Errorf("%s is not an alert's verification URL (…/v/REF or …/alerts/REF)", arg)
		}
		ref = p[strings.Index(p, "/")+1:]
		if !serverSet {
			server = u.Scheme + "://" + u.Host
		}
	}
	c, err := newAPI(server)
	if err != nil {
		return nil, "", err
	}
	if isAlertID(ref) {
		return c, ref, nil
	}
	ref = strings.ToUpper(ref)
	if !isAlertRef(ref) {
		return nil, "", fmt.Errorf("%q is neither an alert id (16 characters, as tocsin alert list shows), a reference code (%d characters, such as 4Y3637) nor a verification URL", arg, tocsin.AlertRefLen)
	}
	var entry struct {
		Entry string `json:"entry"`
	}
	_, logErr := c.do(ctx, "GET", "/log/alerts/"+url.PathEscape(ref), nil, &entry)
	if logErr == nil {
		raw, err := base64.StdEncoding.DecodeString(entry.Entry)
		st, derr := trust.DecodeStatement(raw)
		if err != nil || derr != nil {
			return nil, "", fmt.Errorf("the log entry of %s does not decode", ref)
		}
		return c, st.AlertID, nil
	}
	if _, _, err := key(); errors.Is(err, errNoKey) {
		return nil, "", fmt.Errorf("%s is not a sent alert (%v); to find a pending alert by its code, add --key FILE (your roster key), or give its id from tocsin alert list", ref, logErr)
	} else if err != nil {
		return nil, "", err
	}
	for _, state := range []string{"pending", "approved"} {
		alerts, err := signedAlertList(ctx, c, state, key)
		if err != nil {
			return nil, "", err
		}
		for _, a := range alerts {
			if a.Ref == ref {
				return c, a.ID, nil
			}
		}
	}
	return nil, "", fmt.Errorf("no alert with reference code %s is sent, pending or approved on %s", ref, server)
}

// isAlertID reports whether s has the form of an alert id: 16 characters
// of lower-case base32.
func isAlertID(s string) bool {
	return len(s) == 16 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// isAlertRef reports whether s has the form of a reference code.
func isAlertRef(s string) bool {
	return len(s) == tocsin.AlertRefLen && strings.Trim(s, tocsin.AlertRefAlphabet) == ""
}
