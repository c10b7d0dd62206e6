package cli

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestStartingHeap(t *testing.T) {
	for _, tc := range []struct{ container, want int64 }{
		{0, 256 << 20},                     // no container limit
		{math.MaxInt64 &^ 4095, 256 << 20}, // cgroup v1's "unlimited"
		{8 << 30, 256 << 20},               // a runner of 8 GiB
		{512 << 20, 128 << 20},             // a container of 512 MiB
	} {
		if got := startingHeap(tc.container); got != tc.want {
			t.Errorf("startingHeap(%d) = %d, want %d", tc.container, got, tc.want)
		}
	}
}

func TestMemoryLimitIn(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		text string
		want int64
	}{
		{"536870912\n", 512 << 20},
		{"max\n", 0},
		{"9223372036854771712\n", 9223372036854771712},
		{"", 0},
	} {
		name := filepath.Join(dir, "memory.max")
		if err := os.WriteFile(name, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := memoryLimitIn(name); got != tc.want {
			t.Errorf("memoryLimitIn(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
	if got := memoryLimitIn(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("memoryLimitIn of a missing file = %d, want 0", got)
	}
	containerMemory() // reads this machine's groups without failing
}

// TestTuneGC checks that the collector is off, with the starting heap as a
// limit, while the live heap tripled is smaller, and that once it is not,
// the collector runs at the pace of tripling with the limit there was; a
// second call before that takes the user's limit for the user's, not the
// starting heap the first one set.
func TestTuneGC(t *testing.T) {
	const start = 64 << 20
	for _, calls := range []int{1, 2} {
		t.Run(fmt.Sprintf("calls=%d", calls), func(t *testing.T) {
			before := debug.SetMemoryLimit(-1)
			defer debug.SetGCPercent(debug.SetGCPercent(100))
			defer debug.SetMemoryLimit(before)

			runtime.GC() // the live heap of a test is a few megabytes
			for range calls {
				tuneGC(start, 0)
			}
			for range 20 {
				runtime.GC()
				time.Sleep(time.Millisecond) // for the watcher to run
			}
			if got := debug.SetGCPercent(-1); got != -1 {
				t.Errorf("GOGC with a small live heap = %d, want off", got)
			}
			if got := debug.SetMemoryLimit(-1); got != start {
				t.Errorf("memory limit with a small live heap = %d, want the starting heap", got)
			}
			if got := pendingLimit(); got != before {
				t.Errorf("limit to restore = %d, want %d", got, before)
			}
			live := make([]byte, start/3+1<<20)
			collectUntilRestored()
			runtime.KeepAlive(live)
			if got := debug.SetGCPercent(200); got != 200 {
				t.Errorf("GOGC with a live heap past a third of the starting heap = %d, want 200", got)
			}
			if got := debug.SetMemoryLimit(-1); got != before {
				t.Errorf("memory limit then = %d, want %d as before", got, before)
			}
		})
	}
}

// TestTuneGCOnALargeHeap checks that tuning again with a live heap whose
// triple is past the starting heap, as benchmarks do between sizes, does
// not turn the collector off.
func TestTuneGCOnALargeHeap(t *testing.T) {
	const start = 16 << 20
	before := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(before)

	live := make([]byte, start/2)
	runtime.GC()
	tuneGC(start, 0)
	if got := debug.SetGCPercent(200); got != 200 {
		t.Errorf("GOGC = %d, want 200", got)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("memory limit = %d, want %d as before", got, before)
	}
	runtime.KeepAlive(live)
}

func pendingLimit() int64 {
	tuning.Lock()
	defer tuning.Unlock()
	return userLimit
}

// collectUntilRestored collects garbage until the watcher has restored
// the user's limit.
func collectUntilRestored() { collectUntil(func() bool { return pendingLimit() == 0 }) }

// collectUntil collects garbage until done, or for ten seconds at most:
// the watcher runs as a finalizer after a collection.
func collectUntil(done func() bool) {
	for deadline := time.Now().Add(10 * time.Second); !done() && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

// saveGC puts the collector's settings back, and the budget to none, when
// the test ends.
func saveGC(t *testing.T) {
	limit, percent := debug.SetMemoryLimit(-1), debug.SetGCPercent(100)
	t.Cleanup(func() {
		setBudget(0)
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	})
}

// TestTuneGCBudget checks that past the starting heap the memory limit is
// the budget, or five quarters of the live heap once that is more: the
// watcher raises it after a collection.
func TestTuneGCBudget(t *testing.T) {
	const start, live = 16 << 20, 32 << 20
	saveGC(t)
	heap := make([]byte, live)
	runtime.GC()
	tuneGC(start, 256<<20)
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Errorf("memory limit = %d, want the budget", got)
	}
	setBudget(1 << 20)
	collectUntil(func() bool { return debug.SetMemoryLimit(-1) != 256<<20 })
	if got := debug.SetMemoryLimit(-1); got < live/4*5 {
		t.Errorf("memory limit with a budget below the live heap = %d, want at least %d", got, live/4*5)
	}
	runtime.KeepAlive(heap)
}

func setBudget(b int64) {
	tuning.Lock()
	defer tuning.Unlock()
	budget = b
}

// TestFileAllowance checks that a build may keep what keeps the live heap
// under half the memory limit, and any amount without a limit.
func TestFileAllowance(t *testing.T) {
	const start, budget = 16 << 20, 256 << 20
	saveGC(t)
	heap := make([]byte, 32<<20)
	runtime.GC()
	// The live heap may move a little between reads, as the test's own
	// allocations are collected: the limit is checked exactly, the
	// allowance within that.
	allowance := func(what string) {
		t.Helper()
		tuning.Lock()
		limit := memoryLimit(liveHeap())
		tuning.Unlock()
		if limit != budget {
			t.Errorf("%s: memory limit %d, want the budget", what, limit)
		}
		if got, most := FileAllowance(), int64(budget/2-len(heap)); got <= 0 || got > most {
			t.Errorf("%s: allowance %d, want more than none and at most %d", what, got, most)
		}
	}
	tuneGC(start, budget)
	allowance("past the starting heap")
	// While the starting heap is the limit (three times the live heap is
	// under it), the budget still counts.
	tuneGC(128<<20, budget)
	if userLimit == 0 {
		t.Fatal("the collector is not waiting for the starting heap")
	}
	allowance("under the starting heap")
	// Past half the limit, none.
	tuneGC(start, 48<<20)
	if got := FileAllowance(); got != 0 {
		t.Errorf("allowance with %d bytes live under a limit of %d = %d, want none", len(heap), 48<<20, got)
	}
	// No limit: GOMEMLIMIT=off means no bound; GOGC set (TuneGC keeps no
	// limit) still the budget's.
	setBudget(0)
	tuning.Lock()
	userLimit = 0
	tuning.Unlock()
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "off")
	if got := FileAllowance(); got != math.MaxInt64 {
		t.Errorf("allowance with GOMEMLIMIT=off = %d, want no bound", got)
	}
	t.Setenv("GOMEMLIMIT", "")
	if got, most := FileAllowance(), memoryBudget(containerMemory())/2; got <= 0 || got > most {
		t.Errorf("allowance with GOGC set and no limit = %d, want more than none and at most %d", got, most)
	}
	runtime.KeepAlive(heap)
}

// TestReadCollector checks that the collector's metrics are read (a name
// the runtime does not have would read as none) and that a collection
// counts.
func TestReadCollector(t *testing.T) {
	before := readCollector()
	runtime.GC()
	got := readCollector().since(before)
	if got.cycles < 1 {
		t.Errorf("a collection counted %d times", got.cycles)
	}
	if got.allTime <= 0 || got.share() < 0 || got.share() > 1 {
		t.Errorf("processor time %v, the collector's share %v", got.allTime, got.share())
	}
	if (collector{}).share() != 0 {
		t.Error("no time passed, yet the collector has a share")
	}
}

// TestExpectFiles checks that a mesh of many files moves the first
// collection from the starting heap to what loading them is expected to
// need, within two thirds of the memory limit, and that one of few files
// or a collector already running are left alone.
func TestExpectFiles(t *testing.T) {
	saveGC(t)
	const start, budget = 16 << 20, 300 << 20
	runtime.GC()
	tuneGC(start, budget)
	if pendingLimit() == 0 {
		t.Skip("the live heap is past a third of the starting heap")
	}
	ExpectFiles(10)
	if got := debug.SetMemoryLimit(-1); got != start {
		t.Errorf("limit after 10 files = %d, want the starting heap, %d", got, start)
	}
	ExpectFiles(3000)
	if got, want := debug.SetMemoryLimit(-1), int64(3000*heapPerFile); got != want {
		t.Errorf("limit after 3,000 files = %d, want %d", got, want)
	}
	ExpectFiles(1 << 20)
	if got, want := debug.SetMemoryLimit(-1), int64(budget/3*2); got != want {
		t.Errorf("limit after 2^20 files = %d, want two thirds of the budget, %d", got, want)
	}

	tuning.Lock()
	userLimit = 0 // as once the collector is on
	tuning.Unlock()
	before := debug.SetMemoryLimit(-1)
	ExpectFiles(1 << 20)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit with the collector on = %d, want %d as before", got, before)
	}
}
