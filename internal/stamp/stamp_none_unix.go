//go:build unix && !linux && !darwin

package stamp

import "syscall"

// Supported is whether files have stamps here: the other Unixes' Stat_t
// name their times each their own way, and go without.
const Supported = false

// FromSys returns the zero Stamp.
func FromSys(*syscall.Stat_t) Stamp { return Stamp{} }
