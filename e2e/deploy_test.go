package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The TestDeploy tests keep deploy/ (systemd units, the compose file, the
// Dockerfile) and docs/deployment.md honest against the real binary: every
// `tocsin …` command line they contain must name a real subcommand and real
// flags (asked of `tocsin <command> --help`), every TOCSIN_* variable must be
// one that command reads, secrets must come from files, and the sandbox and
// the separation of the web role from the sender must be what
// docs/deployment.md promises. The compose file is read line by line (no
// YAML library): the checks below know its layout.

// deploySecretVars are the variables whose values are secrets: deploy files
// may give them only as NAME_FILE, and never as flags on a command line,
// where ps would show them. The database's password is in a passfile
// (PGPASSFILE), never in a URL: see passwordInURL.
var deploySecretVars = []string{"TOCSIN_TWILIO_API_SECRET", "TOCSIN_TWILIO_AUTH_TOKEN", "TOCSIN_KANNEL_PASSWORD", "TOCSIN_KANNEL_HOOK_SECRET"}

// providerSecretNames must never reach the web role, in any form.
var providerSecretNames = []string{"TOCSIN_TWILIO_API_SECRET", "TOCSIN_TWILIO_AUTH_TOKEN", "TOCSIN_KANNEL_PASSWORD",
	"twilio_api_secret", "twilio_auth_token", "kannel_password", "twilio-api-secret", "twilio-auth-token", "kannel-password"}

var (
	tocsinVarRE     = regexp.MustCompile(`TOCSIN_[A-Z0-9_]*[A-Z0-9]`)
	shellAssignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	// passwordInURL is a URL with a password (scheme://user:password@):
	// tocsin sender prints its database URL when it starts.
	passwordInURL = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@'"]+:[^/\s@'"]+@`)
)

// cmdHelp is what `tocsin <command> --help` says about a command.
type cmdHelp struct {
	flagVars map[string]string // flag name → its variable
	vars     map[string]bool   // every TOCSIN_* variable the help names (flags' and others, such as TOCSIN_PASSPHRASE)
}

// knows reports whether the command reads variable v: a flag's variable, its
// _FILE form, or a variable the help names (a passphrase).
func (h *cmdHelp) knows(v string) bool {
	if h.vars[v] {
		return true
	}
	base, ok := strings.CutSuffix(v, "_FILE")
	if !ok {
		return false
	}
	for _, fv := range h.flagVars {
		if fv == base {
			return true
		}
	}
	return false
}

// cmdHelpBook asks the binary about its commands, once each.
type cmdHelpBook struct {
	t        *testing.T
	commands []string
	cache    map[string]*cmdHelp
}

func newCmdHelpBook(t *testing.T) *cmdHelpBook {
	t.Helper()
	res := runCLI(t, "--help")
	if res.code != 0 {
		t.Fatalf("tocsin --help: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	b := &cmdHelpBook{t: t, cache: map[string]*cmdHelp{}}
	in := false
	for line := range strings.Lines(res.stdout) {
		switch {
		case strings.HasPrefix(line, "Commands:"):
			in = true
		case in && strings.HasPrefix(line, "  "):
			b.commands = append(b.commands, strings.Fields(line)[0])
		case in && strings.TrimSpace(line) == "":
			in = len(b.commands) == 0
		}
	}
	if len(b.commands) < 5 || !slices.Contains(b.commands, "serve") || !slices.Contains(b.commands, "sender") {
		t.Fatalf("cannot read the command list of tocsin --help:\n%s", res.stdout)
	}
	return b
}

var helpFlagRE = regexp.MustCompile(`(?m)^  --([a-z0-9][a-z0-9-]*) \((TOCSIN_[A-Z0-9_]+)\)`)

// of returns the help of a command and its verbs ("serve"; "audit verify"),
// or nil when the binary has no such command.
func (b *cmdHelpBook) of(words []string) *cmdHelp {
	key := strings.Join(words, " ")
	if h, ok := b.cache[key]; ok {
		return h
	}
	var h *cmdHelp
	if slices.Contains(b.commands, words[0]) {
		res := runCLI(b.t, append(slices.Clone(words), "--help")...)
		out := res.stdout + res.stderr
		if res.code == 0 { // a command with no flags (version) prints nothing
			h = &cmdHelp{flagVars: map[string]string{}, vars: map[string]bool{}}
			for _, m := range helpFlagRE.FindAllStringSubmatch(out, -1) {
				name, v := m[1], m[2]
				// config.go's rule: --base-url → TOCSIN_BASE_URL. The
				// deploy files rely on it.
				if want := "TOCSIN_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")); v != want {
					b.t.Errorf("tocsin %s --help pairs --%s with %s, not %s: the flag-to-variable rule changed", key, name, v, want)
				}
				h.flagVars[name] = v
			}
			for _, v := range tocsinVarRE.FindAllString(out, -1) {
				h.vars[v] = true
			}
		}
	}
	b.cache[key] = h
	return h
}

// union is a cmdHelp that knows every variable of every command the binary
// has (with the verbs the deploy files and docs use).
func (b *cmdHelpBook) union() *cmdHelp {
	u := &cmdHelp{flagVars: map[string]string{}, vars: map[string]bool{}}
	for _, c := range b.commands {
		words := []string{c}
		switch c {
		case "key":
			words = append(words, "new")
		case "roster":
			words = append(words, "show")
		case "alert":
			words = append(words, "show", "X")
		case "operator":
			words = append(words, "add")
		case "audit":
			words = append(words, "verify")
		}
		h := b.of(words)
		if h == nil {
			continue
		}
		for n, v := range h.flagVars {
			u.flagVars[c+" --"+n] = v
		}
		for v := range h.vars {
			u.vars[v] = true
		}
	}
	return u
}

// tocsinCall is one `tocsin …` command line found in a file.
type tocsinCall struct {
	where string   // file:line
	args  []string // after "tocsin"
}

// words is the command and its verbs: the arguments before the first flag.
func (inv tocsinCall) words() []string {
	i := slices.IndexFunc(inv.args, func(a string) bool { return strings.HasPrefix(a, "-") })
	if i < 0 {
		i = len(inv.args)
	}
	return inv.args[:i]
}

// flagNames are the flags the invocation gives, without dashes or values.
func (inv tocsinCall) flagNames() []string {
	var out []string
	for _, a := range inv.args {
		if name, ok := strings.CutPrefix(a, "-"); ok && name != "" {
			name, _, _ = strings.Cut(strings.TrimPrefix(name, "-"), "=")
			out = append(out, name)
		}
	}
	return out
}

// flagValue is the value given to --name, if any.
func (inv tocsinCall) flagValue(name string) (string, bool) {
	for i, a := range inv.args {
		if a == "--"+name || a == "-"+name {
			if i+1 < len(inv.args) {
				return inv.args[i+1], true
			}
			return "", true
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v, true
		}
	}
	return "", false
}

// isWorker reports whether the invocation runs a sender --worker.
func (inv tocsinCall) isWorker() bool {
	return slices.ContainsFunc(inv.args, func(a string) bool {
		return a == "--worker" || a == "-worker" || a == "--worker=true" || a == "-worker=true"
	})
}

// check checks the command and its flags against the binary and returns
// the command's help (nil if it has none).
func (b *cmdHelpBook) check(t *testing.T, inv tocsinCall, secretsForbidden bool) *cmdHelp {
	t.Helper()
	words := inv.words()
	if len(words) == 0 {
		t.Errorf("%s: tocsin %s: no command", inv.where, strings.Join(inv.args, " "))
		return nil
	}
	h := b.of(words)
	if h == nil {
		t.Errorf("%s: tocsin %s: the binary has no command %q (its commands: %s)", inv.where, strings.Join(inv.args, " "), strings.Join(words, " "), strings.Join(b.commands, ", "))
		return nil
	}
	for _, f := range inv.flagNames() {
		v, ok := h.flagVars[f]
		if !ok {
			t.Errorf("%s: tocsin %s has no flag --%s", inv.where, strings.Join(words, " "), f)
			continue
		}
		if secretsForbidden && slices.Contains(deploySecretVars, v) {
			t.Errorf("%s: --%s on a command line shows its secret in ps: give it as %s_FILE", inv.where, f, v)
		}
	}
	return h
}

// checkTocsinVars checks that every TOCSIN_* variable in text is one h knows.
func checkTocsinVars(t *testing.T, where, text string, h *cmdHelp, whose string) {
	t.Helper()
	for _, v := range tocsinVarRE.FindAllString(text, -1) {
		if !h.knows(v) {
			t.Errorf("%s: %s is not a variable %s reads", where, v, whose)
		}
	}
}

// checkSecretsAsFiles checks that no secret variable is given other than
// as NAME_FILE, and that no URL carries a password.
func checkSecretsAsFiles(t *testing.T, where, text string) {
	t.Helper()
	for _, v := range tocsinVarRE.FindAllString(text, -1) {
		if slices.Contains(deploySecretVars, v) {
			t.Errorf("%s: %s holds a secret: give it as %s_FILE (a file only its user can read)", where, v, v)
		}
	}
	for _, u := range passwordInURL.FindAllString(text, -1) {
		t.Errorf("%s: %s… carries a password: put it in a passfile (PGPASSFILE); URLs get printed", where, u[:strings.Index(u, "://")+3])
	}
}

// splitCommandLine splits a command line at blanks, honouring simple quotes.
func splitCommandLine(s string) []string {
	var out []string
	var cur strings.Builder
	quote, in := rune(0), false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in || cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in || cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func isTocsinBinary(word string) bool {
	return word == "tocsin" || path.Base(word) == "tocsin" && strings.Contains(word, "/")
}

func readDeployFile(t *testing.T, rel string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return string(b)
}

// ---- systemd ----

// systemdUnit is a systemd unit file: its directives in order (sections ignored:
// the names the checks use are not repeated across sections).
type systemdUnit struct {
	rel   string // path from the module root
	name  string
	text  string
	lines map[string][]int // directive → line numbers
	vals  map[string][]string
}

func (u *systemdUnit) last(key string) (string, bool) {
	v := u.vals[key]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

func readSystemdUnits(t *testing.T) []*systemdUnit {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "deploy", "systemd", "*.service"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no unit in deploy/systemd (%v)", err)
	}
	var out []*systemdUnit
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		u := &systemdUnit{rel: rel, name: filepath.Base(f), text: readDeployFile(t, rel), lines: map[string][]int{}, vals: map[string][]string{}}
		var pending string
		pendingLine := 0
		for i, line := range strings.Split(u.text, "\n") {
			s := strings.TrimSpace(line)
			if pending == "" && (s == "" || s[0] == '#' || s[0] == ';' || s[0] == '[') {
				continue
			}
			if pending == "" {
				pendingLine = i + 1
			}
			if c, ok := strings.CutSuffix(s, "\\"); ok {
				pending += c + " "
				continue
			}
			s, pending = pending+s, ""
			k, v, ok := strings.Cut(s, "=")
			if !ok {
				t.Errorf("%s:%d: not a directive: %q", rel, pendingLine, s)
				continue
			}
			k = strings.TrimSpace(k)
			u.lines[k] = append(u.lines[k], pendingLine)
			u.vals[k] = append(u.vals[k], strings.TrimSpace(v))
		}
		out = append(out, u)
	}
	return out
}

// invocations are the unit's tocsin command lines, ExecStart last.
func (u *systemdUnit) invocations() (pre []tocsinCall, start *tocsinCall) {
	for _, k := range []string{"ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost", "ExecStart"} {
		for i, v := range u.vals[k] {
			words := splitCommandLine(strings.TrimLeft(v, "-@:+!"))
			if len(words) == 0 || !isTocsinBinary(words[0]) {
				continue
			}
			inv := tocsinCall{where: fmt.Sprintf("%s:%d", u.rel, u.lines[k][i]), args: words[1:]}
			if k == "ExecStart" {
				start = &inv
			} else {
				pre = append(pre, inv)
			}
		}
	}
	return pre, start
}

// role is "web" (tocsin serve --role web), "sender" or "" from ExecStart.
func (u *systemdUnit) role() string {
	_, start := u.invocations()
	if start == nil || len(start.args) == 0 {
		return ""
	}
	switch start.args[0] {
	case "sender":
		return "sender"
	case "serve":
		if r, _ := start.flagValue("role"); r == "web" {
			return "web"
		}
		return "serve"
	}
	return ""
}

// stateDir is /var/lib/ + the unit's first StateDirectory entry.
func (u *systemdUnit) stateDir() string {
	v, _ := u.last("StateDirectory")
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return "/var/lib/" + f[0]
}

func TestDeploySystemdCommands(t *testing.T) {
	b := newCmdHelpBook(t)
	units := readSystemdUnits(t)
	root, _ := moduleRoot()
	envFiles := map[string]bool{} // example files a unit reads
	for _, u := range units {
		pre, start := u.invocations()
		if start == nil {
			t.Errorf("%s: ExecStart runs no tocsin command", u.rel)
			continue
		}
		h := b.check(t, *start, true)
		for _, inv := range pre {
			b.check(t, inv, true)
		}
		if h == nil {
			continue
		}
		// The unit's variables are read by its ExecStart command.
		checkTocsinVars(t, u.rel, u.text, h, "tocsin "+strings.Join(start.words(), " "))
		checkSecretsAsFiles(t, u.rel, u.text)
		for i, v := range u.vals["EnvironmentFile"] {
			name := filepath.Base(strings.TrimPrefix(v, "-"))
			example := filepath.Join("deploy", "systemd", name+".example")
			if _, err := os.Stat(filepath.Join(root, example)); err != nil {
				if !strings.HasPrefix(v, "-") {
					t.Errorf("%s:%d: EnvironmentFile=%s has no example %s", u.rel, u.lines["EnvironmentFile"][i], v, example)
				}
				continue
			}
			envFiles[example] = true
			text := readDeployFile(t, example)
			checkTocsinVars(t, example, text, h, "tocsin "+strings.Join(start.words(), " ")+" ("+u.name+")")
			checkSecretsAsFiles(t, example, text)
			if u.role() == "web" {
				for _, s := range providerSecretNames {
					if strings.Contains(text, s) {
						t.Errorf("%s: the web role's settings name %s: provider credentials belong to the sender only", example, s)
					}
				}
			}
		}
	}
	// Every settings example belongs to a unit.
	examples, _ := filepath.Glob(filepath.Join(root, "deploy", "systemd", "*.example"))
	for _, f := range examples {
		rel, _ := filepath.Rel(root, f)
		if !envFiles[rel] {
			t.Errorf("%s: no unit reads it (EnvironmentFile=)", rel)
		}
	}
}

func TestDeploySystemdSandbox(t *testing.T) {
	units := readSystemdUnits(t)
	required := map[string]string{
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
		"ProtectKernelLogs": "yes", "ProtectControlGroups": "yes", "RestrictNamespaces": "yes",
		"LockPersonality": "yes", "MemoryDenyWriteExecute": "yes", "UMask": "0077", "StateDirectoryMode": "0700",
	}
	users := map[string][]string{} // role → users
	var webs, senders []*systemdUnit
	var primaries []string // sender units without --worker
	for _, u := range units {
		for k, want := range required {
			if got, ok := u.last(k); !ok || got != want {
				t.Errorf("%s: want %s=%s, have %q", u.rel, k, want, got)
			}
		}
		if caps := u.vals["CapabilityBoundingSet"]; len(caps) == 0 || slices.ContainsFunc(caps, func(v string) bool { return v != "" }) {
			t.Errorf("%s: want an empty CapabilityBoundingSet=, have %q", u.rel, caps)
		}
		if !slices.ContainsFunc(u.vals["SystemCallFilter"], func(v string) bool { return slices.Contains(strings.Fields(v), "@system-service") }) {
			t.Errorf("%s: want SystemCallFilter=@system-service", u.rel)
		}
		if v, _ := u.last("RestrictAddressFamilies"); !sameStrings(strings.Fields(v), []string{"AF_INET", "AF_INET6", "AF_UNIX"}) {
			t.Errorf("%s: want RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX, have %q", u.rel, v)
		}
		user, _ := u.last("User")
		if user == "" || user == "root" || user == "0" {
			t.Errorf("%s: runs as %q: want a dedicated user", u.rel, user)
		}
		if _, ok := u.last("DynamicUser"); ok {
			t.Errorf("%s: DynamicUser= would change the owner of the keys", u.rel)
		}
		dir := u.stateDir()
		if dir == "" {
			t.Errorf("%s: no StateDirectory=: the role's directory must be the only place it writes", u.rel)
		}
		for _, v := range u.vals["ReadWritePaths"] {
			for _, p := range strings.Fields(v) {
				if p = strings.TrimLeft(p, "-+"); dir == "" || (p != dir && !strings.HasPrefix(p, dir+"/")) {
					t.Errorf("%s: ReadWritePaths=%s is outside the role's own directory %s", u.rel, p, dir)
				}
			}
		}
		// Secrets from systemd credentials: every TOCSIN_*_FILE the unit
		// sets itself, and the database's passfile, point into its
		// credentials directory.
		pgpass := false
		for i, v := range u.vals["Environment"] {
			for _, kv := range splitCommandLine(v) {
				k, val, _ := strings.Cut(kv, "=")
				if k != "PGPASSFILE" && !(strings.HasPrefix(k, "TOCSIN_") && strings.HasSuffix(k, "_FILE")) {
					continue
				}
				pgpass = pgpass || k == "PGPASSFILE"
				if !strings.HasPrefix(val, "%d/") && !strings.HasPrefix(val, "${CREDENTIALS_DIRECTORY}/") {
					t.Errorf("%s:%d: %s=%s: secrets come from LoadCredential= (%%d/…)", u.rel, u.lines["Environment"][i], k, val)
				}
			}
		}
		if !pgpass {
			t.Errorf("%s: no Environment=PGPASSFILE=%%d/…: the database password comes from a credential", u.rel)
		}
		switch u.role() {
		case "web":
			webs = append(webs, u)
			users["web"] = append(users["web"], user)
			for _, s := range providerSecretNames {
				if strings.Contains(u.text, s) {
					t.Errorf("%s: the web role's unit names %s: provider credentials belong to the sender only", u.rel, s)
				}
			}
		case "sender":
			senders = append(senders, u)
			users["sender"] = append(users["sender"], user)
			_, start := u.invocations()
			switch {
			case !start.isWorker() && strings.Contains(u.name, "@"):
				t.Errorf("%s: every instance of the template would be a primary: give --worker", u.rel)
			case !start.isWorker():
				primaries = append(primaries, u.name)
			default:
				// A worker reads the primary's keys through a read-only
				// bind mount: it can never create a second set.
				keys := dir + "/keys"
				if !slices.ContainsFunc(u.vals["BindReadOnlyPaths"], func(v string) bool {
					return slices.ContainsFunc(strings.Fields(v), func(b string) bool { return strings.HasSuffix(b, ":"+keys) })
				}) {
					t.Errorf("%s: a worker must get the keys read-only: want BindReadOnlyPaths=…/keys:%s", u.rel, keys)
				}
			}
			if h, ok := start.flagValue("health"); ok {
				host, _, err := net.SplitHostPort(strings.ReplaceAll(h, "%i", "1"))
				if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
					t.Errorf("%s: --health %s is not a loopback address: the sender listens on no public port", start.where, h)
				}
			}
		default:
			t.Errorf("%s: runs neither tocsin serve --role web nor tocsin sender", u.rel)
		}
	}
	if len(webs) == 0 || len(senders) == 0 {
		t.Fatalf("want a web unit and a sender unit, have %d and %d", len(webs), len(senders))
	}
	if len(primaries) != 1 {
		t.Errorf("want exactly one primary sender unit (tocsin sender without --worker), have %q", primaries)
	}
	for _, w := range users["web"] {
		if slices.Contains(users["sender"], w) {
			t.Errorf("the web and sender units both run as %s: the web role's user must not be able to read the sender's keys", w)
		}
	}
	// The web units cannot even see the sender's directory.
	for _, w := range webs {
		var hidden []string
		for _, v := range w.vals["InaccessiblePaths"] {
			for _, p := range strings.Fields(v) {
				hidden = append(hidden, strings.TrimLeft(p, "-+"))
			}
		}
		for _, s := range senders {
			if dir := s.stateDir(); !strings.Contains(dir, "%") && !slices.Contains(hidden, dir) {
				t.Errorf("%s: want InaccessiblePaths=-%s (the sender's keys and state)", w.rel, dir)
			}
		}
	}
}

