// Command stageheap checks a mesh as meshc check does, without the cache,
// and writes a heap profile of what is live after each named stage (after
// a collection), for docs/performance.md:
//
//	go run ./internal/perf/stageheap -o /tmp/heap /tmp/mesh100k targets,resolve
//	go tool pprof -sample_index=inuse_space -top /tmp/heap.targets.pprof
//
// The profile after "targets" is the heap as resolve starts.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
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
	trace := func(stage string, took time.Duration) {
		if !slices.Contains(stages, stage) || failed != nil {
			return
		}
		runtime.GC()
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
	res, err := compiler.CompileDir(flag.Arg(0), compiler.Options{NoTestSQL: true, Trace: trace})
	if err == nil {
		err = failed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stageheap:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%d diagnostics\n", len(res.Diagnostics))
}
