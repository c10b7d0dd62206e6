package output

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
)

var (
	errLink       = errors.New("a symbolic link")
	errNotRegular = errors.New("not a regular file")
)

// readRegular reads the regular file at name without following a link
// there: errLink when name is a symbolic link, errNotRegular when it is
// something else, an error wrapping fs.ErrNotExist when there is nothing.
//
// Comparing a large GitLab output reads some 80,000 files, so this opens
// each once (openNoFollow) and takes its information from the open file,
// where Lstat and then os.ReadFile would look its path up twice and, on
// Linux, spend four more system calls setting the file's blocking mode.
// The bytes go into buf when it has room for them: a goroutine comparing
// files reads each into the buffer of the one before.
func readRegular(name string, buf []byte) (fs.FileInfo, []byte, error) {
	f, err := openNoFollow(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errLink) || errors.Is(err, errNotRegular) {
			return nil, nil, err
		}
		// A link fails the open (ELOOP on Linux and macOS, EMLINK on
		// FreeBSD), and so may a socket: say what is there.
		if info, lerr := os.Lstat(name); lerr == nil {
			switch {
			case info.Mode()&fs.ModeSymlink != 0:
				return nil, nil, errLink
			case !info.Mode().IsRegular():
				return nil, nil, errNotRegular
			}
		}
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil, errNotRegular
	}
	if info.Size() > math.MaxInt-bytes.MinRead {
		return nil, nil, fmt.Errorf("%s is too large to compare (%d bytes)", name, info.Size())
	}
	// Room for the whole file and the read that finds its end, so that
	// the buffer is allocated once.
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, nil, err
	}
	return info, b.Bytes(), nil
}
