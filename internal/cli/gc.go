package cli

import (
	"math"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// TuneGC trades memory for speed while the heap is small, and speed for
// memory once it is large, unless GOGC says otherwise
// (docs/performance.md). meshc is a short-lived process whose heap only
// grows while it loads a mesh (the decoded mesh stays live to the end), so
// each collection marks again what the last one kept:
//
//   - It collects when the heap has tripled rather than doubled (GOGC=200),
//     but never before the heap reaches startingHeap. Below that,
//     collections mark a mesh that is still being decoded, again and
//     again; a warm check of 10,000 products fits in it whole (a quarter
//     less time), and a cold one collects a third as often while its
//     mesh is small.
//   - Past largeHeap live bytes, the heap may only double. Below it,
//     unless GOMEMLIMIT replaces it, the memory budget (below) holds a
//     large mesh's heap, which tripling a live heap of more than a third
//     of the budget would take past it: so tripling up to largeHeap
//     costs memory only where the budget has room for it, and spares a
//     100,000-product check a collection of its whole mesh while it
//     loads. Where GOMEMLIMIT lifts the budget, a live heap near
//     largeHeap may triple; past it, tripling would put the peak at three
//     times the mesh, and the gigabytes of fresh pages cost the kernel
//     about what the collector saves.
//   - Unless GOMEMLIMIT sets a limit, it keeps a soft one (memoryBudget),
//     which makes the collector run more often once tripling or doubling
//     would take the heap past it: only meshes of more than about 60,000
//     products. The limit moves with the live heap (softLimit), so that
//     the collector of a larger mesh still has room to work in rather
//     than running without pause.
//
// The command calls it first thing; benchmarks call it before each mesh
// size, to measure what users run.
func TuneGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	container := containerMemory()
	budget := int64(0)
	if os.Getenv("GOMEMLIMIT") == "" {
		budget = memoryBudget(container)
	}
	tuneGC(startingHeap(container), budget)
}

// The tuning's state, which tuneGC and the watcher (watchHeap) share: a
// benchmark tunes again while the watcher may be running.
var (
	tuning sync.Mutex
	// userLimit is the memory limit to put back once three times the
	// live heap reaches the starting heap, 0 when there is none to put
	// back: GOMEMLIMIT's, or none, or (when a call before had set it)
	// the budget's, which softLimit then sets afresh.
	userLimit int64
	// budget is the soft memory limit meshc keeps, 0 for none.
	budget int64
	// watching is true while a watcher is set to run after the next
	// collection.
	watching bool
)

// tuneGC is TuneGC with the starting heap and the memory budget given.
func tuneGC(start, memory int64) {
	tuning.Lock()
	defer tuning.Unlock()
	budget = memory
	limit := userLimit // the user's, when a call before has set ours
	if limit == 0 {
		limit = debug.SetMemoryLimit(-1) // GOMEMLIMIT's, none, or our budget's
	}
	if live := liveHeap(); 3*live < start && start < limit {
		// The collector is off and start is the limit, so that start
		// is the heap goal, until the watcher finds the live heap
		// tripled past it.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(start)
		userLimit = limit
	} else {
		debug.SetMemoryLimit(softLimit(limit, live))
		userLimit = 0
		debug.SetGCPercent(pace(live))
	}
	if !watching {
		watching = true
		watchHeap()
	}
}

// FileAllowance is how many bytes of rendered files a build may keep
// until it writes them (output.Allowance): as many as keep the live heap
// (the last collection's) under half the memory limit, or any number when
// GOMEMLIMIT turns the limit off. With GOGC set, TuneGC keeps no limit,
// but the files kept are still held to the budget it would have kept: a
// user who sets GOGC tunes the collector, not asks for more memory. A kept
// file spares modelling it again to write it, but it is live while the
// collector works, and past half the limit the collector has too little
// room: a build of 100,000 products for GitLab
// that kept 200 MB took half as long again as one that kept none
// (docs/performance.md). A build of 10,000 products keeps every file it
// renders that its folder does not already hold (output.Allowance.In);
// one of 50,000 or more, none.
func FileAllowance() int64 {
	tuning.Lock()
	defer tuning.Unlock()
	live := liveHeap()
	limit := memoryLimit(live)
	if limit == math.MaxInt64 {
		if os.Getenv("GOMEMLIMIT") != "" {
			return math.MaxInt64
		}
		limit = memoryBudget(containerMemory())
	}
	return max(0, limit/2-live)
}

