//go:build unix

package vault

import "syscall"

// syscallNoFollow makes Load refuse a symlinked key file.
const syscallNoFollow = syscall.O_NOFOLLOW