func sameStrings(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

// TestDeploySystemdVerify runs systemd-analyze verify on the units, with
// ExecStart pointing at the binary under test, when systemd-analyze exists.
func TestDeploySystemdVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the units are not verified")
	}
	dir := t.TempDir()
	var args []string
	for _, u := range readSystemdUnits(t) {
		text := strings.ReplaceAll(u.text, "/usr/local/bin/tocsin", binary)
		if err := os.WriteFile(filepath.Join(dir, u.name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		name := u.name
		if strings.HasSuffix(name, "@.service") {
			name = strings.TrimSuffix(name, "@.service") + "@2.service" // an instance of the template
		}
		args = append(args, filepath.Join(dir, name))
	}
	out, err := exec.Command(analyze, append([]string{"verify", "--man=no"}, args...)...).CombinedOutput()
	var problems []string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, dir) || strings.Contains(line, "tocsin") {
			problems = append(problems, strings.TrimSpace(line))
		}
	}
	if err != nil || len(problems) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The exposure score, for the record (it varies between systemd
	// versions, so it is not asserted).
	for _, a := range args {
		out, err := exec.Command(analyze, "security", "--offline=yes", "--no-pager", a).CombinedOutput()
		if err != nil {
			break // an older systemd-analyze without --offline
		}
		for line := range strings.Lines(string(out)) {
			if strings.Contains(line, "Overall exposure level") {
				t.Log(strings.TrimSpace(line))
			}
		}
	}
}

