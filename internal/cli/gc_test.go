package cli

import (
	"fmt"
	"math"
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

// TestTuneGC checks that the collector starts off, with the starting heap
// as a limit, and that the first collection sets the pace of tripling and
// puts back the limit there was; a second call before any collection
// takes the user's limit for the user's, not the starting heap the first
// one set.
func TestTuneGC(t *testing.T) {
	for _, calls := range []int{1, 2} {
		t.Run(fmt.Sprintf("calls=%d", calls), func(t *testing.T) {
			t.Setenv("GOGC", "")
			before := debug.SetMemoryLimit(-1)
			defer debug.SetGCPercent(debug.SetGCPercent(100))
			defer debug.SetMemoryLimit(before)

			for range calls {
				TuneGC()
			}
			if got := debug.SetGCPercent(-1); got != -1 {
				t.Errorf("GOGC before the first collection = %d, want off", got)
			}
			if got := debug.SetMemoryLimit(-1); got != startingHeap(containerMemory()) {
				t.Errorf("memory limit before the first collection = %d, want the starting heap", got)
			}
			if got := userLimit.Load(); got != before {
				t.Errorf("limit to restore = %d, want %d", got, before)
			}
			collectUntilRestored()
			if got := debug.SetGCPercent(200); got != 200 {
				t.Errorf("GOGC after the first collection = %d, want 200", got)
			}
			if got := debug.SetMemoryLimit(-1); got != before {
				t.Errorf("memory limit after the first collection = %d, want %d as before", got, before)
			}
		})
	}
}

// collectUntilRestored collects garbage until the watcher, which runs as a
// finalizer after a collection, has restored the user's limit.
func collectUntilRestored() {
	for deadline := time.Now().Add(10 * time.Second); userLimit.Load() != 0 && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}
