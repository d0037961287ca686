package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/tlog"
	"github.com/tocsin/tocsin/internal/trust"
)

// witnessState is what tocsin verify remembers of a log between runs: the
// last checkpoint it accepted.
type witnessState struct {
	Size uint64 `json:"size"`
	Root string `json:"root"` // base64
}

// RunVerify checks a server's transparency log without trusting the server:
// the checkpoint's signature against a pinned public key, consistency with
// the last checkpoint seen (a log that forked or rewrote history fails), and
// optionally that an alert or a notice is in the log.
func RunVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("verify", "Checks a server's transparency log against its pinned public key and the last checkpoint seen; with --alert or --notice, that an alert or an incident notice is in it.", stderr)
	server := fs.String("server", "http://127.0.0.1:8080", "the server's URL")
	keyArg := fs.String("log-key", "", "the log's public key (the contents of log.pub), or a file holding it")
	statePath := fs.String("state", "tocsin-verify.json", "where to remember the last checkpoint seen")
	ref := fs.String("alert", "", "an alert's reference code to check for inclusion")
	notice := fs.String("notice", "", "an incident notice's id to check for inclusion")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	vkey, err := readKeyArg(*keyArg)
	if err != nil {
		return err
	}
	c, err := newAPI(*server)
	if err != nil {
		return err
	}
	raw, err := c.do(ctx, "GET", "/log/checkpoint", nil, nil)
	if err != nil {
		return err
	}
	cp, err := tlog.Open(raw, vkey, cmdline.LogOrigin)
	if err != nil {
		return fmt.Errorf("the checkpoint is not signed by the pinned log key: %w", err)
	}
	prev, err := loadWitness(*statePath)
	if err != nil {
		return err
	}
	if prev != nil {
		if err := checkConsistency(ctx, c, prev, cp); err != nil {
			return err
		}
	}
	if *ref != "" {
		if err := checkAlert(ctx, c, *ref, cp); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Alert %s is in the log.\n", strings.ToUpper(*ref))
	}
	if *notice != "" {
		st, err := checkNotice(ctx, c, *notice, cp)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Notice %s is in the log: %q, valid until %s.\n", st.ID, st.Titles["en"], st.ValidUntil.UTC().Format("2006-01-02"))
	}
	b, _ := json.Marshal(witnessState{Size: cp.Size, Root: base64.StdEncoding.EncodeToString(cp.Root[:])})
	if err := os.WriteFile(*statePath, b, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The log is consistent: %d entries, root %x.\n", cp.Size, cp.Root)
	return nil
}

func readKeyArg(s string) (string, error) {
	if s == "" {
		return "", errors.New("give --log-key: the log's public key (log.pub from the sender's keys)")
	}
	if b, err := os.ReadFile(s); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	return s, nil
}

func loadWitness(path string) (*witnessState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var w witnessState
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &w, nil
}

func decodeProof(b []byte) ([][32]byte, error) {
	var p struct {
		Hashes []string `json:"hashes"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	out := make([][32]byte, len(p.Hashes))
	for i, h := range p.Hashes {
		d, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(d) != 32 {
			return nil, errors.New("a proof hash is not 32 bytes of base64")
		}
		out[i] = [32]byte(d)
	}
	return out, nil
}

// checkConsistency proves the new checkpoint extends the one seen before.
func checkConsistency(ctx context.Context, c *api, prev *witnessState, cp tlog.Checkpoint) error {
	d, err := base64.StdEncoding.DecodeString(prev.Root)
	if err != nil || len(d) != 32 {
		return errors.New("the saved state is damaged")
	}
	if cp.Size < prev.Size {
		return fmt.Errorf("the log shrank from %d to %d entries: it rewrote history", prev.Size, cp.Size)
	}
	raw, err := c.do(ctx, "GET", fmt.Sprintf("/log/proof/consistency?from=%d&to=%d", prev.Size, cp.Size), nil, nil)
	if err != nil {
		return err
	}
	proof, err := decodeProof(raw)
	if err != nil {
		return err
	}
	if err := tlog.VerifyConsistency(prev.Size, cp.Size, [32]byte(d), cp.Root, proof); err != nil {
		return fmt.Errorf("the log does not extend the checkpoint seen before (size %d): it forked or rewrote history: %w", prev.Size, err)
	}
	return nil
}

// logEntryAt fetches a log entry the server says is at path's index.
func logEntryAt(ctx context.Context, c *api, path string) (uint64, []byte, error) {
	var found struct {
		Index uint64 `json:"index"`
		Entry string `json:"entry"`
	}
	if _, err := c.do(ctx, "GET", path, nil, &found); err != nil {
		return 0, nil, err
	}
	entry, err := base64.StdEncoding.DecodeString(found.Entry)
	return found.Index, entry, err
}

// checkIncluded proves entry is at index in the log of checkpoint cp.
func checkIncluded(ctx context.Context, c *api, entry []byte, index uint64, cp tlog.Checkpoint) error {
	raw, err := c.do(ctx, "GET", fmt.Sprintf("/log/proof/inclusion?index=%d&size=%d", index, cp.Size), nil, nil)
	if err != nil {
		return err
	}
	proof, err := decodeProof(raw)
	if err != nil {
		return err
	}
	return tlog.VerifyInclusion(tlog.LeafHash(entry), index, cp.Size, cp.Root, proof)
}

// checkNotice proves a notice's statement is in the log: published, as
// the service's operators signed it (the sender appends nothing else).
func checkNotice(ctx context.Context, c *api, id string, cp tlog.Checkpoint) (*trust.NoticeStatement, error) {
	index, entry, err := logEntryAt(ctx, c, "/log/notices/"+url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	st, err := trust.DecodeNotice(entry)
	if err != nil {
		return nil, fmt.Errorf("the entry is not a notice statement: %w", err)
	}
	if st.ID != id {
		return nil, fmt.Errorf("the entry the server gave is notice %s, not %s", st.ID, id)
	}
	if err := checkIncluded(ctx, c, entry, index, cp); err != nil {
		return nil, fmt.Errorf("notice %s is not in the log: %w", id, err)
	}
	return st, nil
}

// checkAlert proves an alert's statement is in the log.
func checkAlert(ctx context.Context, c *api, ref string, cp tlog.Checkpoint) error {
	index, entry, err := logEntryAt(ctx, c, "/log/alerts/"+ref)
	if err != nil {
		return err
	}
	st, err := trust.DecodeStatement(entry)
	if err != nil {
		return fmt.Errorf("the entry is not an alert statement: %w", err)
	}
	texts := strings.Join(mapValues(st.Texts), "\n")
	if !strings.Contains(texts, "Ref "+strings.ToUpper(ref)) && !strings.Contains(texts, "/v/"+strings.ToUpper(ref)) {
		return fmt.Errorf("the entry the server gave is not alert %s", ref)
	}
	if err := checkIncluded(ctx, c, entry, index, cp); err != nil {
		return fmt.Errorf("alert %s is not in the log: %w", ref, err)
	}
	return nil
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
