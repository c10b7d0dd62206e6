//go:build unix

package output

import "syscall"

// lstatStamp returns the stamp of the regular file at name, without
// following a link; the zero stamp for anything else.
func lstatStamp(name string) stamp {
	var st syscall.Stat_t
	if _, err := retry(func() (int, error) { return 0, syscall.Lstat(name, &st) }); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return stamp{}
	}
	return stampOf(&st)
}
