package tocsin_test

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tocsin/tocsin/"

// TestArchitecture checks the package boundaries the threat model relies on:
// the web tier cannot reach anything that opens a phone number or sends a
// message, and the domain depends on nothing of ours.
func TestArchitecture(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"./internal/web", []string{"internal/sender", "internal/sms"}},
		{"./internal/phone", []string{"internal/sender", "internal/sms", "internal/store"}},
		{"./internal/audience", []string{"internal/sender", "internal/sms", "internal/phone"}},
		{"./internal/replies", []string{"internal/sender", "internal/sms", "internal/store", "internal/phone"}},
		{"./internal/store/...", []string{"internal/sender", "internal/sms", "internal/web"}},
		{"./cmd/tocsin/internal/remote", []string{"internal/store", "internal/sender", "internal/sms", "internal/web"}},
		// Operators' keys are created and opened on their own devices only.
		{"./internal/web/...", []string{"internal/trust/keyfile"}},
		{"./internal/sender/...", []string{"internal/trust/keyfile"}},
		{".", []string{"internal"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range tt.forbidden {
					f = module + f
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", tt.pkg, dep)
					}
				}
			}
		})
	}
	t.Run("imports only", testImportsOnly)
	t.Run("store roles", testStoreRoles)
	t.Run("web store calls", testWebStoreCalls)
	t.Run("sender services", testSenderServices)
	t.Run("web surfaces", testWebSurfaces)
	t.Run("web store roles", testWebStoreRoles)
}

// pure is what none of the packages held to an import list may import: they
// open no file, database or connection.
var pure = []string{"database/sql", "net", "net/http", "os", "os/exec", "syscall"}

// testImportsOnly checks the packages whose imports docs/architecture.md
// lists: each imports the standard library (but no file, database or
// network package) and only the packages of ours and of others named here.
func testImportsOnly(t *testing.T) {
	tests := []struct {
		pkg     string
		allowed []string // import paths; a trailing "/" allows a tree
	}{
		{"./internal/trust", []string{"github.com/tocsin/tocsin", "github.com/tocsin/tocsin/internal/trust/internal/canon", "github.com/tocsin/tocsin/internal/trust/statement", "github.com/tocsin/tocsin/internal/trust/notice", "github.com/tocsin/tocsin/internal/trust/freeze", "golang.org/x/crypto/"}},
		{"./internal/trust/statement", []string{"github.com/tocsin/tocsin", "github.com/tocsin/tocsin/internal/trust/internal/canon", "golang.org/x/crypto/"}},
		{"./internal/trust/notice", []string{"github.com/tocsin/tocsin", "github.com/tocsin/tocsin/internal/trust/internal/canon", "golang.org/x/crypto/"}},
		{"./internal/trust/freeze", []string{"github.com/tocsin/tocsin", "github.com/tocsin/tocsin/internal/trust/internal/canon", "golang.org/x/crypto/"}},
		{"./internal/trust/internal/canon", nil},
		{"./internal/trust/keyfile", []string{"github.com/tocsin/tocsin/internal/trust", "github.com/tocsin/tocsin/internal/trust/internal/canon", "golang.org/x/crypto/"}},
		{"./internal/tlog", []string{"github.com/transparency-dev/merkle/", "golang.org/x/mod/sumdb/note"}},
		{"./internal/audit", []string{"github.com/tocsin/tocsin"}},
		{"./internal/incident", []string{"github.com/google/uuid", "github.com/tocsin/tocsin/internal/stix", "github.com/tocsin/tocsin/internal/inventory"}},
		{"./internal/stix", []string{"github.com/google/uuid"}},
		{"./internal/inventory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, imp := range strings.Fields(string(out)) {
				if slices.Contains(pure, imp) {
					t.Errorf("%s imports %s", tt.pkg, imp)
				}
				if standard(imp) {
					continue
				}
				if !slices.ContainsFunc(tt.allowed, func(a string) bool {
					return imp == a || strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a)
				}) {
					t.Errorf("%s imports %s, which docs/architecture.md does not allow", tt.pkg, imp)
				}
			}
		})
	}
}

// standard reports whether an import path is the standard library's: its
// first element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// privilegedNames are store methods that must stay out of the web tier's
// reach by name: the ledger, claims, outbound texts, the inbound queue,
// sealed numbers, the log's writes, leases and starts, roster writes.
var privilegedNames = []string{
	"CreateLedger", "ClaimDeliveries", "ReleaseClaims", "FinishDeliveries", "CompleteAlert", "RefuseAlert",
	"AddOutbound", "ListOutbound", "DeleteOutbound", "ListInbound", "DeleteInbound",
	"ListHookRequests", "DeleteHookRequest", "MarkHookSeen", "RecordSent", "KnownSent",
	"GetSubscriber", "GetSubscriberByHash", "SaveSubscriber", "ActiveAreas", "ListSignups",
	"RecordCodeSend", "CountCodeSends", "RecordBlockCode", "CountBlockCodes",
	"LogAppend", "PutCheckpoint", "PublishNotice", "RefuseNotice",
	"TryLease", "DropLease", "RecordStart", "GetStart",
	"PutRosterVersion", "AddRosterSig", "UnnotifiedEvents", "MarkNotified",
}

