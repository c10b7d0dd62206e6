package load

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// This file turns HCL's ranges, diagnostics and attribute values into
// meshc's own types. It is the only place that knows both.

// content is body.Content(schema), built directly for a body that the
// schema fits whole: each of its arguments and blocks one the schema
// names, each block with the labels the schema gives it, and every
// required argument there. Such a body has nothing to report, and
// hclsyntax would build the same content through five maps that hide
// what it takes. Every other body is hclsyntax's to judge (TestContent
// compares the two). The body must come from the parser whole, not be
// what PartialContent left of one, whose hidden arguments and blocks
// content cannot see.
//
// The content built directly is s's, valid until s is reset (see
// scratch).
func content(body hcl.Body, schema *hcl.BodySchema, s *scratch) (*hcl.BodyContent, hcl.Diagnostics) {
	b, ok := body.(*hclsyntax.Body)
	if !ok || !fits(b, schema) {
		return body.Content(schema)
	}
	c := s.content(b)
	for name, attr := range b.Attributes {
		c.Attributes[name] = s.attribute(attr)
	}
	for _, block := range b.Blocks {
		c.Blocks = append(c.Blocks, s.block(block))
	}
	return c, nil
}

// arguments is body.PartialContent(schema) and JustAttributes of what it
// leaves: the arguments the schema names, and all the others. Like
// content, it builds them directly, into s, for a body from the parser
// that has no blocks and every argument the schema requires, where
// hclsyntax has nothing to report; schema names no blocks.
func arguments(body hcl.Body, schema *hcl.BodySchema, s *scratch) (*hcl.BodyContent, hcl.Attributes, hcl.Diagnostics) {
	b, ok := body.(*hclsyntax.Body)
	if !ok || len(b.Blocks) > 0 || !hasRequired(b, schema) {
		c, rest, hds := body.PartialContent(schema)
		others, more := rest.JustAttributes()
		return c, others, append(hds, more...)
	}
	c := s.content(b)
	others := s.content(b).Attributes // a second content's map, for the arguments the schema does not name
	for name, attr := range b.Attributes {
		if slices.ContainsFunc(schema.Attributes, func(a hcl.AttributeSchema) bool { return a.Name == name }) {
			c.Attributes[name] = s.attribute(attr)
		} else {
			others[name] = s.attribute(attr)
		}
	}
	return c, others, nil
}

// fits reports whether a schema fits a body whole (see content).
func fits(b *hclsyntax.Body, schema *hcl.BodySchema) bool {
	for name := range b.Attributes {
		if !slices.ContainsFunc(schema.Attributes, func(a hcl.AttributeSchema) bool { return a.Name == name }) {
			return false
		}
	}
	if !hasRequired(b, schema) {
		return false
	}
	for _, block := range b.Blocks {
		if s, ok := lastBlockSchema(schema, block.Type); !ok || len(s.LabelNames) != len(block.Labels) {
			return false
		}
	}
	return true
}

// hasRequired reports whether a body has every argument a schema requires.
func hasRequired(b *hclsyntax.Body, schema *hcl.BodySchema) bool {
	for _, a := range schema.Attributes {
		if _, ok := b.Attributes[a.Name]; a.Required && !ok {
			return false
		}
	}
	return true
}

// lastBlockSchema finds a block type's schema: the last entry for it, as
// hclsyntax keeps.
func lastBlockSchema(schema *hcl.BodySchema, typ string) (hcl.BlockHeaderSchema, bool) {
	for _, s := range slices.Backward(schema.Blocks) {
		if s.Type == typ {
			return s, true
		}
	}
	return hcl.BlockHeaderSchema{}, false
}

// rng converts a range of file. Offsets fit in 32 bits: loading and
// formatting refuse files of MaxFileSize bytes or more (TooLarge).
func rng(file *diag.File, r hcl.Range) diag.Range {
	if r.Start.Line == 0 {
		return diag.Range{} // HCL's zero range points nowhere
	}
	return file.Range(r.Start.Byte, r.End.Byte)
}

