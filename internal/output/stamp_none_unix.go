//go:build unix && !linux && !darwin

package output

import "syscall"

// The other Unixes' Stat_t name their times each their own way: they go
// without stamps, and so without an index (OpenIndex).
const haveStamps = false

func stampOf(*syscall.Stat_t) stamp { return stamp{} }
