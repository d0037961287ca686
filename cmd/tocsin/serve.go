package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/host"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/phone"
	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sender/vault"
	"github.com/tocsin/tocsin/internal/web"
	"github.com/tocsin/tocsin/internal/web/abuse"
)

type serveConfig struct {
	data, listen, baseURL, name, logLevel string
	role, senderPubFile, logPubFile, db   string
	timezone                              string
	location                              *time.Location
	providers                             providerConfig
	response                              responseConfig
	sms                                   smsPolicyConfig
	poll                                  time.Duration
	limits                                abuse.Limits
	trustedProxies                        prefixList
	smsNumbers                            smsNumbers
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("serve", "Runs the public site, the operator console and the sender in one process on an embedded SQLite database.", stderr)
	var c serveConfig
	fs.StringVar(&c.data, "data", "./tocsin-data", "data directory: database, keys, outbox")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.baseURL, "base-url", "", "public URL of the site; empty means http://LISTEN")
	fs.StringVar(&c.db, "db", "", datadir.DBUsage)
	c.providers.register(fs)
	c.response.register(fs)
	c.sms.register(fs)
	c.smsNumbers.register(fs)
	fs.StringVar(&c.role, "role", "all", "all (web and sender in one process) or web (public site, console, API, webhooks: no provider credentials, no key that opens phone numbers; run 'tocsin sender' beside it)")
	fs.StringVar(&c.senderPubFile, "sender-pub", "", "the sender's public key file (default DATA/keys/sender.pub)")
	fs.StringVar(&c.logPubFile, "log-pub", "", "the transparency log's public key file, to show as genuine only alerts in the signed log (default DATA/keys/log.pub; with --role web, a copy of the sender's keys/log.pub)")
	fs.StringVar(&c.name, "service-name", "tocsin", "service name shown on pages and in texts")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&c.poll, "poll", time.Second, "how often the sender looks for work when not woken")
	registerLimits(fs, &c.limits)
	fs.StringVar(&c.timezone, "timezone", "UTC", timezoneUsage)
	fs.Var(&c.trustedProxies, "trusted-proxy", "addresses or CIDR prefixes (comma-separated) of the reverse proxies in front of this server: only from them is X-Forwarded-For taken to name the client, for log-in throttling (empty: the peer is the client)")
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if c.role == "web" {
		if creds := c.providers.credentials(); len(creds) > 0 {
			return fmt.Errorf("provider credentials (%s) do not belong in the web role: give them to tocsin sender only", strings.Join(creds, ", "))
		}
	}
	if h := c.providers.canaryHook; h != "" && h != "twilio" && h != "kannel" {
		return fmt.Errorf("--canary-hook must be twilio or kannel, not %q", h)
	}
	if c.role != "all" && c.role != "web" {
		return fmt.Errorf("--role must be all or web (the sender runs as 'tocsin sender'), not %q", c.role)
	}
	if _, err := c.sms.policy(); err != nil {
		return err
	}
	loc, err := loadZone(c.timezone)
	if err != nil {
		return err
	}
	c.location = loc
	if c.baseURL == "" {
		c.baseURL = "http://" + c.listen
	}
	if c.providers.publicURL == "" {
		c.providers.publicURL = c.baseURL
	}
	log, err := newLogger(stderr, c.logLevel)
	if err != nil {
		return err
	}
	return serve(ctx, c, log, stdout)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func serve(ctx context.Context, c serveConfig, log *slog.Logger, stdout io.Writer) error {
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	keysDir := filepath.Join(c.data, "keys")
	var snd *sender.Sender
	if c.role == "all" {
		// The sender's keys are made here only in the all-in-one process;
		// the web role never creates or reads them.
		var closeSender func()
		var err error
		snd, closeSender, err = newSender(ctx, senderConfig{data: c.data, db: c.db, poll: c.poll, name: c.name, providers: c.providers, response: c.response, sms: c.sms, claimLease: 2 * time.Minute, allInOne: true}, log)
		if err != nil {
			return err
		}
		defer closeSender()
	}
	pub, err := phone.LoadPublicKey(c.senderPub(keysDir))
	if err != nil {
		return fmt.Errorf("%w (the web role needs the sender's public key: copy the sender's keys/sender.pub here, or give --sender-pub)", err)
	}
	webKey, err := loadOrCreateSecret(filepath.Join(keysDir, "web.key"))
	if err != nil {
		return err
	}
	anchor, err := datadir.LoadAnchor(keysDir)
	if err != nil {
		return err
	}
	logPub, err := loadLogPublic(c.logPub(keysDir))
	if err != nil {
		return err
	}
	st, err := datadir.OpenStore(ctx, c.data, c.db)
	if err != nil {
		return err
	}
	defer st.Close()
	zips, err := geo.LoadZIPs()
	if err != nil {
		return err
	}
	policy, err := c.sms.policy()
	if err != nil {
		return err
	}
	wake := func() {}
	if snd != nil {
		wake = snd.Wake
	}
	srv, err := web.New(web.Config{Store: st, Sealer: phone.NewSealer(pub), ZIPs: zips, Log: log.With("role", "web"), BaseURL: c.baseURL,
		Name: c.name, CSRFKey: webKey, Wake: wake, DevHooks: c.devHook(), ProviderHooks: c.providers.hooks(), KannelHookSecret: c.providers.kannelSecret, CanaryHook: c.providers.canaryHook, Secure: strings.HasPrefix(c.baseURL, "https://"),
		Limits: c.limits, SMSPolicy: policy, TrustAnchor: anchor, LogPublicKey: logPub, LogOrigin: logOrigin, TrustedProxies: c.trustedProxies,
		SMSNumbers: c.smsNumbers, Location: c.location})
	if err != nil {
		return err
	}
	if err := host.FirstAdmin(ctx, st, c.baseURL, stdout); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if anchor == nil {
		fmt.Fprint(stdout, initHint(c.data, c.db))
	}
	fmt.Fprintf(stdout, "tocsin (%s) is running at %s (data in %s)\n", c.role, c.baseURL, c.data)
	return runServers(ctx, ln, srv, snd, log)
}

