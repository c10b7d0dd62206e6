package output

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/rogpeppe/go-internal/diff"
)

// Diff is DiffTo's text whole, as tests want it.
func Diff(dir, owner string, files []File, index *Index) ([]byte, *Changes, error) {
	var out bytes.Buffer
	changes, _, err := DiffTo(&out, dir, "", owner, files, index)
	if err != nil {
		return nil, nil, err
	}
	return out.Bytes(), changes, nil
}

// diffAllAtOnce is Diff as it was before DiffTo printed diffs as it went:
// every file's diff made in the order the target gave the files, then
// all of them joined by path. DiffTo must print exactly its bytes.
func diffAllAtOnce(dir, owner string, files []File, index *Index) ([]byte, *Changes, error) {
	p, err := makePlan(dir, owner, files, index)
	if err != nil {
		return nil, nil, err
	}
	type change struct{ rel, oldName, newName string }
	var changes []change
	writes, create := p.writes()
	for _, rel := range writes {
		if create[rel] {
			changes = append(changes, change{rel, "/dev/null", "b/" + rel})
		} else {
			changes = append(changes, change{rel, "a/" + rel, "b/" + rel})
		}
	}
	for _, rel := range p.changes.Remove {
		changes = append(changes, change{rel, "a/" + rel, "/dev/null"})
	}
	diffs := make([][]byte, len(changes))
	errs := make([]error, len(changes))
	parallel.Blocking(len(changes), FilesAtOnce(), func(i int) {
		c := changes[i]
		var oldData, newData []byte
		var err error
		if c.oldName != "/dev/null" {
			oldData, _, err = readRegular(p.abs(c.rel), nil)
		}
		if err == nil && c.newName != "/dev/null" {
			newData, err = p.contents(c.rel)
		}
		if c.oldName != "/dev/null" && c.newName != "/dev/null" {
			oldData = asRendered(oldData, newData)
		}
		diffs[i], errs[i] = diff.Diff(c.oldName, oldData, c.newName, newData), err
	})
	byPath := make([]int, len(changes))
	for i := range byPath {
		byPath[i] = i
	}
	slices.SortFunc(byPath, func(i, j int) int { return strings.Compare(changes[i].rel, changes[j].rel) })
	var out bytes.Buffer
	for _, i := range byPath {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		out.Write(diffs[i])
	}
	return out.Bytes(), &p.changes, nil
}

// manyChanges makes an output folder in dir that a build of the files it
// returns would change throughout: in folders at several depths, files
// updated, created, removed and unchanged, a folder wholly new and one
// wholly stale, and another build's file left alone. The files are in
// the order a target might give them, not by path.
func manyChanges(t *testing.T, dir string) []File {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	body := func(name string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s line %d: %d\n", name, i, rng.IntN(4))
		}
		return b.String()
	}
	old := tree{"other/build.yml": "# " + Marker + "\n# " + OwnerLine(Owner("airflow", "prod")) + "\n"}
	var wanted []File
	for d := range 6 {
		for f := range 12 {
			rel := fmt.Sprintf("d%d/sub%d/f%02d.yml", d, f%3, f)
			if d == 5 {
				rel = fmt.Sprintf("new/d%d/f%02d.yml", d, f) // a new folder
			}
			switch f % 4 {
			case 0: // unchanged
				data := gen(body(rel, 20))
				old[rel] = data
				wanted = append(wanted, File{Path: rel, Data: []byte(data)})
			case 1: // updated
				old[rel] = gen(body(rel, 40))
				wanted = append(wanted, File{Path: rel, Data: []byte(gen(body(rel, 40)))})
			case 2: // created
				wanted = append(wanted, File{Path: rel, Data: []byte(gen(body(rel, 10)))})
			case 3: // removed
				old[rel] = gen(body(rel, 10))
			}
		}
	}
	for f := range 5 {
		old[fmt.Sprintf("gone/f%d.yml", f)] = gen(body("gone", 5)) // a stale folder
	}
	makeTree(t, dir, old)
	rng.Shuffle(len(wanted), func(i, j int) { wanted[i], wanted[j] = wanted[j], wanted[i] })
	return wanted
}

// TestDiffToPrintsWhatDiffPrinted checks that DiffTo prints, byte for
// byte, what Diff printed when it held every diff, and finds the same
// changes, with and without an index, for files given whole or rendered.
func TestDiffToPrintsWhatDiffPrinted(t *testing.T) { eachForm(t, testDiffToPrintsWhatDiffPrinted) }

