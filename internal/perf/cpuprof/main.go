// Command cpuprof checks a mesh as meshc check does, without the cache,
// and writes a processor profile of it, for docs/performance.md: profiles
// of two mesh sizes, merged and compared function by function, show which
// work grows more than the mesh.
//
//	go run ./internal/perf/cpuprof -o /tmp/cpu10k.pprof /tmp/mesh10k
//	go tool pprof -top -cum /tmp/cpu10k.pprof
//
// It prints how long loading and each stage took, in elapsed time and in
// the process's processor time (user and system, which the collector's
// marking beside the stage is part of), and the processor time of the
// collection cli.AfterStage waits for, when it makes one.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/cli"
)

func main() {
	out := flag.String("o", "cpu.pprof", "the profile's file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cpuprof [-o FILE] MESH")
		os.Exit(2)
	}
	cli.TuneGC()
	f, err := os.Create(*out)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(1)
	}
	cpu := processorTime()
	trace := func(stage string, took time.Duration) {
		now := processorTime()
		fmt.Fprintf(os.Stderr, "%-12s %8.3f s %8.3f s processor\n", stage, took.Seconds(), (now - cpu).Seconds())
		start := time.Now()
		cli.AfterStage(stage)
		cpu = processorTime()
		if collected := cpu - now; collected > time.Millisecond {
			fmt.Fprintf(os.Stderr, "%-12s %8.3f s %8.3f s processor\n", "collection", time.Since(start).Seconds(), collected.Seconds())
		}
	}
	res, err := compiler.CompileDir(flag.Arg(0), compiler.Options{NoTestSQL: true, Trace: trace, Found: cli.ExpectFiles})
	pprof.StopCPUProfile()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "%d diagnostics\n", len(res.Diagnostics))
}

// processorTime is the user and system time the process has taken so far,
// 0 where it cannot be read.
func processorTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
