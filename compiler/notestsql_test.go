package compiler_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/diag"
)

// TestNoTestSQL compiles each of the cache tests' meshes (the broken ones
// include a template that fails) with and without the tests' SQL: the
// diagnostics, the policy report and the plan but for the SQL must be
// the same, and no test may keep its SQL.
func TestNoTestSQL(t *testing.T) {
	for name, tree := range cacheMeshes(t) {
		show := func(noSQL bool) (string, *plan.Plan) {
			res, err := compiler.Compile(tree, compiler.Options{Today: meshtest.Today, NoTestSQL: noSQL})
			if err != nil {
				return "usage error: " + err.Error(), nil
			}
			var out bytes.Buffer
			diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
			compiler.WritePolicyReport(&out, res)
			return out.String(), res.Plan
		}
		want, full := show(false)
		got, bare := show(true)
		if got != want {
			t.Errorf("%s: without the tests' SQL, the compilation shows something else:\n%s", name, cmp.Diff(want, got))
		}
		if (full == nil) != (bare == nil) {
			t.Errorf("%s: a plan with the tests' SQL is %v, without it %v", name, full != nil, bare != nil)
			continue
		}
		if full == nil {
			continue
		}
		sql := 0
		for _, p := range bare.Products {
			for _, test := range p.Tests {
				if test.SQL != "" {
					t.Errorf("%s: test %s of %s kept its SQL", name, test.ID, p.ID)
				}
			}
		}
		for _, p := range full.Products {
			for _, test := range p.Tests {
				if test.SQL != "" {
					sql++
				}
				test.SQL = ""
			}
		}
		if diff := cmp.Diff(string(plan.Dump(full)), string(plan.Dump(bare))); diff != "" {
			t.Errorf("%s: the plans differ beyond the tests' SQL:\n%s", name, diff)
		}
		if name == "pharma" && sql == 0 {
			t.Errorf("%s: no test has SQL to leave out", name)
		}
	}
}
