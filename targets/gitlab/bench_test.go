package gitlab_test

import (
	"fmt"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/gitlab"
)

// BenchmarkBuild compiles synthetic meshes (internal/synth) and measures
// the target's emission alone, with allocations, one pipeline per domain
// (GitLab allows 1000 child pipelines). It asserts no timing.
//
//	go test ./targets/gitlab -run '^$' -bench Build -benchmem
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		p := meshtest.Synthetic(b, n)
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ds := gitlab.Build(p, gitlab.Options{OutDir: "gen/gitlab", Granularity: "domain", JobLimit: 1_000_000}); ds.HasErrors() {
					b.Fatalf("build: %s: %s", ds[0].Summary, ds[0].Detail)
				}
			}
		})
	}
}
