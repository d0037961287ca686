package tocsin_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// senderShared are the packages under internal/sender that its services
// share (docs/architecture.md, "The sender's services"). Every other
// package under internal/sender is a service: it imports no other service,
// and nothing under internal/sender imports it but the Sender itself.
var senderShared = []string{"config", "state", "events", "guard", "starts", "outbox", "subscriber", "response", "canary", "vault"}

// testSenderServices checks the sender's layout: the services do not
// import each other, no package under internal/sender names the whole
// store (each takes the part it uses), and the size rules hold (no file
// over 500 lines, no package over 1,500, no struct over 12 fields but the
// configuration's).
func testSenderServices(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{.Dir}} {{join .Imports " "}}`, "./internal/sender/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root := module + "internal/sender"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, dir, imports := f[0], f[1], f[2:]
		name := strings.TrimPrefix(pkg, root+"/")
		if pkg != root {
			for _, imp := range imports {
				other, ok := strings.CutPrefix(imp, root+"/")
				if imp == root || ok && !slices.Contains(senderShared, other) {
					t.Errorf("%s imports %s: a sender service is run by the Sender, and imported by no other package", pkg, imp)
				}
			}
		}
		checkSenderFiles(t, pkg, name, dir, pkg != root && name != "config")
	}
	testSenderConfigStore(t)
}

// testSenderConfigStore checks on the types that no sender package but the
// Sender reads the whole store out of the configuration (config.Config's
// Store): a service uses the part of the store it was given.
func testSenderConfigStore(t *testing.T) {
	pkgs := typeCheck(t, "./internal/sender/...")
	cfg := module + "internal/sender/config"
	for path, p := range pkgs {
		if p.info == nil || path == module+"internal/sender" || path == cfg {
			continue
		}
		for sel, s := range p.info.Selections {
			if v, ok := s.Obj().(*types.Var); ok && v.IsField() && v.Name() == "Store" && v.Pkg() != nil && v.Pkg().Path() == cfg {
				t.Errorf("%s: %s reads the whole store from the configuration: take the part of the store it uses", p.fset.Position(sel.Pos()), path)
			}
		}
	}
}

// checkSenderFiles checks one package's non-test files: their size, that
// (but in the Sender and its configuration, which hand the parts out) none
// names store.Store, and that no struct
// but a configuration has more than 12 fields.
func checkSenderFiles(t *testing.T, pkg, name, dir string, noWholeStore bool) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	fset := token.NewFileSet()
	for _, path := range names {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), "\n")
		total += n
		if n > 500 {
			t.Errorf("%s has %d lines, more than 500", path, n)
		}
		file, err := parser.ParseFile(fset, path, b, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(nd ast.Node) bool {
			switch x := nd.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && noWholeStore && id.Name == "store" && x.Sel.Name == "Store" {
					t.Errorf("%s names store.Store: a sender package takes only the part of the store it uses", fset.Position(x.Pos()))
				}
			case *ast.TypeSpec:
				st, ok := x.Type.(*ast.StructType)
				if !ok || x.Name.Name == "Config" {
					return true
				}
				fields := 0
				for _, fl := range st.Fields.List {
					fields += max(1, len(fl.Names))
				}
				if fields > 12 {
					t.Errorf("%s: struct %s has %d fields, more than 12", fset.Position(x.Pos()), x.Name.Name, fields)
				}
			}
			return true
		})
	}
	if total > 1500 {
		t.Errorf("%s (%s) has %d non-test lines, more than 1,500", pkg, name, total)
	}
}
