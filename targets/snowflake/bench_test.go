package snowflake_test

import (
	"fmt"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/targets/snowflake"
)

// BenchmarkBuild compiles synthetic meshes (internal/synth) and measures
// the target's emission alone, with allocations. It asserts no timing.
//
//	go test ./targets/snowflake -run '^$' -bench Build -benchmem
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		p := meshtest.Synthetic(b, n)
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				files, ds := snowflake.Build(p, snowflake.Options{})
				if ds.HasErrors() {
					b.Fatalf("build: %v", ds)
				}
				output.Rendered(files) // as writing them does
			}
		})
	}
}