// rng converts a range of the file being decoded.
func (d *decoder) rng(r hcl.Range) diag.Range { return rng(d.file, r) }

// rngPtr converts a diagnostic's range: one that points nowhere names
// the file at least.
func rngPtr(file *diag.File, r *hcl.Range) *diag.Range {
	if r == nil {
		return nil
	}
	if c := rng(file, *r); !c.IsZero() {
		return c.Ptr()
	}
	return file.Whole().Ptr()
}

// hclCodes gives HCL's own diagnostics stable meshc codes, by the start of
// their summary; the first match wins, and anything else is "syntax".
var hclCodes = []struct{ prefix, code string }{
	{"Unsupported argument", "unknown-attribute"},
	{"Unsupported block type", "unknown-block"},
	{"Missing required argument", "missing-attribute"},
	{"Missing name for", "missing-label"},
	{"Extraneous label for", "extra-label"},
	{"Duplicate argument", "duplicate-attribute"},
	{"Attribute redefined", "duplicate-attribute"},
	{"Incorrect attribute value type", "wrong-type"},
	{"Unexpected block", "unknown-block"},
	{"Unexpected \"", "unknown-block"},
	{"Variables not allowed", "not-a-literal"},
	{"Function calls not allowed", "not-a-literal"},
}

var hclRange = regexp.MustCompile(`(\S+):(\d+),(\d+)-\d+`)

// convertDiags converts the diagnostics HCL gave on file.
func convertDiags(file *diag.File, hds hcl.Diagnostics) diag.Diagnostics {
	var out diag.Diagnostics
	for _, hd := range hds {
		d := &diag.Diagnostic{
			Severity: diag.Error,
			Code:     "syntax",
			Summary:  hd.Summary,
			Detail:   hd.Detail,
			Subject:  rngPtr(file, hd.Subject),
			Context:  rngPtr(file, hd.Context),
		}
		if hd.Severity == hcl.DiagWarning {
			d.Severity = diag.Warning
		}
		if _, stopped := hd.Extra.(boundStop); stopped {
			d.Code = BoundCode
		}
		// HCL names ranges as file:line,col-col; meshc as file:line:col.
		d.Detail = hclRange.ReplaceAllString(d.Detail, "$1:$2:$3")
		// cty turns a function's panic into an error holding the Go
		// stack, which is no help to anyone writing a mesh. Its
		// operators panic on an infinite number (cty's modulo does),
		// which dividing by zero gives.
		if before, _, panicked := strings.Cut(d.Detail, "panic in function implementation:"); panicked {
			d.Detail = before + "the operation cannot be done on these values. An infinite number, which a division by zero gives, is a common cause: guard the division, as in length(xs) == 0 ? 0 : n / length(xs)."
		}
		if m := requiredMissing.FindStringSubmatch(hd.Detail); m != nil && hd.Summary == "Missing required argument" {
			d.Detail = fmt.Sprintf("This block needs the argument %q, which has no default: add a line %s = ... inside its braces.", m[1], m[1])
		}
		if block, ok := strings.CutPrefix(hd.Summary, "Missing name for "); ok {
			d.Detail = fmt.Sprintf("A %s block has a name, which references use: write %s \"name\" { ... }.", block, block)
		}
		// HCL's summary for a bad argument does not say whose argument
		// it is; the function's name is in the diagnostic's extra.
		if call, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](hd); ok && call.CalledFunctionName() != "" && hd.Summary == "Invalid function argument" {
			d.Summary = "Invalid argument to " + call.CalledFunctionName()
		}
		for _, c := range hclCodes {
			if strings.HasPrefix(hd.Summary, c.prefix) {
				d.Code = c.code
				break
			}
		}
		out = append(out, d)
	}
	return out
}

