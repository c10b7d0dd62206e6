//go:build unix

package output

import (
	"io/fs"
	"syscall"

	"github.com/meshc/meshc/internal/stamp"
)

// readFile opens name without following a link or waiting
// (stamp.OpenNoWait) and reads it whole. It reads as many bytes as the
// open file has, and stops at a short read once it has them. The stamp is
// the open file's, as it was before the read.
func readFile(name string, buf []byte) ([]byte, stamp.Stamp, error) {
	fd, err := stamp.OpenNoWait(name)
	if err != nil {
		return nil, stamp.Stamp{}, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if _, err := stamp.Retry(func() (int, error) { return 0, syscall.Fstat(fd, &st) }); err != nil {
		return nil, stamp.Stamp{}, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	switch {
	case st.Mode&syscall.S_IFMT != syscall.S_IFREG:
		return nil, stamp.Stamp{}, stamp.ErrNotRegular
	case st.Size > maxCompared:
		return nil, stamp.Stamp{}, tooLarge(name, st.Size)
	}
	// Room for one byte more than the file has, so that a file grown
	// since is read whole too.
	size := int(st.Size)
	data := buf[:0]
	if cap(data) < size+1 {
		data = make([]byte, 0, size+1)
	}
	data = data[:cap(data)]
	n := 0
	for {
		m, err := stamp.Retry(func() (int, error) { return syscall.Read(fd, data[n:]) })
		if err != nil {
			return nil, stamp.Stamp{}, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		n += m
		switch {
		case m == 0, n < len(data) && n >= size:
			return data[:n], stamp.FromSys(&st), nil
		case n == len(data): // the file has grown: more room
			data = append(data, 0)
			data = data[:cap(data)]
		}
	}
}
