// Package ast is the decoded form of a mesh: every block of every
// .mesh.hcl file (the user's and the standard library's), with its source
// ranges, before any reference is resolved or any rule is checked.
//
// lang/load produces it; the compiler consumes it. It holds no HCL types:
// references are Ref values (the traversal's names and ranges), literal
// values are cty values, and the one piece that must stay an expression, a
// test kind's SQL template, is behind the Template interface.
package ast

import (
	"io/fs"

	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// Mesh is a whole mesh: the root file's settings, the domains found in its
// folders, and the mesh-wide definitions from the standard library and the
// platform team.
type Mesh struct {
	Root *MeshBlock // nil when mesh.hcl has no valid mesh block
	// RootBlocks counts the mesh blocks written in mesh.hcl, valid or not.
	RootBlocks   int
	Defaults     *Defaults // nil when absent
	Environments []*Environment
	Domains      []*Domain
	// IgnoredDomains names domains declared in a folder that already has
	// one (reported when loading); references to them are not reported again.
	IgnoredDomains []string
	Runners        []*Runner
	TestKinds      []*TestKind
	Secrets        []*Secret // mesh-wide secrets, declared outside any domain
	Targets        []*Target // stdlib's first
	// Policies and Waivers are the central ones: from mesh.hcl, shared
	// folders and (policies only) the standard library. A domain's own are
	// in its Domain.
	Policies []*Policy
	Waivers  []*Waiver
	// Blueprints are the central blueprints, from mesh.hcl and shared
	// folders. Loading has already merged them into the products and
	// domains that extend them; they are kept for meshc explain.
	Blueprints []*Blueprint
	Files      []*diag.File // the user's files, in the order of the folder walk
	// Folders are the listings of the user's folders that loading walked
	// (not the hidden ones, nor the output folder), each sorted by name,
	// by path relative to the mesh root, "." for the root: the checker
	// looks up the paths that steps name there rather than asking the file
	// system again. An entry tells its name and type only: one the
	// sources' index kept has no Info.
	Folders map[string][]fs.DirEntry
}

// String is a string attribute with its range. Set is false when the
// attribute was absent; Range is then the enclosing block's range. Bad is
// true when it was present but invalid (and reported): checks that an
// attribute is missing skip it, so that one mistake is reported once.
type String struct {
	V     string
	Set   bool
	Bad   bool
	Range diag.Range
}

// Strings is a list-of-strings attribute; Bad as for String.
type Strings struct {
	V     []String
	Set   bool
	Bad   bool
	Range diag.Range
}

// Contains reports whether the list holds v.
func (s Strings) Contains(v string) bool {
	for _, x := range s.V {
		if x.V == v {
			return true
		}
	}
	return false
}

// Values returns the plain strings.
func (s Strings) Values() []string {
	out := make([]string, len(s.V))
	for i, v := range s.V {
		out[i] = v.V
	}
	return out
}

// Bool is a boolean attribute.
type Bool struct {
	V     bool
	Set   bool
	Bad   bool
	Range diag.Range
}

// Number is a whole-number attribute.
type Number struct {
	V     int64
	Set   bool
	Range diag.Range
}

// Ref is a reference written as an HCL traversal, such as
// product.prescribers.port.main. Parts holds each name with its range.
type Ref struct {
	Parts []RefPart
	Range diag.Range
}

// RefPart is one name of a reference.
type RefPart struct {
	Name  string
	Range diag.Range
}

// Interpolation is a variable a template writes, and the template's text
// before it, each interpolation or directive as the word x, so that one
// inside quotes, a comment or right after a minus sign can be told apart.
type Interpolation struct {
	RefPart // the name as written
	// Variable is the template's variable whose value it writes: the
	// name, or for a loop's variable the one whose elements the loop
	// takes (%{ for v in values }); "" for none.
	Variable string
	Before   string
	// Alone is set when the variable is the whole interpolation,
	// ${low}, and so written as it is; not when a call is, as in
	// ${upper(name)}, which writes text made of it.
	Alone bool
}

// TemplateCall is a function call in a template: the function's name and
// range, and how many arguments it passes. Expands is set when the last
// argument is expanded (f(xs...)), so that the count is known only when
// the template is rendered.
type TemplateCall struct {
	Name      string
	NameRange diag.Range
	Range     diag.Range // the whole call
	Args      int
	Expands   bool
}

// String renders the reference as written.
func (r Ref) String() string {
	s := ""
	for i, p := range r.Parts {
		if i > 0 {
			s += "."
		}
		s += p.Name
	}
	return s
}

// TypeExpr is a column or parameter type as written: a keyword such as
// string or timestamp_ntz, or a call such as string(10), number(38, 2) or
// list(string).
type TypeExpr struct {
	Name  string
	Range diag.Range // empty Name means the attribute was absent
	// Call holds the arguments, nil when there are none, as in most
	// columns: a large mesh decodes a million columns, each with its
	// type, and the arguments' slice and element pointer made a column
	// 192 bytes rather than 160.
	Call *TypeCall
}

// TypeCall is what a type's call passes: numeric arguments or an element
// type.
type TypeCall struct {
	Args []int64   // numeric arguments: string(10), number(38, 2)
	Elem *TypeExpr // element type: list(string)
}

// Args returns the type's numeric arguments: 10 in string(10).
func (t TypeExpr) Args() []int64 {
	if t.Call == nil {
		return nil
	}
	return t.Call.Args
}

// Elem returns the type's element type, string in list(string), or nil.
func (t TypeExpr) Elem() *TypeExpr {
	if t.Call == nil {
		return nil
	}
	return t.Call.Elem
}

// Value is an argument to a runner or a test: a literal, or a reference.
type Value struct {
	Literal cty.Value // cty.NilVal when Ref is set
	Ref     *Ref
	Range   diag.Range
	// Elems is where each element of a list written as [a, b] is
	// written, for a diagnostic about one element; nil for any other
	// value.
	Elems []diag.Range
}

// Arg is a named argument: a step's runner argument. Problems holds what
// was wrong with its value; the compiler reports them only for arguments
// the runner takes, since an unknown argument is one mistake, not two.
type Arg struct {
	Name      string
	NameRange diag.Range
	Value     Value
	Problems  diag.Diagnostics
	// Meant is the step's own argument (run, after, description) this one
	// may be a misspelling of, when that argument is missing.
	Meant string
}

// MeshBlock is the `mesh "name" {}` block of mesh.hcl.
type MeshBlock struct {
	Name            string
	NameRange       diag.Range
	DeclRange       diag.Range
	Description     String
	Owner           String // the platform team, who owns what no domain does
	Layers          Strings
	Classifications Strings
	PolicySets      Strings // the policy sets the mesh opts into
}

// Defaults is the `defaults {}` block of mesh.hcl.
type Defaults struct {
	DeclRange  diag.Range
	Timezone   String
	Retries    Number
	RetryDelay String
	StartDate  String
}

// Environment is an `environment "name" {}` block of mesh.hcl.
type Environment struct {
	Name         string
	NameRange    diag.Range
	DeclRange    diag.Range
	Description  String
	Database     String
	SchemaPrefix String
	Warehouse    String
	Role         String
	Connection   String
	DbtTarget    String // the target of the dbt project's profile that dbt steps build
}

// Domain is a `domain "name" {}` block and everything declared in its folder.
type Domain struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Dir         string // the domain's folder, slash-separated, relative to the mesh root
	Owner       String
	Description String
	Layer       String
	Schema      String
	// Extends is the blueprint the domain extends, nil when none;
	// Blueprints the names of the blueprints merged into it, nearest first.
	Extends    *Ref
	Blueprints []string
	Sources    []*Source
	Products   []*Product
	Secrets    []*Secret
	Policies   []*Policy // the domain's own policies
	Waivers    []*Waiver // waivers of them
}

