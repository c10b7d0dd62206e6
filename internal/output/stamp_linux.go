//go:build linux

package output

import "syscall"

func stampOf(st *syscall.Stat_t) stamp {
	return stamp{dev: st.Dev, ino: st.Ino, size: uint64(st.Size), mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano()}
}
