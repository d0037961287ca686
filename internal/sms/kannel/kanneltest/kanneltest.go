// Package kanneltest runs a real Kannel gateway on 127.0.0.1 for tests and
// benchmarks: Debian's bearerbox and smsbox (package kannel) with a
// generated kannel.conf, and Kannel's own test SMSC, fakesmsc (package
// kannel-extras, /usr/lib/kannel/test/fakesmsc), which receives the MT
// messages Kannel sends and injects MO messages.
//
// It is test code: it must never be imported by a non-test package, never
// listen anywhere but 127.0.0.1, and never be pointed at a real SMSC. The
// texts and numbers it handles are test data; it still keeps them in memory
// and in its temporary directory only.
//
// When the binaries are missing the test is skipped, unless the
// environment variable TOCSIN_REQUIRE_KANNEL is set: then it fails. Install
// them with
//
//	DEBIAN_FRONTEND=noninteractive apt-get install -y kannel kannel-extras
package kanneltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv names the environment variable that turns a missing Kannel
// from a skipped test into a failed one.
const RequireEnv = "TOCSIN_REQUIRE_KANNEL"

// Where Debian installs the binaries; $PATH is tried first.
var (
	bearerboxPaths = []string{"/usr/sbin/bearerbox", "/usr/local/sbin/bearerbox"}
	smsboxPaths    = []string{"/usr/sbin/smsbox", "/usr/local/sbin/smsbox"}
	fakesmscPaths  = []string{"/usr/lib/kannel/test/fakesmsc", "/usr/local/lib/kannel/test/fakesmsc"}
)

// Options configures Start.
type Options struct {
	// InboundURL is the sms-service get-url, Kannel escapes included, that
	// inbound texts are sent to: typically
	// kannel.Provider.InboundGetURL(hookURL). Empty means inbound texts are
	// dropped.
	InboundURL string
	// Username and Password of the sendsms-user; empty means "tocsin" and
	// a random password.
	Username, Password string
	// SMSCID is the smsc-id of the fake SMSC that receives MTs; empty
	// means "fake".
	SMSCID string
	// LogLevel is bearerbox's and smsbox's log-level (0 debug … 4 panic);
	// the logs are in Dir. Zero means 1 (info); use 2 or more for
	// benchmarks.
	LogLevel int
	// StartTimeout bounds the start; zero means 30 s.
	StartTimeout time.Duration
}

// MT is a message Kannel handed to the fake SMSC.
type MT struct {
	From, To string
	// Type is the fakesmsc line type: "text" (GSM-7), "ucs-2", "data"
	// (8-bit) or "udh" (a part of a concatenated message).
	Type string
	// Text is the message text, decoded from UCS-2 where needed. For
	// "data" and "udh" it is the raw bytes.
	Text string
	// UDH is the user data header of a "udh" message that is not a part
	// of a concatenated one.
	UDH []byte
	// Parts is the number of SMS parts Kannel split the text into (1 for
	// a single SMS). Received reassembles concatenated parts into one MT
	// whose Type is "text" or "ucs-2".
	Parts int
}

// Kannel is a running test gateway.
type Kannel struct {
	// Dir holds kannel.conf and the logs.
	Dir string

	t                  testing.TB
	opts               Options
	sendsmsURL, admin  string
	adminPassword      string
	moPort             int
	fakesmsc, smsboxBn string

	procs []*proc // stopped in reverse order

	moMu sync.Mutex // one MO injection at a time

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced when received grows
	received []MT

	partial map[partKey][][]byte // concatenated messages still missing parts (readMT only)
}

// partKey names one concatenated message.
type partKey struct {
	from, to   string
	ref, total int
}