// literal evaluates an attribute that must be a constant: no references, no
// function calls.
func (d *decoder) literal(attr *hcl.Attribute, want cty.Type) (cty.Value, diag.Diagnostics) {
	if trav, ok := traversalOf(attr.Expr); ok && !keywords[trav.RootName()] {
		switch {
		case len(trav) == 1 && want == cty.String:
			return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Quoted value expected",
				"Text values are quoted: write %s = %q.", attr.Name, trav.RootName())}
		case want == cty.Bool:
			return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "true or false expected",
				"The argument %q is true or false.", attr.Name)}
		case want == cty.Number:
			return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Number expected",
				"The argument %q is a number, written without quotes.", attr.Name)}
		}
		return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Value expected",
			"The argument %q takes a value, such as a quoted string, a number or true, not a reference.", attr.Name)}
	}
	return d.constant(attr.Expr)
}

// constant evaluates an expression that must be written as a literal: a
// quoted string or heredoc without interpolation, a number, true or false,
// or a list of those. Values in a mesh are data, not code: parentheses,
// conditionals, arithmetic, indexes and ${...} are refused rather than
// evaluated, so that what is reviewed is what is used (and a credential
// cannot hide inside an expression).
func (d *decoder) constant(expr hcl.Expression) (cty.Value, diag.Diagnostics) {
	if bad := nonLiteral(expr); bad != nil {
		if name, ok := bareName(bad); ok && isValueOf(expr, bad) {
			return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(bad.Range()), "Quoted value expected",
				"Text values are quoted, in lists too: write %q.", name)}
		}
		if date, ok := bareDate(bad); ok {
			return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(bad.Range()), "Quoted date expected",
				"Dates are quoted text: write %q. Unquoted, %s is a subtraction.", date, date)}
		}
		return cty.NilVal, diag.Diagnostics{diag.Errorf("not-a-literal", d.rng(bad.Range()), "Expression instead of a value",
			"Values are written as literals: a quoted string, a number, true or false, or a list of those. Expressions such as (...), conditionals, arithmetic, indexes and ${...} interpolation are not evaluated: write the value itself.")}
	}
	v, hds := value(expr)
	if hds.HasErrors() {
		return cty.NilVal, convertDiags(d.file, hds)
	}
	// A literal reads no variable, so nothing in it is unknown: only its
	// own knownness is asked, as IsWhollyKnown would allocate a number
	// for each element of a list it walks (20 MB at 100,000 products).
	if !v.IsKnown() || v.IsNull() {
		return cty.NilVal, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(expr.Range()),
			"Missing value", "null is not allowed here; give a value or leave the argument out.")}
	}
	return v, nil
}

// value is expr.Value(nil), but for a quoted string with nothing to
// evaluate, whose text HCL would copy: its one literal part holds the
// value already (TestValue compares the two).
func value(expr hcl.Expression) (cty.Value, hcl.Diagnostics) {
	if t, ok := expr.(*hclsyntax.TemplateExpr); ok && len(t.Parts) == 1 {
		if lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String &&
			lit.Val.IsKnown() && !lit.Val.IsNull() && !lit.Val.IsMarked() {
			return lit.Val, nil
		}
	}
	return expr.Value(nil)
}

// isValueOf reports whether part is expr or an item of the list expr, not
// a part of a string's ${...}.
func isValueOf(expr, part hcl.Expression) bool {
	if list, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		item, ok := part.(hclsyntax.Expression)
		return ok && slices.Contains(list.Exprs, item)
	}
	return expr == part
}

// bareName returns the text of a name or dotted name written without
// quotes, such as finance or payer.rebates.rebates, which the user meant
// as text.
func bareName(expr hcl.Expression) (string, bool) {
	e, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return "", false
	}
	parts := make([]string, 0, len(e.Traversal))
	for _, step := range e.Traversal {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		default:
			return "", false
		}
	}
	return strings.Join(parts, "."), true
}

