package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tocsin/tocsin/internal/tlog"
)

// fakeLog serves a log's checkpoint and consistency proofs, as /log/ does;
// the test switches it to another history to play a server that forks.
type fakeLog struct {
	skey   string
	leaves *tlog.MemLeaves
}

func (f *fakeLog) handler(t *testing.T) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.Background()
		switch r.URL.Path {
		case "/log/checkpoint":
			size, _ := f.leaves.Size(ctx)
			root, err := tlog.Root(ctx, f.leaves, size)
			if err != nil {
				t.Error(err)
			}
			signed, err := tlog.Sign(tlog.Checkpoint{Origin: logOrigin, Size: size, Root: root}, f.skey)
			if err != nil {
				t.Error(err)
			}
			w.Write(signed)
		case "/log/proof/consistency":
			from, _ := strconv.ParseUint(r.URL.Query().Get("from"), 10, 64)
			to, _ := strconv.ParseUint(r.URL.Query().Get("to"), 10, 64)
			p, err := tlog.ConsistencyProof(ctx, f.leaves, from, to)
			if err != nil {
				http.Error(w, `{"error":"no proof"}`, 400)
				return
			}
			var out struct {
				Hashes []string `json:"hashes"`
			}
			for _, h := range p {
				out.Hashes = append(out.Hashes, base64.StdEncoding.EncodeToString(h[:]))
			}
			json.NewEncoder(w).Encode(out)
		default:
			http.NotFound(w, r)
		}
	})
}

func history(n int, tag string) *tlog.MemLeaves {
	l := &tlog.MemLeaves{}
	for i := range n {
		l.Append(context.Background(), tlog.LeafHash([]byte(fmt.Sprintf("%s entry %d", tag, i))))
	}
	return l
}

// TestVerifyCatchesAForkedLog: tocsin verify accepts a log that grows, and
// refuses one that rewrote history, or a checkpoint signed by another key.
func TestVerifyCatchesAForkedLog(t *testing.T) {
	skey, vkey, err := tlog.NewSigner(logOrigin)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeLog{skey: skey, leaves: history(5, "a")}
	srv := httptest.NewServer(f.handler(t))
	defer srv.Close()
	state := filepath.Join(t.TempDir(), "seen.json")
	verify := func(exit int) string {
		return cli(t, exit, "verify", "--server", srv.URL, "--log-key", vkey, "--state", state)
	}
	if out := verify(0); !strings.Contains(out, "consistent: 5 entries") {
		t.Errorf("first check: %s", out)
	}
	if fi, err := os.Stat(state); err != nil {
		t.Fatal(err)
	} else if fi.Mode().Perm() != 0o600 {
		t.Errorf("the state file has mode %v, want 0600", fi.Mode().Perm())
	}
	f.leaves.Append(context.Background(), tlog.LeafHash([]byte("a entry 5")))
	if out := verify(0); !strings.Contains(out, "consistent: 6 entries") {
		t.Errorf("after growth: %s", out)
	}
	f.leaves = history(7, "b") // the same key signs another history
	if out := verify(1); !strings.Contains(out, "forked or rewrote history") {
		t.Errorf("a forked log was accepted: %s", out)
	}
	f.leaves = history(3, "a")
	if out := verify(1); !strings.Contains(out, "rewrote history") {
		t.Errorf("a shrunk log was accepted: %s", out)
	}
	_, otherV, _ := tlog.NewSigner(logOrigin)
	if out := cli(t, 1, "verify", "--server", srv.URL, "--log-key", otherV, "--state", state); !strings.Contains(out, "not signed by the pinned log key") {
		t.Errorf("another key was accepted: %s", out)
	}
}
