package load

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// Policies are the one place where a mesh holds expressions: a policy's
// when, assert and message are kept as HCL syntax (behind ast.Expr) and
// evaluated by the compiler against its object model. Everything else in
// the two blocks is a literal or a reference, decoded like any other block.

var policySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "enforcement", Required: true}, {Name: "on", Required: true},
	{Name: "set"}, {Name: "domains"}, {Name: "when"}, {Name: "assert", Required: true}, {Name: "message", Required: true},
}}

var waiverSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "policy", Required: true}, {Name: "objects", Required: true},
	{Name: "reason", Required: true}, {Name: "approver", Required: true}, {Name: "expires", Required: true},
}}

func (d *decoder) policy(b *hcl.Block) *ast.Policy {
	c := d.content(b.Body, policySchema)
	p := &ast.Policy{DeclRange: d.rng(b.DefRange)}
	p.Name, p.NameRange = d.label(b)
	p.Description = d.prose(c, "description", b.DefRange)
	p.Enforcement = d.str(c, "enforcement", b.DefRange)
	p.On = d.str(c, "on", b.DefRange)
	p.Set = d.str(c, "set", b.DefRange)
	p.Domains = d.strs(c, "domains", b.DefRange)
	p.When = d.expression(c, "when")
	p.Assert = d.expression(c, "assert")
	p.Message = d.expression(c, "message")
	if attr, ok := c.Attributes["message"]; ok {
		d.messageText(attr.Expr)
	}
	return p
}

// messageText warns of a control character in the text a policy's
// message template writes as it is: its literal parts, and those of what
// it writes in turn (the results of a %{ if } or a conditional, the body
// of a %{ for }). Literals it only reads (a function's argument, an
// operand, a condition) are not text for people, nor are the values it
// interpolates, which are warned of where they are written, or are data.
// One warning per message.
func (d *decoder) messageText(expr hcl.Expression) {
	var written func(hclsyntax.Expression) bool
	written = func(e hclsyntax.Expression) bool {
		switch e := e.(type) {
		case *hclsyntax.LiteralValueExpr:
			return e.Val.Type() == cty.String && e.Val.IsKnown() && !e.Val.IsNull() &&
				d.controlCharacter(e.Val.AsString(), d.rng(e.SrcRange), "policy's message")
		case *hclsyntax.TemplateExpr:
			return slices.ContainsFunc(e.Parts, written)
		case *hclsyntax.TemplateWrapExpr:
			return written(e.Wrapped)
		case *hclsyntax.ParenthesesExpr:
			return written(e.Expression)
		case *hclsyntax.ConditionalExpr:
			return written(e.TrueResult) || written(e.FalseResult)
		case *hclsyntax.TemplateJoinExpr:
			return written(e.Tuple)
		case *hclsyntax.ForExpr:
			return written(e.ValExpr)
		}
		return false
	}
	if e, ok := expr.(hclsyntax.Expression); ok {
		written(e)
	}
}

// expression keeps the expression of an argument as syntax, or is nil
// when the argument is absent. The decoded mesh keeps it, so the file's
// syntax is not reused (scratch.keep).
func (d *decoder) expression(c *hcl.BodyContent, name string) ast.Expr {
	attr, ok := c.Attributes[name]
	if !ok {
		return nil
	}
	e := &expression{file: d.file, expr: d.scratch.keep(attr.Expr)}
	if x, ok := e.expr.(hclsyntax.Expression); ok {
		e.refused = refuse(x)
		e.metered = meterCopy(x)
	}
	return e
}

func (d *decoder) waiver(b *hcl.Block) *ast.Waiver {
	c := d.content(b.Body, waiverSchema)
	w := &ast.Waiver{DeclRange: d.rng(b.DefRange)}
	w.Name, w.NameRange = d.label(b)
	w.Description = d.prose(c, "description", b.DefRange)
	w.Policy = d.ref(c, "policy", "a policy")
	w.Objects = d.strs(c, "objects", b.DefRange)
	w.Reason = d.prose(c, "reason", b.DefRange)
	w.Approver = d.str(c, "approver", b.DefRange)
	w.Expires = d.str(c, "expires", b.DefRange)
	w.Unexpected = unexpected(b.Body, waiverSchema)
	return w
}

// unexpected lists, sorted, the names of the arguments and blocks of a
// body that its schema does not take: those content reported.
func unexpected(body hcl.Body, schema *hcl.BodySchema) []string {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil // every file is native syntax
	}
	var names []string
	for name := range b.Attributes {
		if !slices.ContainsFunc(schema.Attributes, func(a hcl.AttributeSchema) bool { return a.Name == name }) {
			names = append(names, name)
		}
	}
	for _, block := range b.Blocks {
		if !slices.ContainsFunc(schema.Blocks, func(s hcl.BlockHeaderSchema) bool { return s.Type == block.Type }) {
			names = append(names, block.Type)
		}
	}
	// Sorted, as the cache keeps the list: attributes come in a map's order.
	slices.Sort(names)
	return names
}

// expression is a policy expression, kept as syntax.
type expression struct {
	file *diag.File
	expr hcl.Expression
	// refused says why the expression is not evaluated at all, and
	// metered is its syntax as it is evaluated, charging what it makes
	// to a budget (budget.go).
	refused *hcl.Diagnostic
	metered hclsyntax.Expression
}

