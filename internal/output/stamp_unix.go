//go:build unix

package output

import "syscall"

// lstatStamp returns the stamp of the regular file at name, without
// following a link; the zero stamp for anything else.
func lstatStamp(name string) stamp { return stampIf(name, syscall.S_IFREG) }

// folderStamp returns the stamp of the folder at name, without following
// a link; the zero stamp for anything else.
func folderStamp(name string) stamp { return stampIf(name, syscall.S_IFDIR) }

func stampIf(name string, kind uint32) stamp {
	var st syscall.Stat_t
	if _, err := retry(func() (int, error) { return 0, syscall.Lstat(name, &st) }); err != nil || uint32(st.Mode)&syscall.S_IFMT != kind {
		return stamp{}
	}
	return stampOf(&st)
}
