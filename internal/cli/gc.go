package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// TuneGC trades memory for speed while the heap is small, unless GOGC says
// otherwise. meshc is a short-lived process whose heap only grows while it
// loads a mesh (the decoded mesh stays live to the end), so collecting at
// every doubling of the heap spends much of a mesh's time marking the same
// objects again; collecting at every tripling spends less
// (docs/performance.md). Past largeHeap live bytes, though, tripling puts
// the peak at three times the mesh (7 GB for 100,000 products), and the
// gigabytes of fresh pages cost the kernel about what the collector saves;
// so from there on the heap may only double (5 GB). GOMEMLIMIT,
// when set, still caps the heap. The command calls it first thing;
// benchmarks call it before each mesh size, to measure what users run.
func TuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	debug.SetGCPercent(200)
	if watching.CompareAndSwap(false, true) {
		watchHeap()
	}
}

// watching is true while a watcher waits for the heap to grow large.
var watching atomic.Bool

// canary holds a pointer so that it is not packed with other small objects,
// whose block could outlive it and delay its finalizer.
type canary struct{ _ *int }

// largeHeap is the live heap (about 50,000 products) past which the
// collector goes back to its default pace.
const largeHeap = 1 << 30

// watchHeap checks the live heap after every collection, by way of an
// object that each collection finds unreachable, until it is large.
func watchHeap() {
	runtime.SetFinalizer(new(canary), func(*canary) {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > largeHeap {
			debug.SetGCPercent(100)
			watching.Store(false)
			return
		}
		watchHeap()
	})
}
