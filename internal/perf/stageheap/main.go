// Command stageheap checks a mesh as meshc check does, without the cache,
// and writes a heap profile of what is live after each named stage (after
// a collection), for docs/performance.md:
//
//	go run ./internal/perf/stageheap -o /tmp/heap /tmp/mesh100k targets,resolve
//	go tool pprof -sample_index=inuse_space -top /tmp/heap.targets.pprof
//
// The profile after "targets" is the heap as resolve starts. It also
// prints, after every stage, the bytes allocated since the check began and
// the collections made, which the forced collections do not change.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/cli"
)

func main() {
	out := flag.String("o", "heap", "prefix of the profiles' names")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: stageheap [-o PREFIX] MESH STAGE,STAGE...")
		os.Exit(2)
	}
	stages := strings.Split(flag.Arg(1), ",")
	cli.TuneGC()
	var failed error
	forced := uint64(0)
	trace := func(stage string, took time.Duration) {
		s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/cycles/total:gc-cycles"}}
		metrics.Read(s)
		fmt.Fprintf(os.Stderr, "%-12s %6d MB allocated, %d collections\n", stage, s[0].Value.Uint64()>>20, s[1].Value.Uint64()-forced)
		if !slices.Contains(stages, stage) || failed != nil {
			return
		}
		runtime.GC()
		forced++
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(os.Stderr, "after %s: %d MB live\n", stage, ms.HeapAlloc>>20)
		f, err := os.Create(*out + "." + stage + ".pprof")
		if err == nil {
			err = pprof.Lookup("heap").WriteTo(f, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		failed = err
	}
	res, err := compiler.CompileDir(flag.Arg(0), compiler.Options{NoTestSQL: true, Trace: trace, Found: cli.ExpectFiles})
	if err == nil {
		err = failed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stageheap:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%d diagnostics\n", len(res.Diagnostics))
}
