//go:build !unix || solaris || aix

package output

import (
	"errors"
	"os"
)

// errLockBusy is another process holding a lock that tryLock asked for.
var errLockBusy = errors.New("the lock is held")

// tryLock takes no lock here: the folder is written without one
// (LockFolder).
func tryLock(*os.File) error { return errors.ErrUnsupported }
