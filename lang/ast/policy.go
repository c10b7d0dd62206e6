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
	Range() diag.Range
}

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
