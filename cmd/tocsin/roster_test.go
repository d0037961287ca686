package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the tocsin command in-process and returns its output; it fails
// the test when the exit code differs from want.
func cli(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != want {
		t.Fatalf("tocsin %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// TestRosterVersions adds an operator by a new roster version, which takes
// effect only once both administrators of the version before have signed.
func TestRosterVersions(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	key := func(name string) string { return filepath.Join(dir, name+".key") }
	t.Setenv("TOCSIN_PASSPHRASE", "a long passphrase")
	t.Setenv("TOCSIN_ROOT_PASSPHRASE", "the root passphrase")
	for _, n := range []string{"ana", "ben", "carl"} {
		cli(t, 0, "key", "new", "--out", key(n), "--name", n)
	}
	cli(t, 1, "key", "new", "--out", key("ana"), "--name", "ana") // never overwrites a key
	cli(t, 1, "init", "--data", data, "--root-key", key("root"))  // no administrator
	out := cli(t, 0, "init", "--data", data, "--root-key", key("root"), "--admin", "ana="+key("ana")+".pub", "--admin", "ben="+key("ben"))
	if !strings.Contains(out, "Roster version 1 signed: 2 operators") {
		t.Errorf("init said: %s", out)
	}
	cli(t, 1, "init", "--data", data, "--root-key", key("root"), "--admin", "ana="+key("ana")) // a roster exists

	cli(t, 0, "roster", "propose", "--data", data, "--dispatcher", "carl="+key("carl"))
	cli(t, 1, "roster", "propose", "--data", data, "--viewer", "carl="+key("carl")) // one proposal at a time
	cli(t, 0, "roster", "sign", "--data", data, "--key", key("ana"))
	if out := cli(t, 0, "roster", "show", "--data", data); !strings.Contains(out, "Roster version 1") || !strings.Contains(out, "Not (yet) in effect") {
		t.Errorf("one administrator's signature put version 2 in effect:\n%s", out)
	}
	cli(t, 0, "roster", "sign", "--data", data, "--key", key("carl")) // carl may sign, but is no administrator of version 1
	if out := cli(t, 0, "roster", "show", "--data", data); !strings.Contains(out, "Roster version 1") {
		t.Errorf("a non-administrator's signature counted:\n%s", out)
	}
	cli(t, 0, "roster", "sign", "--data", data, "--key", key("ben"))
	if out := cli(t, 0, "roster", "show", "--data", data); !strings.Contains(out, "Roster version 2") || !strings.Contains(out, "carl") {
		t.Errorf("version 2 not in effect after both administrators signed:\n%s", out)
	}
}