// bareDate returns the date that an unquoted YYYY-MM-DD, which HCL reads
// as two subtractions, was meant to be.
func bareDate(expr hcl.Expression) (string, bool) {
	digits := func(e hclsyntax.Expression, n int) (int, bool) {
		lit, ok := e.(*hclsyntax.LiteralValueExpr)
		if !ok || lit.Val.Type() != cty.Number || lit.SrcRange.End.Byte-lit.SrcRange.Start.Byte != n {
			return 0, false
		}
		v, acc := lit.Val.AsBigFloat().Int64()
		return int(v), acc == big.Exact
	}
	outer, ok := expr.(*hclsyntax.BinaryOpExpr)
	if !ok || outer.Op != hclsyntax.OpSubtract || outer.Range().End.Byte-outer.Range().Start.Byte != 10 {
		return "", false
	}
	inner, ok := outer.LHS.(*hclsyntax.BinaryOpExpr)
	if !ok || inner.Op != hclsyntax.OpSubtract {
		return "", false
	}
	y, ok1 := digits(inner.LHS, 4)
	m, ok2 := digits(inner.RHS, 2)
	day, ok3 := digits(outer.RHS, 2)
	if !ok1 || !ok2 || !ok3 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, day), true
}

// nonLiteral returns the first part of expr that is not a literal, or nil.
func nonLiteral(expr hcl.Expression) hcl.Expression {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return nil
	case *hclsyntax.TemplateExpr:
		// Text parts are string literals; "${1}" is a number literal part.
		for _, p := range e.Parts {
			if lit, ok := p.(*hclsyntax.LiteralValueExpr); !ok || lit.Val.Type() != cty.String {
				return p
			}
		}
		return nil
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			if bad := nonLiteral(x); bad != nil {
				return bad
			}
		}
		return nil
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			if bad := nonLiteral(item.ValueExpr); bad != nil {
				return bad
			}
		}
		return nil
	case *hclsyntax.UnaryOpExpr:
		if lit, ok := e.Val.(*hclsyntax.LiteralValueExpr); ok && e.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number {
			return nil
		}
	case *hclsyntax.ScopeTraversalExpr:
		if len(e.Traversal) == 1 && keywords[e.Traversal.RootName()] {
			return nil // true, false, null
		}
	}
	return expr
}

func (d *decoder) wrongType(attr *hcl.Attribute, want string, err error) diag.Diagnostics {
	return diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()),
		"Incorrect attribute value type",
		"The argument %q must be %s: %s.%s", attr.Name, want, strings.TrimSuffix(err.Error(), "."), writtenAs[attr.Name])}
}

// writtenAs shows how the arguments whose strings hold a value of their
// own kind are written: retry_delay = 600 is a number, not "10m".
var writtenAs = map[string]string{
	"retry_delay": durationExample, "freshness": durationExample, "timeout": durationExample,
	"target_completion_interval": durationExample,
	"start_date":                 dateExample, "expires": dateExample, "date": dateExample,
	"cadence": ` A cadence is "hourly", "daily", "weekly", "monthly" or a cron expression in quotes, such as "0 6 * * 1-5".`,
}

const (
	durationExample = ` It is a duration in quotes: a whole number and a unit, such as "10m", "36h" or "7d".`
	dateExample     = ` It is a date in quotes, YYYY-MM-DD, such as "2027-01-31".`
)

func (d *decoder) decodeString(attr *hcl.Attribute) (ast.String, diag.Diagnostics) {
	bad := ast.String{Bad: true, Range: d.rng(attr.Expr.Range())}
	v, ds := d.literal(attr, cty.String)
	if ds != nil {
		return bad, ds
	}
	if v.Type() != cty.String {
		return bad, d.wrongType(attr, "a quoted string", fmt.Errorf("got %s", ast.Describe(v)))
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return bad, d.wrongType(attr, "a string", err)
	}
	return ast.String{V: s.AsString(), Set: true, Range: d.rng(attr.Expr.Range())}, nil
}