// ---- compose ----

// composeSvc is one service of compose.yaml, as the line scan sees it.
type composeSvc struct {
	name       string
	line       int
	lines      []string // its lines without comments, anchors merged (<<: *x) appended
	image      string
	command    []string
	entrypoint []string
	volumes    []string // "source:target[:ro]"
}

// has reports whether one of the service's lines, trimmed, is line.
func (s *composeSvc) has(line string) bool {
	return slices.ContainsFunc(s.lines, func(l string) bool { return strings.TrimSpace(l) == line })
}

// runsTocsinImage reports whether the service runs the tocsin image.
func (s *composeSvc) runsTocsinImage() bool { return strings.HasPrefix(s.image, "tocsin:") }

// call is the tocsin command line the service runs (the image's
// ENTRYPOINT is tocsin, or the service's entrypoint names it).
func (s *composeSvc) call() (tocsinCall, bool) {
	args := s.command
	if len(s.entrypoint) > 0 {
		if !isTocsinBinary(s.entrypoint[0]) {
			return tocsinCall{}, false
		}
		args = append(slices.Clone(s.entrypoint[1:]), s.command...)
	}
	return tocsinCall{where: fmt.Sprintf("%s:%d (%s)", composeYAML, s.line, s.name), args: args}, len(args) > 0
}

