package cli

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// runExplain prints the plan meshc compiles from: what it resolved, in the
// order targets will emit it, with every test's rendered SQL. It answers
// "what did meshc make of my mesh?" without reading generated files. With
// --object it prints one product or domain as resolved, blueprints merged
// in, with where each value was written.
func runExplain(e *env, args []string) int {
	var cf compileFlags
	var object string
	fs := flagSet(e, "explain", "explain [flags] [DIR]",
		"Checks the mesh in DIR and prints its target-neutral plan: the environment's\nnames, each product in run order with its inputs, ports, steps in order, and\ntests with the Snowflake SQL each renders to.\n\n"+
			"With --object DOMAIN.PRODUCT (or --object DOMAIN) it prints that product (or\ndomain) instead, as resolved: with the values it inherits from blueprints, each\nfollowed by the file and line it was written at.")
	fs.StringVar(&object, "object", "", "print one product (DOMAIN.PRODUCT) or domain (DOMAIN), with where each value comes from")
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	if !fs.Changed("object") {
		// The tests' SQL holds the mesh's values as they are.
		return cf.printPlan(e, "explain", fs.Args(), func(p *plan.Plan) []byte { return diag.Printable(plan.Dump(p)) })
	}
	if object == "" {
		return usageError(e, "explain", "--object names a product (DOMAIN.PRODUCT) or a domain (DOMAIN)")
	}
	dir, ok := oneDir(e, "explain", fs.Args())
	if !ok {
		return exitUsage
	}
	cf.wholeMesh = true // printed as written
	res, code, done := cf.compile(e, "explain", dir)
	if done {
		return code
	}
	// The mesh's problems come first, whatever the object: they may be
	// why the object is not what the user expects.
	diag.WriteText(e.stderr, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	var out []byte
	if res.Mesh != nil {
		ids, render := explainables(res.Mesh)
		r, found := render[object]
		if !found {
			if len(res.Diagnostics) > 0 {
				fmt.Fprintln(e.stderr)
			}
			return usageError(e, "explain", "the mesh has no product or domain %q.%s Name a product as DOMAIN.PRODUCT, a domain as DOMAIN.",
				object, suggest.DidYouMean(object, ids))
		}
		out = r()
	}
	if res.Diagnostics.HasErrors() {
		fmt.Fprintf(e.stderr, "\n%s\n", summary(res))
		return exitMesh
	}
	if len(res.Diagnostics) > 0 {
		fmt.Fprintln(e.stderr)
	}
	e.stdout.Write(diag.Printable(out)) // values are quoted, but file names are not
	return exitOK
}

// explainables lists the ids --object takes, sorted, and how to print each.
func explainables(m *ast.Mesh) ([]string, map[string]func() []byte) {
	render := map[string]func() []byte{}
	for _, d := range m.Domains {
		if _, dup := render[d.Name]; !dup {
			render[d.Name] = func() []byte { return explainDomain(d) }
		}
		for _, p := range d.Products {
			id := d.Name + "." + p.Name
			if _, dup := render[id]; !dup {
				render[id] = func() []byte { return explainProduct(d, p) }
			}
		}
	}
	return slices.Sorted(maps.Keys(render)), render
}

// explainer writes HCL-like text, each value followed by where it was
// written: `owner = "x"  # domains/a/domain.mesh.hcl:2`.
type explainer struct {
	buf    bytes.Buffer
	indent int
}

// at is where a value was written, on one line whatever the file's name.
func at(r diag.Range) string { return fmt.Sprintf("%s:%d", diag.OneLine(r.Filename()), r.StartLine()) }

func (x *explainer) line(text string, from diag.Range, note string) {
	fmt.Fprintf(&x.buf, "%s%s", strings.Repeat("  ", x.indent), text)
	if !from.IsZero() {
		fmt.Fprintf(&x.buf, "  # %s%s", at(from), note)
	}
	x.buf.WriteByte('\n')
}

func (x *explainer) open(text string, from diag.Range, note string) {
	x.line(text+" {", from, note)
	x.indent++
}

func (x *explainer) close() {
	x.indent--
	x.line("}", diag.Range{}, "")
}

func (x *explainer) str(name string, s ast.String, note string) {
	if s.Set {
		x.line(fmt.Sprintf("%s = %s", name, strconv.Quote(s.V)), s.Range, note)
	}
}

func (x *explainer) boolean(name string, b ast.Bool) {
	if b.Set {
		x.line(fmt.Sprintf("%s = %t", name, b.V), b.Range, "")
	}
}

func (x *explainer) ref(name string, r *ast.Ref) {
	if r != nil {
		x.line(fmt.Sprintf("%s = %s", name, r), r.Range, "")
	}
}

// strs prints a list one element a line, since each may come from a
// different file (a product's tags and its blueprints').
func (x *explainer) strs(name string, s ast.Strings) {
	if !s.Set {
		return
	}
	x.line(name+" = [", diag.Range{}, "")
	x.indent++
	for _, v := range s.V {
		x.line(strconv.Quote(v.V)+",", v.Range, "")
	}
	x.indent--
	x.line("]", diag.Range{}, "")
}

func blueprintNote(names []string) string {
	if len(names) == 0 {
		return ""
	}
	var chain []string
	for _, n := range names {
		chain = append(chain, "blueprint."+n)
	}
	return "# blueprints merged in, nearest first: " + strings.Join(chain, ", ") + "\n"
}

func explainDomain(d *ast.Domain) []byte {
	x := &explainer{}
	x.buf.WriteString(blueprintNote(d.Blueprints))
	x.open(fmt.Sprintf("domain %q", d.Name), d.DeclRange, "")
	x.ref("extends", d.Extends)
	x.str("owner", d.Owner, "")
	x.str("layer", d.Layer, "")
	x.str("schema", d.Schema, "")
	x.str("description", d.Description, "")
	for _, s := range d.Sources {
		x.line(fmt.Sprintf("source %q { ... }", s.Name), s.DeclRange, "")
	}
	for _, p := range d.Products {
		x.line(fmt.Sprintf("product %q { ... }", p.Name), p.DeclRange, "")
	}
	x.close()
	return x.buf.Bytes()
}

func explainProduct(d *ast.Domain, p *ast.Product) []byte {
	x := &explainer{}
	x.buf.WriteString(blueprintNote(p.Blueprints))
	x.open(fmt.Sprintf("product %q", p.Name), p.DeclRange, fmt.Sprintf(" (domain %s)", d.Name))
	x.ref("extends", p.Extends)
	x.str("version", p.Version, "")
	if p.Owner.Set {
		x.str("owner", p.Owner, "")
	} else {
		x.str("owner", d.Owner, " (the domain's owner)")
	}
	x.str("description", p.Description, "")
	x.strs("tags", p.Tags)
	for _, in := range p.Inputs {
		x.open(fmt.Sprintf("input %q", in.Name), in.DeclRange, "")
		x.ref("from", in.From)
		// As the input was written: a list of names, or a map of each
		// name to the type the reader expects.
		// A map gives every column a type, or the mesh has errors and
		// is not explained.
		var cols []string
		var at diag.Range // where the columns start: the first one's line
		typed := len(in.Columns) > 0 && in.Columns[0].Type != nil
		for i, c := range in.Columns {
			if typed {
				cols = append(cols, objectKey(c.Name)+" = "+typeText(*c.Type))
			} else {
				cols = append(cols, strconv.Quote(c.Name))
			}
			if i == 0 {
				at = c.Range
			}
		}
		if typed {
			x.line("columns = { "+strings.Join(cols, ", ")+" }", at, "")
		} else {
			x.line("columns = ["+strings.Join(cols, ", ")+"]", at, "")
		}
		x.close()
	}
	for _, port := range p.Ports {
		x.open(fmt.Sprintf("port %q", port.Name), port.DeclRange, "")
		if port.Kind != "" {
			x.str(port.Kind, port.Object, "")
		}
		x.str("visibility", port.Visibility, "")
		x.str("description", port.Description, "")
		for _, c := range port.Columns {
			x.column(c)
		}
		for _, t := range port.Tests {
			x.test(t)
		}
		x.close()
	}
	for _, s := range p.Steps {
		x.open(fmt.Sprintf("step %q", s.Name), s.DeclRange, "")
		x.ref("run", s.Run)
		if len(s.After) > 0 {
			var after []string
			for _, a := range s.After {
				after = append(after, a.String())
			}
			x.line("after = ["+strings.Join(after, ", ")+"]", s.After[0].Range, "")
		}
		x.str("description", s.Description, "")
		for _, a := range s.Args {
			x.line(a.Name+" = "+valueText(a.Value), a.NameRange, "")
		}
		x.close()
	}
	for _, t := range p.Tests {
		x.test(t)
	}
	if sc := p.Schedule; sc != nil {
		x.open("schedule", sc.DeclRange, "")
		x.str("cadence", sc.Cadence, "")
		x.boolean("on_inputs", sc.OnInputs)
		x.str("timezone", sc.Timezone, "")
		x.close()
	}
	if sla := p.SLA; sla != nil {
		x.open("sla", sla.DeclRange, "")
		x.str("freshness", sla.Freshness, "")
		x.close()
	}
	if dep := p.Deprecation; dep != nil {
		x.open("deprecation", dep.DeclRange, "")
		x.str("date", dep.Date, "")
		x.str("message", dep.Message, "")
		x.close()
	}
	x.close()
	return x.buf.Bytes()
}

// column prints a column on one line when it has only its type, and as a
// block with each attribute and test where it is written otherwise.
func (x *explainer) column(c *ast.Column) {
	typ := "type = " + typeText(c.Type)
	if !c.Nullable.Set && !c.Description.Set && c.Governed == nil && len(c.Tests) == 0 {
		x.line(fmt.Sprintf("column %q { %s }", c.Name, typ), c.DeclRange, "")
		return
	}
	x.open(fmt.Sprintf("column %q", c.Name), c.DeclRange, "")
	x.line(typ, c.Type.Range, "")
	x.boolean("nullable", c.Nullable)
	x.str("classification", c.Classification(), "")
	x.str("masking", c.Masking(), "")
	x.str("description", c.Description, "")
	for _, t := range c.Tests {
		x.test(t)
	}
	x.close()
}

// test prints a test block, or a tests list entry as a block without a name.
func (x *explainer) test(t *ast.TestUse) {
	var args []string
	for _, a := range t.Args {
		args = append(args, valueText(a))
	}
	check := fmt.Sprintf("check = %s(%s)", t.Kind, strings.Join(args, ", "))
	b := t.Block
	if b == nil {
		x.line("tests entry: "+check, t.DeclRange, "")
		return
	}
	x.open(fmt.Sprintf("test %q", b.Name.V), t.DeclRange, "")
	x.line(check, t.CallRange, "")
	x.str("severity", b.Severity, "")
	x.str("column", b.Column, "")
	x.ref("port", b.Port)
	x.str("description", b.Description, "")
	x.close()
}

// objectKey writes a column's name as a key of an HCL map: bare when it
// is a name HCL reads as itself, else quoted.
func objectKey(name string) string {
	bare := name != "" && name != "true" && name != "false" && name != "null"
	for i, r := range name {
		if !(r == '_' || 'a' <= r|0x20 && r|0x20 <= 'z' || i > 0 && '0' <= r && r <= '9') {
			bare = false
		}
	}
	if bare {
		return name
	}
	return strconv.Quote(name)
}

func typeText(t ast.TypeExpr) string {
	s := t.Name
	if t.Elem() != nil {
		return s + "(" + typeText(*t.Elem()) + ")"
	}
	if len(t.Args()) > 0 {
		var args []string
		for _, a := range t.Args() {
			args = append(args, strconv.FormatInt(a, 10))
		}
		s += "(" + strings.Join(args, ", ") + ")"
	}
	return s
}

func valueText(v ast.Value) string {
	if v.Ref != nil {
		return v.Ref.String()
	}
	return literalText(v.Literal)
}

func literalText(v cty.Value) string {
	switch {
	case v == cty.NilVal || v.IsNull() || !v.IsKnown():
		return "null"
	case v.Type() == cty.String:
		return strconv.Quote(v.AsString())
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case v.Type() == cty.Bool:
		return strconv.FormatBool(v.True())
	case v.CanIterateElements():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			parts = append(parts, literalText(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return v.GoString()
}