// Source is raw data a domain reads: a `source "name" {}` block.
type Source struct {
	Name           string
	NameRange      diag.Range
	DeclRange      diag.Range
	Description    String
	Cadence        String
	Table          String
	Classification String
	Columns        []*Column
}

// Column is a `column "name" {}` block of a source or a port.
type Column struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Type        TypeExpr
	Nullable    Bool
	Description String
	Tests       []*TestUse
	// Governed holds the classification and masking attributes, nil when
	// neither is written, as in most columns: while a large mesh loads,
	// its decoded columns are most of the heap, and the two attributes
	// were 80 of a column's 280 bytes.
	Governed *ColumnGovernance
}

// ColumnGovernance is what a column says of how sensitive its data is.
type ColumnGovernance struct {
	Classification String
	Masking        String
}

// Classification is the column's classification attribute; when it is
// not written, unset, with the column block's range, as an absent
// attribute has.
func (c *Column) Classification() String {
	if c.Governed == nil {
		return String{Range: c.DeclRange}
	}
	return c.Governed.Classification
}

// Masking is the column's masking attribute, as Classification.
func (c *Column) Masking() String {
	if c.Governed == nil {
		return String{Range: c.DeclRange}
	}
	return c.Governed.Masking
}

// Product is a `product "name" {}` block.
type Product struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Owner       String
	Description String
	Version     String
	Tags        Strings
	Inputs      []*Input
	Ports       []*Port
	Steps       []*Step
	Tests       []*TestUse
	Schedule    *Schedule
	SLA         *SLA
	Deprecation *Deprecation
	// Extends is the blueprint the product extends, nil when none;
	// Blueprints the names of the blueprints merged into it, nearest first.
	// Every inherited value keeps the range it has in its blueprint.
	Extends    *Ref
	Blueprints []string
	// Broken lists the blocks and arguments of the product's body that were
	// written but failed to load (misspelt, or a block without its name),
	// by the name meant, so that they are not also reported as missing.
	Broken []string
}

