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
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"
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

// Received returns the MT messages fakesmsc has printed so far, in order.
func (k *Kannel) Received() []MT {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]MT(nil), k.received...)
}

// WaitReceived waits until at least n received messages satisfy match
// (nil matches all) and returns them, or the context's error.
func (k *Kannel) WaitReceived(ctx context.Context, n int, match func(MT) bool) ([]MT, error) {
	var got []MT
	seen := 0
	for {
		k.mu.Lock()
		for _, m := range k.received[seen:] {
			if match == nil || match(m) {
				got = append(got, m)
			}
		}
		seen = len(k.received)
		ch := k.changed
		k.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return got, fmt.Errorf("kanneltest: %d of %d messages at fakesmsc: %w", len(got), n, ctx.Err())
		}
	}
}

// InjectMO makes the fake SMSC deliver an inbound text from from to to, as
// a phone would. It returns once fakesmsc has handed the text to Kannel;
// the get-url is called asynchronously.
func (k *Kannel) InjectMO(from, to, text string) error {
	if strings.ContainsAny(from+to, " \r\n") || from == "" || to == "" {
		return errors.New("kanneltest: MO numbers must be non-empty and without spaces")
	}
	line := from + " " + to + " text " + text
	if strings.ContainsAny(text, "\r\n") || text == "" {
		// fakesmsc reads one message a line; "ucs2" carries the text
		// URL-encoded as UTF-16BE (Kannel recodes it, mo-recode = true).
		u := utf16.Encode([]rune(text))
		b := make([]byte, 0, 2*len(u))
		for _, c := range u {
			b = append(b, byte(c>>8), byte(c))
		}
		line = from + " " + to + " ucs2 " + url.QueryEscape(string(b))
	}
	k.moMu.Lock()
	defer k.moMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		pr, pw := io.Pipe()
		sent := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(pr)
			once := false
			for sc.Scan() {
				if !once && strings.Contains(sc.Text(), "fakesmsc: sent message 1") {
					once = true
					close(sent)
				}
			}
			io.Copy(io.Discard, pr)
		}()
		p, err := k.spawn("fakesmsc-mo", k.fakesmsc,
			[]string{"-H", "127.0.0.1", "-r", fmt.Sprint(k.moPort), "-i", "0", "-m", "1", line}, nil, pw)
		if err != nil {
			return err
		}
		select {
		case <-sent:
			// Give the line a moment to leave the socket buffer, then end
			// the process: with -m 1 it would wait for MTs forever.
			time.Sleep(50 * time.Millisecond)
			p.stop(syscall.SIGINT, 5*time.Second)
			pw.Close()
			return nil
		case <-p.done:
			pw.Close()
			// The previous injector's connection may still be closing.
			if ctx.Err() != nil {
				return fmt.Errorf("kanneltest: fakesmsc could not inject: %v", p.err)
			}
			time.Sleep(100 * time.Millisecond)
		case <-ctx.Done():
			p.stop(syscall.SIGKILL, time.Second)
			pw.Close()
			return errors.New("kanneltest: fakesmsc did not send the MO in time")
		}
	}
}

// flushDelay is how long a text MT is held for continuation lines.
const flushDelay = 20 * time.Millisecond

// readMT parses fakesmsc's log, in which each MT is a line
// "... Got message N: <from to type data>".
//
// fakesmsc's protocol is one message a line, and Kannel writes a GSM-7 text
// unencoded: a text holding newlines reaches fakesmsc as several "messages",
// the first one valid and the others not ("All clear on Main St." has no
// type). The invalid ones are joined back onto the text before it, which is
// held until the next valid record or flushDelay of silence.
func (k *Kannel) readMT(r io.Reader) {
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, r)
	}()
	var pending *MT
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if pending != nil {
			k.publish(*pending)
			pending = nil
		}
	}
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				flush()
				return
			}
			rec, ok := gotMessage(line)
			if !ok {
				continue
			}
			m, valid := parseMT(rec)
			if !valid {
				if pending != nil {
					pending.Text += "\n" + rec
					timer.Reset(flushDelay)
				}
				continue
			}
			flush()
			switch m.Type {
			case "udh":
				if whole, ok := k.reassemble(m); ok {
					k.publish(whole)
				}
			case "text":
				pending = &m
				timer.Reset(flushDelay)
			default:
				k.publish(m)
			}
		case <-timer.C:
			flush()
		}
	}
}