// Start starts bearerbox, smsbox and fakesmsc with a generated
// configuration in t.TempDir(), waits until sendsms answers and the fake
// SMSC is online, and stops everything when the test ends.
func Start(t testing.TB, opts Options) *Kannel {
	t.Helper()
	bearerbox, errB := findBinary("bearerbox", bearerboxPaths)
	smsbox, errS := findBinary("smsbox", smsboxPaths)
	fakesmsc, errF := findBinary("fakesmsc", fakesmscPaths)
	if err := errors.Join(errB, errS, errF); err != nil {
		msg := fmt.Sprintf("kanneltest: Kannel is not installed (%v); install it with "+
			"`DEBIAN_FRONTEND=noninteractive apt-get install -y kannel kannel-extras`", err)
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg + " (" + RequireEnv + " is set)")
		}
		t.Skip(msg)
	}
	if opts.Username == "" {
		opts.Username = "tocsin"
	}
	if opts.Password == "" {
		opts.Password = randomHex(12)
	}
	if opts.SMSCID == "" {
		opts.SMSCID = "fake"
	}
	if opts.LogLevel == 0 {
		opts.LogLevel = 1
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 30 * time.Second
	}
	ports, err := freePorts(5)
	if err != nil {
		t.Fatalf("kanneltest: %v", err)
	}
	k := &Kannel{
		Dir: t.TempDir(), t: t, opts: opts, fakesmsc: fakesmsc, smsboxBn: smsbox,
		adminPassword: randomHex(12), moPort: ports[4], changed: make(chan struct{}),
	}
	k.sendsmsURL = fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms", ports[2])
	k.admin = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	data := confData{
		Dir: k.Dir, AdminPort: ports[0], AdminPassword: k.adminPassword, SmsboxPort: ports[1],
		SendsmsPort: ports[2], MTPort: ports[3], MOPort: ports[4], SMSCID: opts.SMSCID,
		Username: opts.Username, Password: opts.Password, InboundURL: opts.InboundURL, LogLevel: opts.LogLevel,
	}
	conf := filepath.Join(k.Dir, "kannel.conf")
	var sb strings.Builder
	if err := confTemplate.Execute(&sb, data); err != nil {
		t.Fatalf("kanneltest: %v", err)
	}
	if err := os.WriteFile(conf, []byte(sb.String()), 0o600); err != nil {
		t.Fatalf("kanneltest: %v", err)
	}
	t.Cleanup(k.stop)

	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("kanneltest: "+format+"\n%s", append(args, k.logTails())...)
	}

	// -v 4: only panics on stderr; the log files have the rest.
	bb, err := k.spawn("bearerbox", bearerbox, []string{"-v", "4", conf}, nil, nil)
	if err != nil {
		fail("%v", err)
	}
	if err := k.waitStatus(ctx, bb, func(s string) bool { return strings.Contains(s, "SMSC connections") }); err != nil {
		fail("bearerbox did not start: %v", err)
	}
	sbx, err := k.spawn("smsbox", smsbox, []string{"-v", "4", conf}, nil, nil)
	if err != nil {
		fail("%v", err)
	}

	// The MT receiver: -m 0 sends nothing (the message argument is never
	// used) and blocks on the connection, printing every MT it gets.
	// Its log goes to readMT and to Dir/fakesmsc.out.
	pr, pw := io.Pipe()
	go k.readMT(pr)
	fsLog, err := os.OpenFile(filepath.Join(k.Dir, "fakesmsc.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fail("%v", err)
	}
	args := []string{"-H", "127.0.0.1", "-r", fmt.Sprint(data.MTPort), "-i", "0", "-m", "0", "0 0 text unused"}
	var fs *proc
	for {
		fs, err = k.spawn("fakesmsc", fakesmsc, args, nil, io.MultiWriter(fsLog, pw))
		if err != nil {
			fail("%v", err)
		}
		select {
		case <-fs.done: // the listener was not up yet: it panics
			if ctx.Err() != nil {
				fail("fakesmsc could not connect: %v", fs.err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		case <-time.After(300 * time.Millisecond):
		}
		break
	}
	go func() { <-fs.done; pw.Close(); fsLog.Close() }()

	mtOnline := opts.SMSCID + "[" + opts.SMSCID + "]"
	if err := k.waitStatus(ctx, sbx, func(s string) bool {
		return strings.Contains(s, "smsbox:") && onlineSMSC(s, mtOnline)
	}); err != nil {
		fail("smsbox or fakesmsc did not connect: %v", err)
	}
	if err := k.waitSendsms(ctx); err != nil {
		fail("sendsms does not answer: %v", err)
	}
	return k
}

// SendSMSURL is smsbox's sendsms URL.
func (k *Kannel) SendSMSURL() string { return k.sendsmsURL }

// Username is the sendsms-user's username.
func (k *Kannel) Username() string { return k.opts.Username }

// Password is the sendsms-user's password.
func (k *Kannel) Password() string { return k.opts.Password }

// SMSCID is the smsc-id of the fake SMSC that receives MTs.
func (k *Kannel) SMSCID() string { return k.opts.SMSCID }
