package parallel

import (
	"sync/atomic"
	"testing"
)

// TestForCallsEachOnce checks that every item is done exactly once,
// whatever the number of items against the chunk size.
func TestForCallsEachOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 255, 256, 257, 5000} {
		counts := make([]atomic.Int32, n)
		For(n, func(i int) { counts[i].Add(1) })
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Fatalf("n=%d: item %d done %d times", n, i, c)
			}
		}
	}
}

func TestForWithGivesEachGoroutineItsState(t *testing.T) {
	var workers atomic.Int32
	var done atomic.Int32
	ForWith(10000, func() func(int) {
		workers.Add(1)
		mine := 0 // a goroutine's own: unsynchronised on purpose, under -race
		return func(int) {
			mine++
			done.Add(1)
		}
	})
	if done.Load() != 10000 || workers.Load() < 1 {
		t.Errorf("done %d items with %d workers", done.Load(), workers.Load())
	}
}

func TestBlocking(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100} {
		var calls [100]atomic.Int32
		Blocking(n, 8, func(i int) { calls[i].Add(1) })
		for i := range 100 {
			if want := int32(min(1, max(0, n-i))); calls[i].Load() != want {
				t.Fatalf("n=%d: item %d called %d times, want %d", n, i, calls[i].Load(), want)
			}
		}
	}
}
