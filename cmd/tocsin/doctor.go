package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
)

// finding is one thing tocsin doctor noticed.
type finding struct {
	severe bool
	text   string
}

// runDoctor checks a configuration (the same flags and TOCSIN_* variables
// as the role it is for) for the mistakes that matter: provider credentials
// in the web role, webhook URLs that are not HTTPS, an account's auth token
// where an API key belongs, secrets reused, keys readable by others.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("doctor", "Checks a role's configuration (the same flags and variables as the role) and says what is wrong.", stderr)
	role := fs.String("role", "all", "the role the configuration is for: all, web or sender")
	data := fs.String("data", "./tocsin-data", "data directory")
	baseURL := fs.String("base-url", "", "the site's public URL")
	listen := fs.String("listen", "127.0.0.1:8080", "the address tocsin serve listens on")
	var pc providerConfig
	pc.register(fs)
	var numbers smsNumbers
	numbers.register(fs)
	var rc responseConfig
	rc.register(fs)
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if pc.publicURL == "" {
		pc.publicURL = *baseURL
	}
	fs2 := doctor(*role, *data, *baseURL, &pc)
	if f, ok := devHookListen(*role, &pc, *listen); ok {
		fs2 = append(fs2, f)
	}
	if f, ok := smsNumberFinding(*role, &pc, numbers); ok {
		fs2 = append(fs2, f)
	}
	fs2 = append(fs2, alarmFindings(*role, rc)...)
	severe := 0
	for _, f := range fs2 {
		tag := "warning"
		if f.severe {
			tag, severe = "ERROR", severe+1
		}
		fmt.Fprintf(stdout, "%-7s %s\n", tag, f.text)
	}
	if len(fs2) == 0 {
		fmt.Fprintln(stdout, "ok: nothing to report")
	}
	if severe > 0 {
		return fmt.Errorf("%d problem(s) to fix", severe)
	}
	return nil
}

func doctor(role, data, baseURL string, pc *providerConfig) []finding {
	var out []finding
	add := func(severe bool, format string, args ...any) {
		out = append(out, finding{severe, fmt.Sprintf(format, args...)})
	}
	if fi, err := os.Stat(data); err != nil || !fi.IsDir() {
		add(true, "the data directory %s does not exist: give --data (TOCSIN_DATA) the directory the role runs on", data)
	}
	if creds := pc.credentials(); role == "web" && len(creds) > 0 {
		add(true, "provider credentials in the web role's configuration (%s): whoever breaks into the web tier could text every subscriber; give them to tocsin sender only", strings.Join(creds, ", "))
	}
	if role == "web" {
		if _, err := os.Stat(filepath.Join(data, "keys", "sender.key")); err == nil {
			add(true, "%s holds sender.key, which opens every phone number: it belongs to the sender's own directory", filepath.Join(data, "keys"))
		}
	}
	for _, u := range []struct{ name, v string }{{"--base-url", baseURL}, {"--public-url", pc.publicURL}} {
		if u.v != "" && !httpsOrLoopback(u.v) {
			add(true, "%s %s is not HTTPS: providers' webhooks and operators' sessions would cross the internet in clear", u.name, u.v)
		}
	}
	if pc.primary == "twilio" || pc.fallback == "twilio" {
		switch {
		case pc.twilioAPIKey == "" && pc.twilioToken != "":
			add(true, "Twilio is set up with the account's auth token only: create an API key (SK…) to send, and keep the auth token for checking webhooks")
		case strings.HasPrefix(pc.twilioAPIKey, "AC"):
			add(true, "--twilio-api-key is the account SID: sending with the account SID and auth token gives full account access; create an API key (SK…)")
		case pc.twilioKey != "" && pc.twilioKey == pc.twilioToken:
			add(true, "--twilio-api-secret is the auth token: create an API key (SK…) and use its secret")
		}
		if pc.twilioToken == "" && role != "web" { // the web role holds no Twilio secret: the sender checks the webhooks
			add(true, "no --twilio-auth-token: Twilio's webhooks (inbound texts, delivery receipts) cannot be checked and will all be refused")
		}
	}
	if (pc.primary == "kannel" || pc.fallback == "kannel") && pc.kannelSecret != "" && pc.kannelSecret == pc.kannelPass {
		add(true, "--kannel-hook-secret is the sendsms password: the secret Kannel sends to tocsin must not be able to send")
	}
	if role == "all" && pc.primary == "outbox" {
		devHook(add, baseURL)
	}
	canaryHook(add, role, pc)
	if role != "web" && pc.primary == "outbox" {
		add(false, "the outbox provider sends nothing: it writes every message to %s (for trials only)", filepath.Join(data, "outbox.jsonl"))
	}
	if role != "web" {
		if fi, err := os.Stat(filepath.Join(data, "keys", "sender.key")); err == nil && fi.Mode().Perm()&0o077 != 0 {
			add(true, "%s is readable by others (mode %v): chmod 600 it", filepath.Join(data, "keys", "sender.key"), fi.Mode().Perm())
		}
		if _, err := os.Stat(filepath.Join(data, "keys", datadir.AnchorFile)); err != nil {
			add(false, "no trust anchor (%s): no alert can be approved until an administrator runs tocsin init", filepath.Join(data, "keys", datadir.AnchorFile))
		}
	}
	return out
}

