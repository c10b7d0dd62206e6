//go:build unix && !linux && !darwin

package output

import "syscall"

// The BSDs' Stat_t names its times differently on each; they go without
// stamps (stamp_other.go).
func stampOf(*syscall.Stat_t) stamp { return stamp{} }
