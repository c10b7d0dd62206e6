package load_test

import (
	"fmt"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// TestKeptExpressionsSurvive loads, on one goroutine, a file whose policy
// and test kind keep plain expressions (which parseFast takes: literals,
// strings, a call, a list and references), one that only HCL's parser
// reads, and then files whose expressions reuse what the first handed
// out, unless the decoder said it keeps them (scratch.keep), and that
// are read into the buffers of the files before them (scratch.source):
// the policies, the test kind and the products must still say what their
// files say.
func TestKeptExpressionsSurvive(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	fsys := fstest.MapFS{
		"mesh.hcl": {Data: []byte("mesh \"m\" {}\n")},
		"governance/kept.mesh.hcl": {Data: []byte(`policy "plain" {
  enforcement = "advisory"
  on          = "product"
  when        = true
  assert      = contains(["kept", "list"], each.name)
  message     = "the policy's own words"
}

test_kind "plain" {
  on  = "port"
  sql = "SELECT 'the test kind''s own query'"
}
`)},
		// A template, which only HCL's own parser reads.
		"governance/parsed.mesh.hcl": {Data: []byte(`policy "parsed" {
  enforcement = "advisory"
  on          = "product"
  assert      = true
  message     = "${each.name} has the policy's own words"
}
`)},
	}
	fsys["z/domain.mesh.hcl"] = &fstest.MapFile{Data: []byte("domain \"z\" {}\n")}
	for i := range 20 { // after governance/, in the order files are read
		fsys[fmt.Sprintf("z/p%d.mesh.hcl", i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(`product "p%d" {
  description = "not the policy's words %d"
  owner       = "owner%d@example.com"
  input "s" { from = domain.x.product.y.port.z }
  step "build" {
    run = runner.sql
    sql = "SELECT %d"
  }
}
`, i, i, i, i))}
	}
	mesh, _, _ := load.Load(load.Tree{FS: fsys}, load.Tree{FS: fstest.MapFS{}, Stdlib: true})
	if mesh == nil {
		t.Fatal("the mesh did not load")
	}
	var found int
	for _, p := range mesh.Policies {
		if p.Name != "plain" {
			continue
		}
		found++
		check := func(what string, want cty.Value, got cty.Value) {
			t.Helper()
			if !got.RawEquals(want) {
				t.Errorf("the policy's %s is %#v, want %#v", what, got, want)
			}
		}
		when, _ := p.When.Evaluate(nil, nil)
		message, _ := p.Message.Evaluate(nil, nil)
		check("when", cty.True, when)
		check("message", cty.StringVal("the policy's own words"), message)
		funcs := map[string]function.Function{"contains": stdlib.ContainsFunc}
		for name, want := range map[string]cty.Value{"kept": cty.True, "other": cty.False} {
			assert, ds := p.Assert.Evaluate(map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name)})}, funcs)
			if ds.HasErrors() {
				t.Fatalf("the policy's assert: %v", ds)
			}
			check("assert for "+name, want, assert)
		}
	}
	for _, k := range mesh.TestKinds {
		if k.Name != "plain" {
			continue
		}
		found++
		if sql, err := k.SQL.Render(nil); err != nil || sql != "SELECT 'the test kind''s own query'" {
			t.Errorf("the test kind's SQL is %q (%v)", sql, err)
		}
	}
	for _, p := range mesh.Policies {
		if p.Name != "parsed" {
			continue
		}
		found++
		message, ds := p.Message.Evaluate(map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("p")})}, nil)
		if want := cty.StringVal("p has the policy's own words"); ds.HasErrors() || !message.RawEquals(want) {
			t.Errorf("the parsed policy's message is %#v (%v), want %#v", message, ds, want)
		}
	}
	if found != 3 {
		t.Fatalf("found %d of the two policies and the test kind", found)
	}
	// Files are read into the buffers of those decoded before them: what
	// each decoded is its own.
	var products []*ast.Product
	for _, d := range mesh.Domains {
		products = append(products, d.Products...)
	}
	if len(products) != 20 {
		t.Fatalf("loaded %d products, want 20", len(products))
	}
	for _, p := range products {
		var i int
		if _, err := fmt.Sscanf(p.Name, "p%d", &i); err != nil {
			t.Fatalf("product %q", p.Name)
		}
		if want := fmt.Sprintf("not the policy's words %d", i); p.Description.V != want {
			t.Errorf("product %s's description is %q, want %q", p.Name, p.Description.V, want)
		}
		if want := fmt.Sprintf("owner%d@example.com", i); p.Owner.V != want {
			t.Errorf("product %s's owner is %q, want %q", p.Name, p.Owner.V, want)
		}
	}
}