func testDiffToPrintsWhatDiffPrinted(t *testing.T, form func([]File) []File) {
	dir := t.TempDir()
	wanted := form(manyChanges(t, dir))
	want, wantChanges, err := diffAllAtOnce(dir, testOwner, wanted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(wantChanges.Create) < 10 || len(wantChanges.Update) < 10 || len(wantChanges.Remove) < 10 {
		t.Fatalf("the folder changes too little to test with: %+v", wantChanges)
	}
	for _, withIndex := range []bool{false, true} {
		var index *Index
		if withIndex {
			index, _ = OpenIndex(t.TempDir(), dir, testOwner)
		}
		var got bytes.Buffer
		changes, differ, err := DiffTo(&got, dir, "", testOwner, wanted, index)
		if err != nil || !differ {
			t.Fatalf("index %v: DiffTo: differ %v, %v", withIndex, differ, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("index %v: DiffTo printed another diff (-before +now):\n%s", withIndex, cmp.Diff(string(want), got.String()))
		}
		if diff := cmp.Diff(wantChanges, changes); diff != "" {
			t.Errorf("index %v: changes (-before +now):\n%s", withIndex, diff)
		}
		index.Save()
	}
}

// TestDiffToUpToDate checks that DiffTo writes nothing, and says so,
// when the folder is up to date.
func TestDiffToUpToDate(t *testing.T) {
	dir := t.TempDir()
	wanted := manyChanges(t, dir)
	if _, err := Write(dir, testOwner, wanted, nil); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	changes, differ, err := DiffTo(&got, dir, "", testOwner, wanted, nil)
	if err != nil || differ || got.Len() > 0 || len(changes.Unchanged) != len(wanted) {
		t.Errorf("DiffTo of an up-to-date folder: %q, differ %v, %+v, %v", got.String(), differ, changes, err)
	}
}

// heapWatcher is a writer that discards what it is given and notes the
// most heap in use, after a collection, at any of its writes: the bytes
// that the writer's caller retains while it prints.
type heapWatcher struct {
	writes, most uint64
	written      int64
}

func (h *heapWatcher) Write(p []byte) (int, error) {
	h.written += int64(len(p))
	h.writes++
	if h.writes%4 == 1 { // a collection each time would be slow
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.most = max(h.most, m.HeapAlloc)
	}
	return len(p), nil
}

// TestDiffToMemoryStaysFlat checks that the heap DiffTo retains while it
// prints does not grow with the diff: a folder of n stale files, for a
// build of n new ones rendered on demand, has a diff of about 2n files,
// of which DiffTo holds a few at a time. Diff, which holds them all,
// fails it.
func TestDiffToMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20 MB of files")
	}
	// FilesAtOnce, and so how many diffs wait, follows the processors.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const fileSize = 16 << 10
	line := strings.Repeat("x", 63) + "\n"
	body := gen(strings.Repeat(line, fileSize/len(line)))
	most := map[int]uint64{}
	for _, n := range []int{150, 600} {
		dir := t.TempDir()
		old := tree{}
		var wanted []File
		for i := range n {
			old[fmt.Sprintf("old/%d/f%d.yml", i%10, i)] = body
			wanted = append(wanted, File{Path: fmt.Sprintf("new/%d/f%d.yml", i%10, i), Render: func() []byte { return []byte(body) }})
		}
		makeTree(t, dir, old)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		w := &heapWatcher{}
		if _, differ, err := DiffTo(w, dir, "", testOwner, wanted, nil); err != nil || !differ {
			t.Fatalf("DiffTo: differ %v, %v", differ, err)
		}
		grew := w.most - min(w.most, before.HeapAlloc)
		t.Logf("%d files each way: printed %d MB, retained at most %.1f MB", n, w.written>>20, float64(grew)/(1<<20))
		if n == 600 && grew > uint64(w.written)/5 {
			t.Errorf("DiffTo retained %d bytes printing a diff of %d: it holds more than a few files' diffs", grew, w.written)
		}
		most[n] = grew
	}
	// Four times the diff may not cost much more than the first's: the
	// first holds the same few files, plus what collections leave.
	if most[600] > 2*most[150]+4<<20 {
		t.Errorf("retained %d bytes for 600 files each way, %d for 150: memory grows with the diff", most[600], most[150])
	}
}

// TestDiffToStopsAtTheFirstError checks that an error, here a rendered
// file without its header (a bug in a target), stops DiffTo in path
// order: the diffs before the file are printed, none after it.
func TestDiffToStopsAtTheFirstError(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, tree{"a.yml": gen("old\n"), "z.yml": gen("old\n")})
	wanted := []File{
		{Path: "z.yml", Data: []byte(gen("new\n"))},
		{Path: "m.yml", Render: func() []byte { return []byte("no header\n") }},
		{Path: "a.yml", Data: []byte(gen("new\n"))},
	}
	var got bytes.Buffer
	changes, differ, err := DiffTo(&got, dir, "", testOwner, wanted, nil)
	if err == nil || !strings.Contains(err.Error(), `"m.yml" does not carry`) {
		t.Fatalf("DiffTo error = %v, want m.yml's", err)
	}
	if !differ || changes == nil || !strings.HasPrefix(got.String(), "diff a/a.yml b/a.yml\n") || strings.Contains(got.String(), "z.yml") {
		t.Errorf("DiffTo printed %q, differ %v, changes %v; want a.yml's diff alone", got.String(), differ, changes)
	}
	if _, _, err := Diff(dir, testOwner, wanted, nil); err == nil {
		t.Error("Diff found no error")
	}
}

