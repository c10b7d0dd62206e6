package gitlab_test

import (
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/gitlab"
)

// TestPreviousBuildReadsSchedules checks that PreviousBuild reads back,
// from the schedules.json a build writes, the build's mesh and
// environment, and nothing from a file without its prefix.
func TestPreviousBuildReadsSchedules(t *testing.T) {
	for _, env := range []string{"", "dev"} {
		p := meshtest.Pharma(t, env)
		var data []byte
		for _, f := range build(t, p, gitlab.Options{OutDir: "gen/gitlab"}) {
			if f.Path == gitlab.SchedulesFile {
				data = f.Data
			}
		}
		if data == nil {
			t.Fatalf("the build writes no %s", gitlab.SchedulesFile)
		}
		mesh, got, ok := gitlab.PreviousBuild(data)
		if !ok || mesh != p.Name || got != p.Environment.Name {
			t.Errorf("PreviousBuild = %q, %q, %v; want %q, %q, true", mesh, got, ok, p.Name, p.Environment.Name)
		}
	}
	for _, data := range []string{"", "{}", `{"description_prefix": "meshc m: "}`, `{"description_prefix": "meshc m prod"}`} {
		if mesh, env, ok := gitlab.PreviousBuild([]byte(data)); ok {
			t.Errorf("PreviousBuild(%s) = %q, %q, true; want none", data, mesh, env)
		}
	}
}
