//go:build unix

package load

import "syscall"

// mkfifo makes a named pipe, an entry neither file, folder nor link.
func mkfifo(name string) error { return syscall.Mkfifo(name, 0o644) }