// gotMessage returns the message of a fakesmsc "Got message N: <...>" log
// record.
func gotMessage(line string) (string, bool) {
	i := strings.Index(line, "Got message ")
	if i < 0 || !isLogRecord(line) {
		return "", false
	}
	rest := line[i+len("Got message "):]
	j := strings.Index(rest, ": <")
	if j < 0 || !strings.HasSuffix(rest, ">") {
		return "", false
	}
	return rest[j+3 : len(rest)-1], true
}

func (k *Kannel) publish(m MT) {
	k.mu.Lock()
	k.received = append(k.received, m)
	close(k.changed)
	k.changed = make(chan struct{})
	k.mu.Unlock()
}

// reassemble collects the parts of a concatenated message (UDH concat
// elements 0x00 and 0x08). It returns the whole message once every part has
// arrived, and a "udh" message without a concat element as it is. The
// parts do not say their coding: the text is taken as UTF-16BE (UCS-2)
// unless it is valid UTF-8 without NUL bytes (Kannel's GSM-7 text).
func (k *Kannel) reassemble(m MT) (MT, bool) {
	ref, total, seq, ok := concatInfo(m.UDH)
	if !ok {
		return m, true
	}
	if k.partial == nil {
		k.partial = make(map[partKey][][]byte)
	}
	key := partKey{m.From, m.To, ref, total}
	parts := k.partial[key]
	if parts == nil {
		parts = make([][]byte, total)
		k.partial[key] = parts
	}
	parts[seq-1] = []byte(m.Text)
	var all []byte
	for _, p := range parts {
		if p == nil {
			return MT{}, false
		}
		all = append(all, p...)
	}
	delete(k.partial, key)
	whole := MT{From: m.From, To: m.To, Type: "text", Text: string(all), Parts: total}
	if !utf8.Valid(all) || bytes.IndexByte(all, 0) >= 0 {
		whole.Type, whole.Text = "ucs-2", decodeUTF16BE(string(all))
	}
	return whole, true
}

// concatInfo finds the concatenation element of a UDH.
func concatInfo(udh []byte) (ref, total, seq int, ok bool) {
	if len(udh) < 1 || int(udh[0]) != len(udh)-1 {
		return 0, 0, 0, false
	}
	for i := 1; i+1 < len(udh); {
		iei, l := udh[i], int(udh[i+1])
		d := udh[i+2:]
		if len(d) < l {
			return 0, 0, 0, false
		}
		switch {
		case iei == 0x00 && l == 3:
			ref, total, seq = int(d[0]), int(d[1]), int(d[2])
			ok = true
		case iei == 0x08 && l == 4:
			ref, total, seq = int(d[0])<<8|int(d[1]), int(d[2]), int(d[3])
			ok = true
		}
		i += 2 + l
	}
	if ok && (total < 1 || seq < 1 || seq > total) {
		ok = false
	}
	return ref, total, seq, ok
}

