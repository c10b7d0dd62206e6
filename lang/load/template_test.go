package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// templateOf parses src as a test kind's sql attribute's value.
func templateOf(t testing.TB, src string) (*template, bool) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "kind.mesh.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, false
	}
	return &template{file: diag.NewFile("kind.mesh.hcl", []byte(src)), expr: expr}, true
}

// sameAsHCL checks that a template renders with its plan as HCL renders
// it alone, and that AppendRender appends what Render returns.
func sameAsHCL(t *testing.T, tmpl *template, vars map[string]cty.Value) {
	t.Helper()
	want, wantErr := tmpl.renderHCL(vars)
	got, err := tmpl.Render(vars)
	if got != want || (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Errorf("Render(%#v) = %q, %v; HCL gives %q, %v", vars, got, err, want, wantErr)
	}
	buf := []byte("kept")
	appended, appendErr := tmpl.AppendRender(buf, vars)
	if err == nil && string(appended) != "kept"+got || (appendErr == nil) != (err == nil) || (appendErr != nil && appendErr.Error() != err.Error()) {
		t.Errorf("AppendRender(%q, %#v) = %q, %v; Render gives %q, %v", buf, vars, appended, appendErr, got, err)
	}
}

var templateVars = []map[string]cty.Value{
	nil,
	{"table": cty.StringVal(`"DB"."S"."T"`), "column": cty.StringVal(`"ID"`), "column_type": cty.StringVal("number"), "values": cty.ListVal([]cty.Value{cty.StringVal("'a'"), cty.StringVal("'b'")})},
	{"table": cty.StringVal("T"), "column": cty.NullVal(cty.String), "column_type": cty.NullVal(cty.String)},
	{"table": cty.StringVal("T"), "column": cty.UnknownVal(cty.String)},
	{"table": cty.NumberIntVal(7), "column": cty.True, "values": cty.ListValEmpty(cty.String)},
	{"table": cty.StringVal("e"), "column": cty.StringVal("\u0301x"), "values": cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberIntVal(1)})},
}

func TestTemplateAsHCL(t *testing.T) {
	for _, src := range []string{
		`"SELECT 1"`,
		`"SELECT * FROM ${table}"`,
		`"${table}"`,
		`"${column}"`,
		`"SELECT ${column} FROM ${table} WHERE ${column} IS NULL"`,
		`"SELECT ${upper(column)} FROM ${lower(table)}"`,
		`"IN (${join(", ", values)})"`,
		`"%{ if column != null }${column}%{ else }*%{ endif } FROM ${table}"`,
		`"%{ for v in values }${v},%{ endfor }"`,
		`"${format("%d", column)}"`,
		`"${missing} and ${table}"`,
		`"${table}${column}"`,
		`"${values}"`,
		`"${column_type == "number" ? "n" : "s"}"`,
		`"${table.x}"`,
		`"é${column}"`,
		`upper(table)`,
		`table`,
		`<<-SQL
		  SELECT COUNT(*) FROM ${table}
		  WHERE ${column} IS NULL
		SQL
`,
	} {
		tmpl, ok := templateOf(t, src)
		if !ok {
			t.Fatalf("cannot parse %s", src)
		}
		for _, vars := range templateVars {
			sameAsHCL(t, tmpl, vars)
		}
	}
}

// knownNames reports whether a template names only the variables the
// fuzz target gives and the functions templates have, as the compiler
// requires before it renders: HCL's "did you mean" for other names picks
// one of the nearest at random.
func knownNames(tmpl *template) bool {
	for _, v := range tmpl.Variables() {
		if v.Name != "column" && v.Name != "table" && v.Name != "values" {
			return false
		}
	}
	for _, f := range tmpl.Calls() {
		if _, ok := templateFunctions[f.Name]; !ok {
			return false
		}
	}
	return true
}

func FuzzTemplate(f *testing.F) {
	f.Add(`"SELECT ${column} FROM ${table}"`, "ID", "T")
	f.Add(`"%{ if column != null }${upper(column)}%{ endif }"`, "e\u0301", "\u0301")
	f.Add(`"${format("%s-%s", table, column)}"`, "a", "b")
	f.Fuzz(func(t *testing.T, src, column, table string) {
		tmpl, ok := templateOf(t, src)
		if !ok || !knownNames(tmpl) {
			return
		}
		sameAsHCL(t, tmpl, map[string]cty.Value{"column": cty.StringVal(column), "table": cty.StringVal(table), "values": cty.ListVal([]cty.Value{cty.StringVal(column)})})
		sameAsHCL(t, tmpl, map[string]cty.Value{"column": cty.NullVal(cty.String), "table": cty.StringVal(table)})
	})
}

// TestTemplateSignatureAsHCL checks that a call of each function templates
// may call, with 0 to 4 arguments of the types it takes, fails HCL's
// rendering for its number of arguments exactly when the number is
// outside TemplateSignature's Least and Most, which the compiler checks
// calls against.
func TestTemplateSignatureAsHCL(t *testing.T) {
	valueOf := func(p *function.Parameter) cty.Value {
		if p != nil && p.Type.IsListType() {
			return cty.ListVal([]cty.Value{cty.StringVal("a")})
		}
		return cty.StringVal("a")
	}
	for _, name := range TemplateFunctions() {
		f := templateFunctions[name]
		sig, ok := TemplateSignature(name)
		if !ok {
			t.Fatalf("TemplateSignature(%q) is not ok", name)
		}
		for n := range 5 {
			vars := map[string]cty.Value{}
			var args []string
			for i := range n {
				param := f.VarParam()
				if i < len(f.Params()) {
					param = &f.Params()[i]
				}
				arg := fmt.Sprintf("a%d", i)
				vars[arg] = valueOf(param)
				args = append(args, arg)
			}
			src := fmt.Sprintf(`"${%s(%s)}"`, name, strings.Join(args, ", "))
			tmpl, ok := templateOf(t, src)
			if !ok {
				t.Fatalf("%s does not parse", src)
			}
			_, err := tmpl.renderHCL(vars)
			hclWrong := err != nil && (strings.Contains(err.Error(), "function arguments") || strings.Contains(err.Error(), "at least one list is required"))
			wrong := n < sig.Least() || n > sig.Most()
			if hclWrong != wrong {
				t.Errorf("%s: HCL gives %v; the signature %+v says wrong: %v", src, err, sig, wrong)
			}
		}
	}
}
