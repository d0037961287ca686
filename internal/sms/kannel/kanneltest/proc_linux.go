//go:build linux

package kanneltest

import "syscall"

// sysProcAttr makes the kernel kill a child when the test binary dies, so
// that a crashed test leaves no Kannel behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