func (d *decoder) decodeBool(attr *hcl.Attribute) (ast.Bool, diag.Diagnostics) {
	v, ds := d.literal(attr, cty.Bool)
	out := ast.Bool{Bad: true, Range: d.rng(attr.Expr.Range())}
	if ds != nil {
		return out, ds
	}
	if v.Type() != cty.Bool {
		return out, d.wrongType(attr, "true or false, without quotes", fmt.Errorf("got %s", ast.Describe(v)))
	}
	out.Bad = false
	out.V, out.Set = v.True(), true
	return out, nil
}

func (d *decoder) decodeNumber(attr *hcl.Attribute) (ast.Number, diag.Diagnostics) {
	v, ds := d.literal(attr, cty.Number)
	out := ast.Number{Range: d.rng(attr.Expr.Range())}
	if ds != nil {
		return out, ds
	}
	if v.Type() != cty.Number {
		return out, d.wrongType(attr, "a whole number", fmt.Errorf("got %s", ast.Describe(v)))
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if !bf.IsInt() {
		return out, d.wrongType(attr, "a whole number", fmt.Errorf("got %s", bf.Text('g', 10)))
	}
	if acc != big.Exact {
		n = math.MaxInt64 // too large for any setting; the checker reports the range
	}
	out.V, out.Set = n, true
	return out, nil
}

// decodeStrings decodes a list of strings, keeping each element's range so
// that a bad element is underlined on its own.
func (d *decoder) decodeStrings(attr *hcl.Attribute) (ast.Strings, diag.Diagnostics) {
	out := ast.Strings{Range: d.rng(attr.Expr.Range()), Set: true}
	exprs, hds := hcl.ExprList(attr.Expr)
	if hds.HasErrors() {
		out.Bad = true
		return out, d.wrongType(attr, "a list of strings, like [\"a\", \"b\"]", fmt.Errorf("it is not a list"))
	}
	var ds diag.Diagnostics
	if len(exprs) > 0 {
		out.V = make([]ast.String, 0, len(exprs)) // rather than grown: 40 MB at 100,000 products
	}
	for _, e := range exprs {
		v, problems := d.constant(e)
		if problems == nil && v.Type() != cty.String {
			problems = diag.Diagnostics{diag.Errorf("wrong-type", d.rng(e.Range()), "Incorrect list element",
				"Each element of %q is a quoted string; this one is %s.", attr.Name, ast.Describe(v))}
		}
		ds = append(ds, problems...)
		if problems == nil {
			out.V = append(out.V, ast.String{V: v.AsString(), Set: true, Range: d.rng(e.Range())})
		}
	}
	if len(out.V) == 0 {
		out.V = nil // as when grown, should every element be wrong
	}
	out.Bad = len(ds) > 0
	return out, ds
}

// decodeRef decodes a reference such as product.prescribers.port.main.
func (d *decoder) decodeRef(expr hcl.Expression, what string) (*ast.Ref, diag.Diagnostics) {
	trav, ok := traversalOf(expr)
	if !ok || keywords[trav.RootName()] {
		detail := fmt.Sprintf("A reference to %s is expected here, written as a name path without quotes, for example %s.", what, refExample(what))
		if s, isString := stringValue(expr); isString {
			example := s
			if !refLike.MatchString(s) {
				example = refExample(what)
				if root, _, ok := strings.Cut(example, "."); ok && identLike.MatchString(s) && !strings.Contains(example, " ") {
					example = root + "." + s // "load" in after = ["load"] means step.load
				}
			}
			detail = fmt.Sprintf("References are written without quotes, so that meshc can check them: write %s, not %q.", example, s)
		}
		return nil, diag.Diagnostics{diag.Errorf("not-a-reference", d.rng(expr.Range()), "Reference expected", "%s", detail)}
	}
	pool := &d.scratch.refs
	if d.inStep {
		pool = &d.scratch.stepRefs
	}
	ref := pool.refs.new()
	*ref = ast.Ref{Range: d.rng(trav.SourceRange()), Parts: pool.parts.slice(len(trav))[:0]}
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			ref.Parts = append(ref.Parts, ast.RefPart{Name: s.Name, Range: d.rng(s.SrcRange)})
		case hcl.TraverseAttr:
			ref.Parts = append(ref.Parts, ast.RefPart{Name: s.Name, Range: attrRange(d.file, s)})
		default:
			return nil, diag.Diagnostics{diag.Errorf("not-a-reference", d.rng(step.SourceRange()), "Index in a reference",
				"References are dotted names, for example %s; indexes like [0] are not supported.", refExample(what))}
		}
	}
	return ref, nil
}

