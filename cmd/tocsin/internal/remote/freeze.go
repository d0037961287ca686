package remote

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/trust"
)

type orderView struct {
	Seq     int64    `json:"seq"`
	Freeze  bool     `json:"freeze"`
	Body    string   `json:"body"`
	Signers []string `json:"signers"`
}

// RunFreeze and RunUnfreeze sign freeze orders. Any one operator may
// freeze; an unfreeze takes effect when enough operators have signed it
// (the first signer creates the order, the others run the same command).
func RunFreeze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return freezeCmd(ctx, true, args, stdout, stderr)
}

func RunUnfreeze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return freezeCmd(ctx, false, args, stdout, stderr)
}

func freezeCmd(ctx context.Context, freeze bool, args []string, stdout, stderr io.Writer) error {
	verb := map[bool]string{true: "freeze", false: "unfreeze"}[freeze]
	fs := cmdline.FlagSet(verb, "Signs an order that stops (freeze) or restarts (unfreeze, needs several operators) all outbound messaging.", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL")
	keyPath := fs.String("key", "", "your key file")
	reason := fs.String("reason", verb+" from the command line", "why, for the record")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	c, err := newAPI(*server)
	if err != nil {
		return err
	}
	var list struct {
		Orders []orderView `json:"orders"`
	}
	if _, err := c.do(ctx, "GET", "/api/v1/freeze-orders", nil, &list); err != nil {
		return err
	}
	var body []byte
	if n := len(list.Orders); !freeze && n > 0 && !list.Orders[n-1].Freeze {
		// Co-sign the pending unfreeze order.
		if body, err = base64.StdEncoding.DecodeString(list.Orders[n-1].Body); err != nil {
			return err
		}
	} else {
		if !freeze && (len(list.Orders) == 0 || !list.Orders[len(list.Orders)-1].Freeze) {
			return errors.New("there is nothing to unfreeze: no freeze order is in effect (tocsin unfreeze lifts a freeze, or co-signs a pending unfreeze)")
		}
		next := int64(1)
		if n > 0 {
			next = list.Orders[n-1].Seq + 1
		}
		o := &trust.FreezeOrder{Seq: next, Freeze: freeze, At: time.Now(), Reason: *reason}
		if body, err = o.Encode(); err != nil {
			return err
		}
	}
	name, priv, err := cmdline.OpenKey(*keyPath, "TOCSIN_PASSPHRASE")
	if err != nil {
		return err
	}
	sig := trust.SignOrder(priv, body)
	req := map[string]string{"body": base64.StdEncoding.EncodeToString(body), "key_id": string(sig.KeyID), "signature": base64.StdEncoding.EncodeToString(sig.Signature)}
	if _, err := c.do(ctx, "POST", "/api/v1/freeze-orders", req, &list); err != nil {
		return err
	}
	last := list.Orders[len(list.Orders)-1]
	fmt.Fprintf(stdout, "%s order %d signed by %s; signers so far: %v.\n", verb, last.Seq, name, last.Signers)
	return nil
}
