//go:build !unix

package stamp

import (
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
