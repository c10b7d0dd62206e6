package cli

import (
	"os"
	"runtime/debug"
)

// TuneGC trades memory for speed, unless GOGC says otherwise. meshc is a
// short-lived process whose heap only grows while it loads a mesh (the
// decoded mesh stays live to the end), so collecting at every doubling of
// the heap spends a third of a large mesh's time marking the same objects
// again; collecting at every tripling spends a fifth
// (docs/performance.md). GOMEMLIMIT, when set, still caps the heap. The
// command calls it first thing; benchmarks call it too, to measure what
// users run.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}
