package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/trust"
)

// RunNotice handles "tocsin notice show" and "tocsin notice approve", as
// RunAlert does for alerts: it fetches the notice's statement, shows it,
// and signs it in the notice domain.
func RunNotice(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || (args[0] != "show" && args[0] != "approve") {
		return errors.New("usage: tocsin notice show ID --server URL | tocsin notice approve ID --key FILE --server URL")
	}
	verb, id, rest := args[0], "", args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	fs := cmdline.FlagSet("notice "+verb, "Shows exactly what an incident notice's approvers sign, or signs it with your key (passphrase from TOCSIN_PASSPHRASE or asked) and sends the signature. A notice is published, in the transparency log, once as many operators have signed as an alert to everyone needs.", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL")
	keyPath := fs.String("key", "", "your key file (approve)")
	if err := cmdline.Parse(fs, rest); err != nil {
		return err
	}
	if id == "" {
		return fmt.Errorf("give the notice's id: tocsin notice %s ID", verb)
	}
	c, err := newAPI(*server)
	if err != nil {
		return err
	}
	path := "/api/v1/notices/" + url.PathEscape(id)
	raw, err := c.do(ctx, "GET", path+"/statement", nil, nil)
	if err != nil {
		return err
	}
	st, err := trust.DecodeNotice(raw)
	if err != nil {
		return fmt.Errorf("the server sent a notice statement that does not decode: %w", err)
	}
	if st.ID != id {
		return fmt.Errorf("the server sent the statement of notice %s, not %s", st.ID, id)
	}
	fmt.Fprintln(stdout, st.Describe())
	if verb == "show" {
		return nil
	}
	if *keyPath == "" {
		return errors.New("give --key FILE to approve")
	}
	name, priv, err := cmdline.OpenKey(*keyPath, "TOCSIN_PASSPHRASE")
	if err != nil {
		return err
	}
	ap, err := trust.SignNotice(priv, st, time.Now())
	if err != nil {
		return err
	}
	res, err := postApproval(ctx, c, path, ap)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Signed by %s. %s\n", name, res.signatures())
	if res.Approved {
		fmt.Fprintln(stdout, "Enough operators have signed: the sender verifies the notice and publishes it in the transparency log.")
	}
	return nil
}
