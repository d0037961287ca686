//go:build !linux

package kanneltest

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
