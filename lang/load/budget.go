package load

import (
	"fmt"
	"math/big"
	"reflect"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Bounding policy expressions. A policy is written by whoever owns a
// folder, and meshc evaluates it once per object, so no expression may be
// able to exhaust the memory or the time of a check. The functions cap
// each call (the compiler's replace, join and split), but HCL's own
// constructs repeat work: a for expression evaluates its body once per
// element, a template copies what it interpolates, and formatting a
// number as text writes every digit of it. So:
//
//   - a for expression inside the body of another is refused where it is
//     written (nestedFor): policies judge one object at a time and have
//     no use for the product of two lists;
//   - a number literal beyond numberDigits digits is refused, and so is
//     any such number that arithmetic or a function makes;
//   - each evaluation of an expression, for one object, has a budget of
//     text and of elements (MaxEvalText, MaxEvalElements) that the
//     values it makes are charged to: the results of function calls and
//     their arguments, the parts of templates, the elements that for
//     expressions and splats step over (times the size of their bodies),
//     and every value made inside a for expression's body. Past it, the
//     evaluation fails with one diagnostic.
//
// The charging is done by metered nodes, put into a copy of the
// expression's syntax that is kept for evaluating it (the syntax as
// written is kept for everything else: HCL's walks, which find variables,
// know only its own node types). A metered node finds its evaluation's
// budget in the evaluation context, under a variable name that no
// expression can write.

const (
	// MaxEvalText is how many bytes of text one evaluation may make.
	MaxEvalText = 16 << 20
	// MaxEvalElements is how many elements of lists, sets, maps and
	// objects one evaluation may make and step over.
	MaxEvalElements = 1_000_000
	// numberDigits bounds the digits a number has before or after its
	// decimal point: formatting a number of a billion digits as text,
	// as a template does, takes minutes.
	numberDigits = 1000
	// maxBinaryExponent is numberDigits as a power of two.
	maxBinaryExponent = 3321
)

// BudgetExceeded and NumberOutOfRange are the summaries of the
// diagnostics of an evaluation that the bounds stop.
const (
	BudgetExceeded   = "Evaluation exceeds meshc's budget"
	NumberOutOfRange = "Number out of range"
)

// BoundCode is the code of the diagnostics of an evaluation that the
// bounds stop, which no guard against null would help: their hcl
// diagnostics carry boundStop as Extra, which convertDiags reads.
const BoundCode = "policy-bound"

type boundStop struct{}

// budgetVariable holds an evaluation's budget: a space makes it a name no
// expression can write.
const budgetVariable = "meshc budget"

var budgetType = cty.Capsule("budget", reflect.TypeOf(budget{}))

// budget is what one evaluation has left.
type budget struct {
	text, elements int
	over           *hcl.Diagnostic // the first charge refused
	// root is the evaluation's context, which holds its variables and
	// functions, and ctx a child of it that holds the budget under
	// budgetVariable: the expression is evaluated in ctx.
	root, ctx *hcl.EvalContext
}

// budgets are reused, contexts and all, as an evaluation's budget is done
// with when it ends: most evaluations are of conditions that call a
// function, and would otherwise allocate two contexts each.
var budgets = sync.Pool{New: func() any {
	b := &budget{root: &hcl.EvalContext{}}
	b.ctx = b.root.NewChild()
	b.ctx.Variables = map[string]cty.Value{budgetVariable: cty.CapsuleVal(budgetType, b)}
	return b
}}

// start readies a budget for an evaluation with vars and funcs, and
// returns the context to evaluate in.
func (b *budget) start(vars map[string]cty.Value, funcs map[string]function.Function) *hcl.EvalContext {
	b.text, b.elements, b.over = MaxEvalText, MaxEvalElements, nil
	b.root.Variables, b.root.Functions = vars, funcs
	return b.ctx
}

// done returns the budget to the pool, holding nothing of the evaluation.
func (b *budget) done() {
	b.root.Variables, b.root.Functions, b.over = nil, nil, nil
	budgets.Put(b)
}

// budgetOf finds the budget of the evaluation ctx belongs to, or nil.
func budgetOf(ctx *hcl.EvalContext) *budget {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[budgetVariable]; ok {
			return v.EncapsulatedValue().(*budget)
		}
	}
	return nil
}

// charge charges a value made at rng, and n further elements. It
// returns the diagnostic of a charge the budget refuses, once it has
// refused one.
func (b *budget) charge(v cty.Value, n int, rng hcl.Range) *hcl.Diagnostic {
	if b.over != nil {
		return b.over
	}
	v, _ = v.Unmark()
	t := v.Type()
	switch {
	case !v.IsKnown() || v.IsNull():
	case t == cty.String:
		b.text -= len(v.AsString())
	case t == cty.Number:
		if d := numberOutOfRange(v.AsBigFloat(), rng); d != nil {
			b.over = d
			return d
		}
	case t.IsCollectionType() || t.IsTupleType():
		n += v.LengthInt()
	case t.IsObjectType():
		n += len(t.AttributeTypes())
	}
	b.elements -= n
	what := ""
	switch {
	case b.text < 0:
		what = fmt.Sprintf("made more than %d MiB of text", MaxEvalText>>20)
	case b.elements < 0:
		what = "made or stepped over more than 1,000,000 elements of lists" // MaxEvalElements, as people write it
	default:
		return nil
	}
	b.over = &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  BudgetExceeded,
		Extra:    boundStop{},
		Detail:   fmt.Sprintf("One evaluation of the expression, for one object, %s, the most meshc allows, so that no policy can exhaust the memory or time of a check; it stopped here. A policy judges one object at a time: step over the object's own lists (such as [for t in product.tags : lower(t)]) rather than over text split into parts, and keep the text it builds short.", what),
		Subject:  rng.Ptr(),
	}
	return b.over
}