// mountAt is the source of the volume mounted at target, and whether it is
// read-only.
func (s *composeSvc) mountAt(target string) (source string, ro bool) {
	for _, v := range s.volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0], len(parts) > 2 && parts[2] == "ro"
		}
	}
	return "", false
}

const composeYAML = "deploy/compose/compose.yaml"

// stripYAMLComment cuts a YAML comment off a line (a # at the start or after a
// blank, outside quotes).
func stripYAMLComment(line string) string {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return strings.TrimRight(line[:i], " \t")
		}
	}
	return strings.TrimRight(line, " \t")
}

// yamlFlowList parses a one-line YAML list ["a", "b", c] or a plain string.
func yamlFlowList(v string) []string {
	v = strings.TrimSpace(v)
	inner, ok := strings.CutPrefix(v, "[")
	if !ok {
		return splitCommandLine(v)
	}
	inner = strings.TrimSuffix(inner, "]")
	var out []string
	for _, item := range strings.Split(inner, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if len(item) >= 2 && (item[0] == '"' || item[0] == '\'') && item[len(item)-1] == item[0] {
			item = item[1 : len(item)-1]
		}
		out = append(out, item)
	}
	return out
}

func yamlIndent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// readComposeFile scans compose.yaml: its services, and the blocks of its
// top-level x- anchors.
func readComposeFile(t *testing.T) (services []*composeSvc, text string) {
	t.Helper()
	text = readDeployFile(t, composeYAML)
	if strings.Contains(text, "\t") {
		t.Errorf("%s: a tab character: YAML indents with spaces", composeYAML)
	}
	anchors := map[string][]string{} // anchor → the lines of its block
	top := ""
	var cur *composeSvc
	var curAnchor string
	var listKey string // a block list being read (command, entrypoint, volumes)
	for i, raw := range strings.Split(text, "\n") {
		line := stripYAMLComment(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		ind := yamlIndent(line)
		s := strings.TrimSpace(line)
		if ind == 0 {
			top, cur, curAnchor, listKey = strings.TrimSuffix(strings.Fields(s)[0], ":"), nil, "", ""
			if _, a, ok := strings.Cut(s, "&"); ok && strings.HasPrefix(top, "x-") {
				curAnchor = strings.TrimSpace(a)
			}
			continue
		}
		if curAnchor != "" {
			anchors[curAnchor] = append(anchors[curAnchor], line)
			continue
		}
		if top != "services" {
			continue
		}
		if ind == 2 {
			cur = &composeSvc{name: strings.TrimSuffix(s, ":"), line: i + 1}
			services = append(services, cur)
			listKey = ""
			continue
		}
		if cur == nil {
			continue
		}
		cur.lines = append(cur.lines, line)
		if ind == 4 {
			listKey = ""
			k, v, _ := strings.Cut(s, ":")
			v = strings.TrimSpace(v)
			switch k {
			case "image":
				cur.image = v
			case "command", "entrypoint", "volumes":
				if v == "" {
					listKey = k
					continue
				}
				if k == "command" {
					cur.command = yamlFlowList(v)
				} else if k == "entrypoint" {
					cur.entrypoint = yamlFlowList(v)
				} else {
					cur.volumes = yamlFlowList(v)
				}
			case "<<":
				name := strings.TrimPrefix(v, "*")
				if _, ok := anchors[name]; !ok {
					t.Errorf("%s:%d: merges unknown anchor %s", composeYAML, i+1, v)
				}
				cur.lines = append(cur.lines, anchors[name]...)
			}
			continue
		}
		if item, ok := strings.CutPrefix(s, "- "); ok && ind == 6 && listKey != "" {
			item = strings.Trim(strings.TrimSpace(item), `"'`)
			switch listKey {
			case "command":
				cur.command = append(cur.command, item)
			case "entrypoint":
				cur.entrypoint = append(cur.entrypoint, item)
			case "volumes":
				cur.volumes = append(cur.volumes, item)
			}
		}
	}
	if len(services) == 0 {
		t.Fatalf("%s: no services found", composeYAML)
	}
	return services, text
}

func findComposeSvc(services []*composeSvc, name string) *composeSvc {
	for _, s := range services {
		if s.name == name {
			return s
		}
	}
	return nil
}

func TestDeployComposeCommands(t *testing.T) {
	b := newCmdHelpBook(t)
	services, text := readComposeFile(t)
	union := b.union()
	checkTocsinVars(t, composeYAML, text, union, "any tocsin command")
	checkSecretsAsFiles(t, composeYAML, text)
	for _, s := range services {
		if !s.runsTocsinImage() {
			if tocsinVarRE.MatchString(strings.Join(s.lines, "\n")) {
				t.Errorf("%s: service %s (%s) is not tocsin but is given TOCSIN_* variables", composeYAML, s.name, s.image)
			}
			continue
		}
		inv, ok := s.call()
		if !ok {
			if len(s.entrypoint) == 0 {
				t.Errorf("%s:%d: service %s runs the image's default command (tocsin --help)", composeYAML, s.line, s.name)
			}
			continue // a tool: tocsin with the arguments given at docker compose run
		}
		if h := b.check(t, inv, true); h != nil {
			checkTocsinVars(t, inv.where, strings.Join(s.lines, "\n"), h, "tocsin "+strings.Join(inv.words(), " "))
		}
	}
	// The database's password comes from a secret file.
	for _, s := range services {
		names := slices.ContainsFunc(s.lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "TOCSIN_DB:") })
		if names && !slices.ContainsFunc(s.lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "PGPASSFILE: /run/secrets/") }) {
			t.Errorf("%s: service %s names the database without PGPASSFILE: /run/secrets/…", composeYAML, s.name)
		}
	}
}