func (c serveConfig) logPub(keysDir string) string {
	if c.logPubFile != "" {
		return c.logPubFile
	}
	return filepath.Join(keysDir, logPublicFile)
}

// devHook reports whether POST /hooks/sms/dev is open: only in the
// all-in-one process whose provider is outbox (the default, for a first
// try). It takes any number as the sender of any text, so the web role,
// whatever its flags, never opens it.
func (c serveConfig) devHook() bool {
	return c.role == "all" && c.providers.primary == "outbox"
}

func (c serveConfig) senderPub(keysDir string) string {
	if c.senderPubFile != "" {
		return c.senderPubFile
	}
	return filepath.Join(keysDir, vault.PublicFile)
}

// runServers runs HTTP and the sender (when this process has one) until ctx
// ends, then stops both.
func runServers(ctx context.Context, ln net.Listener, h http.Handler, snd *sender.Sender, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /api/")
	cop.AddInsecureBypassPattern("POST /hooks/")
	hs := &http.Server{Handler: cop.Handler(h), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 32 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	var wg sync.WaitGroup
	if snd != nil {
		wg.Go(func() { snd.Run(ctx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	hs.Shutdown(shutdown)
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// loadOrCreateSecret reads a 32-byte secret file (mode 0600), creating it.
func loadOrCreateSecret(path string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		switch {
		case err == nil && len(b) == 32:
			return b, nil
		case err == nil && len(b) < 32 && attempt < 40:
			time.Sleep(25 * time.Millisecond) // another replica is writing it
			continue
		case err == nil:
			return nil, fmt.Errorf("%s is not a 32-byte key", path)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		// Created exclusively: replicas starting together on one shared
		// directory end with one key, the first one written.
		b = make([]byte, 32)
		rand.Read(b)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return b, nil
	}
}

// initHint tells a server without a trust anchor how to make one: each
// approver's key, then tocsin init as a complete command line (the root
// key outside the data directory), then a restart.
func initHint(data, db string) string {
	dbArg := ""
	if db != "" {
		dbArg = " --db " + shellQuote(redactDB(db))
	}
	return fmt.Sprintf(`No trust anchor yet: no alert can be approved. Each approver makes a key on their own computer:
  tocsin key new --out NAME.key --name NAME
and gives NAME.key.pub to an administrator, who runs (at least two --admin; a --dispatcher NAME=NAME.key.pub for each dispatcher):
  tocsin init --data %s%s --root-key $HOME/tocsin-root.key --admin NAME1=NAME1.key.pub --admin NAME2=NAME2.key.pub
then moves tocsin-root.key offline and restarts tocsin serve.
`, shellQuote(data), dbArg)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
