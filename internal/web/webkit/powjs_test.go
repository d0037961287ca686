package webkit

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tocsin/tocsin/internal/pow"
	"github.com/tocsin/tocsin/internal/web/abuse"
)

// TestPowJSSolves runs the form's solver, static/pow.js, under Node on a
// challenge of the server's at the default difficulty, checks the payload
// it would send, and logs how long it took. Skipped where Node is not
// installed.
func TestPowJSSolves(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	is := pow.Issuer{Key: []byte("0123456789abcdef0123456789abcdef"), MaxNumber: abuse.DefaultLimits.PoWMaxNumber, TTL: time.Hour}
	c, err := is.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	script, _ := filepath.Abs("static/pow.js")
	start := time.Now()
	out, err := exec.CommandContext(t.Context(), node, "testdata/powjs_harness.js", script, string(b)).CombinedOutput()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if _, _, err := is.Check(strings.TrimSpace(string(out)), time.Now()); err != nil {
		t.Fatalf("pow.js sent %q: %v", out, err)
	}
	s, _ := pow.Decode(strings.TrimSpace(string(out)))
	t.Logf("pow.js under Node found number %d of at most %d in %v (Node's start included)", s.Number, c.MaxNumber, took)
}