func TestDeployCompose(t *testing.T) {
	services, _ := readComposeFile(t)
	var webs, senders []*composeSvc
	for _, s := range services {
		if !s.runsTocsinImage() {
			continue
		}
		inv, _ := s.call()
		words := inv.words()
		switch {
		case len(words) > 0 && words[0] == "serve":
			if r, _ := inv.flagValue("role"); r != "web" {
				t.Errorf("%s: service %s runs tocsin serve without --role web: the sender's keys would be in the web tier", composeYAML, s.name)
			}
			webs = append(webs, s)
		case len(words) > 0 && words[0] == "sender":
			senders = append(senders, s)
			if h, ok := inv.flagValue("health"); ok {
				host, _, err := net.SplitHostPort(h)
				if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
					t.Errorf("%s: service %s: --health %s is not loopback", composeYAML, s.name, h)
				}
			}
		}
	}
	if len(webs) < 2 || len(senders) < 2 {
		t.Fatalf("%s: want two web replicas and two senders, have %d and %d", composeYAML, len(webs), len(senders))
	}
	pg := findComposeSvc(services, "postgres")
	if pg == nil || !strings.HasPrefix(pg.image, "postgres:") || !slices.ContainsFunc(pg.lines, func(l string) bool { return strings.Contains(l, "healthcheck:") }) {
		t.Errorf("%s: want a postgres service on the official image, with a healthcheck", composeYAML)
	}

	dataOf := func(s *composeSvc) string {
		inv, _ := s.call()
		if d, ok := inv.flagValue("data"); ok {
			return d
		}
		for _, l := range s.lines {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "TOCSIN_DATA:"); ok {
				return strings.TrimSpace(v)
			}
		}
		// Anchored environments (environment: *web-env) are read from
		// the first service that defines them.
		for _, o := range webs {
			if o != s {
				for _, l := range o.lines {
					if v, ok := strings.CutPrefix(strings.TrimSpace(l), "TOCSIN_DATA:"); ok {
						return strings.TrimSpace(v)
					}
				}
			}
		}
		return ""
	}
	user := func(s *composeSvc) string {
		for _, l := range s.lines {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "user:"); ok {
				return strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		return ""
	}
	for _, s := range append(slices.Clone(webs), senders...) {
		for _, want := range []string{"read_only: true", "cap_drop: [ALL]", `security_opt: ["no-new-privileges:true"]`} {
			if !s.has(want) {
				t.Errorf("%s: service %s: want %s", composeYAML, s.name, want)
			}
		}
		if u := user(s); u == "" || u == "0" || strings.HasPrefix(u, "0:") || u == "root" {
			t.Errorf("%s: service %s runs as %q: want a non-root user id", composeYAML, s.name, u)
		}
		if slices.ContainsFunc(s.lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "ports:") }) {
			t.Errorf("%s: service %s publishes a port: only the proxy faces the network", composeYAML, s.name)
		}
		if !slices.ContainsFunc(s.lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "healthcheck:") }) {
			t.Errorf("%s: service %s has no healthcheck", composeYAML, s.name)
		}
	}
	for _, w := range webs {
		for _, snd := range senders {
			if user(w) == user(snd) {
				t.Errorf("%s: %s and %s both run as %s: the web role's user must not be able to read the sender's keys", composeYAML, w.name, snd.name, user(w))
			}
		}
	}

	// Senders: each its own state, the same keys, created by one only.
	states, keys := map[string]string{}, map[string]bool{}
	writers, primaries := 0, 0
	for _, s := range senders {
		inv, _ := s.call()
		if !inv.isWorker() {
			primaries++
		}
		data := dataOf(s)
		state, _ := s.mountAt(data)
		key, ro := s.mountAt(data + "/keys")
		if state == "" || key == "" {
			t.Errorf("%s: sender %s: want a volume at %s (its state) and one at %s/keys (the keys)", composeYAML, s.name, data, data)
			continue
		}
		if other, ok := states[state]; ok {
			t.Errorf("%s: senders %s and %s share the state volume %s: each needs its own (sender-id, sent-alerts.log, log.json)", composeYAML, other, s.name, state)
		}
		states[state] = s.name
		keys[key] = true
		if !ro {
			writers++
		}
		switch {
		case ro && !inv.isWorker():
			t.Errorf("%s: the primary sender %s mounts the keys read-only: it creates them on its first start", composeYAML, s.name)
		case !ro && inv.isWorker():
			t.Errorf("%s: the worker %s may write the keys: mount them :ro (only the primary creates them)", composeYAML, s.name)
		}
	}
	if primaries != 1 {
		t.Errorf("%s: %d senders run without --worker: want exactly one primary", composeYAML, primaries)
	}
	if len(keys) != 1 {
		t.Errorf("%s: the senders mount different key volumes %v: they must share one", composeYAML, keys)
	}
	if writers != 1 {
		t.Errorf("%s: %d senders may write the keys: exactly one creates them, the others mount them read-only (no race to create two key sets)", composeYAML, writers)
	}

	// Web replicas: the same keys (web.key), read-only, and nothing of the
	// sender's.
	senderVolumes := map[string]bool{}
	for _, s := range senders {
		for _, v := range s.volumes {
			senderVolumes[strings.Split(v, ":")[0]] = true
		}
	}
	webKeys := map[string]bool{}
	for _, w := range webs {
		key, ro := w.mountAt(dataOf(w) + "/keys")
		if key == "" || !ro {
			t.Errorf("%s: web replica %s: want its keys (web.key, sender.pub) mounted read-only at %s/keys", composeYAML, w.name, dataOf(w))
		}
		webKeys[key] = true
		for _, v := range w.volumes {
			if src := strings.Split(v, ":")[0]; senderVolumes[src] {
				t.Errorf("%s: web replica %s mounts %s, a sender's volume", composeYAML, w.name, src)
			}
		}
		for _, l := range w.lines {
			for _, sec := range providerSecretNames {
				if strings.Contains(l, sec) {
					t.Errorf("%s: web replica %s is given %s: provider credentials belong to the sender only", composeYAML, w.name, sec)
				}
			}
		}
	}
	if len(webKeys) != 1 {
		t.Errorf("%s: the web replicas mount different key volumes %v: they must share web.key", composeYAML, webKeys)
	}
}

