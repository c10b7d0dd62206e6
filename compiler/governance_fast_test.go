package compiler

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// conditions decodes policy conditions as lang/load does, one policy on
// columns each: nil for a text that does not make exactly one such
// condition without an error.
func conditions(texts ...string) []ast.Expr {
	var src strings.Builder
	for i, text := range texts {
		fmt.Fprintf(&src, "policy \"p%d\" {\n  enforcement = \"advisory\"\n  on = \"column\"\n  assert = %s\n  message = \"m\"\n}\n", i, text)
	}
	fsys := fstest.MapFS{"mesh.hcl": {Data: []byte(`mesh "m" {}` + "\n")}, "policies.mesh.hcl": {Data: []byte(src.String())}}
	mesh, _, ds := load.Load(load.Tree{FS: fsys}, load.Tree{FS: fstest.MapFS{}, Stdlib: true})
	if mesh == nil || ds.HasErrors() || len(mesh.Policies) != len(texts) {
		return nil
	}
	out := make([]ast.Expr, len(texts))
	for i, p := range mesh.Policies {
		if p.Name != fmt.Sprint("p", i) || p.Assert == nil {
			return nil
		}
		out[i] = p.Assert
	}
	return out
}

// fastGrid is columns, with their ports and products, whose attributes
// take values of every kind the model gives: null, unknown, blank, padded,
// beyond ASCII, empty and unknown lists, and an object (an sla), null or
// not, which no text function takes.
var fastGrid = newFastGrid()

type grid struct {
	need    map[string]*projection
	columns []*govObject
	fns     map[string]function.Function
}

func newFastGrid() *grid {
	g := &grid{need: map[string]*projection{
		"column":  {attrs: []string{"classification", "description", "masking", "nullable", "read_cross_domain", "readers", "tests"}},
		"port":    {attrs: []string{"object_name", "visibility"}},
		"product": {attrs: []string{"layer", "name", "sla"}},
	}, fns: (&compiler{}).policyFunctions()}
	texts := []cty.Value{cty.NullVal(cty.String), cty.UnknownVal(cty.String), cty.StringVal(""), cty.StringVal("  "),
		cty.StringVal("x"), cty.StringVal(" x "), cty.StringVal("pii"), cty.StringVal("é"), cty.StringVal(" é ")}
	names := []cty.Value{cty.NullVal(cty.String), cty.StringVal("ORDER_LINES"), cty.StringVal("orders"), cty.StringVal("public"), cty.StringVal("internal")}
	flags := []cty.Value{cty.True, cty.False, cty.UnknownVal(cty.Bool)}
	lists := []cty.Value{cty.ListValEmpty(cty.String), cty.ListVal([]cty.Value{cty.StringVal("a")}),
		cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), cty.UnknownVal(strList)}
	for l, layer := range names {
		sla := cty.NullVal(slaObject)
		if l%2 == 1 {
			sla = cty.ObjectVal(map[string]cty.Value{"freshness": cty.StringVal("1d"), "freshness_seconds": cty.NumberIntVal(86400)})
		}
		for k, name := range names {
			product := &govObject{kind: "product", attrs: []cty.Value{layer, names[(l+k)%len(names)], sla}}
			port := &govObject{kind: "port", parent: product, attrs: []cty.Value{name, names[(k+2)%len(names)]}}
			for i, text := range texts {
				for j, flag := range flags {
					g.columns = append(g.columns, &govObject{kind: "column", parent: port, attrs: []cty.Value{
						texts[(i+j)%len(texts)], text, texts[(i+2*j+1)%len(texts)],
						flag, flags[(i+j+1)%len(flags)], lists[(i+1)%len(lists)], lists[(i+j)%len(lists)]}})
				}
			}
		}
	}
	return g
}

// agree checks that wherever fast answers for a column of the grid, HCL
// answers the same, without a diagnostic, and returns how many it answered.
func (g *grid) agree(t *testing.T, text string, expr ast.Expr, fast fastExpr) int {
	t.Helper()
	answered := 0
	for _, column := range g.columns {
		got, ok := fast.value(column)
		if !ok {
			continue
		}
		answered++
		vars := map[string]cty.Value{}
		for o := column; o != nil; o = o.parent {
			vars[o.kind] = objectValue(g.need[o.kind].attrs, o.attrs)
		}
		want, ds := expr.Evaluate(vars, g.fns)
		at := fmt.Sprintf("%s with column %v, port %v, product %v", text, column.attrs, column.parent.attrs, column.parent.parent.attrs)
		switch {
		case ds.HasErrors():
			t.Errorf("%s: the fast path answers %+v, HCL fails: %v", at, got, ds)
		case !sameValue(got, want):
			t.Errorf("%s: the fast path answers %+v, HCL %#v", at, got, want)
		}
	}
	return answered
}

