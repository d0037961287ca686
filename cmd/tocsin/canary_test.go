package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// API keys and canaries from the command line: a real key and a canary key
// share one form; lists keep them apart; a revoked key is marked; bad input
// gets a clear refusal.
func TestAPIKeysAndCanaries(t *testing.T) {
	data := t.TempDir()
	keyRE := regexp.MustCompile(`tsk_[0-9A-Za-z]{40}`)
	real := keyRE.FindString(cli(t, 0, "apikey", "new", "--data", data, "--name", "partner network"))
	canary := keyRE.FindString(cli(t, 0, "canary", "apikey", "new", "--data", data, "--name", "backup-job"))
	if real == "" || canary == "" {
		t.Fatalf("keys %q and %q", real, canary)
	}
	list := cli(t, 0, "apikey", "list", "--data", data)
	if !strings.Contains(list, real[:12]) || strings.Contains(list, canary[:12]) {
		t.Errorf("apikey list shows canaries or misses the real key:\n%s", list)
	}
	cli(t, 0, "apikey", "revoke", real[:12], "--data", data)
	for _, line := range strings.Split(cli(t, 0, "apikey", "list", "--data", data), "\n") {
		if strings.HasPrefix(line, real[:12]) && strings.HasSuffix(strings.TrimSpace(line), " -") {
			t.Errorf("the revoked key is not marked revoked: %q", line)
		}
	}
	cli(t, 1, "apikey", "revoke", "tsk_nothere1", "--data", data)
	cli(t, 1, "apikey", "new", "--data", data) // no name
	cli(t, 0, "canary", "operator", "add", "--data", data, "--name", "j.rivera")
	cli(t, 1, "canary", "operator", "add", "--data", data, "--name", "j.rivera") // taken
	cli(t, 1, "canary", "operator", "add", "--data", data, "--name", "x", "--role", "owner")
	all := cli(t, 0, "canary", "list", "--data", data)
	for _, want := range []string{canary[:12], "backup-job", "j.rivera", "/.env", "/backup.sql"} {
		if !strings.Contains(all, want) {
			t.Errorf("canary list misses %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, real[:12]) {
		t.Error("canary list shows a real key")
	}
}

// A wrong subcommand is refused, and help answered, before anything is
// opened or created.
func TestAPIKeyUsageCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cli(t, 0, "apikey", "--help")
	cli(t, 1, "apikey", "rotate")
	cli(t, 0, "canary", "--help")
	cli(t, 1, "canary", "bait")
	cli(t, 0, "incident", "--help")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused command created %v", entries)
	}
}