// memoryLimit is the memory limit meshc keeps for a live heap: the one
// set, or while the collector waits for the starting heap (whose limit
// stands in meanwhile), the one it will set. The caller holds tuning.
func memoryLimit(live int64) int64 {
	if userLimit != 0 {
		return softLimit(userLimit, live)
	}
	return debug.SetMemoryLimit(-1)
}

// memoryBudget is the soft memory limit meshc keeps when GOMEMLIMIT sets
// none: 1,900 MiB, which holds a check of 100,000 products to 1.9 GiB
// rather than 2.4, for about a tenth more time (the collector lets the
// process's memory pass the limit a little, and runs more often the
// nearer the live heap is to it), or three quarters of the memory of the
// container meshc runs in when that is less.
func memoryBudget(container int64) int64 {
	b := int64(1900 << 20)
	if container > 0 {
		b = min(b, container/4*3)
	}
	return b
}

// softLimit is the memory limit for a live heap: the user's (limit)
// without a budget, else the budget, or five quarters of the live heap
// when that is more, so that the collector keeps a quarter of the live
// heap to work in: a limit that the live heap nears makes the collector
// run without pause, and only then lets the heap past it.
func softLimit(limit, live int64) int64 {
	if budget == 0 {
		return limit
	}
	return max(budget, live/4*5)
}

// startingHeap is the smallest heap goal: 256 MiB (the decoded form of
// 10,000 products is about 160 MB), or a quarter of the memory of the
// container meshc runs in when that is less, so that a small container is
// not filled with garbage that collecting would have freed.
func startingHeap(container int64) int64 {
	start := int64(256 << 20)
	if container > 0 {
		start = min(start, container/4)
	}
	return start
}

// containerMemory returns the least memory limit of the Linux control
// groups meshc runs in and their parents (cgroup v2 or v1), or 0 when
// there is none or it cannot be read: Go's collector does not look at
// them.
func containerMemory() int64 {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0
	}
	least := int64(0)
	for line := range strings.SplitSeq(string(data), "\n") {
		// "0::/PATH" for v2, "N:memory:/PATH" for v1's memory controller.
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var root string
		var files []string
		switch {
		case parts[0] == "0" && parts[1] == "":
			// memory.high throttles and reclaims where memory.max kills:
			// systemd's MemoryHigh sets it alone.
			root, files = "/sys/fs/cgroup", []string{"memory.max", "memory.high"}
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			root, files = "/sys/fs/cgroup/memory", []string{"memory.limit_in_bytes"}
		default:
			continue
		}
		// Inside a container, the group's path may not exist under the
		// mount, which is the container's own group: its parents are
		// looked at too, up to the mount.
		for p := path.Clean(parts[2]); ; p = path.Dir(p) {
			for _, file := range files {
				if n := memoryLimitIn(filepath.Join(root, p, file)); n > 0 && (least == 0 || n < least) {
					least = n
				}
			}
			if p == "/" || p == "." {
				break
			}
		}
	}
	return least
}

