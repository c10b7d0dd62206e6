package load

import (
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/meshc/meshc/lang/diag"
)

// budgetFuncs are enough functions for the tests of metering.
var budgetFuncs = map[string]function.Function{
	"upper": stdlib.UpperFunc, "split": stdlib.SplitFunc, "join": stdlib.JoinFunc, "length": stdlib.LengthFunc,
	"tonumber": stdlib.MakeToFunc(cty.Number), "flatten": stdlib.FlattenFunc,
	"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
}

var budgetVars = map[string]cty.Value{
	"product": cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("claims"),
		"tags": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("B")}),
		"sla":  cty.ObjectVal(map[string]cty.Value{"days": cty.NumberIntVal(7)}),
		"none": cty.NullVal(cty.String),
	}),
	"pairs": cty.TupleVal([]cty.Value{
		cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("x"), "v": cty.NumberIntVal(1)}),
		cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("x"), "v": cty.NumberIntVal(2)}),
	}),
}

func parsePolicyExpr(t *testing.T, src string) *expression {
	t.Helper()
	x, ds := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if ds.HasErrors() {
		t.Fatalf("%s: %v", src, ds)
	}
	return &expression{expr: x, refused: refuse(x), metered: meterCopy(x)}
}

// TestMeteredSyntaxEvaluatesAlike checks that the metered copy of every
// kind of syntax gives what the syntax as written gives, diagnostics
// included, and leaves the syntax as written as it was.
func TestMeteredSyntaxEvaluatesAlike(t *testing.T) {
	for _, src := range []string{
		`[for t in product.tags : upper(t) if t != "a"]`,
		`{for t in product.tags : t => length(t)}`,
		`{for p in pairs : p.k => p.v...}`,
		`[for i, t in product.tags : "${i}:${t}"]`,
		`"%{ for t in product.tags }<${upper(t)}>%{ endfor }%{ if product.name == "claims" }!%{ else }?%{ endif }"`,
		`<<EOT
  ${product.name} ${join(",", product.tags)}
EOT
`,
		`pairs[*].k`,
		`product.tags[*]`,
		`length(product.tags[*])`,
		`{a = 1, "b" = product.name, (product.name) = 2, "${product.name}x" = 3}`,
		`[for t in product.tags : {name = t, (t) = 1}]`,
		`product.sla.days * 2 + 1 - 3 / 4 % 5`,
		`-product.sla.days > -10 && !(product.name == "x")`,
		`product.name == "claims" ? upper(product.name) : product.tags[0]`,
		`try(product.missing, product.none, "fallback")`,
		`can(product.tags[5])`,
		`product.tags[1]`,
		`(product.tags)[0]`,
		`flatten([product.tags, ["c"]])`,
		`join("-", product.tags...)`,
		`length([for x in [for t in product.tags : upper(t)] : x])`,
		`[for t in product.tags : t][0]`,
		`product.nothing`,
		`upper(product.none)`,
		`tonumber("12") + 1`,
	} {
		e := parsePolicyExpr(t, src)
		ctx := &hcl.EvalContext{Variables: budgetVars, Functions: budgetFuncs}
		want, wantDs := e.expr.Value(ctx)
		got, gotDs := e.Evaluate(budgetVars, budgetFuncs)
		if !got.RawEquals(want) {
			t.Errorf("%s: metered gives %#v, as written %#v", src, got, want)
		}
		if len(gotDs) != len(wantDs) {
			t.Errorf("%s: metered gives %d diagnostics (%v), as written %d (%v)", src, len(gotDs), gotDs, len(wantDs), wantDs)
		}
		if vars := e.expr.Variables(); len(vars) == 0 && strings.Contains(src, "product") {
			t.Errorf("%s: the syntax as written lost its variables", src)
		}
	}
}

// TestBudgetIsPerEvaluation checks that evaluations in parallel each have
// the whole budget: one that makes nearly all of it, run many times at
// once, never fails.
func TestBudgetIsPerEvaluation(t *testing.T) {
	// 1,001 parts, each made 1,000 characters long: the work is charged
	// at about 4 MiB.
	big := `replace(replace(replace("a", "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa"), "a", "aaaaaaaaaa")`
	commas := `replace(replace(replace(",", ",", ",,,,,,,,,,"), ",", ",,,,,,,,,,"), ",", ",,,,,,,,,,")`
	src := `length([for x in split(",", ` + commas + `) : upper(` + big + `)])`
	funcs := map[string]function.Function{"replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc, "upper": stdlib.UpperFunc, "length": stdlib.LengthFunc}
	e := parsePolicyExpr(t, src)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				if v, ds := e.Evaluate(nil, funcs); ds.HasErrors() || !v.RawEquals(cty.NumberIntVal(1001)) {
					t.Errorf("got %#v, %s", v, summaries(ds))
				}
			}
		}()
	}
	wg.Wait()
	// Ten times the work is over the budget, every time.
	e = parsePolicyExpr(t, strings.Replace(src, commas, `replace(`+commas+`, ",", ",,,,,,,,,,")`, 1))
	for range 2 {
		if _, ds := e.Evaluate(nil, funcs); !ds.HasErrors() || ds[0].Summary != BudgetExceeded {
			t.Errorf("over the budget: got %s", summaries(ds))
		}
	}
}

func summaries(ds diag.Diagnostics) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.Summary+": "+d.Detail)
	}
	return strings.Join(s, "; ")
}

// TestMeterCopyOnlyWhatCanGrow checks that an expression with nothing
// that can grow is evaluated as written, without a metered copy.
func TestMeterCopyOnlyWhatCanGrow(t *testing.T) {
	for src, want := range map[string]bool{
		`product.name == "claims"`:       false,
		`"plain"`:                        false,
		`product.tags[0]`:                false,
		`!(product.deprecated || false)`: false,
		`"${product.name}-x"`:            true,
		`length(product.tags) > 0`:       true,
		`[for t in product.tags : t]`:    true,
		`product.tags[*]`:                true,
		`product.version + 1`:            true,
		`{ a = upper(product.name) }`:    true,
	} {
		if got := parsePolicyExpr(t, src).metered != nil; got != want {
			t.Errorf("%s: metered copy %v, want %v", src, got, want)
		}
	}
}