// numberOutOfRange reports a number with more than numberDigits digits
// before or after its decimal point.
func numberOutOfRange(f *big.Float, rng hcl.Range) *hcl.Diagnostic {
	if f.IsInf() || f.Sign() == 0 {
		return nil
	}
	if exp := f.MantExp(nil); exp > maxBinaryExponent || exp < -maxBinaryExponent {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  NumberOutOfRange,
			Extra:    boundStop{},
			Detail:   fmt.Sprintf("meshc's policy expressions take numbers of up to %d digits before or after the decimal point; this one has more, and writing it out as text would take too long. Use a smaller number.", numberDigits),
			Subject:  rng.Ptr(),
		}
	}
	return nil
}

// metered is a node whose values are charged to the evaluation's budget.
// Embedding the node it wraps makes it an hclsyntax.Expression.
type metered struct {
	hclsyntax.Expression
	// steps is charged for each element of the value, beyond the element
	// itself: for the collection of a for expression or a splat, the
	// size of the body evaluated once per element.
	steps int
}

func (m *metered) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	b := budgetOf(ctx)
	if b == nil {
		return m.Expression.Value(ctx)
	}
	if b.over != nil {
		return cty.DynamicVal, hcl.Diagnostics{b.over}
	}
	v, diags := m.Expression.Value(ctx)
	n := 0
	if m.steps > 0 && v.IsKnown() && !v.IsNull() {
		if t := v.Type(); t.IsCollectionType() || t.IsTupleType() {
			n = m.steps * v.LengthInt()
		}
	}
	if d := b.charge(v, n, m.Range()); d != nil {
		return cty.DynamicVal, append(diags, d)
	}
	return v, diags
}

// meter returns a copy of an expression's syntax with metered nodes: a
// function call, its arguments, the interpolations of a template,
// arithmetic, the collection of a for expression or a splat, and, in a
// for expression's body, every node. inBody is set in a for expression's
// body. Nodes without children are shared with the syntax as written.
func meter(e hclsyntax.Expression, inBody bool) hclsyntax.Expression {
	wrap := inBody
	var out hclsyntax.Expression = e
	switch e := e.(type) {
	case *hclsyntax.RelativeTraversalExpr:
		c := *e
		c.Source = meter(e.Source, inBody)
		out = &c
	case *hclsyntax.FunctionCallExpr:
		c := *e
		c.Args = make([]hclsyntax.Expression, len(e.Args))
		for i, a := range e.Args {
			c.Args[i] = always(meter(a, inBody))
		}
		out, wrap = &c, true
	case *hclsyntax.ConditionalExpr:
		c := *e
		c.Condition = meter(e.Condition, inBody)
		c.TrueResult = meter(e.TrueResult, inBody)
		c.FalseResult = meter(e.FalseResult, inBody)
		out = &c
	case *hclsyntax.IndexExpr:
		c := *e
		c.Collection = meter(e.Collection, inBody)
		c.Key = meter(e.Key, inBody)
		out = &c
	case *hclsyntax.TupleConsExpr:
		c := *e
		c.Exprs = make([]hclsyntax.Expression, len(e.Exprs))
		for i, x := range e.Exprs {
			c.Exprs[i] = meter(x, inBody)
		}
		out = &c
	case *hclsyntax.ObjectConsExpr:
		c := *e
		c.Items = make([]hclsyntax.ObjectConsItem, len(e.Items))
		for i, item := range e.Items {
			c.Items[i] = hclsyntax.ObjectConsItem{KeyExpr: meterKey(item.KeyExpr, inBody), ValueExpr: meter(item.ValueExpr, inBody)}
		}
		out = &c
	case *hclsyntax.ForExpr:
		c := *e
		steps := 1 + nodes(e.KeyExpr) + nodes(e.ValExpr) + nodes(e.CondExpr)
		c.CollExpr = &metered{Expression: meter(e.CollExpr, inBody), steps: steps}
		if e.KeyExpr != nil {
			c.KeyExpr = meter(e.KeyExpr, true)
		}
		c.ValExpr = meter(e.ValExpr, true)
		if e.CondExpr != nil {
			c.CondExpr = meter(e.CondExpr, true)
		}
		out = &c
	case *hclsyntax.SplatExpr:
		// Each reads the element through e.Item, which it shares: it is
		// kept as written, and charged for by its size.
		c := *e
		c.Source = &metered{Expression: meter(e.Source, inBody), steps: 1 + nodes(e.Each)}
		out = &c
	case *hclsyntax.TemplateExpr:
		c := *e
		c.Parts = make([]hclsyntax.Expression, len(e.Parts))
		for i, p := range e.Parts {
			if _, literal := p.(*hclsyntax.LiteralValueExpr); literal {
				c.Parts[i] = p
			} else {
				c.Parts[i] = always(meter(p, inBody))
			}
		}
		out = &c
	case *hclsyntax.TemplateWrapExpr:
		c := *e
		c.Wrapped = meter(e.Wrapped, inBody)
		out = &c
	case *hclsyntax.TemplateJoinExpr:
		c := *e
		c.Tuple = meter(e.Tuple, inBody)
		out = &c
	case *hclsyntax.ParenthesesExpr:
		c := *e
		c.Expression = meter(e.Expression, inBody)
		out = &c
	case *hclsyntax.UnaryOpExpr:
		c := *e
		c.Val = meter(e.Val, inBody)
		out = &c
	case *hclsyntax.BinaryOpExpr:
		c := *e
		c.LHS = meter(e.LHS, inBody)
		c.RHS = meter(e.RHS, inBody)
		out = &c
		wrap = wrap || arithmetic[e.Op]
	}
	if wrap {
		return always(out)
	}
	return out
}

