package snowflake_test

import (
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/snowflake"
)

// TestPreviousBuildReadsMarker checks that PreviousBuild reads back, from
// the retired-graphs script a build writes, the build's mesh and
// environment, and nothing from a file without its marker.
func TestPreviousBuildReadsMarker(t *testing.T) {
	for _, env := range []string{"", "dev"} {
		p := meshtest.Pharma(t, env)
		var data []byte
		for _, f := range build(t, p) {
			if f.Path == snowflake.RetiredGraphs {
				data = f.Data
			}
		}
		if data == nil {
			t.Fatalf("the build writes no %s", snowflake.RetiredGraphs)
		}
		mesh, got, ok := snowflake.PreviousBuild(data)
		if !ok || mesh != p.Name || got != p.Environment.Name {
			t.Errorf("PreviousBuild = %q, %q, %v; want %q, %q, true", mesh, got, ok, p.Name, p.Environment.Name)
		}
	}
	for _, data := range []string{"", "-- no marker\n", "[meshc m] ", "[meshc m/prod]"} {
		if mesh, env, ok := snowflake.PreviousBuild([]byte(data)); ok {
			t.Errorf("PreviousBuild(%q) = %q, %q, true; want none", data, mesh, env)
		}
	}
}