// Blueprint is a `blueprint "name" {}` block: defaults for the products
// (or domains) that extend it. Its values are decoded as a product's (or a
// domain's) are, into Product (or Domain), which holds only what a
// blueprint may set.
type Blueprint struct {
	Name      string
	NameRange diag.Range
	DeclRange diag.Range
	// BlockRange is the whole block, to its closing brace: a diagnostic
	// within it is about a value the blueprint gives.
	BlockRange diag.Range
	For        String // "product" or "domain"
	Extends    *Ref
	// ExtendsBad is true when extends was written but failed to load.
	ExtendsBad bool
	Product    *Product // when For is "product"
	Domain     *Domain  // when For is "domain"
}

// Input is an `input "name" {}` block: what a product reads.
type Input struct {
	Name      string
	NameRange diag.Range
	DeclRange diag.Range
	From      *Ref
	Columns   []InputColumn
	// ColumnsBad is true when the columns argument was present but invalid.
	ColumnsBad bool
}

// InputColumn is one column an input reads, with the type the consumer
// expects when it wrote one. Its name is always written, so it is a
// plain string and its range rather than a String, whose flags took a
// sixth of the 48 bytes of each of a large mesh's millions.
type InputColumn struct {
	Name  string
	Range diag.Range // the name's
	Type  *TypeExpr
}

// Port is a `port "name" {}` block: a published table or view.
type Port struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Kind        string // "table" or "view"; empty when neither was given
	Object      String // the table or view name as written
	Visibility  String
	Description String
	Columns     []*Column
	Tests       []*TestUse
	// Broken lists the arguments of the port's body that were misspelt
	// ("visibilty"), as Product.Broken does.
	Broken []string
}

// Step is a `step "name" {}` block: one unit of work.
type Step struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Run         *Ref
	After       []Ref
	Description String
	Args        []*Arg // the runner's arguments, sorted by name
}

// TestUse is one use of a test kind: an entry of a `tests = [...]` list or a
// `test "name" {}` block.
type TestUse struct {
	Kind      string
	KindRange diag.Range
	Args      []Value // positional, in the test kind's parameter order
	CallRange diag.Range
	DeclRange diag.Range
	// Block holds what a test block writes beside its call; nil for a
	// list entry, of which a large mesh holds tens of thousands.
	Block *TestBlock
}

// TestBlock is what a `test "name" {}` block writes beside its call.
type TestBlock struct {
	Name        String // the block label
	Severity    String
	Description String
	Column      String // the column tested, for blocks outside a column
	Port        *Ref   // the port tested, for product-level blocks
	// PortBad is set when port was written but did not load, or was
	// written under another name ("prot"): reported, so the test's port is
	// not known, rather than left out.
	PortBad bool
}

// Written returns what the test's block wrote, all unset for a list entry.
func (t *TestUse) Written() TestBlock {
	if t.Block == nil {
		return TestBlock{}
	}
	return *t.Block
}

// Schedule is a product's `schedule {}` block.
type Schedule struct {
	DeclRange diag.Range
	Cadence   String
	OnInputs  Bool
	Timezone  String
}

