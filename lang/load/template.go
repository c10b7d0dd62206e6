package load

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/ascii"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// template is a test kind's SQL template: an HCL template expression kept
// as syntax so that the compiler can render it once per test, with the
// test's table, column and arguments already quoted for SQL.
//
// A mesh renders one template for thousands of tests, so Render takes a
// shortcut where it can (see renderPlan) and leaves everything else, the
// errors above all, to HCL.
type template struct {
	file *diag.File
	expr hcl.Expression

	planOnce sync.Once
	plan     *renderPlan // nil when the expression is not a plain template
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
	t.planOnce.Do(func() { t.plan = newRenderPlan(t.expr) })
	if t.plan != nil {
		if s, ok := t.plan.render(vars); ok {
			return s, nil
		}
	}
	return t.renderHCL(vars)
}

func (t *template) AppendRender(buf []byte, vars map[string]cty.Value) ([]byte, error) {
	t.planOnce.Do(func() { t.plan = newRenderPlan(t.expr) })
	if t.plan != nil {
		if out, ok := t.plan.appendTo(buf, vars); ok {
			return out, nil
		}
	}
	s, err := t.renderHCL(vars)
	return append(buf, s...), err
}

// renderHCL evaluates the template with HCL: the reference behaviour, and
// the one that explains what went wrong.
func (t *template) renderHCL(vars map[string]cty.Value) (string, error) {
	v, hds := t.expr.Value(&hcl.EvalContext{Variables: vars, Functions: templateFunctions})
	if hds.HasErrors() {
		var msgs []string
		for _, d := range convertDiags(t.file, hds) {
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
		out = append(out, ast.RefPart{Name: trav.RootName(), Range: rng(t.file, trav.SourceRange())})
	}
	return out
}

func (t *template) Calls() []ast.TemplateCall {
	var out []ast.TemplateCall
	if node, ok := t.expr.(hclsyntax.Node); ok {
		hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
			if call, ok := n.(*hclsyntax.FunctionCallExpr); ok {
				out = append(out, ast.TemplateCall{Name: call.Name, NameRange: rng(t.file, call.NameRange), Range: rng(t.file, call.Range()),
					Args: len(call.Args), Expands: call.ExpandFinal})
			}
			return nil
		})
	}
	return out
}

func (t *template) Interpolations() []ast.Interpolation {
	var out []ast.Interpolation
	// elemOf maps a loop's variable to the variable whose elements it
	// takes (%{ for v in values }), whose values it writes, or to "" for
	// one that is no variable's element (a key, or an element of
	// another collection), which names no variable of the template.
	elemOf := map[string]string{}
	variable := func(name string) string {
		if of, ok := elemOf[name]; ok {
			return of
		}
		return name
	}
	// walk reads a template's parts after the text before, returning the
	// text with the parts read as Skeleton reads them; it goes into the
	// branches of if and for directives, which follow the same text.
	var walk func(e hclsyntax.Expression, before string) string
	walk = func(e hclsyntax.Expression, before string) string {
		switch e := e.(type) {
		case *hclsyntax.TemplateExpr:
			for _, part := range e.Parts {
				before = walk(part, before)
			}
			return before
		case *hclsyntax.LiteralValueExpr:
			if e.Val.Type() == cty.String && e.Val.IsKnown() && !e.Val.IsNull() {
				return before + e.Val.AsString()
			}
		case *hclsyntax.ScopeTraversalExpr:
			name := e.Traversal.RootName()
			out = append(out, ast.Interpolation{RefPart: ast.RefPart{Name: name, Range: rng(t.file, e.SrcRange)}, Variable: variable(name), Before: before, Alone: true})
		case *hclsyntax.FunctionCallExpr:
			// Each function but replace writes its arguments' text,
			// quotes and all; replace may be there to take them out.
			if e.Name != "replace" {
				for _, trav := range e.Variables() {
					name := trav.RootName()
					out = append(out, ast.Interpolation{RefPart: ast.RefPart{Name: name, Range: rng(t.file, trav.SourceRange())}, Variable: variable(name), Before: before})
				}
			}
		case *hclsyntax.ConditionalExpr: // %{ if }
			// What follows the directive follows either branch: a minus
			// that ends one (or precedes an empty one) counts.
			return endingInMinus(walk(e.TrueResult, before), walk(e.FalseResult, before))
		case *hclsyntax.TemplateJoinExpr: // %{ for }
			if f, ok := e.Tuple.(*hclsyntax.ForExpr); ok {
				outer := maps.Clone(elemOf)
				defer func() { elemOf = outer }()
				elemOf[f.ValVar] = ""
				if coll, ok := f.CollExpr.(*hclsyntax.ScopeTraversalExpr); ok && len(coll.Traversal) == 1 {
					elemOf[f.ValVar] = variable(coll.Traversal.RootName())
				}
				if f.KeyVar != "" {
					elemOf[f.KeyVar] = ""
				}
				// What follows the loop follows its last pass, or the
				// text before it when it makes none; a pass also follows
				// the one before it.
				once := walk(f.ValExpr, before)
				return endingInMinus(once, before, walk(f.ValExpr, once))
			}
		}
		return before + "x"
	}
	if e, ok := t.expr.(hclsyntax.Expression); ok {
		walk(e, "")
	}
	// A loop's second pass finds again what its first found, after
	// other text, which may be all that matters (${low}-): both are kept,
	// but not one found twice after the same text.
	type key struct {
		at     diag.Range
		before string
	}
	seen := map[key]bool{}
	return slices.DeleteFunc(out, func(r ast.Interpolation) bool {
		k := key{r.Range, r.Before}
		dup := seen[k]
		seen[k] = true
		return dup
	})
}