func TestDeployDockerfile(t *testing.T) {
	text := readDeployFile(t, "Dockerfile")
	lastFrom, lastUser := "", ""
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			lastFrom, lastUser = f[1], ""
		case "USER":
			lastUser = f[1]
		}
	}
	if !strings.Contains(lastFrom, "distroless") && !strings.Contains(lastFrom, "slim") {
		t.Errorf("Dockerfile: the final stage is %s: want distroless or a -slim image", lastFrom)
	}
	if lastUser == "" || lastUser == "root" || lastUser == "0" || strings.HasPrefix(lastUser, "0:") || strings.HasPrefix(lastUser, "root:") {
		t.Errorf("Dockerfile: the final stage runs as %q: want a non-root USER", lastUser)
	}
	for _, want := range []string{"CGO_ENABLED=0", `ENTRYPOINT ["/usr/local/bin/tocsin"]`, "./cmd/tocsin", "/usr/local/bin/tocsin-healthcheck"} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile: want %s (%s relies on it)", want, composeYAML)
		}
	}
	ignore := readDeployFile(t, ".dockerignore")
	for _, want := range []string{"deploy/compose/secrets", "deploy/compose/offline", "**/*.key"} {
		if !strings.Contains(ignore, want) {
			t.Errorf(".dockerignore: want %s: secrets must not enter the build context", want)
		}
	}
}

