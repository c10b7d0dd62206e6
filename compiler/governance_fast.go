package compiler

import (
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/meshc/meshc/internal/ascii"
	"github.com/meshc/meshc/lang/ast"
	"github.com/zclconf/go-cty/cty"
)

// Judging the commonest conditions without HCL: most policies compare an
// attribute with a value, test one for null or blank, count a list or
// match a name against a pattern. HCL's evaluator builds each object's
// value whole and allocates at every step: about 1.7 KB an evaluation,
// half of governance's garbage. A condition made only of the shapes
// below is compiled once (compileFast) and judged straight from the
// objects' attributes (govObject.attrs); any value it is not sure of (an
// unknown, a null where HCL would fail, a type it does not compare) makes
// it give up on that object, which HCL then judges, so that the two can
// never disagree: where the fast path answers, HCL answers the same
// without a diagnostic.

// fastKind is the kind of a value the fast path handles.
type fastKind uint8

const (
	fastNull fastKind = iota
	fastBool
	fastString
	fastNumber // a whole number
	fastList   // a known list, of which only the length is read
)

type fastValue struct {
	kind fastKind
	b    bool
	s    string
	n    int64 // a number, or a list's length
	// text is set for a null that a function taking a text takes: a
	// null text, or the null keyword. HCL refuses others (an absent
	// sla, an object) before the function sees them.
	text bool
}

// fastExpr is a compiled expression: value is false when it cannot tell.
type fastExpr interface {
	value(o *govObject) (fastValue, bool)
}

// compileFast compiles a condition of a policy on kind, or returns nil
// when some part of it is not a shape the fast path handles. need holds
// the attributes the model builds, by kind.
func compileFast(expr ast.Expr, kind string, need map[string]*projection) fastExpr {
	shape := expr.Shape()
	if shape == nil {
		return nil
	}
	return fastCompiler{visible: variablesOf(kind), need: need}.compile(shape)
}

type fastCompiler struct {
	visible []string
	need    map[string]*projection
}

func (fc fastCompiler) compile(e ast.Shape) fastExpr {
	switch e := e.(type) {
	case ast.ShapeValue:
		if v, ok := known(e.Value); ok {
			return fastConst{v}
		}
	case ast.ShapeAttr:
		return fc.attribute(e)
	case ast.ShapeNot:
		if x := fc.compile(e.X); x != nil {
			return fastNot{x}
		}
	case ast.ShapeOp:
		return fc.binary(e)
	case ast.ShapeCall:
		return fc.call(e)
	}
	return nil
}

// attribute compiles variable.attribute, for an attribute the model
// builds.
func (fc fastCompiler) attribute(e ast.ShapeAttr) fastExpr {
	if !slices.Contains(fc.visible, e.Variable) || fc.need[e.Variable] == nil {
		return nil
	}
	at, found := slices.BinarySearch(fc.need[e.Variable].attrs, e.Attribute)
	if !found {
		return nil
	}
	return fastAttr{variable: e.Variable, at: at}
}

func (fc fastCompiler) binary(e ast.ShapeOp) fastExpr {
	l, r := fc.compile(e.L), fc.compile(e.R)
	if l == nil || r == nil {
		return nil
	}
	switch e.Op {
	case "==":
		return fastEqual{l, r, false}
	case "!=":
		return fastEqual{l, r, true}
	case "&&":
		return fastLogic{l, r, true, isBoolean(r)}
	case "||":
		return fastLogic{l, r, false, isBoolean(r)}
	case ">":
		return fastCompare{l, r, func(a, b int64) bool { return a > b }}
	case ">=":
		return fastCompare{l, r, func(a, b int64) bool { return a >= b }}
	case "<":
		return fastCompare{l, r, func(a, b int64) bool { return a < b }}
	case "<=":
		return fastCompare{l, r, func(a, b int64) bool { return a <= b }}
	}
	return nil
}

// call compiles trimspace(x), length(x) and matches(x, "pattern"), the
// functions of policyFunctions by those names.
func (fc fastCompiler) call(e ast.ShapeCall) fastExpr {
	switch {
	case e.Name == "trimspace" && len(e.Args) == 1:
		if x := fc.compile(e.Args[0]); x != nil {
			return fastTrimSpace{x}
		}
	case e.Name == "length" && len(e.Args) == 1:
		if x := fc.compile(e.Args[0]); x != nil {
			return fastLength{x}
		}
	case e.Name == "matches" && len(e.Args) == 2:
		text := fc.compile(e.Args[0])
		pattern, ok := e.Args[1].(ast.ShapeValue)
		if !ok || text == nil {
			return nil
		}
		p, ok := known(pattern.Value)
		if !ok || p.kind != fastString {
			return nil
		}
		re, err := wholeText(p.s)
		if err != nil {
			return nil // HCL reports it
		}
		return fastMatches{text, re}
	}
	return nil
}

// known converts a value, a literal's or an attribute's, or reports
// false for one the fast path does not handle: unknown, marked, a number
// that is not whole, an object.
func known(v cty.Value) (fastValue, bool) {
	switch t := v.Type(); {
	case v == cty.NilVal || !v.IsKnown() || v.IsMarked():
		return fastValue{}, false
	case v.IsNull():
		return nullOf(t), true
	case t == cty.Bool:
		return fastValue{kind: fastBool, b: v.True()}, true
	case t == cty.String:
		return fastValue{kind: fastString, s: v.AsString()}, true
	case t == cty.Number:
		if n, acc := v.AsBigFloat().Int64(); acc == big.Exact {
			return fastValue{kind: fastNumber, n: n}, true
		}
	case t.IsListType():
		return fastValue{kind: fastList, n: int64(v.LengthInt())}, true
	}
	return fastValue{}, false
}

