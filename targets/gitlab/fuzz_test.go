package gitlab_test

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/gitlab"
)

// FuzzBuild builds arbitrary meshes, given as txtar archives of their
// files and seeded with the cases and the example, in both granularities.
// Whatever the mesh, a build must not panic, must be deterministic, must
// write only clean relative paths, each file marked as generated, and
// every YAML file must parse with no scalar read as anything but a string
// except those meshc writes.
//
//	go test ./targets/gitlab -run '^$' -fuzz FuzzBuild -fuzztime 5m -fuzzminimizetime 50x
//
// Its seeds are whole meshes, and Go minimizes each new input for up to a
// minute by default: without -fuzzminimizetime, the fuzzer spends its time
// minimizing and tries about a dozen inputs a minute (make fuzz sets 50x).
func FuzzBuild(f *testing.F) {
	meshtest.FuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := meshtest.FuzzPlan(data)
		if p == nil {
			return
		}
		for _, granularity := range []string{"product", "domain"} {
			opts := gitlab.Options{OutDir: "gen", Granularity: granularity}
			files := meshtest.CheckBuild(t, gitlab.Owner(p), func() ([]output.File, diag.Diagnostics) { return gitlab.Build(p, opts) })
			for _, f := range files {
				if !strings.HasSuffix(f.Path, ".yml") {
					continue
				}
				var n yaml.Node
				if err := yaml.Unmarshal(f.Contents(), &n); err != nil {
					t.Fatalf("%s does not parse: %v\n%s", f.Path, err, f.Contents())
				}
				checkTags(t, f.Path, &n)
			}
		}
	})
}
