//go:build !unix

package output

import (
	"bytes"
	"cmp"
	"io/fs"
	"os"
)

// readFile reads name whole, failing on a symbolic link rather than
// following it. Without O_NOFOLLOW, it looks before it opens.
func readFile(name string, buf []byte) ([]byte, stamp, error) {
	data, err := readWhole(name, buf)
	return data, stamp{}, err
}

func readWhole(name string, buf []byte) ([]byte, error) {
	info, err := os.Lstat(name)
	switch {
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, errLink
	case !info.Mode().IsRegular():
		return nil, errNotRegular
	case info.Size() > maxCompared:
		return nil, tooLarge(name, info.Size())
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, cmp.Or(err, errNotRegular) // replaced since the Lstat
	}
	// Room for the whole file and the read that finds its end, so that
	// the buffer is allocated once.
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
