package remote

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/trust"
)

const alertUsage = "usage: tocsin alert list --server URL --key FILE [--state pending] | tocsin alert show ID|REF|URL [--server URL] | tocsin alert approve ID|REF|URL --key FILE [--server URL]"

// RunAlert handles "tocsin alert list", "tocsin alert show" and "tocsin
// alert approve".
func RunAlert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "show" && args[0] != "approve" && args[0] != "list") {
		return errors.New(alertUsage)
	}
	if args[0] == "list" {
		return listAlerts(ctx, args[1:], stdout, stderr)
	}
	verb, arg, rest := args[0], "", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		arg, rest = rest[0], rest[1:]
	}
	fs := cmdline.FlagSet("alert "+verb, "Shows exactly what an alert's approvers sign, or signs it with your key (passphrase from TOCSIN_PASSPHRASE or asked) and sends the signature. The alert is named by its 16-character id, its reference code (4Y3637) or its verification URL (https://…/v/4Y3637); a pending alert's reference code is found with your key (--key).", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL (default: that of a verification URL given as the alert)")
	keyPath := fs.String("key", "", "your key file (approve; with show, to find a pending alert by its reference code)")
	if err := cmdline.Parse(fs, rest); err != nil {
		return err
	}
	if arg == "" {
		return fmt.Errorf("give the alert's id, reference code or verification URL: tocsin alert %s ID", verb)
	}
	key := keyOnce(*keyPath)
	c, id, err := resolveAlert(ctx, arg, *server, serverGiven(fs), key)
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
	name, priv, err := key()
	if err != nil {
		return err
	}
	ap, err := trust.SignStatement(priv, st, time.Now())
	if err != nil {
		return err
	}
	res, err := postApproval(ctx, c, "/api/v1/alerts/"+url.PathEscape(id), ap)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Signed by %s. %s\n", name, res.signatures())
	switch {
	case res.Approved && res.Frozen:
		fmt.Fprintf(stdout, "Enough operators have signed, but outbound messaging is FROZEN: the alert is approved and waits. It goes out only after an unfreeze signed by %d operators (tocsin unfreeze), and only if it is still valid then.\n", res.Unfreeze)
	case res.Approved:
		fmt.Fprintln(stdout, "Enough operators have signed: the sender verifies the alert and sends it.")
	}
	return nil
}

// serverGiven reports whether --server was set, on the line or in the
// environment.
func serverGiven(fs *flag.FlagSet) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "server" })
	_, env := os.LookupEnv("TOCSIN_SERVER")
	_, envFile := os.LookupEnv("TOCSIN_SERVER_FILE")
	return given || env || envFile
}

// approvalAnswer is where an alert or a notice stands after a signature.
type approvalAnswer struct {
	Signers  []string `json:"signers"`
	Need     int      `json:"need"`
	Approved bool     `json:"approved"`
	Frozen   bool     `json:"frozen"`
	Unfreeze int      `json:"unfreeze_need"`
}

// signatures says how many have signed, and who.
func (a approvalAnswer) signatures() string {
	return fmt.Sprintf("Signatures: %d of %d (%s).", len(a.Signers), a.Need, strings.Join(a.Signers, ", "))
}

// postApproval posts a signature to path/approvals (an alert's or a
// notice's) and returns where it stands.
func postApproval(ctx context.Context, c *api, path string, ap *trust.Approval) (approvalAnswer, error) {
	var res approvalAnswer
	body := map[string]any{"kind": ap.Kind, "key_id": ap.KeyID, "digest": fmt.Sprintf("%x", ap.Digest),
		"signature": base64.StdEncoding.EncodeToString(ap.Signature), "signed_at": ap.SignedAt.UTC().Format(time.RFC3339)}
	_, err := c.do(ctx, "POST", path+"/approvals", body, &res)
	return res, err
}