// smsNumberFinding warns when the pages cannot say which number to text:
// no --sms-number where the pages are served (the web role, or the
// all-in-one process) with a real provider. The outbox provider of a first
// try has no number.
func smsNumberFinding(role string, pc *providerConfig, numbers smsNumbers) (finding, bool) {
	if len(numbers) > 0 || role == "sender" || (role == "all" && pc.primary == "outbox") {
		return finding{}, false
	}
	text := "no --sms-number: the pages tell people to text JOIN, STOP or START to \"our number\" without saying which; give the number(s) people text, in E.164 form"
	if pc.twilioFrom != "" {
		text += " (--twilio-from is " + pc.twilioFrom + ")"
	}
	return finding{text: text}, true
}

// canaryHook checks the canary subscribers' own inbound path: the sender
// must hold what checks it, and it must belong to another account.
func canaryHook(add func(bool, string, ...any), role string, pc *providerConfig) {
	if pc.canaryHook == "" || role == "web" {
		return
	}
	if _, err := pc.canaryVerifier(); err != nil {
		add(true, "--canary-hook %s: %v: texts to the canary subscribers on the other account would all be refused, unseen", pc.canaryHook, err)
	}
}

// devHook reports the open dev hook of an all-in-one outbox server: an
// error when the site is reachable beyond this machine, a warning on
// loopback (a first try).
func devHook(add func(bool, string, ...any), baseURL string) {
	const what = "POST /hooks/sms/dev is open (all-in-one with the outbox provider): it takes any number as the sender of any text, so whoever reaches it can STOP any subscriber or text a canary and freeze all sending"
	if baseURL != "" && !loopbackURL(baseURL) {
		add(true, "%s, and --base-url %s is not loopback: choose a real provider, or run tocsin serve --role web beside tocsin sender (the web role never opens it)", what, baseURL)
		return
	}
	add(false, "%s; keep the server on a loopback address (trials only)", what)
}

// devHookListen is an error when the dev hook is open and serve listens
// beyond this machine (0.0.0.0, a public address), whatever --base-url says.
func devHookListen(role string, pc *providerConfig, listen string) (finding, bool) {
	if role != "all" || pc.primary != "outbox" {
		return finding{}, false
	}
	host, _, err := net.SplitHostPort(listen)
	ip := net.ParseIP(host)
	if err == nil && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		return finding{}, false
	}
	return finding{severe: true, text: fmt.Sprintf("POST /hooks/sms/dev is open and --listen %s is not a loopback address: anyone who reaches it can STOP any subscriber or text a canary and freeze all sending; listen on 127.0.0.1, or choose a real provider", listen)}, true
}

// loopbackURL reports whether a URL's host is this machine.
func loopbackURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())
}

// httpsOrLoopback accepts https URLs, and http on a loopback host (trials).
func httpsOrLoopback(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && (host == "localhost" || (ip != nil && ip.IsLoopback()))
}

// alarmFindings checks the sender's alarm channel: without a webhook or
// SMTP, a canary hit or a freeze is seen only by whoever opens the console.
func alarmFindings(role string, rc responseConfig) []finding {
	if role == "web" {
		return nil
	}
	a := rc.alarm
	if err := a.Validate(); err != nil {
		return []finding{{true, fmt.Sprintf("the alarm channel is misconfigured: %v", err)}}
	}
	if a.WebhookURL == "" && a.SMTPAddr == "" {
		return []finding{{false, "no alarm channel (--alarm-webhook-url or --alarm-smtp-addr): canary hits, forged texts and freezes would be seen only in the console, when someone looks"}}
	}
	return nil
}
