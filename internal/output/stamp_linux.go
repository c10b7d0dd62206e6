//go:build linux

package output

import "syscall"

const haveStamps = true

func stampOf(st *syscall.Stat_t) stamp {
	// Dev and Ino are narrower than 64 bits on some architectures (mips).
	return stamp{dev: uint64(st.Dev), ino: uint64(st.Ino), size: uint64(st.Size), mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano()}
}