// Evaluate evaluates the expression within a budget of its own, so that
// evaluations in parallel do not share one.
func (e *expression) Evaluate(vars map[string]cty.Value, funcs map[string]function.Function) (cty.Value, diag.Diagnostics) {
	if e.refused != nil {
		return cty.DynamicVal, convertDiags(e.file, hcl.Diagnostics{e.refused})
	}
	if e.metered == nil {
		v, hds := e.expr.Value(&hcl.EvalContext{Variables: vars, Functions: funcs})
		return v, convertDiags(e.file, hds)
	}
	b := budgets.Get().(*budget)
	defer b.done()
	v, hds := e.metered.Value(b.start(vars, funcs))
	if b.over != nil {
		// try and can let no failure out, this one included.
		return cty.DynamicVal, convertDiags(e.file, hcl.Diagnostics{b.over})
	}
	return v, convertDiags(e.file, hds)
}

func (e *expression) Traversals() []ast.Traversal {
	var out []ast.Traversal
	for _, trav := range e.expr.Variables() {
		if t := traversal(e.file, trav); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// traversal converts a variable's traversal: its root and the attribute
// names after it, up to the first index or splat.
func traversal(file *diag.File, trav hcl.Traversal) ast.Traversal {
	if len(trav) == 0 || keywords[trav.RootName()] {
		return nil
	}
	var t ast.Traversal
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			t = append(t, ast.RefPart{Name: s.Name, Range: rng(file, s.SrcRange)})
		case hcl.TraverseAttr:
			t = append(t, ast.RefPart{Name: s.Name, Range: attrRange(file, s)})
		default:
			return t
		}
	}
	return t
}

// attrRange is the range of .name without its dot: HCL's range includes
// it, and a diagnostic underlines the name.
func attrRange(file *diag.File, s hcl.TraverseAttr) diag.Range {
	start, end := s.SrcRange.Start.Byte, s.SrcRange.End.Byte
	if end-start == len(s.Name)+1 {
		start++
	}
	return file.Range(start, end)
}

func (e *expression) Calls() []ast.Call {
	var out []ast.Call
	node, ok := e.expr.(hclsyntax.Node)
	if !ok {
		return nil
	}
	hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok {
			return nil
		}
		c := ast.Call{Name: ast.RefPart{Name: call.Name, Range: rng(e.file, call.NameRange)}}
		for _, a := range call.Args {
			var t ast.Traversal
			if st, ok := a.(*hclsyntax.ScopeTraversalExpr); ok {
				t = traversal(e.file, st.Traversal)
			}
			c.Args = append(c.Args, t)
		}
		out = append(out, c)
		return nil
	})
	return out
}

func (e *expression) Range() diag.Range { return rng(e.file, e.expr.Range()) }

func (e *expression) Shape() ast.Shape {
	x, ok := e.expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	return shapeOf(x)
}

// shapeOps are the operators of ast.ShapeOp, as HCL parses them.
var shapeOps = map[*hclsyntax.Operation]string{
	hclsyntax.OpEqual: "==", hclsyntax.OpNotEqual: "!=",
	hclsyntax.OpLogicalAnd: "&&", hclsyntax.OpLogicalOr: "||",
	hclsyntax.OpLessThan: "<", hclsyntax.OpLessThanOrEqual: "<=",
	hclsyntax.OpGreaterThan: ">", hclsyntax.OpGreaterThanOrEqual: ">=",
}

// shapeOf is an expression's ast.Shape, nil when a part of it has none.
func shapeOf(e hclsyntax.Expression) ast.Shape {
	switch e := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return shapeOf(e.Expression)
	case *hclsyntax.TemplateWrapExpr: // "${x}" is x
		return shapeOf(e.Wrapped)
	case *hclsyntax.LiteralValueExpr:
		return ast.ShapeValue{Value: e.Val}
	case *hclsyntax.TemplateExpr:
		if len(e.Parts) != 1 {
			return nil
		}
		if lit, ok := e.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String {
			return ast.ShapeValue{Value: lit.Val}
		}
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) != 2 {
			return nil
		}
		root, isRoot := e.Traversal[0].(hcl.TraverseRoot)
		attr, isAttr := e.Traversal[1].(hcl.TraverseAttr)
		if isRoot && isAttr {
			return ast.ShapeAttr{Variable: root.Name, Attribute: attr.Name}
		}
	case *hclsyntax.UnaryOpExpr:
		if e.Op != hclsyntax.OpLogicalNot {
			return nil
		}
		if x := shapeOf(e.Val); x != nil {
			return ast.ShapeNot{X: x}
		}
	case *hclsyntax.BinaryOpExpr:
		op, ok := shapeOps[e.Op]
		if !ok {
			return nil
		}
		if l, r := shapeOf(e.LHS), shapeOf(e.RHS); l != nil && r != nil {
			return ast.ShapeOp{Op: op, L: l, R: r}
		}
	case *hclsyntax.FunctionCallExpr:
		if e.ExpandFinal {
			return nil
		}
		call := ast.ShapeCall{Name: e.Name}
		for _, a := range e.Args {
			x := shapeOf(a)
			if x == nil {
				return nil
			}
			call.Args = append(call.Args, x)
		}
		return call
	}
	return nil
}

// ExpressionFunctions are the functions of policy expressions that need
// HCL itself, since they take expressions rather than values: try and can.
// The compiler adds its own to these.
func ExpressionFunctions() map[string]function.Function {
	return map[string]function.Function{
		"try": tryfunc.TryFunc,
		"can": tryfunc.CanFunc,
	}
}