// failingWriter fails every write after the first ok ones.
type failingWriter struct{ ok int }

var errClosed = errors.New("closed")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.ok == 0 {
		return 0, errClosed
	}
	w.ok--
	return len(p), nil
}

// TestDiffToStopsWhenWritingFails checks that DiffTo returns the error of
// a writer that fails, as the writer gave it, and stops comparing files
// soon after: the rest of a diff that cannot be printed is not worth
// making.
func TestDiffToStopsWhenWritingFails(t *testing.T) {
	dir := t.TempDir()
	var rendered atomic.Int32
	var wanted []File
	for i := range 500 {
		wanted = append(wanted, File{Path: fmt.Sprintf("f%03d.yml", i), Render: func() []byte {
			rendered.Add(1)
			return []byte(gen("new\n"))
		}})
	}
	changes, differ, err := DiffTo(&failingWriter{ok: 3}, dir, "", testOwner, wanted, nil)
	if !errors.Is(err, errClosed) || !differ || changes == nil || len(changes.Create) != 500 {
		t.Errorf("DiffTo = %v, differ %v, %v; want the writer's error, with the changes", changes, differ, err)
	}
	if n := rendered.Load(); n > int32(4+ahead(FilesAtOnce())+FilesAtOnce()) {
		t.Errorf("DiffTo rendered %d files after the writer failed on the 4th", n)
	}
}

// TestInOrder checks that inOrder hands every result to use in order,
// whatever order they are done in, with its goroutines never more than
// ahead items in front of use, even when use is slow.
func TestInOrder(t *testing.T) {
	for _, n := range []int{0, 1, 7, 300} {
		const goroutines = 4
		var mu sync.Mutex
		done, used := 0, 0
		var got []int
		err := inOrder(n, goroutines, func() func(int) ([]byte, error) {
			rng := rand.New(rand.NewPCG(uint64(n), 0)) // a goroutine's own
			return func(i int) ([]byte, error) {
				time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
				mu.Lock()
				defer mu.Unlock()
				done++
				if waiting := done - used; waiting > ahead(goroutines)+goroutines {
					t.Errorf("n=%d: %d results wait for use", n, waiting)
				}
				return []byte{byte(i), byte(i >> 8)}, nil
			}
		}, func(b []byte) error {
			if len(got)%50 == 49 {
				time.Sleep(5 * time.Millisecond) // for the goroutines to run ahead
			}
			mu.Lock()
			defer mu.Unlock()
			used++
			got = append(got, int(b[0])|int(b[1])<<8)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if i >= len(got) || got[i] != i {
				t.Fatalf("n=%d: used %v, want 0 to %d in order", n, got, n-1)
			}
		}
	}
}

// TestInOrderStopsAtTheFirstError checks that the first error in the
// order of the items is returned, not the first in time, and that use
// sees nothing past it.
func TestInOrderStopsAtTheFirstError(t *testing.T) {
	var started atomic.Int32
	var got []int
	err := inOrder(1000, 4, func() func(int) ([]byte, error) {
		return func(i int) ([]byte, error) {
			started.Add(1)
			switch i {
			case 10:
				time.Sleep(20 * time.Millisecond) // after 11 has failed
				return nil, errors.New("ten")
			case 11:
				return nil, errors.New("eleven")
			}
			return []byte{byte(i)}, nil
		}
	}, func(b []byte) error {
		got = append(got, int(b[0]))
		return nil
	})
	if err == nil || err.Error() != "ten" {
		t.Errorf("inOrder = %v, want ten", err)
	}
	if len(got) != 10 || got[9] != 9 {
		t.Errorf("used %v, want 0 to 9", got)
	}
	if n := started.Load(); n > int32(11+ahead(4)+4) {
		t.Errorf("%d items started, after the 11th failed", n)
	}
	var useErr = errors.New("use")
	err = inOrder(100, 4, func() func(int) ([]byte, error) {
		return func(int) ([]byte, error) { return nil, nil }
	}, func([]byte) error { return useErr })
	if err != useErr {
		t.Errorf("inOrder = %v, want use's error", err)
	}
}