// TestDeployDocs checks the command lines and variables of
// docs/deployment.md and deploy/compose/README.md, and that the guide is
// linked from README.md and docs/operations.md.
func TestDeployDocs(t *testing.T) {
	b := newCmdHelpBook(t)
	union := b.union()
	services, _ := readComposeFile(t)
	for _, rel := range []string{"docs/deployment.md", "deploy/compose/README.md"} {
		text := readDeployFile(t, rel)
		checkTocsinVars(t, rel, text, union, "any tocsin command")
		checkSecretsAsFiles(t, rel, text)
		n := 0
		for _, inv := range docTocsinCalls(rel, text, services) {
			b.check(t, inv, false)
			n++
		}
		if n == 0 {
			t.Errorf("%s: no tocsin command line found in its code blocks", rel)
		}
	}
	if !strings.Contains(readDeployFile(t, "README.md"), "(docs/deployment.md)") {
		t.Error("README.md does not link docs/deployment.md")
	}
	if !strings.Contains(readDeployFile(t, "docs/operations.md"), "(deployment.md") {
		t.Error("docs/operations.md does not link deployment.md")
	}
}

// docTocsinCalls finds the tocsin command lines in a Markdown file's code
// blocks: a word "tocsin" (or …/tocsin) that starts the command (after
// VAR=value assignments only) or follows `exec CONTAINER`, and
// `docker compose run … SERVICE` for a service whose entrypoint is tocsin.
func docTocsinCalls(rel, text string, services []*composeSvc) []tocsinCall {
	var out []tocsinCall
	in := false
	var pending string
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in, pending = !in, ""
			continue
		}
		if !in {
			continue
		}
		if c, ok := strings.CutSuffix(strings.TrimRight(line, " "), "\\"); ok {
			pending += c + " "
			continue
		}
		line, pending = pending+line, ""
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		words := splitCommandLine(line)
		for i := 0; i < len(words); i++ {
			var args []string
			switch {
			case isTocsinBinary(words[i]) && (!slices.ContainsFunc(words[:i], func(w string) bool { return !shellAssignment.MatchString(w) }) || i >= 2 && words[i-2] == "exec"):
				args = words[i+1:]
			case words[i] == "compose" && i+1 < len(words) && words[i+1] == "run":
				j := i + 2
				for j < len(words) && strings.HasPrefix(words[j], "-") {
					if slices.Contains([]string{"-v", "--volume", "-e", "--env", "-u", "--user", "-w", "--workdir", "--name"}, words[j]) {
						j++
					}
					j++
				}
				if j >= len(words) {
					continue
				}
				s := findComposeSvc(services, words[j])
				if s == nil || !s.runsTocsinImage() || len(s.entrypoint) == 0 {
					continue
				}
				args = append(slices.Clone(s.entrypoint[1:]), words[j+1:]...)
			default:
				continue
			}
			if k := slices.IndexFunc(args, func(a string) bool {
				return slices.Contains([]string{"|", ">", ">>", "&&", "||", ";", "2>&1", "<"}, a)
			}); k >= 0 {
				args = args[:k]
			}
			if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
				out = append(out, tocsinCall{where: fmt.Sprintf("%s:%d", rel, n), args: args})
			}
			break
		}
	}
	return out
}
