//go:build unix && !solaris && !aix

package output

import (
	"errors"
	"os"
	"syscall"
)

// errLockBusy is another process holding a lock that tryLock asked for.
var errLockBusy = errors.New("the lock is held")

// tryLock locks the open file f for this process, without waiting:
// errLockBusy when another holds it, another error when the file system
// takes no lock. flock, rather than fcntl's locks, which a process loses
// when it closes any file open on the same file; Linux takes an flock on
// NFS to the server as an fcntl lock, so that other machines see it.
func tryLock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EWOULDBLOCK:
			return errLockBusy
		}
		return err
	}
}
