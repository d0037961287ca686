package kanneltest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

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
