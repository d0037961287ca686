//go:build !unix

package vault

const syscallNoFollow = 0
