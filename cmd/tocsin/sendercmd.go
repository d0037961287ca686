package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tocsin/tocsin/cmd/tocsin/internal/cmdline"
	"github.com/tocsin/tocsin/cmd/tocsin/internal/datadir"
	"github.com/tocsin/tocsin/internal/geo"
	"github.com/tocsin/tocsin/internal/sender"
	"github.com/tocsin/tocsin/internal/sender/vault"
)

type senderConfig struct {
	data, db, health, name, logLevel string
	poll, claimLease                 time.Duration
	worker                           bool
	allInOne                         bool // tocsin serve: the directory is the whole data directory
	providers                        providerConfig
	response                         responseConfig
	sms                              smsPolicyConfig
}

// runSender runs the privileged sender role on its own: it holds the keys
// that open phone numbers, the provider credentials and the trust anchor,
// listens on no public port, and takes work from the database.
func runSender(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cmdline.FlagSet("sender", "Runs the sender role alone: opens sealed numbers, verifies signed alerts, talks to the SMS provider. No public listener; a health endpoint on loopback only.", stderr)
	var c senderConfig
	fs.StringVar(&c.data, "data", "./tocsin-sender", "the sender's own directory: keys, state, outbox (no other process should read it)")
	fs.StringVar(&c.db, "db", "", "the shared database: a postgres:// URL, or the web role's SQLite file")
	fs.StringVar(&c.health, "health", "127.0.0.1:9090", "loopback address for GET /healthz")
	fs.StringVar(&c.name, "service-name", "tocsin", "service name at the start of reply texts")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&c.poll, "poll", 100*time.Millisecond, "how often to look for work")
	fs.BoolVar(&c.worker, "worker", false, "only deliver alerts a primary sender started (and take turns at the cluster's periodic work); never start an alert nor sign the log. Run one sender without --worker and any number with it, all with the same keys")
	fs.DurationVar(&c.claimLease, "claim-lease", 2*time.Minute, "ledger rows claimed this long ago by another sender are taken to be a dead sender's and go out again")
	c.providers.register(fs)
	c.response.register(fs)
	c.sms.register(fs)
	if err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if c.db == "" {
		return errors.New("give --db: the path of the database the web role uses")
	}
	if _, err := c.sms.policy(); err != nil {
		return err
	}
	if c.claimLease < time.Second {
		return fmt.Errorf("--claim-lease %s is too short: a live sender's batch would go out twice; give at least 1s (the default is 2m)", c.claimLease)
	}
	host, _, err := net.SplitHostPort(c.health)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--health must be a loopback address such as 127.0.0.1:9090, not %q: the sender listens on no public port", c.health)
	}
	log, err := newLogger(stderr, c.logLevel)
	if err != nil {
		return err
	}
	snd, closeSender, err := newSender(ctx, c, log)
	if err != nil {
		return err
	}
	defer closeSender()
	ln, err := net.Listen("tcp", c.health)
	if err != nil {
		return fmt.Errorf("health listener: %w", err)
	}
	fmt.Fprintf(stdout, "tocsin sender is running (state in %s, database %s, health on http://%s/healthz)\n", c.data, redactDB(c.db), c.health)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	var wg sync.WaitGroup
	wg.Go(func() { hs.Serve(ln) })
	err = snd.Run(ctx)
	shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	hs.Shutdown(shutdown)
	wg.Wait()
	return err
}

// newSender locks the sender's directory and opens what the sender holds:
// its keys (created on first start), the trust anchor, its state, the
// database and the provider.
func newSender(ctx context.Context, c senderConfig, log *slog.Logger) (*sender.Sender, func(), error) {
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("sender directory: %w", err)
	}
	what := "the sender's directory"
	if c.allInOne {
		what = "the data directory"
	}
	unlock, err := lockDir(c.data, what)
	if err != nil {
		return nil, nil, err
	}
	snd, closeSender, err := openSender(ctx, c, log)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return snd, func() { closeSender(); unlock() }, nil
}

// openSender is newSender once the directory is locked.
func openSender(ctx context.Context, c senderConfig, log *slog.Logger) (*sender.Sender, func(), error) {
	keysDir := filepath.Join(c.data, "keys")
	keys, created, err := vault.LoadOrCreate(keysDir)
	if err != nil {
		return nil, nil, fmt.Errorf("sender keys: %w", err)
	}
	if created {
		log.Info("created sender keys", "dir", keysDir)
	}
	policy, err := c.sms.policy()
	if err != nil {
		return nil, nil, err
	}
	anchor, err := datadir.LoadAnchor(keysDir)
	if err != nil {
		return nil, nil, err
	}
	logKey, err := loadOrCreateLogKey(keysDir, log)
	if err != nil {
		return nil, nil, err
	}
	st, err := datadir.OpenStore(ctx, c.data, c.db)
	if err != nil {
		return nil, nil, err
	}
	zips, err := geo.LoadZIPs()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	routes, closeRoutes, err := c.providers.routes(c.data)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	canaryHook, err := c.providers.canaryVerifier()
	if err != nil {
		closeRoutes()
		st.Close()
		return nil, nil, err
	}
	cfg := sender.Config{Store: st, Keys: keys, Routes: routes, CanaryHook: canaryHook, ZIPs: zips, Log: log.With("role", "sender"),
		Poll: c.poll, Name: c.name, TrustAnchor: anchor, StateDir: filepath.Join(c.data, "sender"), ReconcileEvery: c.providers.reconcileEvery,
		LogKey: logKey, LogOrigin: logOrigin,
		Workers: c.providers.workers, Lanes: c.providers.lanes, Worker: c.worker, ClaimLease: c.claimLease,
		SMSPolicy: policy, CodesPerBlockPerHour: c.sms.codesPerBlock}
	c.response.publicURLHint = strings.TrimRight(c.providers.publicURL, "/")
	err = c.response.apply(&cfg)
	if err != nil {
		closeRoutes()
		st.Close()
		return nil, nil, err
	}
	snd, err := sender.New(cfg)
	if err != nil {
		closeRoutes()
		st.Close()
		return nil, nil, err
	}
	return snd, func() { closeRoutes(); st.Close() }, nil
}