// FuzzFastAgreesWithHCL checks the fast path against HCL on expressions of
// any shape, over the grid's columns.
func FuzzFastAgreesWithHCL(f *testing.F) {
	for _, seed := range []string{
		`column.description != null && trimspace(column.description) != ""`,
		`!(column.classification == "pii") || length(column.tests) >= 2`,
		`matches(port.object_name, "[A-Z_]+") && product.sla == null`,
		`"${column.masking}" != port.visibility || 1 < 2`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		exprs := conditions(text)
		if exprs == nil {
			return
		}
		if fast := compileFast(exprs[0], "column", fastGrid.need); fast != nil {
			fastGrid.agree(t, text, exprs[0], fast)
		}
	})
}

// TestFastAgreesWithHCL judges conditions of every shape the fast path
// compiles, and some it must give up on, for columns whose attributes
// (and whose port's and product's) take values of every kind the model
// gives: null, unknown, blank, padded, beyond ASCII, empty and unknown
// lists. Wherever the fast path answers, HCL must answer the same,
// without a diagnostic.
func TestFastAgreesWithHCL(t *testing.T) {
	cases := []struct {
		expr     string
		compiled bool // whether compileFast takes it
	}{
		{`column.description != null && trimspace(column.description) != ""`, true},
		{`column.classification == "pii"`, true},
		{`column.masking != null || port.visibility == "internal"`, true},
		{`!column.nullable`, true},
		{`column.nullable == true`, true},
		{`column.nullable == "true"`, true},
		{`length(column.tests) > 0`, true},
		{`length(column.tests) >= 2`, true},
		{`length(column.tests) < 1`, true},
		{`length(column.tests) <= 0`, true},
		{`length(column.description) > 0`, true},
		{`matches(port.object_name, "[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")`, true},
		{`matches(column.description, "x.*")`, true},
		{`(column.read_cross_domain)`, true},
		{`"${column.classification}" == "pii"`, true},
		{`column.classification == null`, true},
		{`null == null`, true},
		{`product.layer != "raw" && column.read_cross_domain`, true},
		{`column.read_cross_domain || trimspace(column.description) == ""`, true},
		{`trimspace(column.description) == "x"`, true},
		{`column.description == "é"`, true},
		{`1 > 0 && true`, true},
		{`!(column.classification == "pii")`, true},
		{`column.tests == column.readers`, true},
		{`column.nullable && column.description`, true},
		{`matches(port.object_name, "[")`, false},
		{`column.classification == "${port.visibility}-x"`, false},
		{`upper(column.classification) == "PII"`, false},
		{`mesh.name == "m"`, false},
		{`column.unknown_attribute == "x"`, false},
		{`1.5 > 1`, false},
		{`matches(port.object_name, "a)|(b")`, false},
		{`product.sla != null`, true},
		{`product.sla == null || column.nullable`, true},
		{`matches(product.sla, "x")`, true},
		{`product.name == "nope" || matches(product.sla, "x")`, true},
	}
	var texts []string
	for _, c := range cases {
		texts = append(texts, c.expr)
	}
	exprs := conditions(texts...)
	if exprs == nil {
		for _, text := range texts {
			if conditions(text) == nil {
				t.Errorf("%s does not load as a condition", text)
			}
		}
		t.Fatal("the conditions do not load")
	}
	answered := 0
	for i, c := range cases {
		expr := exprs[i]
		fast := compileFast(expr, "column", fastGrid.need)
		if (fast != nil) != c.compiled {
			t.Errorf("%s: compiled is %v, want %v", c.expr, fast != nil, c.compiled)
		}
		if fast != nil {
			answered += fastGrid.agree(t, c.expr, expr, fast)
		}
	}
	if answered == 0 {
		t.Fatal("the fast path answered nothing")
	}
}

// sameValue reports whether a fast value is HCL's, which must be known
// (where the fast path answers, no part of HCL's value is unknown).
func sameValue(v fastValue, hv cty.Value) bool {
	if !hv.IsWhollyKnown() || v.kind == fastNull || hv.IsNull() {
		return hv.IsKnown() && v.kind == fastNull && hv.IsNull()
	}
	switch v.kind {
	case fastList:
		return hv.Type().IsListType() && hv.LengthInt() == int(v.n)
	case fastBool:
		return hv.Type() == cty.Bool && hv.True() == v.b
	case fastString:
		return hv.Type() == cty.String && hv.AsString() == v.s
	case fastNumber:
		return hv.Type() == cty.Number && hv.Equals(cty.NumberIntVal(v.n)).True()
	}
	return false
}

