//go:build !unix

package outbox

import "os"

// Without flock the outbox is safe for one process only (its mutex).
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) {}
