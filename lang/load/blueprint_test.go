package load_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/load"
)

// TestBlueprintMerge checks the merge rules of docs/language.md,
// "Blueprints": the object's values win over its blueprint's, a blueprint's
// over the one it extends; tags are a union, farthest blueprint first;
// steps and tests are merged by name; schedule and sla are replaced whole;
// every value keeps the range it was written at.
func TestBlueprintMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"mesh.hcl": {Data: []byte(`mesh "m" {}
environment "prod" { database = "DB" }
`)},
		"platform/blueprints.mesh.hcl": {Data: []byte(`blueprint "base" {
  for   = "product"
  owner = "base@example.com"
  tags  = ["a", "b"]
  step "build" {
    run = runner.sql
    sql = "select 'base'"
  }
  test "rows" {
    check = row_count(1)
  }
  sla { freshness = "7d" }
}

blueprint "mastered" {
  for         = "product"
  extends     = blueprint.base
  description = "from mastered"
  tags        = ["c"]
  step "publish" {
    run   = runner.sql
    sql   = "select 'publish'"
    after = [step.build]
  }
  schedule { cadence = "daily" }
}

blueprint "mastered_domain" {
  for   = "domain"
  owner = "mdm@example.com"
  layer = "mastered"
}
`)},
		"a/domain.mesh.hcl": {Data: []byte(`domain "a" {
  extends = blueprint.mastered_domain
  layer   = "raw"
}

product "p" {
  extends = blueprint.mastered
  version = "1.0.0"
  tags    = ["b", "d"]
  step "build" {
    run = runner.sql
    sql = "select 'own'"
  }
  sla { freshness = "1d" }
}
`)},
	}
	m, _, ds := load.Load(load.Tree{FS: fsys}, load.Tree{})
	if len(ds) > 0 {
		t.Fatalf("unexpected diagnostics: %v", ds)
	}
	d := m.Domains[0]
	p := d.Products[0]
	const bpFile, own = "platform/blueprints.mesh.hcl", "a/domain.mesh.hcl"
	type value struct{ V, File string }
	str := func(s ast.String) value { return value{s.V, s.Range.Filename()} }
	var tags []value
	for _, tag := range p.Tags.V {
		tags = append(tags, str(tag))
	}
	var steps []value
	for _, s := range p.Steps {
		steps = append(steps, value{s.Name, s.DeclRange.Filename()})
	}
	got := map[string]any{
		"domain owner":   str(d.Owner),
		"domain layer":   str(d.Layer),
		"domain chain":   d.Blueprints,
		"chain":          p.Blueprints,
		"owner":          str(p.Owner),
		"description":    str(p.Description),
		"version":        str(p.Version),
		"tags":           tags,
		"steps":          steps,
		"test":           value{p.Tests[0].Written().Name.V, p.Tests[0].DeclRange.Filename()},
		"schedule":       str(p.Schedule.Cadence),
		"sla":            str(p.SLA.Freshness),
		"blueprints":     len(m.Blueprints),
		"blueprint tags": len(m.Blueprints[1].Product.Tags.V),
	}
	want := map[string]any{
		"domain owner":   value{"mdm@example.com", bpFile},
		"domain layer":   value{"raw", own},
		"domain chain":   []string{"mastered_domain"},
		"chain":          []string{"mastered", "base"},
		"owner":          value{"base@example.com", bpFile},
		"description":    value{"from mastered", bpFile},
		"version":        value{"1.0.0", own},
		"tags":           []value{{"a", bpFile}, {"c", bpFile}, {"b", own}, {"d", own}},
		"steps":          []value{{"publish", bpFile}, {"build", own}},
		"test":           value{"rows", bpFile},
		"schedule":       value{"daily", bpFile},
		"sla":            value{"1d", own},
		"blueprints":     3,
		"blueprint tags": 1, // merging never changes a blueprint
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged product (-want +got):\n%s", diff)
	}
}

// TestBlueprintTagOrder checks that a tag several blueprints of a chain
// list goes where the farthest puts it, and one the product lists where
// the product does.
func TestBlueprintTagOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"mesh.hcl": {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" { database = \"DB\" }\n")},
		"platform/blueprints.mesh.hcl": {Data: []byte(`blueprint "standard" {
  for  = "product"
  tags = ["a", "b", "y"]
}

blueprint "mastered" {
  for     = "product"
  extends = blueprint.standard
  tags    = ["b", "a", "c"]
}
`)},
		"a/domain.mesh.hcl": {Data: []byte(`domain "a" {
  owner = "a@example.com"
}

product "p" {
  extends = blueprint.mastered
  version = "1.0.0"
  tags    = ["z", "y"]
}
`)},
	}
	m, _, ds := load.Load(load.Tree{FS: fsys}, load.Tree{})
	if len(ds) > 0 {
		t.Fatalf("unexpected diagnostics: %v", ds)
	}
	var got []string
	for _, tag := range m.Domains[0].Products[0].Tags.V {
		got = append(got, tag.V)
	}
	if want := "a b c z y"; strings.Join(got, " ") != want {
		t.Errorf("tags %v, want %s", got, want)
	}
}
