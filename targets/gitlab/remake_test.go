package gitlab

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/parallel"
)

// countedUnit is a unit of n files that counts how often it is made.
func countedUnit(name string, n int, made *atomic.Int64) *unitFiles {
	return &unitFiles{make: func() []output.File {
		made.Add(1)
		var files []output.File
		for i := range n {
			path := fmt.Sprintf("%s/%d", name, i)
			files = append(files, output.File{Path: path, Data: []byte(path)})
		}
		return files
	}}
}

func TestRemade(t *testing.T) {
	t.Run("a unit's files side by side make it once", func(t *testing.T) {
		var made atomic.Int64
		r := &remade{}
		u := countedUnit("u", 40, &made)
		var mu sync.Mutex
		got := map[string]string{}
		parallel.Blocking(40, 8, func(i int) {
			path := fmt.Sprintf("u/%d", i)
			data := string(r.file(u, path))
			mu.Lock()
			got[path] = data
			mu.Unlock()
		})
		for path, data := range got {
			if data != path {
				t.Errorf("%s = %q", path, data)
			}
		}
		if made.Load() != 1 || len(got) != 40 {
			t.Errorf("made %d times for %d files, want once for 40", made.Load(), len(got))
		}
		if len(u.left) != 0 || len(r.waiting) != 0 {
			t.Errorf("%d files and %d units still wait after all were asked for", len(u.left), len(r.waiting))
		}
	})
	t.Run("a file asked for again makes its unit again", func(t *testing.T) {
		var made atomic.Int64
		r := &remade{}
		u := countedUnit("u", 2, &made)
		r.file(u, "u/0")
		if got := string(r.file(u, "u/0")); got != "u/0" || made.Load() != 2 {
			t.Errorf("again: %q after %d makes, want u/0 after 2", got, made.Load())
		}
		if r.file(u, "u/1"); made.Load() != 2 {
			t.Errorf("u/1 made the unit again, though it was waiting")
		}
	})
	waitingUnits := 2 * output.FilesAtOnce()
	t.Run("units all asked for do not wait", func(t *testing.T) {
		var made atomic.Int64
		r := &remade{}
		for i := range 3 * waitingUnits {
			u := countedUnit(fmt.Sprint(i), 2, &made)
			r.file(u, fmt.Sprintf("%d/0", i))
			r.file(u, fmt.Sprintf("%d/1", i))
		}
		if len(r.waiting) != 0 || made.Load() != int64(3*waitingUnits) {
			t.Errorf("%d units wait after %d makes; want none after %d", len(r.waiting), made.Load(), 3*waitingUnits)
		}
	})
	t.Run("the oldest units' files are let go of", func(t *testing.T) {
		var made atomic.Int64
		r := &remade{}
		units := make([]*unitFiles, waitingUnits+1)
		for i := range units {
			units[i] = countedUnit(fmt.Sprint(i), 2, &made)
			r.file(units[i], fmt.Sprintf("%d/0", i)) // leaves i/1 waiting
		}
		if units[0].left != nil || len(r.waiting) != waitingUnits {
			t.Errorf("%d units wait, the oldest with %d files; want %d, none", len(r.waiting), len(units[0].left), waitingUnits)
		}
		if got := string(r.file(units[0], "0/1")); got != "0/1" || made.Load() != int64(waitingUnits+2) {
			t.Errorf("a let-go file: %q after %d makes, want 0/1 after %d", got, made.Load(), waitingUnits+2)
		}
	})
}
