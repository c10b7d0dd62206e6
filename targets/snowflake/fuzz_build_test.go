package snowflake_test

import (
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/snowflake"
)

// FuzzBuild builds arbitrary meshes, given as txtar archives of their
// files and seeded with the cases and the example: a build must not panic,
// must be deterministic, must write only its own files at clean paths, and
// every statement of its scripts must be one of the kinds meshc writes, so
// that no string of the mesh adds a statement.
//
//	go test ./targets/snowflake -run '^$' -fuzz FuzzBuild -fuzztime 5m -fuzzminimizetime 50x
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
		files := meshtest.CheckBuild(t, snowflake.Owner(p), func() ([]output.File, diag.Diagnostics) { return snowflake.Build(p, snowflake.Options{}) })
		readBack(t, files)
	})
}
