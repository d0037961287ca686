package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Deadlines of the polls. Tests never assert on elapsed time: these only
// bound how long a test waits before it reports what it was waiting for.
const (
	startTimeout = 20 * time.Second
	stopTimeout  = 15 * time.Second
	pollTimeout  = 10 * time.Second
	pollEvery    = 50 * time.Millisecond
)

// syncBuffer is a bytes.Buffer safe for the writes of exec's copying
// goroutine and the reads of the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// server is one running `tocsin serve` process.
type server struct {
	URL       string // http://127.0.0.1:PORT, no trailing slash
	DataDir   string
	EnrolLink string // the first administrator's link, "" if none was printed
	Stdout    *syncBuffer
	Stderr    *syncBuffer

	cmd      *exec.Cmd
	cancel   context.CancelFunc
	done     chan struct{} // closed when the process has exited
	waitErr  error
	stopOnce sync.Once
}

// serverOptions adjust startServer.
type serverOptions struct {
	dataDir   string   // "" for a fresh t.TempDir()
	wantEnrol bool     // wait for the first-administrator link on stdout
	args      []string // more flags for tocsin serve, such as --role web
	addr      string   // "" for a free port; else the address to listen on
	env       []string // more environment variables, such as TMPDIR=…
}

var enrolLinkRE = regexp.MustCompile(`https?://\S+/enrol/[A-Za-z0-9_-]+`)

// startServer runs `tocsin serve` on a fresh data directory and a free port,
// waits for GET /healthz to answer 200 and for the enrolment link, and stops
// the process when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	return startServerWith(t, serverOptions{wantEnrol: true})
}

func startServerWith(t *testing.T, o serverOptions) *server {
	t.Helper()
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	// The port is free when we look, but another process may take it before
	// the server listens: try a few ports before giving up.
	var lastErr error
	for range 3 {
		s, err := launch(t, o)
		if err == nil {
			return s
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	t.Fatalf("start tocsin serve: %v", lastErr)
	return nil
}

func launch(t *testing.T, o serverOptions) (*server, error) {
	t.Helper()
	addr := o.addr
	if addr == "" {
		addr = freeAddr(t)
	}
	args := append([]string{"serve", "--data", o.dataDir, "--listen", addr}, o.args...)
	s, err := startProcessEnv(t, "http://"+addr, o.dataDir, o.env, args...)
	if err != nil {
		return nil, err
	}
	if o.wantEnrol {
		waitFor(t, "the enrolment link on stdout", func() (bool, string) {
			s.EnrolLink = enrolLinkRE.FindString(s.Stdout.String())
			return s.EnrolLink != "", "stdout:\n" + s.Stdout.String()
		})
		if !strings.HasPrefix(s.EnrolLink, s.URL+"/enrol/") {
			t.Fatalf("enrolment link %q is not under the server's URL %s", s.EnrolLink, s.URL)
		}
	}
	return s, nil
}

// startProcess runs the binary with args, stops it when the test ends, and
// waits until GET url/healthz answers 200.
func startProcess(t *testing.T, url, dataDir string, args ...string) (*server, error) {
	t.Helper()
	return startProcessEnv(t, url, dataDir, nil, args...)
}

// startProcessEnv is startProcess with more environment variables.
func startProcessEnv(t *testing.T, url, dataDir string, env []string, args ...string) (*server, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{URL: url, DataDir: dataDir, Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdout, cmd.Stderr = s.Stdout, s.Stderr
	cmd.Cancel = func() error { return cmd.Process.Kill() } // last resort; stop sends SIGTERM first
	cmd.WaitDelay = 5 * time.Second
	s.cmd = cmd
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { s.stop(t) })

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("tocsin %s exited before it was healthy (%v)\nstdout:\n%s\nstderr:\n%s", args[0], s.waitErr, s.Stdout, s.Stderr)
		default:
		}
		if resp, err := client.Get(s.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("GET /healthz did not answer 200 within %v\nstdout:\n%s\nstderr:\n%s", startTimeout, s.Stdout, s.Stderr)
		}
		time.Sleep(pollEvery)
	}
}

// kill ends the process with SIGKILL, as a crash or the OOM killer would,
// and waits for it to be gone. The test's clean-up then has nothing to stop.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() {
		defer s.cancel()
		if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("SIGKILL: %v", err)
		}
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			t.Fatalf("process still running %v after SIGKILL", stopTimeout)
		}
	})
}

// stop sends SIGTERM and checks that the process exits, cleanly, in time.
// It is safe to call more than once.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() {
		defer s.cancel()
		select {
		case <-s.done:
			if s.waitErr != nil {
				t.Errorf("tocsin serve had already exited: %v\nstderr:\n%s", s.waitErr, s.Stderr)
			}
			return
		default:
		}
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("SIGTERM: %v", err)
		}
		select {
		case <-s.done:
			if s.waitErr != nil {
				t.Errorf("tocsin serve did not exit cleanly on SIGTERM: %v\nstderr:\n%s", s.waitErr, s.Stderr)
			}
		case <-time.After(stopTimeout):
			t.Errorf("tocsin serve still running %v after SIGTERM; killing it", stopTimeout)
			s.cancel()
			<-s.done
		}
	})
}

// freeAddr finds a free port on 127.0.0.1 by listening on :0 and closing.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("close probe listener: %v", err)
	}
	return addr
}

// cleanEnv is the environment without TOCSIN_* variables, so the caller's
// settings cannot change what a test runs.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TOCSIN_") {
			env = append(env, kv)
		}
	}
	return env
}

// cliResult is what one run of the binary produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the binary with args to completion.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	return runCLIEnv(t, nil, args...)
}

// runCLIEnv runs the binary with args to completion, with env (such as
// TOCSIN_PASSPHRASE=…) added to the clean environment.
func runCLIEnv(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
	default:
		t.Fatalf("run tocsin %s: %v", strings.Join(args, " "), err)
	}
	return cliResult{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// waitFor polls cond until it holds or pollTimeout passes; on timeout the
// test fails with what, and the last detail cond returned.
func waitFor(t *testing.T, what string, cond func() (ok bool, detail string)) {
	t.Helper()
	waitWithin(t, pollTimeout, what, cond)
}

// waitWithin is waitFor with another deadline, for work that takes longer,
// such as a fan-out to thousands of subscribers.
func waitWithin(t *testing.T, timeout time.Duration, what string, cond func() (ok bool, detail string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s\n%s", timeout, what, detail)
		}
		time.Sleep(pollEvery)
	}
}
