package output

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
)

// An Allowance is how many bytes of rendered files a build may keep in
// memory between finding its diagnostics and writing its files. A target
// models each file to find its diagnostics before anything is written;
// keeping the file it then renders saves modelling it again to write it,
// most of a target's time, but a large mesh's files (1.2 GB for 100,000
// products) do not fit in memory beside its plan. The targets of a build
// share one, from as many goroutines as they like.
//
// An allowance for one target's output folder (In) also compares each
// file with the one the folder holds as it is rendered: a file found
// unchanged, most of them when a build or meshc build --check follows an
// edit, is then neither kept nor modelled again (File.Unchanged).
type Allowance struct {
	room *room
	// out is the output folder the files go to, nil when there is none
	// to compare them with.
	out *outFolder
}

// room is the bytes an allowance has left, shared by the targets of a
// build, with buffers to render and read files into.
type room struct {
	left atomic.Int64
	full atomic.Bool // once a file has not fitted, no other is tried
	bufs sync.Pool   // *[]byte
}

// buffer returns a buffer for a file, which put gives back.
func (r *room) buffer() *[]byte {
	if buf, ok := r.bufs.Get().(*[]byte); ok {
		return buf
	}
	return new([]byte)
}

// put gives back a buffer that now holds data, so that the buffer's next
// user has data's room.
func (r *room) put(buf *[]byte, data []byte) {
	if data != nil {
		*buf = data
	}
	r.bufs.Put(buf)
}

// outFolder is an output folder that files are compared with, and the
// index that knows its files, if any.
type outFolder struct {
	dir, owner string
	index      *Index
}

// NewAllowance returns an allowance of n bytes.
func NewAllowance(n int64) *Allowance {
	a := &Allowance{room: &room{}}
	a.room.left.Store(n)
	return a
}

// In returns an allowance that shares a's room and compares the files it
// is given with those in dir, the output folder of owner's build (see
// Owner). It compares nothing when dir is no folder or an empty one: a
// first build would render each file twice, once to compare it and once
// to write it, when the allowance is full. The index, which may be nil,
// tells the contents of the files whose stamps it knows, and learns
// those of the files read. In on a nil Allowance is nil.
func (a *Allowance) In(dir, owner string, index *Index) *Allowance {
	if a == nil {
		return nil
	}
	in := &Allowance{room: a.room}
	if f, err := os.Open(dir); err == nil {
		// The build's lock (LockFolder) is all a folder made for it
		// holds.
		names, _ := f.Readdirnames(2)
		if slices.ContainsFunc(names, func(n string) bool { return n != LockName }) {
			in.out = &outFolder{dir: dir, owner: owner, index: index}
		}
		f.Close()
	}
	return in
}

// File is the file at path: kept, rendered by render, while the allowance
// has room for it, and otherwise rendered by again when it is written
// (File.Render). render appends the file to the empty buffer it is given,
// which File reuses for the next file, and keeps a copy of; again renders
// it afresh, as render would, for a target that has let go of what render
// renders from. A file that the output folder already holds (Unchanged) is
// not kept, and again renders it only when asked. A nil Allowance keeps
// nothing, and renders nothing until the file is written.
func (a *Allowance) File(path string, render func(buf []byte) []byte, again func() []byte) File {
	if a == nil || a.out == nil && a.room.full.Load() {
		return File{Path: path, Render: again}
	}
	buf := a.room.buffer()
	data := render((*buf)[:0])
	defer a.room.put(buf, data)
	switch {
	case a.Unchanged(path, data):
		return File{Path: path, Render: again, Unchanged: true}
	case a.Keep(len(data)):
		return File{Path: path, Data: bytes.Clone(data)}
	}
	return File{Path: path, Render: again}
}

// Keep reports whether n more bytes of files already rendered may be
// kept, and counts them if so.
func (a *Allowance) Keep(n int) bool {
	if a == nil || a.room.full.Load() {
		return false
	}
	if a.room.left.Add(-int64(n)) < 0 {
		a.room.full.Store(true)
		return false
	}
	return true
}

// Unchanged reports whether the output folder holds data at path already,
// as a regular file that this build's owner wrote. Such a file need not
// be kept, and Write, Diff and Plan neither read it nor render it again.
// It is false for an allowance with no folder to compare with (In).
func (a *Allowance) Unchanged(path string, data []byte) bool {
	if a == nil || a.out == nil || badPath(path) != "" || !OwnedBy(data, a.out.owner) {
		return false // a file Plan would refuse is left for it to report
	}
	name := filepath.Join(a.out.dir, filepath.FromSlash(path))
	if known, same := a.out.index.tell(path, name, data); known {
		return same
	}
	buf := a.room.buffer()
	old, st, err := readRegular(name, *buf)
	same := err == nil && SameText(old, data)
	a.room.put(buf, old) // after the comparison: another goroutine may take it next
	if same {
		a.out.index.remember(path, st, data)
	}
	return same
}
