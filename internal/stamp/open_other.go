//go:build !unix

package stamp

import (
	"io"
	"io/fs"
	"os"
)

// OpenRegular opens the regular file at name for reading, without
// following a link there: ErrNotRegular for anything else. Without
// O_NOFOLLOW, it looks before it opens.
func OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	info, err := os.Lstat(name)
	switch {
	case err != nil:
		return nil, nil, err
	case !info.Mode().IsRegular():
		return nil, nil, ErrNotRegular
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return regular(f)
}

// ReadRegular reads the regular file at name whole, without following a
// link there: ErrNotRegular for anything else.
func ReadRegular(name string) ([]byte, error) {
	f, _, err := OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
