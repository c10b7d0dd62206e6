package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
)

// TuneGC trades memory for speed while the heap is small, unless GOGC says
// otherwise (docs/performance.md). meshc is a short-lived process whose
// heap only grows while it loads a mesh (the decoded mesh stays live to
// the end), so each collection marks again what the last one kept:
//
//   - It collects when the heap has tripled rather than doubled (GOGC=200),
//     but never before the heap reaches startingHeap. Below that,
//     collections mark a mesh that is still being decoded, again and
//     again; a warm check of 10,000 products fits in it whole (a quarter
//     less time), and a cold one collects a third as often while its
//     mesh is small.
//   - Past largeHeap live bytes, tripling puts the peak at three times the
//     mesh (7 GB for 100,000 products), and the gigabytes of fresh pages
//     cost the kernel about what the collector saves; so from there on the
//     heap may only double (5 GB).
//
// GOMEMLIMIT, when set, still caps the heap. The command calls it first
// thing; benchmarks call it before each mesh size, to measure what users
// run.
func TuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	tuneGC(startingHeap(containerMemory()))
}

// tuneGC is TuneGC with the starting heap given.
func tuneGC(start int64) {
	limit := userLimit.Load() // the user's, when a call before has set ours
	if limit == 0 {
		limit = debug.SetMemoryLimit(-1) // GOMEMLIMIT's, or none
	}
	if start < limit {
		// While tripling the live heap stays below start, the collector
		// is off and start is the limit: the heap goal is start. The
		// watcher turns it back on (watchHeap).
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(start)
		userLimit.Store(limit)
	} else {
		debug.SetGCPercent(200)
	}
	if watching.CompareAndSwap(false, true) {
		watchHeap()
	}
}

// startingHeap is how far the heap grows before the first collection:
// 256 MiB (the decoded form of 10,000 products is about 160 MB), or a
// quarter of the memory of the container meshc runs in when that is less,
// so that a small container is not filled with garbage that collecting
// would have freed.
func startingHeap(container int64) int64 {
	start := int64(256 << 20)
	if container > 0 {
		start = min(start, container/4)
	}
	return start
}

// containerMemory returns the memory limit of the Linux control group
// meshc runs in (cgroup v2, then v1), or 0 when there is none or it cannot
// be read: Go's collector does not look at it.
func containerMemory() int64 {
	for _, name := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		// v2 writes "max" for no limit, which does not parse.
		if n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64); err == nil && n > 0 {
			return n
		}
		return 0
	}
	return 0
}

// userLimit is the memory limit to restore once the heap is past the
// starting heap, 0 once restored.
var userLimit atomic.Int64

// watching is true while a watcher waits for the heap to grow large.
var watching atomic.Bool

// canary holds a pointer so that it is not packed with other small objects,
// whose block could outlive it and delay its finalizer.
type canary struct{ _ *int }

// largeHeap is the live heap (about 50,000 products) past which the
// collector goes back to its default pace.
const largeHeap = 1 << 30

// watchHeap runs after every collection, by way of an object that each
// collection finds unreachable. Once the live heap tripled reaches the
// starting heap, it turns the collector back on at the pace of tripling,
// with the user's memory limit; it then checks the live heap, until it is
// large.
func watchHeap() {
	runtime.SetFinalizer(new(canary), func(*canary) {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		live := int64(largeHeap + 1) // unknown: the runtime's defaults, then
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = int64(sample[0].Value.Uint64())
		}
		if limit := userLimit.Load(); limit != 0 && 3*live >= debug.SetMemoryLimit(-1) {
			userLimit.Store(0)
			debug.SetGCPercent(200)
			debug.SetMemoryLimit(limit)
		}
		if live > largeHeap {
			debug.SetGCPercent(100)
			watching.Store(false)
			return
		}
		watchHeap()
	})
}
