package load

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// template is a test kind's SQL template: an HCL template expression kept
// as syntax so that the compiler can render it once per test, with the
// test's table, column and arguments already quoted for SQL.
type template struct {
	expr hcl.Expression
}

// templateFunctions are the functions a SQL template may call. They work on
// text only; quoting is done before values reach the template.
var templateFunctions = map[string]function.Function{
	"join":    stdlib.JoinFunc,
	"upper":   stdlib.UpperFunc,
	"lower":   stdlib.LowerFunc,
	"format":  stdlib.FormatFunc,
	"replace": stdlib.ReplaceFunc,
	"trim":    stdlib.TrimSpaceFunc,
}

func (t *template) Render(vars map[string]cty.Value) (string, error) {
	v, hds := t.expr.Value(&hcl.EvalContext{Variables: vars, Functions: templateFunctions})
	if hds.HasErrors() {
		var msgs []string
		for _, d := range hds {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
		return "", fmt.Errorf("%s", strings.Join(msgs, "; "))
	}
	if v.IsNull() || !v.IsWhollyKnown() || v.Type() != cty.String {
		return "", fmt.Errorf("the template must produce a string")
	}
	return v.AsString(), nil
}

func (t *template) Variables() []ast.RefPart {
	var out []ast.RefPart
	for _, trav := range t.expr.Variables() {
		out = append(out, ast.RefPart{Name: trav.RootName(), Range: rng(trav.SourceRange())})
	}
	return out
}

func (t *template) Range() diag.Range { return rng(t.expr.Range()) }