func decodeUTF16BE(b string) string {
	if len(b)%2 != 0 {
		b += "\x00"
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// isLogRecord reports whether line starts like a gwlib log record:
// "2026-11-25 14:52:16 [pid] [thread] LEVEL: ".
func isLogRecord(line string) bool {
	if len(line) < 20 || line[4] != '-' || line[7] != '-' || line[10] != ' ' || line[13] != ':' || line[16] != ':' {
		return false
	}
	return strings.HasPrefix(line[19:], " [")
}

// parseMT decodes "from to type data" as smsc_fake writes it.
func parseMT(s string) (MT, bool) {
	f := strings.SplitN(s, " ", 4)
	if len(f) < 3 {
		return MT{}, false
	}
	m := MT{From: f[0], To: f[1], Type: f[2], Parts: 1}
	data := ""
	if len(f) == 4 {
		data = f[3]
	}
	switch m.Type {
	case "text":
		m.Text = data
	case "data":
		b, err := url.QueryUnescape(data)
		if err != nil {
			return MT{}, false
		}
		m.Text = b
	case "ucs-2":
		b, err := url.QueryUnescape(data)
		if err != nil || len(b)%2 != 0 {
			return MT{}, false
		}
		m.Text = decodeUTF16BE(b)
	case "udh":
		// "udh <udh> data <msgdata>"
		parts := strings.SplitN(data, " ", 3)
		if len(parts) != 3 {
			return MT{}, false
		}
		h, err1 := url.QueryUnescape(parts[0])
		b, err2 := url.QueryUnescape(parts[2])
		if err1 != nil || err2 != nil {
			return MT{}, false
		}
		m.UDH, m.Text = []byte(h), b
	default:
		return MT{}, false
	}
	return m, true
}

// onlineSMSC reports whether bearerbox's status.txt lists the SMSC
// "id[id]" as online.
func onlineSMSC(status, name string) bool {
	for _, l := range strings.Split(status, "\n") {
		if strings.Contains(l, name) && strings.Contains(l, "(online") {
			return true
		}
	}
	return false
}

// Status returns bearerbox's status.txt.
func (k *Kannel) Status(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.admin+"/status.txt?password="+url.QueryEscape(k.adminPassword), nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status.txt: HTTP %d", resp.StatusCode)
	}
	return string(b), err
}

func (k *Kannel) waitStatus(ctx context.Context, p *proc, ok func(string) bool) error {
	var last string
	for {
		s, err := k.Status(ctx)
		if err == nil && ok(s) {
			return nil
		}
		if err == nil {
			last = s
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited: %v", p.name, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%w; last status:\n%s", ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitSendsms waits until sendsms answers (an unauthenticated request gets
// 403 once smsbox is up).
func (k *Kannel) waitSendsms(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.sendsmsURL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (k *Kannel) logTails() string {
	var b strings.Builder
	for _, name := range []string{"bearerbox.log", "smsbox.log", "bearerbox.out", "smsbox.out", "fakesmsc.out"} {
		data, err := os.ReadFile(filepath.Join(k.Dir, name))
		if err != nil || len(data) == 0 {
			continue
		}
		if len(data) > 3000 {
			data = data[len(data)-3000:]
		}
		fmt.Fprintf(&b, "--- %s (tail)\n%s\n", name, data)
	}
	return b.String()
}

// stop ends every process, newest first: SIGTERM (bearerbox and smsbox shut
// down cleanly), then SIGKILL after a grace period.
func (k *Kannel) stop() {
	for i := len(k.procs) - 1; i >= 0; i-- {
		p := k.procs[i]
		sig := syscall.SIGTERM
		if strings.HasPrefix(p.name, "fakesmsc") {
			sig = syscall.SIGINT
		}
		p.stop(sig, 10*time.Second)
	}
	k.procs = nil
}

// proc is a child process.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// spawn starts a child. Its stderr and stdout go to w, or to Dir/name.out.
func (k *Kannel) spawn(name, path string, args []string, stdin io.Reader, w io.Writer) (*proc, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = k.Dir
	cmd.Stdin = stdin
	cmd.SysProcAttr = sysProcAttr()
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	var f *os.File
	if w == nil {
		var err error
		f, err = os.OpenFile(filepath.Join(k.Dir, name+".out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		w = f
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		if f != nil {
			f.Close()
		}
		return nil, fmt.Errorf("kanneltest: starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if f != nil {
			f.Close()
		}
		close(p.done)
	}()
	if !strings.HasPrefix(name, "fakesmsc-mo") {
		k.procs = append(k.procs, p)
	}
	return p, nil
}

func (p *proc) stop(sig syscall.Signal, grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func findBinary(name string, paths []string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in $PATH or %s", name, strings.Join(paths, ", "))
}

// freePorts returns n distinct free TCP ports on 127.0.0.1 (free when
// asked: another process could take one before Kannel binds it).
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
