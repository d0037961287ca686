package tocsin_test

import (
	"go/types"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The web tier's packages (docs/architecture.md, "The web tier"): web is
// the router and the middleware chain; each surface serves one kind of
// caller; the shared packages hold what several surfaces use.
var (
	webSurfaces = []string{"public", "console", "consoleadmin", "api", "hooks", "bait", "logpub"}
	webShared   = map[string][]string{ // shared package → the web packages it may import
		"webkit":  nil,
		"abuse":   nil,
		"logview": {"webkit"},
	}
)

// testWebSurfaces checks the web tier's dependency rule: a surface imports
// no other surface, only the shared packages; a shared package imports no
// surface; and every package under internal/web is one of the list above,
// so a new one must be placed in the rule (and the docs) to exist.
func testWebSurfaces(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./internal/web/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	prefix := module + "internal/web/"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		name, ok := strings.CutPrefix(fields[0], prefix)
		if !ok {
			continue // package web itself: the router may import them all
		}
		allowed, shared := webShared[name]
		if !shared && !slices.Contains(webSurfaces, name) {
			t.Errorf("internal/web/%s is neither a surface nor a shared package: add it to the rule in architecture_web_test.go and docs/architecture.md", name)
			continue
		}
		if !shared {
			for s := range webShared {
				allowed = append(allowed, s)
			}
		}
		for _, imp := range fields[1:] {
			if imp == module+"internal/web" {
				t.Errorf("internal/web/%s imports the router, internal/web", name)
			}
			dep, ok := strings.CutPrefix(imp, prefix)
			if ok && !slices.Contains(allowed, dep) {
				t.Errorf("internal/web/%s imports internal/web/%s: a surface imports only the shared packages, and a shared package no surface", name, dep)
			}
		}
	}
}

// storeRoles are the store's role interfaces a package under internal/web
// may name (store.WebQuerier only as what InWebTx hands a transaction).
var storeRoles = []string{"Reports", "Audience", "Signups", "Hooks", "Alerts", "Operators", "Audit", "Trust", "Log", "APIKeys", "Notices", "Limits", "Counts", "WebQuerier"}

// testWebStoreRoles checks on the types that the packages under
// internal/web hold the store only through its role interfaces: none of
// them names store.Web (the whole web tier's store, which only the router
// holds, to hand each surface its part) or any other store interface.
func testWebStoreRoles(t *testing.T) {
	pkgs := typeCheck(t, "./internal/web/...")
	st := pkgs[module+"internal/store"].pkg
	checked := 0
	for path, p := range pkgs {
		if p.info == nil || !strings.HasPrefix(path, module+"internal/web/") {
			continue
		}
		checked++
		for id, obj := range p.info.Uses {
			tn, ok := obj.(*types.TypeName)
			if !ok || tn.Pkg() != st || !types.IsInterface(tn.Type()) || slices.Contains(storeRoles, tn.Name()) {
				continue
			}
			t.Errorf("%s: %s names store.%s, not a role interface", p.fset.Position(id.Pos()), path, tn.Name())
		}
	}
	if checked < len(webSurfaces) {
		t.Fatalf("only %d packages under internal/web were checked", checked)
	}
}