// endingInMinus returns the first of the texts that ends in a minus sign,
// or else the first.
func endingInMinus(texts ...string) string {
	for _, t := range texts {
		if strings.HasSuffix(t, "-") {
			return t
		}
	}
	return texts[0]
}

func (t *template) Skeleton() string {
	tmpl, ok := t.expr.(*hclsyntax.TemplateExpr)
	if !ok {
		return "x" // a lone interpolation, "${column}"
	}
	var b strings.Builder
	for _, part := range tmpl.Parts {
		if lit, ok := part.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
			b.WriteString(lit.Val.AsString())
		} else {
			b.WriteString("x")
		}
	}
	return b.String()
}

// TemplateFunctions are the names of the functions a test kind's SQL
// template may call, sorted.
func TemplateFunctions() []string { return slices.Sorted(maps.Keys(templateFunctions)) }

// A Signature is what a function that templates may call takes: its
// parameters by name, and Variadic, when set, the name of the arguments it
// takes any number more of, at least VariadicMin.
type Signature struct {
	Params      []string
	Variadic    string
	VariadicMin int
}

// TemplateSignature returns the signature of a function that templates
// may call, so that a call with the wrong number of arguments can be
// reported once, where the template is declared; ok is false for a
// function templates do not have.
func TemplateSignature(name string) (sig Signature, ok bool) {
	f, ok := templateFunctions[name]
	if !ok {
		return Signature{}, false
	}
	for _, p := range f.Params() {
		sig.Params = append(sig.Params, p.Name)
	}
	if v := f.VarParam(); v != nil {
		sig.Variadic = v.Name
	}
	if name == "join" {
		sig.VariadicMin = 1 // its spec allows none; its implementation fails on none
	}
	return sig, true
}

// Least is the fewest arguments a call of the function may pass.
func (s Signature) Least() int { return len(s.Params) + s.VariadicMin }

// Most is the most arguments a call of the function may pass:
// math.MaxInt for a variadic one.
func (s Signature) Most() int {
	if s.Variadic != "" {
		return math.MaxInt
	}
	return len(s.Params)
}

func (t *template) Range() diag.Range { return rng(t.file, t.expr.Range()) }

// renderPlan renders a template the way HCL's TemplateExpr does when every
// part gives a known string, without HCL's per-part conversions and marks:
// literal parts are copied, lone variables (${table}) looked up, and only
// other parts (function calls, %{ if }, %{ for }) evaluated by HCL, each
// once per distinct value of the variables it reads. Whenever a part gives
// anything but a known, unmarked string, or a diagnostic, render declines
// and the whole template is evaluated by HCL instead, so that the result
// or the error is exactly HCL's.
type renderPlan struct {
	parts []*templatePart
	size  int // a guess at the size of the text, to allocate it once
	// wrap is set for a template that is one interpolation, "${q}",
	// whose value HCL passes through unconverted.
	wrap bool
}

// templatePart is one part of a template: a literal when expr is nil and
// variable empty, a lone variable when expr is nil, else an expression.
type templatePart struct {
	literal  string
	variable string
	expr     hclsyntax.Expression
	reads    []string // the variables expr reads, sorted

	mu   sync.Mutex        // templates are shared by concurrent compilations
	memo map[string]string // what expr gave, by the values of reads
}

// maxMemo bounds the values remembered per part: most parts read a
// parameter that few tests set differently, and one that reads the
// table or column would otherwise grow without use.
const maxMemo = 1024

// newRenderPlan plans the rendering of an expression, or returns nil when
// it is not a template (HCL then evaluates it every time).
func newRenderPlan(expr hcl.Expression) *renderPlan {
	switch e := expr.(type) {
	case *hclsyntax.TemplateWrapExpr:
		if part := newTemplatePart(e.Wrapped); part != nil {
			return &renderPlan{parts: []*templatePart{part}, wrap: true}
		}
	case *hclsyntax.TemplateExpr:
		p := &renderPlan{}
		for _, part := range e.Parts {
			tp := newTemplatePart(part)
			if tp == nil {
				return nil
			}
			p.parts = append(p.parts, tp)
			p.size += len(tp.literal)
			if tp.literal == "" {
				p.size += 32 // a name's worth, for a value
			}
		}
		return p
	}
	return nil
}