// nullOf is a null of a type.
func nullOf(t cty.Type) fastValue {
	return fastValue{kind: fastNull, text: t == cty.String || t == cty.DynamicPseudoType}
}

type fastConst struct{ v fastValue }

func (c fastConst) value(*govObject) (fastValue, bool) { return c.v, true }

// fastAttr is an attribute of the object, or of one it sits in.
type fastAttr struct {
	variable string
	at       int // in the attrs of the variable's objects
}

func (a fastAttr) value(o *govObject) (fastValue, bool) {
	x := o.in(a.variable)
	if x == nil || a.at >= len(x.attrs) {
		return fastValue{}, false
	}
	return known(x.attrs[a.at])
}

// fastEqual is == or (negated) !=: nulls are equal to each other only,
// as cty's Equals has them; values of different kinds are left to HCL.
type fastEqual struct {
	l, r   fastExpr
	negate bool
}

func (e fastEqual) value(o *govObject) (fastValue, bool) {
	l, okL := e.l.value(o)
	r, okR := e.r.value(o)
	if !okL || !okR {
		return fastValue{}, false
	}
	var eq bool
	switch {
	case l.kind == fastNull || r.kind == fastNull:
		eq = l.kind == r.kind
	case l.kind != r.kind || l.kind == fastList:
		return fastValue{}, false
	case l.kind == fastString:
		eq = l.s == r.s
	case l.kind == fastBool:
		eq = l.b == r.b
	default:
		eq = l.n == r.n
	}
	return boolean(eq != e.negate)
}

// fastLogic is && or ||, of two known booleans. HCL evaluates both sides,
// but a false left of && (a true left of ||) decides, whatever went wrong
// on the right, unless the right is not a boolean at all (a text, a list),
// which HCL reports: so the fast path decides too when the right is an
// operation whose result is a boolean however it ends (shortCircuits).
type fastLogic struct {
	l, r          fastExpr
	and           bool
	shortCircuits bool
}

func (e fastLogic) value(o *govObject) (fastValue, bool) {
	l, ok := operand(e.l, o, fastBool)
	switch {
	case !ok:
		return fastValue{}, false
	case l.b != e.and && e.shortCircuits:
		return l, true
	}
	r, ok := operand(e.r, o, fastBool)
	if !ok {
		return fastValue{}, false
	}
	if e.and {
		return boolean(l.b && r.b)
	}
	return boolean(l.b || r.b)
}

// isBoolean reports whether HCL gives a boolean for x whatever its
// operands, if only an unknown one when they fail.
func isBoolean(x fastExpr) bool {
	switch x := x.(type) {
	case fastEqual, fastLogic, fastNot, fastCompare, fastMatches:
		return true
	case fastConst:
		return x.v.kind == fastBool
	}
	return false
}

type fastNot struct{ x fastExpr }

func (e fastNot) value(o *govObject) (fastValue, bool) {
	if v, ok := operand(e.x, o, fastBool); ok {
		return boolean(!v.b)
	}
	return fastValue{}, false
}

// fastCompare is <, <=, > or >= of two whole numbers.
type fastCompare struct {
	l, r fastExpr
	op   func(a, b int64) bool
}

func (e fastCompare) value(o *govObject) (fastValue, bool) {
	l, okL := operand(e.l, o, fastNumber)
	r, okR := operand(e.r, o, fastNumber)
	if !okL || !okR {
		return fastValue{}, false
	}
	return boolean(e.op(l.n, r.n))
}

// fastTrimSpace is trimspace of an ASCII text, which trimming leaves as
// cty would normalize it.
type fastTrimSpace struct{ x fastExpr }

func (e fastTrimSpace) value(o *govObject) (fastValue, bool) {
	if v, ok := operand(e.x, o, fastString); ok && ascii.Is(v.s) {
		return fastValue{kind: fastString, s: strings.TrimSpace(v.s)}, true
	}
	return fastValue{}, false
}

// fastLength is length of a list (lengthFunc counts a text's characters,
// which the fast path leaves to it).
type fastLength struct{ x fastExpr }

func (e fastLength) value(o *govObject) (fastValue, bool) {
	if v, ok := operand(e.x, o, fastList); ok {
		return fastValue{kind: fastNumber, n: v.n}, true
	}
	return fastValue{}, false
}

// fastMatches is matches(text, "pattern") for a literal pattern, which
// matchesFunc reads as the fast path does: a null text matches nothing.
type fastMatches struct {
	text fastExpr
	re   *regexp.Regexp
}

func (e fastMatches) value(o *govObject) (fastValue, bool) {
	v, ok := e.text.value(o)
	switch {
	case !ok:
		return fastValue{}, false
	case v.kind == fastNull && v.text:
		return boolean(false)
	case v.kind != fastString:
		return fastValue{}, false
	}
	return boolean(e.re.MatchString(v.s))
}

// operand is x's value for o, and whether it is known to be of kind k.
func operand(x fastExpr, o *govObject, k fastKind) (fastValue, bool) {
	v, ok := x.value(o)
	return v, ok && v.kind == k
}

// boolean is a known true or false.
func boolean(b bool) (fastValue, bool) { return fastValue{kind: fastBool, b: b}, true }
