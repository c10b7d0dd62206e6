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

// Take renders a file and returns its contents to keep, or nil when the
// allowance has no room for them: the file is then rendered again when
// it is written (File.Render). A nil Allowance keeps nothing, and renders
// nothing.
func (a *Allowance) Take(render func() []byte) []byte {
	if a == nil || a.full.Load() {
		return nil
	}
	if data := render(); a.Keep(len(data)) {
		return data
	}
	return nil
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