func refExample(what string) string {
	switch what {
	case "a step":
		return "step.load"
	case "a runner":
		return "runner.sql"
	case "a secret":
		return "secret.talend_token"
	case "a port":
		return "port.main"
	case "a policy":
		return "policy.public_ports_tested"
	case "a blueprint":
		return "blueprint.mastered_product"
	}
	return "source.ama_masterfile or domain.physician.product.prescribers.port.main"
}

func stringValue(expr hcl.Expression) (string, bool) {
	v, hds := value(expr)
	if hds.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func (d *decoder) decodeRefs(attr *hcl.Attribute, what string) ([]ast.Ref, diag.Diagnostics) {
	exprs, hds := hcl.ExprList(attr.Expr)
	if hds.HasErrors() {
		return nil, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Incorrect attribute value type",
			"The argument %q must be a list of references, for example [%s].", attr.Name, refExample(what))}
	}
	var refs []ast.Ref
	var ds diag.Diagnostics
	for _, e := range exprs {
		r, problems := d.decodeRef(e, what)
		ds = append(ds, problems...)
		if r != nil {
			refs = append(refs, *r)
		}
	}
	return refs, ds
}

// decodeType decodes a type expression: string, string(10), number(38, 2),
// timestamp_ntz(3), list(string).
func (d *decoder) decodeType(expr hcl.Expression) (ast.TypeExpr, diag.Diagnostics) {
	t := ast.TypeExpr{Range: d.rng(expr.Range())}
	if kw := hcl.ExprAsKeyword(expr); kw != "" {
		t.Name = kw
		return t, nil
	}
	if fc, ok := unwrapped[*hclsyntax.FunctionCallExpr](expr); ok {
		// What hcl.ExprCall gives, without its copy of the arguments.
		t.Name = fc.Name
		return t, typeArgs(d, &t, fc.Args)
	}
	call, hds := hcl.ExprCall(expr)
	if hds.HasErrors() {
		detail := "A type is a keyword such as string, integer or timestamp_ntz, or a call such as string(10), number(38, 2) or timestamp_ntz(3)."
		if s, ok := stringValue(expr); ok {
			detail = fmt.Sprintf("Types are keywords, written without quotes: write %s, not %q.", s, s)
		}
		return t, diag.Diagnostics{diag.Errorf("wrong-type", d.rng(expr.Range()), "Invalid type", "%s", detail)}
	}
	t.Name = call.Name
	return t, typeArgs(d, &t, call.Arguments)
}

// typeArgs decodes the arguments of a type's call into t: its lengths or
// precision and scale, or a list's element type.
func typeArgs[E hcl.Expression](d *decoder, t *ast.TypeExpr, args []E) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, a := range args {
		if kw := hcl.ExprAsKeyword(a); kw != "" || isCall(a) {
			if t.Elem() != nil {
				ds = append(ds, diag.Errorf("wrong-type", d.rng(a.Range()), "Invalid type argument",
					"A list type has one element type, as in list(string)."))
				continue
			}
			elem, problems := d.decodeType(a)
			ds = append(ds, problems...)
			t.Call = withCall(t.Call)
			t.Call.Elem = &elem
			continue
		}
		v, hd := a.Value(nil)
		var bf *big.Float
		if !hd.HasErrors() && !v.IsNull() && v.Type() == cty.Number {
			bf = v.AsBigFloat() // a copy: taken once
		}
		if bf == nil || !bf.IsInt() {
			ds = append(ds, diag.Errorf("wrong-type", d.rng(a.Range()), "Invalid type argument",
				"Type arguments are whole numbers, as in string(10), number(38, 2) or timestamp_ntz(3)."))
			continue
		}
		n, acc := bf.Int64()
		if acc != big.Exact {
			n = math.MaxInt64 // out of range for every type; the checker says which range
		}
		t.Call = withCall(t.Call)
		t.Call.Args = append(t.Call.Args, n)
	}
	return ds
}

