package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockFile is the file in a sender's directory (the data directory of
// tocsin serve) that the running process holds an exclusive lock on.
const lockFile = "tocsin.lock"

// errLocked is returned when another process holds a directory's lock.
var errLocked = errors.New("locked by another process")

// lockDir takes the exclusive lock on dir for as long as the process runs
// (until release): a second sender on the same directory would use the
// same sender state and both would act as the primary. It refuses at once
// instead of waiting.
func lockDir(dir, what string) (release func(), err error) {
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("another tocsin process is running on %s %s (it holds %s): stop it first, or give this one a directory of its own", what, dir, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
