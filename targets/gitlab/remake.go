package gitlab

import (
	"slices"
	"sync"

	"github.com/meshc/meshc/internal/output"
)

// remade makes units' files again when they are compared or written
// (output.File's Render), for the units whose files the build did not
// keep. A unit's child pipeline and SQL files are made together, so the
// first of them asked for makes them all, and the others wait for their
// turn. output writes files in the order Build gives them, a unit's side
// by side, and output.FilesAtOnce at a time, so few wait; those of the
// oldest units are let go of once twice that many units have files
// waiting, and made again if they are asked for after all. build --check
// compares files by path (output.DiffTo), which puts a unit's child
// pipeline (products/) far from its SQL files (sql/): there, a unit whose
// files differ is made twice more, after the planning that found them to
// differ. An up-to-date folder, CI's usual case, has none to compare.
type remade struct {
	mu      sync.Mutex
	waiting []*unitFiles // units with files waiting, oldest first
}

// unitFiles is one unit's files, made again on demand.
type unitFiles struct {
	making sync.Mutex // held while the unit is made, so that it is made once
	make   func() []output.File
	left   map[string][]byte // made and not yet asked for; under remade.mu
}

// file returns a unit's file, making the unit's files again if need be.
func (r *remade) file(u *unitFiles, path string) []byte {
	if data, ok := r.take(u, path); ok {
		return data
	}
	u.making.Lock()
	defer u.making.Unlock()
	if data, ok := r.take(u, path); ok { // made meanwhile
		return data
	}
	left := map[string][]byte{}
	for _, f := range u.make() {
		left[f.Path] = f.Data
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting = slices.DeleteFunc(r.waiting, func(w *unitFiles) bool { return w == u })
	u.left = left
	r.waiting = append(r.waiting, u)
	for len(r.waiting) > 2*output.FilesAtOnce() {
		r.waiting[0].left = nil
		r.waiting = r.waiting[1:]
	}
	return r.hand(u, path)
}

// take returns a unit's file if it is waiting.
func (r *remade) take(u *unitFiles, path string) ([]byte, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := u.left[path]; !ok {
		return nil, false
	}
	return r.hand(u, path), true
}

// hand lets go of a unit's waiting file and returns it, and of the unit
// once none of its files waits. The caller holds r.mu.
func (r *remade) hand(u *unitFiles, path string) []byte {
	data := u.left[path]
	delete(u.left, path)
	if len(u.left) == 0 {
		r.waiting = slices.DeleteFunc(r.waiting, func(w *unitFiles) bool { return w == u })
	}
	return data
}
