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
//   - It first lets the heap grow to startingHeap without collecting at
//     all. Below that, collections mark a mesh that is still being
//     decoded, again and again, and a warm check of 10,000 products fits
//     in it whole (a quarter less time).
//   - It then collects at every tripling of the heap rather than every
//     doubling.
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
	limit := userLimit.Load() // the user's, when a call before has set ours
	if limit == 0 {
		limit = debug.SetMemoryLimit(-1) // GOMEMLIMIT's, or none
	}
	if start := startingHeap(containerMemory()); start < limit {
		// No collection until the heap reaches start: the first one,
		// forced by the limit, restores the user's (see watchHeap).
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

// userLimit is the memory limit to restore at the first collection, 0
// once restored.
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
// collection finds unreachable: after the first, it sets the pace of
// tripling and the user's memory limit; it then checks the live heap,
// until it is large.
func watchHeap() {
	runtime.SetFinalizer(new(canary), func(*canary) {
		if limit := userLimit.Swap(0); limit != 0 {
			debug.SetGCPercent(200)
			debug.SetMemoryLimit(limit)
		}
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
