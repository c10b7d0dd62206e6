// Command floor times the parse floor of a mesh as a process: reading and
// parsing every .hcl file under a folder with hclsyntax alone, one after
// the other, which is what meshc's times are measured against
// (docs/performance.md):
//
//	go run ./internal/perf/floor /tmp/mesh10k
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/meshc/meshc/internal/perf"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor DIR")
		os.Exit(2)
	}
	start := time.Now()
	size, err := perf.Parse(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "floor: %v\n", err)
		os.Exit(1)
	}
	took := time.Since(start)
	fmt.Printf("%s: %.1f MB parsed in %.2f s (%.1f MB/s)\n", os.Args[1], float64(size)/1e6, took.Seconds(), float64(size)/1e6/took.Seconds())
}
