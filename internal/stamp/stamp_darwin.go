//go:build darwin

package stamp

import "syscall"

// Supported is whether files have stamps here.
const Supported = true

// FromSys returns the stamp of the file st describes.
func FromSys(st *syscall.Stat_t) Stamp {
	return Stamp{Dev: uint64(st.Dev), Ino: st.Ino, Size: uint64(st.Size), Mtime: st.Mtimespec.Nano(), Ctime: st.Ctimespec.Nano()}
}
