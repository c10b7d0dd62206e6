//go:build unix

package output

import (
	"os"
	"syscall"
)

// openNoFollow opens name for reading, failing on a symbolic link rather
// than following it. O_NONBLOCK keeps the open of a named pipe from
// waiting for a writer (readRegular then finds it is no regular file),
// and tells os that the descriptor needs no change of blocking mode; it
// does not change how a regular file reads.
func openNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
