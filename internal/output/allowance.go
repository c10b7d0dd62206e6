package output

import "sync/atomic"

// An Allowance is how many bytes of rendered files a build may keep in
// memory between finding its diagnostics and writing its files. A target
// models each file to find its diagnostics before anything is written;
// keeping the file it then renders saves modelling it again to write it,
// most of a target's time, but a large mesh's files (1.2 GB for 100,000
// products) do not fit in memory beside its plan. The targets of a build
// share one, from as many goroutines as they like.
type Allowance struct {
	left atomic.Int64
	full atomic.Bool // once a file has not fitted, no other is tried
}

// NewAllowance returns an allowance of n bytes.
func NewAllowance(n int64) *Allowance {
	a := &Allowance{}
	a.left.Store(n)
	return a
}

// File is the file at path: kept, rendered by render, while the allowance
// has room for it, and otherwise rendered by again when it is written
// (File.Render). again renders it afresh, as render would, for a target
// that has let go of what render renders from. A nil Allowance keeps
// nothing, and renders nothing until the file is written.
func (a *Allowance) File(path string, render, again func() []byte) File {
	if a != nil && !a.full.Load() {
		if data := render(); a.Keep(len(data)) {
			return File{Path: path, Data: data}
		}
	}
	return File{Path: path, Render: again}
}

// Keep reports whether n more bytes of files already rendered may be
// kept, and counts them if so.
func (a *Allowance) Keep(n int) bool {
	if a == nil || a.full.Load() {
		return false
	}
	if a.left.Add(-int64(n)) < 0 {
		a.full.Store(true)
		return false
	}
	return true
}