// SLA is a product's `sla {}` block.
type SLA struct {
	DeclRange diag.Range
	Freshness String
}

// Deprecation is a product's `deprecation {}` block.
type Deprecation struct {
	DeclRange diag.Range
	Date      String
	Message   String
}

// Runner is a `runner "name" {}` block: a kind of step.
type Runner struct {
	Stdlib       bool // declared by the standard library
	Name         string
	NameRange    diag.Range
	DeclRange    diag.Range
	Description  String
	Params       []*Param
	ExactlyOneOf Strings
}

// Param is a `param "name" {}` block of a runner or a test kind.
type Param struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Type        TypeExpr
	Optional    Bool
	Description String
	Of          String // for column parameters: the port parameter the column belongs to
}

// TestKind is a `test_kind "name" {}` block: a kind of data test and the
// SQL query it renders to.
type TestKind struct {
	Stdlib      bool // declared by the standard library
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Description String
	On          String // "column", "port" or "product"
	ColumnTypes Strings
	Params      []*Param
	SQL         Template
}

// Template is a test kind's SQL template, written in HCL template syntax.
type Template interface {
	// Render evaluates the template with the given variables.
	Render(vars map[string]cty.Value) (string, error)
	// AppendRender appends the text Render returns to buf, for a caller
	// that reads the text but keeps none (meshc check), and so reuses
	// one buffer for every rendering.
	AppendRender(buf []byte, vars map[string]cty.Value) ([]byte, error)
	// Variables lists the root names the template refers to, with ranges.
	Variables() []RefPart
	// Calls lists the function calls the template makes, in the order
	// written.
	Calls() []TemplateCall
	// Skeleton returns the template's own text, each interpolation or
	// directive in it written as the word x: enough to see the
	// statements and quotes the template's text writes whatever the
	// values, but not those its directives and calls write, which only
	// a rendering shows.
	Skeleton() string
	// Interpolations lists the variables the template writes, alone or
	// as arguments of a call, with the template's text before each read
	// as Skeleton reads it: one in a loop twice, after the text before
	// the loop and after its first pass. Where a directive's branches
	// differ, the text is that of the first branch that ends in a minus
	// sign, else the first: a negative number right after a minus writes
	// "--", which starts an SQL comment.
	Interpolations() []Interpolation
	Range() diag.Range
}

// Secret is a `secret "name" {}` block: a reference to a credential held
// elsewhere, either at a vault path or by name in the orchestrator.
type Secret struct {
	Name        string
	NameRange   diag.Range
	DeclRange   diag.Range
	Description String
	Vault       String
	Named       String // the `name` attribute
}

// Describe names a value's type as a user would write it ("a string",
// "a list"), not as cty calls it ("tuple"), for messages.
func Describe(v cty.Value) string {
	t := v.Type()
	switch {
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "true or false"
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "an object"
	}
	return t.FriendlyName()
}

// Target is a `target "NAME" {}` block: how one target compiles the mesh.
// The standard library declares each target's defaults; a user's block
// overrides them setting by setting.
type Target struct {
	Stdlib    bool
	Name      string
	NameRange diag.Range
	DeclRange diag.Range
	// Options holds the target's settings, by name, as written.
	Options map[string]*Option
	Jobs    []*JobTemplate // runner "NAME" {} blocks
	Test    *JobTemplate   // the test {} block
}

// Option is one setting of a target block.
type Option struct {
	Name    string
	String  String  // for text settings
	Strings Strings // for list settings
	Number  Number  // for whole-number settings
	Range   diag.Range
}

// JobTemplate says how a target runs one runner's steps (or the tests):
// script lines with {{param}} placeholders, variables, and the target's own
// settings (a GitLab job's image, an Airflow task's operator, a Snowflake
// task's kind and SQL template).
type JobTemplate struct {
	Runner    string // empty for the test template
	NameRange diag.Range
	DeclRange diag.Range
	Image     String
	Operator  String // Airflow
	Kind      String // Snowflake
	SQL       String // Snowflake
	Script    Strings
	Variables StringMap
}

// StringMap is a map-of-strings attribute, such as variables = { A = "x" },
// with its entries in the order written.
type StringMap struct {
	Entries []MapEntry
	Set     bool
	Bad     bool
	Range   diag.Range
}

// MapEntry is one entry of a StringMap.
type MapEntry struct {
	Key      string
	KeyRange diag.Range
	Value    String
}