// meterCopy returns a metered copy of an expression's syntax, or nil when
// meter found nothing in it that can grow, so that it is evaluated as
// written.
func meterCopy(e hclsyntax.Expression) hclsyntax.Expression {
	m := meter(e, false)
	found := false
	hclsyntax.VisitAll(m, func(n hclsyntax.Node) hcl.Diagnostics {
		_, ok := n.(*metered)
		found = found || ok
		return nil
	})
	if !found {
		return nil
	}
	return m
}

// always meters a node, unless it is metered already.
func always(e hclsyntax.Expression) hclsyntax.Expression {
	if _, ok := e.(*metered); ok {
		return e
	}
	return &metered{Expression: e}
}

// meterKey meters the key of an object's item. The key itself is kept
// as it is: HCL reads a bare name there as text, not as a variable,
// which it tells by the key's type.
func meterKey(e hclsyntax.Expression, inBody bool) hclsyntax.Expression {
	k, ok := e.(*hclsyntax.ObjectConsKeyExpr)
	if !ok || hcl.ExprAsKeyword(k.Wrapped) != "" {
		return e
	}
	c := *k
	c.Wrapped = meter(k.Wrapped, inBody)
	if m, ok := c.Wrapped.(*metered); ok {
		c.Wrapped = m.Expression
	}
	return &c
}

var arithmetic = map[*hclsyntax.Operation]bool{
	hclsyntax.OpAdd: true, hclsyntax.OpSubtract: true, hclsyntax.OpMultiply: true,
	hclsyntax.OpDivide: true, hclsyntax.OpModulo: true,
}

// nodes counts the nodes of an expression's syntax.
func nodes(e hclsyntax.Expression) int {
	if e == nil {
		return 0
	}
	n := 0
	hclsyntax.VisitAll(e, func(hclsyntax.Node) hcl.Diagnostics { n++; return nil })
	return n
}

// refuse returns what makes an expression's evaluation unbounded before
// it is evaluated: a for expression in the body of another, or a number
// literal out of range.
func refuse(e hclsyntax.Expression) *hcl.Diagnostic {
	var found *hcl.Diagnostic
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if found != nil {
			return nil
		}
		switch n := n.(type) {
		case *hclsyntax.LiteralValueExpr:
			if n.Val.Type() == cty.Number && n.Val.IsKnown() && !n.Val.IsNull() {
				found = numberOutOfRange(n.Val.AsBigFloat(), n.SrcRange)
			}
		case *hclsyntax.ForExpr:
			for _, body := range []hclsyntax.Expression{n.KeyExpr, n.ValExpr, n.CondExpr} {
				if inner := innerFor(body); inner != nil && found == nil {
					found = nestedFor(inner)
				}
			}
		}
		return nil
	})
	return found
}

// innerFor returns the first for expression in e, or nil.
func innerFor(e hclsyntax.Expression) *hclsyntax.ForExpr {
	var inner *hclsyntax.ForExpr
	if e == nil {
		return nil
	}
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if f, ok := n.(*hclsyntax.ForExpr); ok && inner == nil {
			inner = f
		}
		return nil
	})
	return inner
}

func nestedFor(inner *hclsyntax.ForExpr) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "for expression inside another",
		Detail:   "This for expression is in the body of another, so it runs once for every element of the outer one, and the work multiplies with the lengths of both lists; meshc refuses it so that every policy's evaluation stays bounded. A policy judges one object at a time: step over one list of the object (such as [for t in product.tags : lower(t)]), test lists against each other with functions (contains, setintersection, setsubtract), or write the policy on the kind of the inner objects, which it then sees one by one (a policy on column sees each column). A for expression may give the list another one steps over: [for x in [for t in product.tags : lower(t)] : ...].",
		Subject:  inner.SrcRange.Ptr(),
	}
}
