package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFromBuildInfo: a binary built in a git checkout names the
// revision it was built from (tocsin version and tocsin --version), and
// one built without VCS information says the revision is unknown instead
// of "dev".
func TestVersionFromBuildInfo(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): the revision cannot be stamped", err)
	}
	for _, vcs := range []string{"true", "false"} {
		bin := filepath.Join(t.TempDir(), "tocsin")
		build := exec.Command("go", "build", "-buildvcs="+vcs, "-o", bin, "./cmd/tocsin")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build -buildvcs=%s: %v\n%s", vcs, err, out)
		}
		for _, arg := range []string{"version", "--version"} {
			out, err := exec.Command(bin, arg).Output()
			if err != nil {
				t.Fatalf("tocsin %s: %v", arg, err)
			}
			s := string(out)
			want := "revision " + strings.TrimSpace(string(head))
			if vcs == "false" {
				want = "revision unknown"
			}
			if !strings.HasPrefix(s, "tocsin ") || !strings.Contains(s, want) || strings.Contains(s, "tocsin dev") {
				t.Errorf("-buildvcs=%s: tocsin %s said %q, want it to name %q", vcs, arg, s, want)
			}
		}
	}
}
