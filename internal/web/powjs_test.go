package web

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/pow"
)

// TestPowJSSolves runs the form's solver, static/pow.js, under Node on a
// challenge of the server's, and checks the payload it would send. Skipped
// where Node is not installed.
func TestPowJSSolves(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	is := pow.Issuer{Key: []byte("0123456789abcdef0123456789abcdef"), MaxNumber: 3000, TTL: time.Hour}
	c, err := is.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	script, _ := filepath.Abs("static/pow.js")
	out, err := exec.CommandContext(t.Context(), node, "testdata/powjs_harness.js", script, string(b)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if _, _, err := is.Check(strings.TrimSpace(string(out)), time.Now()); err != nil {
		t.Fatalf("pow.js sent %q: %v", out, err)
	}
}
