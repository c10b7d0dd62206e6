package ast

import (
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Policy is a `policy "name" {}` block: a governance rule over one kind of
// object. Central policies (mesh.hcl, shared folders, the standard library)
// are in Mesh.Policies; a domain's own are in Domain.Policies.
type Policy struct {
	Stdlib      bool
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Description String
	Enforcement String // advisory, soft_mandatory or hard_mandatory
	On          String // the kind of object the policy is about
	Set         String // the policy set it belongs to; unset: always applies
	Domains     Strings
	When        Expr // nil when absent: the policy applies to every object of its kind
	Assert      Expr // nil when absent (reported)
	Message     Expr // a string template; nil when absent (reported)
}

// Waiver is a `waiver "name" {}` block: a recorded, temporary exception to a
// soft-mandatory policy for some objects.
type Waiver struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Description String
	Policy      *Ref // policy.NAME or domain.DOMAIN.policy.NAME; nil when absent or malformed
	Objects     Strings
	Reason      String
	Approver    String
	Expires     String
	// Unexpected lists, by the name written ("descripton", "ticket"), the
	// arguments and blocks of its body that a waiver does not take, which
	// loading reported: a waiver is reviewed as written, and one that
	// does not load as written is not the exception that was approved.
	Unexpected []string
}

// Expr is an expression of a policy (when, assert, message): the one place
// where a mesh holds code rather than values. lang/load keeps it as HCL
// syntax behind this interface, so that the compiler can evaluate it
// without depending on HCL.
type Expr interface {
	// Evaluate evaluates the expression with the given variables and
	// functions. Diagnostics point into the expression.
	Evaluate(vars map[string]cty.Value, funcs map[string]function.Function) (cty.Value, diag.Diagnostics)
	// Traversals lists the variables the expression reads, each as its root
	// name followed by the attribute names after it, up to the first index
	// or splat. Variables local to a for expression are not listed.
	Traversals() []Traversal
	// Calls lists the function calls of the expression.
	Calls() []Call
	// Shape is the expression as written, when every part of it is of a
	// shape that an evaluator can judge without HCL's (the compiler's
	// for the commonest policy conditions); nil when some part is not.
	Shape() Shape
	Range() diag.Range
}

// Shape is an expression made only of literals, attributes of
// variables, the logical and comparison operators and function calls:
// a ShapeValue, ShapeAttr, ShapeNot, ShapeOp or ShapeCall. Parentheses,
// and "${x}" around a single x, are left out, as they change no value.
type Shape interface{ shape() }

// ShapeValue is a literal: a number, true, false, null, or a quoted
// string without interpolations.
type ShapeValue struct{ Value cty.Value }

// ShapeAttr reads an attribute of a variable: port.visibility.
type ShapeAttr struct{ Variable, Attribute string }

// ShapeNot is !X.
type ShapeNot struct{ X Shape }

// ShapeOp is L Op R, where Op is one of ==, !=, &&, ||, <, <=, > and >=.
type ShapeOp struct {
	Op   string
	L, R Shape
}

// ShapeCall calls a function by name, its arguments not expanded with
// "...".
type ShapeCall struct {
	Name string
	Args []Shape
}

func (ShapeValue) shape() {}
func (ShapeAttr) shape()  {}
func (ShapeNot) shape()   {}
func (ShapeOp) shape()    {}
func (ShapeCall) shape()  {}

// Traversal is a variable read by an expression: port.visibility is
// {port, visibility}.
type Traversal []RefPart

// Call is a function call in an expression: the function's name, and for
// each argument that is a plain variable or attribute, such as port or
// port.tests, its traversal (nil for any other argument).
type Call struct {
	Name RefPart
	Args []Traversal
}