// TestReaders checks the readers of every column and source of a mesh, as
// policies see them, against those worked out from the plan's inputs: the
// products that read each column, once each, in product order.
func TestReaders(t *testing.T) {
	fsys := synth.Mesh(600)
	// Without the baseline, whose conditions read columns: the test's
	// own read none, and their messages must still list readers.
	root := string(fsys["mesh.hcl"].Data)
	if !strings.Contains(root, `policy_sets = ["baseline"]`) {
		t.Fatal("the synthetic mesh no longer opts into the baseline; this test must drop it another way")
	}
	fsys["mesh.hcl"] = &fstest.MapFile{Data: []byte(strings.Replace(root, `policy_sets = ["baseline"]`, "", 1))}
	fsys["governance/readers.mesh.hcl"] = &fstest.MapFile{Data: []byte(`
policy "column_readers" {
  enforcement = "advisory"
  on          = "column"
  assert      = false
  message     = "${join(",", column.readers)} | ${join(",", column.reader_domains)} | ${column.read_cross_domain}"
}

policy "source_readers" {
  enforcement = "advisory"
  on          = "source"
  assert      = false
  message     = "${join(",", source.readers)}"
}
`)}
	res, err := Compile(load.Tree{FS: fsys}, Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil || res.Plan == nil {
		t.Fatalf("the mesh does not compile: %v %v", err, res.Diagnostics)
	}
	readers := map[*plan.Column][]*plan.Product{}
	for _, p := range res.Plan.Products {
		for _, in := range p.Inputs {
			for _, col := range in.Columns {
				if r := readers[col]; len(r) == 0 || r[len(r)-1] != p {
					readers[col] = append(r, p)
				}
			}
		}
	}
	want := map[string]string{}
	for _, p := range res.Plan.Products {
		for _, port := range p.Ports {
			for _, col := range port.Columns {
				r := readers[col]
				cross := slices.ContainsFunc(r, func(q *plan.Product) bool { return q.Domain != p.Domain })
				want["column "+port.ID+"."+col.Name] = sentence(strings.TrimSpace(fmt.Sprintf("%s | %s | %v",
					strings.Join(sortedSet(ids(r, productID)), ","), strings.Join(sortedSet(ids(r, productDomain)), ","), cross)))
			}
		}
	}
	for _, src := range res.Plan.Sources {
		var by []string
		for _, col := range src.Columns {
			by = append(by, ids(readers[col], productID)...)
		}
		want["source "+src.ID] = sentence(strings.Join(sortedSet(by), ","))
	}
	got := map[string]string{}
	for _, o := range res.Policies {
		for _, v := range o.Violations {
			got[v.Kind+" "+v.ID] = v.Message
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readers (-from the plan +as policies see them):\n%s", diff)
	}
	if len(readers) == 0 {
		t.Fatal("no column of the mesh is read")
	}
}

// TestWholeText checks that a pattern matches whole texts only, and that
// one that would break out of the wrapping is refused.
func TestWholeText(t *testing.T) {
	if _, err := wholeText("a)|(b"); err == nil {
		t.Error(`wholeText("a)|(b") compiles; it would match any text starting with a`)
	}
	for pattern, texts := range map[string]map[string]bool{
		"A|B":           {"A": true, "B": true, "AB": false, "xA": false, "": false},
		`\QP.Q)$`:       {"P.Q)$": true, "PxQ)$": false, "P.Q": false},
		`\QA\E|B`:       {"A": true, "B": true, "AB": false},
		"(?i)ab":        {"AB": true, "ab": true, "abc": false},
		"(?m)^a$":       {"a": true, "a\nb": false},
		"[A-Z][A-Z_]*$": {"AB_C": true, "AB\n": false},
	} {
		re, err := wholeText(pattern)
		if err != nil {
			t.Errorf("wholeText(%q): %v", pattern, err)
			continue
		}
		for text, want := range texts {
			if re.MatchString(text) != want {
				t.Errorf("%s matches %q: %v, want %v", pattern, text, !want, want)
			}
		}
	}
}

// TestColumnIndex checks where columnIndex finds columns, among a narrow
// port's and a wide one's.
func TestColumnIndex(t *testing.T) {
	for _, n := range []int{1, 16, 17, 200} {
		cols := make([]*plan.Column, n)
		for i := range cols {
			cols[i] = &plan.Column{Name: fmt.Sprint("c", i)}
		}
		at := columnIndex(cols)
		for i, col := range cols {
			if got := at(col); got != i {
				t.Errorf("%d columns: column %d found at %d", n, i, got)
			}
		}
		if got := at(&plan.Column{Name: "c0"}); got != -1 {
			t.Errorf("%d columns: another port's column found at %d", n, got)
		}
	}
}
