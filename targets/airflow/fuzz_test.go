package airflow_test

import (
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/airflow"
)

// FuzzBuild builds arbitrary meshes, given as txtar archives of their
// files and seeded with the cases and the example, for both Airflow
// versions: a build must not panic, must be deterministic and must write
// only its own files at clean paths. (TestCases and TestHostile read the
// Python back; here Python would be too slow.)
//
//	go test ./targets/airflow -run '^$' -fuzz FuzzBuild -fuzztime 5m -fuzzminimizetime 50x
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
		for _, version := range []int{3, 2} {
			meshtest.CheckBuild(t, airflow.Owner(p), func() ([]output.File, diag.Diagnostics) {
				return airflow.Build(p, airflow.Options{Version: version})
			})
		}
	})
}