// testStoreRoles checks, on the store's types, that the web tier's
// interface and the privileged one are apart, that they make up the whole
// store, and that every method named in privilegedNames is privileged.
func testStoreRoles(t *testing.T) {
	pkgs := typeCheck(t, "./internal/store")
	st := pkgs[module+"internal/store"].pkg
	web, priv := methodNames(t, st, "WebQuerier"), methodNames(t, st, "Privileged")
	for _, m := range web {
		if slices.Contains(priv, m) {
			t.Errorf("store.%s is both the web tier's and privileged", m)
		}
	}
	for _, m := range privilegedNames {
		if !slices.Contains(priv, m) {
			t.Errorf("store.%s is not in store.Privileged", m)
		}
		if slices.Contains(web, m) {
			t.Errorf("store.%s is the web tier's", m)
		}
	}
	want := slices.Sorted(slices.Values(append(slices.Clone(web), priv...)))
	if got := methodNames(t, st, "Querier"); !slices.Equal(got, want) {
		t.Errorf("store.Querier is not store.WebQuerier and store.Privileged:\n got %v\nwant %v", got, want)
	}
	if got, want := methodNames(t, st, "Store"), slices.Sorted(slices.Values(append(want, "Close", "InTx", "InWebTx"))); !slices.Equal(got, want) {
		t.Errorf("store.Store has methods of no role:\n got %v\nwant %v", got, want)
	}
	if got, want := methodNames(t, st, "Web"), slices.Sorted(slices.Values(append(web, "InWebTx"))); !slices.Equal(got, want) {
		t.Errorf("store.Web is not store.WebQuerier and InWebTx:\n got %v\nwant %v", got, want)
	}
}

// testWebStoreCalls checks on the types of the web tier's packages that
// they hold the store as store.Web and cannot reach a privileged method:
// they name no privileged type of package store, and call no method of a
// privileged name on any interface (a type assertion to one would).
func testWebStoreCalls(t *testing.T) {
	pkgs := typeCheck(t, "./internal/web/...")
	st, ok := pkgs[module+"internal/store"]
	if !ok {
		t.Fatal("internal/web does not use internal/store")
	}
	priv := methodNames(t, st.pkg, "Privileged")
	forbidden := []string{"Store", "Querier", "Privileged"}
	pi := st.pkg.Scope().Lookup("Privileged").Type().Underlying().(*types.Interface)
	for i := range pi.NumEmbeddeds() {
		forbidden = append(forbidden, pi.EmbeddedType(i).(*types.Named).Obj().Name())
	}
	webPkgs := 0
	for path, p := range pkgs {
		if p.info == nil || !strings.HasPrefix(path, module+"internal/web") {
			continue
		}
		webPkgs++
		for id, obj := range p.info.Uses {
			if tn, ok := obj.(*types.TypeName); ok && tn.Pkg() == st.pkg && slices.Contains(forbidden, tn.Name()) {
				t.Errorf("%s: %s names store.%s", p.fset.Position(id.Pos()), path, tn.Name())
			}
		}
		for sel, s := range p.info.Selections {
			fn, ok := s.Obj().(*types.Func)
			if !ok || !slices.Contains(priv, fn.Name()) || !types.IsInterface(s.Recv()) {
				continue
			}
			t.Errorf("%s: %s calls %s, a privileged store method", p.fset.Position(sel.Pos()), path, fn.Name())
		}
	}
	if webPkgs == 0 {
		t.Fatal("no web package was checked")
	}
	web := pkgs[module+"internal/web"]
	cfg, ok := web.pkg.Scope().Lookup("Config").Type().Underlying().(*types.Struct)
	if !ok {
		t.Fatal("web.Config is not a struct")
	}
	for i := range cfg.NumFields() {
		if f := cfg.Field(i); f.Name() == "Store" && !types.Identical(f.Type(), st.pkg.Scope().Lookup("Web").Type()) {
			t.Errorf("web.Config.Store is a %s, not a store.Web", f.Type())
		}
	}
}

// methodNames returns the sorted method names of the named interface of
// package p.
func methodNames(t *testing.T, p *types.Package, name string) []string {
	t.Helper()
	obj := p.Scope().Lookup(name)
	if obj == nil {
		t.Fatalf("no %s.%s", p.Name(), name)
	}
	it, ok := obj.Type().Underlying().(*types.Interface)
	if !ok {
		t.Fatalf("%s.%s is not an interface", p.Name(), name)
	}
	var out []string
	for i := range it.NumMethods() {
		out = append(out, it.Method(i).Name())
	}
	slices.Sort(out)
	return out
}

// checked is a package's types; info is set for the packages type-checked
// from source (the pattern's), nil for their dependencies.
type checked struct {
	pkg  *types.Package
	info *types.Info
	fset *token.FileSet
}

// typeCheck type-checks the packages of pattern from their source (tests
// left out), their dependencies from the compiler's export data, and
// returns them all by import path.
func typeCheck(t *testing.T, pattern string) map[string]checked {
	t.Helper()
	out, err := exec.Command("go", "list", "-export", "-deps", "-json", pattern).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	type listed struct {
		ImportPath, Dir, Export string
		GoFiles                 []string
		DepOnly                 bool
	}
	var roots []listed
	exports := map[string]string{}
	for dec := json.NewDecoder(strings.NewReader(string(out))); ; {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		exports[p.ImportPath] = p.Export
		if !p.DepOnly {
			roots = append(roots, p)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if exports[path] == "" {
			return nil, errors.New("no export data for " + path)
		}
		return os.Open(exports[path])
	})
	pkgs := map[string]checked{}
	for _, r := range roots {
		var files []*ast.File
		for _, name := range r.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(r.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
		p, err := (&types.Config{Importer: imp}).Check(r.ImportPath, fset, files, info)
		if err != nil {
			t.Fatalf("type-check %s: %v", r.ImportPath, err)
		}
		pkgs[r.ImportPath] = checked{pkg: p, info: info, fset: fset}
		for _, dep := range p.Imports() {
			if _, ok := pkgs[dep.Path()]; !ok {
				pkgs[dep.Path()] = checked{pkg: dep, fset: fset}
			}
		}
	}
	return pkgs
}
