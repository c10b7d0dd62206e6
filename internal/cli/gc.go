package cli

import (
	"os"
	"runtime/debug"
)

// TuneGC trades memory for speed, unless GOGC or GOMEMLIMIT say
// otherwise. meshc is a short-lived process whose heap only grows while
// it loads a mesh (the decoded mesh stays live to the end), so collecting
// at every doubling of the heap spends a third of a large mesh's time
// marking the same objects again. Collecting at every quadrupling instead,
// with a soft limit that makes the collector work harder past 1.5 GiB,
// keeps large meshes within 2 GiB (docs/performance.md). The command
// calls it first thing; benchmarks call it too, to measure what users run.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1536 << 20)
	}
}