// memoryLimitIn reads a control group's memory limit file: 0 when it
// cannot be read or says "max".
func memoryLimitIn(name string) int64 {
	data, err := os.ReadFile(name)
	if err != nil {
		return 0
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// canary holds a pointer so that it is not packed with other small objects,
// whose block could outlive it and delay its finalizer.
type canary struct{ _ *int }

// largeHeap is the live heap (about 90,000 products) past which the
// collector goes back to its default pace.
const largeHeap = 1 << 30

// pace is the collector's pace for a live heap: tripling, or doubling
// past largeHeap.
func pace(live int64) int {
	if live > largeHeap {
		return 100
	}
	return 200
}

// heapPerFile is how much heap loading may take for each mesh file before
// the first collection: the synthetic meshes' files (one product each,
// about 2.1 KB) leave about 7.5 KB each live and allocate about 14 KB
// each while they load, so that the first collection comes once about
// three quarters of the mesh is loaded (docs/performance.md).
const heapPerFile = 12_000

// ExpectFiles is told how many mesh files a check is about to load. While
// the collector waits for the starting heap, it lets the heap grow to
// what loading as many files is expected to need before the first
// collection, within two thirds of the memory limit. A large mesh's first
// collections mark the part of it loaded so far, only for the heap to
// triple from there, again and again: at 100,000 products the collector
// marked 137, 286 and 607 MB while loading, then 692 MB as declaring
// ends. When the first collection comes once most of the mesh is loaded,
// tripling what is live then leaves room for the rest of loading and for
// declaring, so that the next collection is the one as declaring ends:
// two collections, marking about 1.3 GB, for a peak of 1.76 GB rather
// than 1.66. A mesh of 10,000 products, expected to need less than the
// starting heap, is left alone. The cost is memory for a mesh of many
// small files, whose heap may grow to the expected size where the
// starting heap would have held it: within the limit.
func ExpectFiles(n int) {
	tuning.Lock()
	defer tuning.Unlock()
	if userLimit == 0 {
		return // the collector is on: GOGC's, or past the starting heap
	}
	expected := min(int64(n)*heapPerFile, memoryLimit(liveHeap())/3*2)
	if expected > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(expected)
	}
}

// AfterStage is told when each of the checker's stages ends (the stage's
// name, as compiler.Options.Trace is), and collects once the products are
// declared, when a collection is due before the check ends anyway.
// Declaring lets go of the products' syntax, so the heap then holds the
// least it will until the end: at 100,000 products the collection that
// the memory budget brought during the tests marked 780 to 790 MB, where
// one as declaring ends marks about 700, and none comes after it
// (docs/performance.md). A collection is due when the heap, with what the
// stages after declaring allocate (about a quarter to a third of what
// loading and declaring did: 498 of 2,018 MB at 100,000 products, 62 of
// 201 MB at 10,000), would pass the collector's goal. The collection is
// waited for: one that ran beside resolve and the tests marked what they
// allocated meanwhile too (890 MB).
func AfterStage(stage string) {
	if stage != "declare" {
		return
	}
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/heap/goal:bytes"},
	}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return
		}
	}
	heap, allocated, goal := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
	if heap+allocated/4 > goal {
		runtime.GC()
	}
}

// liveHeap returns the heap the last collection found live; when it
// cannot be read, a large one, so that the heap may only double.
func liveHeap() int64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return largeHeap + 1
	}
	return int64(sample[0].Value.Uint64())
}

// watchHeap runs after every collection, by way of an object that each
// collection finds unreachable. Once the live heap tripled reaches the
// starting heap, it turns the collector back on at the pace of tripling,
// with the user's memory limit or the budget's; from then on it sets the
// pace of doubling once the live heap is large, and moves the budget's
// limit with the live heap. It stops when there is nothing left to tune.
func watchHeap() {
	runtime.SetFinalizer(new(canary), func(*canary) {
		tuning.Lock()
		defer tuning.Unlock()
		live := liveHeap()
		if userLimit != 0 && 3*live >= debug.SetMemoryLimit(-1) {
			debug.SetMemoryLimit(softLimit(userLimit, live))
			userLimit = 0
			debug.SetGCPercent(pace(live))
		}
		if userLimit == 0 {
			if live > largeHeap {
				debug.SetGCPercent(100)
			}
			if budget != 0 {
				debug.SetMemoryLimit(softLimit(0, live))
			} else if live > largeHeap {
				watching = false
				return
			}
		}
		watchHeap()
	})
}

// collector is what the garbage collector has done since the process
// started: its collections, and the processor time it took out of the
// time of the processors meshc may use (GOMAXPROCS over the time elapsed),
// as runtime/metrics estimates both.
type collector struct {
	cycles          uint64
	gcTime, allTime float64
}

func readCollector() collector {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"}}
	metrics.Read(s)
	var c collector
	if s[0].Value.Kind() == metrics.KindUint64 {
		c.cycles = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindFloat64 && s[2].Value.Kind() == metrics.KindFloat64 {
		c.gcTime, c.allTime = s[1].Value.Float64(), s[2].Value.Float64()
	}
	return c
}

// since is what the collector did between before and c.
func (c collector) since(before collector) collector {
	return collector{cycles: c.cycles - before.cycles, gcTime: c.gcTime - before.gcTime, allTime: c.allTime - before.allTime}
}

// share is the collector's share of the processors' time, 0 when none
// passed.
func (c collector) share() float64 {
	if c.allTime <= 0 {
		return 0
	}
	return min(1, max(0, c.gcTime/c.allTime))
}