// withCall returns call, or a new one when it is nil.
func withCall(call *ast.TypeCall) *ast.TypeCall {
	if call == nil {
		return new(ast.TypeCall)
	}
	return call
}

// isCall reports whether hcl.ExprCall takes an expression, without the
// diagnostic it makes of one it does not.
func isCall(expr hcl.Expression) bool {
	e, ok := unwrapped[interface{ ExprCall() *hcl.StaticCall }](expr)
	return ok && e.ExprCall() != nil
}

// traversalOf is hcl.AbsTraversalForExpr, and whether it succeeds, without
// the diagnostic it makes of an expression that is not a traversal: every
// quoted value that must not be a reference would make one, only for it to
// be dropped (a tenth of what loading allocated).
func traversalOf(expr hcl.Expression) (hcl.Traversal, bool) {
	e, ok := unwrapped[interface{ AsTraversal() hcl.Traversal }](expr)
	if !ok {
		return nil, false
	}
	trav := e.AsTraversal()
	return trav, len(trav) > 0
}

// unwrapped is the expression that hcl.UnwrapExpressionUntil finds
// implementing T, as hcl.ExprCall and hcl.AbsTraversalForExpr look for
// theirs.
func unwrapped[T any](expr hcl.Expression) (T, bool) {
	e, ok := hcl.UnwrapExpressionUntil(expr, func(e hcl.Expression) bool {
		_, ok := e.(T)
		return ok
	}).(T)
	return e, ok
}

// keywords are HCL's literal keywords, which parse as traversals.
var keywords = map[string]bool{"true": true, "false": true, "null": true}

