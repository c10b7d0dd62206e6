//go:build unix

package stamp

import (
	"io/fs"
	"os"
	"syscall"
)

// OpenRegular opens the regular file at name for reading, without
// following a link there and without waiting: ErrNotRegular for anything
// else. A named pipe above all, whose open would wait for a writer for
// ever, is opened without blocking (O_NONBLOCK, which a regular file's
// reads ignore) and then found not to be a regular file.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	fd, err := Retry(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	switch {
	case err == syscall.ELOOP || err == syscall.EMLINK: // a link (EMLINK on FreeBSD)
		return nil, nil, ErrNotRegular
	case err != nil:
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return regular(os.NewFile(uintptr(fd), name))
}
