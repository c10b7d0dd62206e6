package load

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshc/meshc/lang/ast"
)

// TestShapeOf checks which expressions have an ast.Shape, and what it is:
// every part must have one, and parentheses and "${x}" leave none of
// their own.
func TestShapeOf(t *testing.T) {
	attr := func(v, a string) ast.Shape { return ast.ShapeAttr{Variable: v, Attribute: a} }
	text := func(s string) ast.Shape { return ast.ShapeValue{Value: cty.StringVal(s)} }
	for _, c := range []struct {
		expr string
		want ast.Shape
	}{
		{`column.description`, attr("column", "description")},
		{`(column.description)`, attr("column", "description")},
		{`"${column.description}"`, attr("column", "description")},
		{`"pii"`, text("pii")},
		{`""`, text("")},
		{`2`, ast.ShapeValue{Value: cty.NumberIntVal(2)}},
		{`null`, ast.ShapeValue{Value: cty.NullVal(cty.DynamicPseudoType)}},
		{`!column.nullable`, ast.ShapeNot{X: attr("column", "nullable")}},
		{`column.classification != "pii" || length(column.tests) >= 2`, ast.ShapeOp{Op: "||",
			L: ast.ShapeOp{Op: "!=", L: attr("column", "classification"), R: text("pii")},
			R: ast.ShapeOp{Op: ">=", L: ast.ShapeCall{Name: "length", Args: []ast.Shape{attr("column", "tests")}}, R: ast.ShapeValue{Value: cty.NumberIntVal(2)}}}},
		{`matches(port.object_name, "[A-Z]+")`, ast.ShapeCall{Name: "matches", Args: []ast.Shape{attr("port", "object_name"), text("[A-Z]+")}}},
		{`upper()`, ast.ShapeCall{Name: "upper"}},
		// Parts of other shapes.
		{`"x-${column.name}"`, nil},
		{`column`, nil},
		{`column.tests[0]`, nil},
		{`product.sla.freshness`, nil},
		{`-column.index`, nil},
		{`column.index + 1 > 2`, nil},
		{`length(column.tests...) > 0`, nil},
		{`trimspace(column.tests[0])`, nil},
		{`column.nullable ? 1 : 2`, nil},
		{`[for t in column.tests : t]`, nil},
		{`["a"]`, nil},
	} {
		expr, ds := hclsyntax.ParseExpression([]byte(c.expr), "test.hcl", hcl.InitialPos)
		if ds.HasErrors() {
			t.Fatalf("%s: %v", c.expr, ds)
		}
		got := (&expression{expr: expr}).Shape()
		if diff := cmp.Diff(c.want, got, cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.expr, diff)
		}
	}
}