func newTemplatePart(e hclsyntax.Expression) *templatePart {
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		if s, ok := plainString(e.Val); ok {
			return &templatePart{literal: s}
		}
		return nil
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) == 1 {
			return &templatePart{variable: e.Traversal.RootName()}
		}
	}
	var reads []string
	for _, trav := range e.Variables() {
		reads = append(reads, trav.RootName())
	}
	slices.Sort(reads)
	return &templatePart{expr: e, reads: slices.Compact(reads)}
}

// render renders the template, or reports false for HCL to do it.
func (p *renderPlan) render(vars map[string]cty.Value) (string, bool) {
	var b strings.Builder
	b.Grow(p.size)
	if !p.walk(vars, &b) {
		return "", false
	}
	out := b.String()
	// HCL normalizes the text it builds (cty.StringVal), which can join
	// a part's last character with the next one's; ASCII has nothing to
	// join. A wrapped value is passed through as it is.
	if !p.wrap && !ascii.Is(out) {
		out = cty.NormalizeString(out)
	}
	return out, true
}

// walk writes the text of each part in order to b, or reports false as
// soon as a part has no plain text, for HCL to render the template.
func (p *renderPlan) walk(vars map[string]cty.Value, b *strings.Builder) bool {
	for _, part := range p.parts {
		s, ok := part.text(vars)
		if !ok {
			return false
		}
		b.WriteString(s)
	}
	return true
}

// appendTo is render appending to buf, for a caller that reuses one
// buffer for many renderings, or reports false for HCL to render the
// template.
func (p *renderPlan) appendTo(buf []byte, vars map[string]cty.Value) ([]byte, bool) {
	start := len(buf)
	for _, part := range p.parts {
		s, ok := part.text(vars)
		if !ok {
			return buf[:start], false
		}
		buf = append(buf, s...)
	}
	if out := buf[start:]; !p.wrap && !ascii.Is(out) {
		buf = append(buf[:start], cty.NormalizeString(string(out))...)
	}
	return buf, true
}

// text returns the text of one part, or false when it has none plain.
func (part *templatePart) text(vars map[string]cty.Value) (string, bool) {
	switch {
	case part.expr != nil:
		return part.value(vars)
	case part.variable != "":
		v, present := vars[part.variable]
		s, ok := plainString(v)
		return s, present && ok
	}
	return part.literal, true
}

// value evaluates an expression part, or remembers what it gave for the
// same values of the variables it reads: templates call only pure
// functions.
func (part *templatePart) value(vars map[string]cty.Value) (string, bool) {
	var buf [128]byte
	key, canMemo := memoKey(buf[:0], part.reads, vars)
	if canMemo {
		part.mu.Lock()
		s, hit := part.memo[string(key)]
		part.mu.Unlock()
		if hit {
			return s, true
		}
	}
	v, diags := part.expr.Value(&hcl.EvalContext{Variables: vars, Functions: templateFunctions})
	if len(diags) > 0 {
		return "", false
	}
	s, ok := plainString(v)
	if !ok {
		return "", false
	}
	if canMemo {
		part.mu.Lock()
		if part.memo == nil {
			part.memo = map[string]string{}
		}
		if len(part.memo) < maxMemo {
			part.memo[string(key)] = s
		}
		part.mu.Unlock()
	}
	return s, true
}

// memoKey encodes the values of the variables named, unambiguously,
// appending to buf, or reports false for values it does not encode: only
// absent variables, strings (null or not) and lists of strings, the values
// tests give.
func memoKey(buf []byte, names []string, vars map[string]cty.Value) ([]byte, bool) {
	for _, name := range names {
		v, present := vars[name]
		switch {
		case !present:
			buf = append(buf, 'a')
		case v.IsMarked() || !v.IsKnown():
			return nil, false
		case v.Type() == cty.String && v.IsNull():
			buf = append(buf, 'n')
		case v.Type() == cty.String:
			buf = appendString(buf, v.AsString())
		case v.Type().Equals(stringList) && !v.IsNull():
			// One pass over the elements, not two: IsWhollyKnown's
			// iterator allocated a number for each element's key, as
			// AsValueSlice's still does, for every test with a list
			// argument. plainString declines the unknown elements
			// IsWhollyKnown would.
			elems := v.AsValueSlice()
			buf = append(buf, 'l')
			buf = strconv.AppendInt(buf, int64(len(elems)), 10)
			for _, e := range elems {
				s, ok := plainString(e)
				if !ok {
					return nil, false
				}
				buf = appendString(buf, s)
			}
		default:
			return nil, false
		}
	}
	return buf, true
}

var stringList = cty.List(cty.String)

func appendString(buf []byte, s string) []byte {
	buf = append(buf, 's')
	buf = strconv.AppendInt(buf, int64(len(s)), 10)
	return append(append(buf, ':'), s...)
}

// plainString returns the text of a known, unmarked, non-null string.
func plainString(v cty.Value) (string, bool) {
	if v == cty.NilVal || v.Type() != cty.String || v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}
