package plan

import (
	"slices"
	"testing"

	"github.com/meshc/meshc/lang/diag"
)

// TestSourceFilesBlueprints checks that a product's sources name the files
// of its blueprints and of its domain's, relative to the mesh root, each
// once: what they give (an owner, a description, tags, a layer) has no
// range of its own in the plan.
func TestSourceFilesBlueprints(t *testing.T) {
	at := diag.WholeFile
	p := &Plan{Prefix: "pm/", Range: at("pm/mesh.hcl")}
	dom := &Domain{Name: "d", Range: at("pm/d/domain.mesh.hcl"), BlueprintFiles: []string{"pm/platform/domains.mesh.hcl"}}
	tagged := []string{"pm/platform/blueprints.mesh.hcl", "pm/platform/base.mesh.hcl"}
	products := []*Product{
		{ID: "d.p", Domain: dom, Range: at("pm/d/p.mesh.hcl"), Schedule: Schedule{Range: at("pm/d/p.mesh.hcl")}, BlueprintFiles: tagged},
		{ID: "d.q", Domain: dom, Range: at("pm/d/q.mesh.hcl"), Schedule: Schedule{Range: at("pm/d/q.mesh.hcl")}, BlueprintFiles: tagged},
	}
	got := p.SourceFiles(nil, products)
	want := []string{"d/domain.mesh.hcl", "d/p.mesh.hcl", "d/q.mesh.hcl", "mesh.hcl", "platform/base.mesh.hcl", "platform/blueprints.mesh.hcl", "platform/domains.mesh.hcl"}
	if !slices.Equal(got, want) {
		t.Errorf("SourceFiles = %q, want %q", got, want)
	}
	if !slices.Equal(tagged, []string{"pm/platform/blueprints.mesh.hcl", "pm/platform/base.mesh.hcl"}) {
		t.Errorf("SourceFiles changed the products' shared list of blueprint files: %q", tagged)
	}
}
