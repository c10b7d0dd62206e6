//go:build !unix

package output

import (
	"bytes"
	"cmp"
	"io/fs"
	"os"

	"github.com/meshc/meshc/internal/stamp"
)

// readFile reads name whole, failing on a symbolic link rather than
// following it. Without O_NOFOLLOW, it looks before it opens.
// It gives no stamp: there are none here (stamp.Supported).
func readFile(name string, buf []byte) ([]byte, stamp.Stamp, error) {
	info, err := os.Lstat(name)
	switch {
	case err != nil:
		return nil, stamp.Stamp{}, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, stamp.Stamp{}, errLink
	case !info.Mode().IsRegular():
		return nil, stamp.Stamp{}, stamp.ErrNotRegular
	case info.Size() > maxCompared:
		return nil, stamp.Stamp{}, tooLarge(name, info.Size())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, stamp.Stamp{}, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, stamp.Stamp{}, cmp.Or(err, stamp.ErrNotRegular) // replaced since the Lstat
	}
	// Room for the whole file and the read that finds its end, so that
	// the buffer is allocated once.
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, stamp.Stamp{}, err
	}
	return b.Bytes(), stamp.Stamp{}, nil
}
