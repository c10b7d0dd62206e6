//go:build unix

package stamp

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// OpenRegular opens the regular file at name for reading, without
// following a link there and without waiting: ErrNotRegular for anything
// else. A named pipe above all, whose open would wait for a writer for
// ever, is opened without blocking (OpenNoWait) and then found not to be
// a regular file.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	fd, err := OpenNoWait(name)
	var pe *fs.PathError
	if errors.As(err, &pe) && (pe.Err == syscall.ELOOP || pe.Err == syscall.EMLINK) { // a link (EMLINK on FreeBSD)
		return nil, nil, ErrNotRegular
	}
	if err != nil {
		return nil, nil, err
	}
	return regular(os.NewFile(uintptr(fd), name))
}

// OpenNoWait opens name for reading and returns its descriptor, without
// following a link there (O_NOFOLLOW: ELOOP, or EMLINK on FreeBSD) and
// without waiting (O_NONBLOCK, which a regular file's reads ignore, and
// which keeps the open of a named pipe from waiting for a writer).
func OpenNoWait(name string) (int, error) {
	fd, err := Retry(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return fd, nil
}
