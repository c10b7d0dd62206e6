//go:build !unix

package output

import (
	"io/fs"
	"os"
)

// openNoFollow opens name for reading, failing on a symbolic link rather
// than following it. Without O_NOFOLLOW, it looks before it opens.
func openNoFollow(name string) (*os.File, error) {
	info, err := os.Lstat(name)
	switch {
	case err != nil:
		return nil, err
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, errLink
	case !info.Mode().IsRegular():
		return nil, errNotRegular
	}
	return os.Open(name)
}
