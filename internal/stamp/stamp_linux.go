//go:build linux

package stamp

import "syscall"

// Supported is whether files have stamps here.
const Supported = true

// FromSys returns the stamp of the file st describes.
func FromSys(st *syscall.Stat_t) Stamp {
	// Dev and Ino are narrower than 64 bits on some architectures (mips).
	return Stamp{Dev: uint64(st.Dev), Ino: uint64(st.Ino), Size: uint64(st.Size), Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano()}
}
