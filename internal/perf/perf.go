// Package perf measures meshc as a whole: benchmarks of the bare HCL parse
// (the floor), loading, compiling, each target's emission and a full CI
// run (check and build all three targets) on synthetic meshes of 1,000,
// 10,000 and 100,000 products, each reporting its time as a multiple of
// the floor measured in the same run. No timing is asserted anywhere.
//
//	make bench
//	go test ./internal/perf -run '^$' -bench . -benchmem -benchtime 1x
//
// MESHC_BENCH_SIZES=1000,10000 picks the sizes. benchtable (in this folder)
// turns the output into the table of docs/performance.md.
package perf

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Parse reads and parses every .hcl file under dir with hclsyntax alone,
// one after the other, dropping each syntax tree: the floor meshc's
// running times are measured against. It returns the bytes parsed.
func Parse(dir string) (int, error) {
	size := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".hcl") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, ds := hclsyntax.ParseConfig(src, p, hcl.InitialPos); ds.HasErrors() {
			return ds
		}
		size += len(src)
		return nil
	})
	return size, err
}

// Floor times Parse on dir: the best of runs, since the floor is a
// lower bound and noise only ever adds.
func Floor(dir string, runs int) (time.Duration, error) {
	best := time.Duration(0)
	for range max(runs, 1) {
		start := time.Now()
		if _, err := Parse(dir); err != nil {
			return 0, err
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	return best, nil
}
