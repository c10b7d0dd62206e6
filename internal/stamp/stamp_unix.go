//go:build unix

package stamp

import (
	"io/fs"
	"syscall"
)

// File returns the stamp of the regular file at name, without following
// a link; the zero Stamp for anything else.
func File(name string) Stamp { return lstat(name, syscall.S_IFREG) }

// Folder returns the stamp of the folder at name, without following a
// link; the zero Stamp for anything else.
func Folder(name string) Stamp { return lstat(name, syscall.S_IFDIR) }

func lstat(name string, kind uint32) Stamp {
	var st syscall.Stat_t
	_, err := Retry(func() (int, error) { return 0, syscall.Lstat(name, &st) })
	if err != nil || uint32(st.Mode)&syscall.S_IFMT != kind {
		return Stamp{}
	}
	return FromSys(&st)
}

func of(info fs.FileInfo) Stamp {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return FromSys(st)
	}
	return Stamp{}
}

// Retry calls a system call again while a signal interrupts it (EINTR),
// as package os does.
func Retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