// identLike matches a single name.
var identLike = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// refLike matches a string that would be a valid reference without quotes.
var refLike = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$`)

// decodeValue decodes an argument that is either a reference or a literal.
func (d *decoder) decodeValue(expr hcl.Expression) (ast.Value, diag.Diagnostics) {
	if trav, ok := traversalOf(expr); ok {
		if !keywords[trav.RootName()] {
			ref, ds := d.decodeRef(expr, "an object")
			if ref != nil {
				return ast.Value{Ref: ref, Range: ref.Range}, ds
			}
			return ast.Value{Range: d.rng(expr.Range())}, ds
		}
	}
	v, ds := d.constant(expr)
	val := ast.Value{Literal: v, Range: d.rng(expr.Range())}
	if list, ok := unwrapped[*hclsyntax.TupleConsExpr](expr); ok && len(list.Exprs) > 0 {
		val.Elems = make([]diag.Range, len(list.Exprs))
		for i, e := range list.Exprs {
			val.Elems[i] = d.rng(e.Range())
		}
	}
	return val, ds
}

// SyntaxDiagnostics turns what hclsyntax found parsing src, the text of
// file, into meshc's diagnostics, for the loader and meshc fmt.
func SyntaxDiagnostics(file *diag.File, src []byte, hds hcl.Diagnostics) diag.Diagnostics {
	ds := convertDiags(file, hds)
	for _, d := range ds {
		explainUnclosedComment(d, src)
		explainUnclosedBracket(file, d, src)
	}
	return ds
}

// explainUnclosedComment says what went wrong where HCL finds a /* that no
// */ closes: it takes the / for a stray character, and asks for an
// argument or a block there.
func explainUnclosedComment(d *diag.Diagnostic, src []byte) {
	if d.Subject == nil {
		return
	}
	start, _ := d.Subject.Offsets()
	if start < 0 || !bytes.HasPrefix(src[start:], []byte("/*")) || bytes.Contains(src[start+2:], []byte("*/")) {
		return
	}
	d.Summary = "Unclosed comment"
	d.Detail = "This /* comment has no */ after it, so it would run to the end of the file. Close it with */ where it ends, or write it as line comments starting with #."
}

// closerFor gives, for HCL's summaries of an item that no comma follows in
// a list or a function call, the closer of what is left open.
var closerFor = map[string]byte{
	"Missing item separator":     ']',
	"Missing argument separator": ')',
}

// explainUnclosedBracket says what went wrong where a list or a function
// call is never closed. Newlines do not end one, so HCL reads on into the
// next line and asks for a comma before whatever it finds there, far from
// the mistake. It speaks only when nothing else can be meant: the opener's
// line ends with it still open, and HCL stopped on a later line at a token
// that can neither be an item nor follow one (a } or ) or ], or NAME =),
// so that a comma missing between items on two lines keeps HCL's message.
func explainUnclosedBracket(file *diag.File, d *diag.Diagnostic, src []byte) {
	closer, ok := closerFor[d.Summary]
	if !ok || d.Subject == nil || d.Context == nil {
		return
	}
	from, _ := d.Context.Offsets() // the [, or the called function's name
	stop, _ := d.Subject.Offsets() // the token HCL wanted a comma before
	if from < 0 || stop <= from || stop >= len(src) {
		return
	}
	open := openerAt(src, from, closer)
	if open < 0 {
		return
	}
	eol := bytes.IndexByte(src[open:stop], '\n')
	if eol < 0 || closesOnLine(src[open:open+eol]) || !endsItems(src[stop:]) {
		return
	}
	opener, at, stopped := string(src[open]), file.Pos(open), d.Subject.Start()
	what := "element"
	if closer == ')' {
		what = "argument"
	}
	d.Summary = "Unclosed " + opener
	d.Detail = fmt.Sprintf("The %s opened at %d:%d is not closed: add %c after its last %s. Reading on, the parser asked for a comma at %d:%d.",
		opener, at.Line, at.Column, closer, what, stopped.Line, stopped.Column)
	d.Context = file.Range(open, stop+1).Ptr()
	d.Subject = file.Range(open, open+1).Ptr()
}

// openerAt returns the offset of the opener that closer closes, found at
// from, where HCL's context for the diagnostic starts: a list's [ is
// there, a call's ( after the function's name (namespaced or not), or -1.
func openerAt(src []byte, from int, closer byte) int {
	if closer == ']' {
		if src[from] == '[' {
			return from
		}
		return -1
	}
	i := from
	for i < len(src) && (isNameByte(src[i]) || src[i] == ':') {
		i++
	}
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i == from || i >= len(src) || src[i] != '(' {
		return -1
	}
	return i
}

// closesOnLine reports whether line, which starts with an opener, closes
// it: HCL's lexer reads it, so that brackets in strings do not count.
func closesOnLine(line []byte) bool {
	tokens, _ := hclsyntax.LexExpression(line, "", hcl.InitialPos)
	depth := 0
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenOBrace, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenCBrace, hclsyntax.TokenTemplateSeqEnd:
			depth--
			if depth <= 0 {
				return true
			}
		}
	}
	return false
}

// endsItems reports whether rest starts with what cannot carry on a list
// or a call: a closer, or the next argument, NAME = but not NAME ==.
func endsItems(rest []byte) bool {
	switch rest[0] {
	case '}', ')', ']':
		return true
	}
	i := 0
	for i < len(rest) && isNameByte(rest[i]) {
		i++
	}
	if i == 0 || rest[0] == '-' || (rest[0] >= '0' && rest[0] <= '9') {
		return false
	}
	for i < len(rest) && (rest[i] == ' ' || rest[i] == '\t') {
		i++
	}
	return i < len(rest) && rest[i] == '=' && (i+1 == len(rest) || rest[i+1] != '=')
}

// isNameByte reports whether b can be part of an ASCII HCL name.
func isNameByte(b byte) bool {
	return b == '_' || b == '-' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
