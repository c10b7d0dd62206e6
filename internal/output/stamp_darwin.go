//go:build darwin

package output

import "syscall"

const haveStamps = true

func stampOf(st *syscall.Stat_t) stamp {
	return stamp{dev: uint64(st.Dev), ino: st.Ino, size: uint64(st.Size), mtime: st.Mtimespec.Nano(), ctime: st.Ctimespec.Nano()}
}
