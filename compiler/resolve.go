package compiler

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/filekind"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// resolve links every product's inputs to what they read (declare has
// resolved its steps); it then lets go of their syntax, which no later
// stage reads.
func (c *compiler) resolve() {
	c.inParallel(len(c.products), func(w *compiler, i int) {
		ps := c.products[i]
		w.resolveInputs(ps)
		ps.inputs = nil
	})
}

func (c *compiler) resolveInputs(ps *productScope) {
	seen := map[string]*ast.Input{}
	// Each input with the place of the product it reads (-1 for a
	// source), sorted together by name.
	type placedInput struct {
		input    *plan.Input
		producer int32
	}
	var inputs []placedInput
	for _, in := range ps.inputs {
		c.checkName("input", in.Name, in.NameRange)
		if first, dup := seen[in.Name]; dup {
			c.duplicate("input", in.Name, in.NameRange, first.DeclRange)
			continue
		}
		seen[in.Name] = in
		if in.From == nil {
			continue
		}
		pi := &plan.Input{Name: in.Name, Range: in.DeclRange}
		src, port, ok := c.resolveReadable(in.From, ps, "input")
		if !ok {
			continue
		}
		var columns columnSet
		var names func() []string // the columns' names, for "did you mean"
		var owner func() string   // what is read, for diagnostics: made only for them
		if src != nil {
			pi.Source = src
			columns = c.sourceColumns[src]
			var sorted []string
			names = func() []string {
				if sorted == nil {
					sorted = columns.names()
				}
				return sorted
			}
			owner = func() string { return "source " + src.ID }
		} else {
			pi.Producer, pi.Port = port.plan.Product, port.plan
			columns, names = port.columns, port.columnNames
			owner = func() string { return "port " + port.plan.ID }
			if pi.Producer == ps.plan {
				c.errorf("cycle", in.From.Range, "Product reads its own port",
					"An input is something the product waits for, and %s cannot wait for itself. A step that needs the port's previous contents (an incremental load, say) reads its table directly; remove this input.", ps.plan.ID)
				continue
			}
			ps.edges = append(ps.edges, edge{to: pi.Producer, place: port.product.place, at: in.From.Range})
			ps.reads = append(ps.reads, port)
		}
		if len(in.Columns) == 0 && !in.ColumnsBad {
			c.errorf("missing-attribute", in.DeclRange, "Input reads no columns",
				"List the columns this product reads, columns = [\"a\", \"b\"], so that meshc can check them against the %s and warn its owners before they break you.", owner())
		}
		pi.Columns = make([]*plan.Column, 0, len(in.Columns))
		var readSeen map[*plan.Column]bool // for long lists only (below)
		if len(in.Columns) > 16 {
			readSeen = make(map[*plan.Column]bool, len(in.Columns))
		}
		for _, ic := range in.Columns {
			col, ok := columns.get(ic.Name)
			if !ok {
				c.unknown("column", ic.Name, "in "+owner(), ic.Range, names())
				continue
			}
			var expected plan.Type
			if ic.Type != nil && ic.Type.Name != "" {
				want, ok := c.columnType(*ic.Type)
				if ok && col.Type.Name != "" && !col.Type.AcceptedBy(want) {
					precision := ""
					switch {
					case col.Type.HasFraction() && col.Type.String() == col.Type.Name:
						// timestamp_ntz against timestamp_ntz(3) reads
						// as a match without the default spelt out.
						precision = fmt.Sprintf(", which is %s(%d): Snowflake's default precision", col.Type.Name, col.Type.Precision)
					case col.Type.Name == "string" && col.Type.Length == 0:
						precision = fmt.Sprintf(", which is string(%d): Snowflake's default length", plan.DefaultStringLength)
					}
					c.errorf("incompatible-type", ic.Type.Range, "Incompatible column type",
						"This product expects %s to be %s, but the %s declares it %s (at %s)%s. Change the expected type, or agree a new contract with the producer.",
						ic.Name, want, owner(), col.Type, col.Range, precision)
				}
				if ok {
					expected = want
				}
			}
			// Most inputs list a few columns: looking through those read
			// so far costs less than a map for each of a large mesh's
			// inputs.
			if readSeen[col] || (readSeen == nil && slices.Contains(pi.Columns, col)) {
				c.warnf("duplicate-column-read", ic.Range, "Column read twice", "The column %q is already listed in this input; remove one.", ic.Name)
				continue
			}
			if readSeen != nil {
				readSeen[col] = true
			}
			pi.Columns = append(pi.Columns, col)
			if expected.Name != "" && pi.Expected == nil {
				pi.Expected = make([]plan.Type, len(pi.Columns)-1, len(in.Columns))
			}
			if pi.Expected != nil {
				pi.Expected = append(pi.Expected, expected)
			}
		}
		if len(pi.Columns) == 0 {
			pi.Columns = nil
		}
		producer := int32(-1)
		if pi.Producer != nil {
			producer = port.product.place
		}
		inputs = append(inputs, placedInput{pi, producer})
	}
	sortBy(inputs, func(i placedInput) string { return i.input.Name })
	if len(inputs) > 0 {
		ps.plan.Inputs = make([]*plan.Input, len(inputs))
		ps.producers = make([]int32, len(inputs))
	}
	for k, in := range inputs {
		ps.plan.Inputs[k], ps.producers[k] = in.input, in.producer
	}
	ps.brokenInputs = len(inputs) != len(ps.inputs)
}

// columnSet finds columns by name the way Snowflake does for unquoted
// identifiers: without regard to case, so that NPI and npi are one column.
// It is a list sorted by folded name (compareFolded) rather than a map, as
// a large mesh holds a hundred thousand of them, most of a few columns;
// the folded names are not kept, which at 100,000 products were 40 MB of
// the heap live as resolve starts (docs/performance.md).
type columnSet []*plan.Column

func (s columnSet) get(name string) (*plan.Column, bool) {
	i, found := slices.BinarySearchFunc(s, name, func(col *plan.Column, name string) int { return compareFolded(col.Name, name) })
	if !found {
		return nil, false
	}
	return s[i], true
}

// compareFolded compares two names as strings.Compare compares them
// folded by foldASCII, without making the folded names when both are
// ASCII, as nearly all are.
func compareFolded(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= utf8.RuneSelf || y >= utf8.RuneSelf {
			return strings.Compare(foldASCII(a), foldASCII(b))
		}
		x, y = upperByte(x), upperByte(y)
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	if len(a) == len(b) {
		return 0
	}
	// One is a prefix of the other, but the rest of the longer one may
	// fold to more bytes or fewer than it has.
	return strings.Compare(foldASCII(a), foldASCII(b))
}

func upperByte(ch byte) byte {
	if 'a' <= ch && ch <= 'z' {
		return ch - 'a' + 'A'
	}
	return ch
}

// foldASCII upper-cases ASCII letters only, as Snowflake does for unquoted
// identifiers: Unicode case folding would make "ıd" match "ID".
func foldASCII(s string) string {
	lower := false
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Map(upperASCII, s) // which also replaces invalid UTF-8
		}
		lower = lower || 'a' <= s[i] && s[i] <= 'z'
	}
	if !lower {
		return s // already folded: most names are upper case or have no letters to fold
	}
	b := []byte(s)
	for i, ch := range b {
		b[i] = upperByte(ch)
	}
	return string(b)
}

func upperASCII(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

// columnNames returns the names of the port's columns, sorted: made once
// for all the "did you mean"s of the columns its readers and tests name
// wrong, where making it for each took time in the square of a wide
// port's columns. Goroutines that ask at once may each make it, the same.
func (p *portScope) columnNames() []string {
	if names := p.names.Load(); names != nil {
		return *names
	}
	names := p.columns.names()
	p.names.Store(&names)
	return names
}

// names lists the columns as declared, for suggestions.
func (s columnSet) names() []string {
	var out []string
	for _, col := range s {
		out = append(out, col.Name)
	}
	slices.Sort(out)
	return out
}

// resolveReadable resolves a reference to something a product can read: a
// source of its own domain, or a port. The forms are
//
//	source.NAME                              a source of the product's domain
//	product.NAME.port.PORT                   a port of the product's domain
//	port.PORT                                a port of the product itself (tests only)
//	domain.DOMAIN.product.NAME.port.PORT     a public port of another domain
//
// use says what refers ("input" or "test"), for the messages.
func (c *compiler) resolveReadable(ref *ast.Ref, ps *productScope, use string) (*plan.Source, *portScope, bool) {
	parts := ref.Parts
	ds := ps.domain
	cross := false
	switch parts[0].Name {
	case "domain":
		if len(parts) < 2 {
			c.shapeError(ref, "domain.DOMAIN.product.NAME.port.PORT")
			return nil, nil, false
		}
		other, ok := c.domains[parts[1].Name]
		if !ok && slices.Contains(c.mesh.IgnoredDomains, parts[1].Name) {
			return nil, nil, false // its declaration was rejected; already reported
		}
		if !ok {
			c.unknown("domain", parts[1].Name, "in the mesh", parts[1].Range, c.domainNames)
			return nil, nil, false
		}
		cross = other != ds
		ds = other
		parts = parts[2:]
		if len(parts) == 0 || (parts[0].Name != "product" && parts[0].Name != "source") {
			at, hint := ref.Range, ""
			if len(parts) > 0 {
				at, hint = parts[0].Range, suggest.DidYouMean(parts[0].Name, []string{"product"})
			}
			c.errorf("unresolved-reference", at, "Malformed reference",
				"%s does not name anything a product can read.%s After domain.%s comes product.NAME.port.PORT: write domain.%s.product.NAME.port.PORT.", ref.String(), hint, ds.plan.Name, ds.plan.Name)
			return nil, nil, false
		}
	case "port":
		if use != "test" {
			break
		}
		if len(parts) != 2 {
			c.shapeError(ref, "port.PORT")
			return nil, nil, false
		}
		port, ok := ps.ports[parts[1].Name]
		if !ok {
			c.unknown("port", parts[1].Name, "in product "+ps.plan.ID, parts[1].Range, sortedKeys(ps.ports))
			return nil, nil, false
		}
		return nil, port, true
	}
	switch parts[0].Name {
	case "source":
		if len(parts) != 2 {
			c.shapeError(ref, "source.NAME")
			return nil, nil, false
		}
		if cross {
			c.errorf("cross-domain-source", ref.Range, "Source of another domain",
				"A source is raw data private to the domain that ingests it. Read a public port of a product of domain %s that publishes this data instead.", ds.plan.Name)
			return nil, nil, false
		}
		if use == "test" {
			c.shapeError(ref, "port.PORT or product.NAME.port.PORT")
			return nil, nil, false
		}
		src, ok := ds.sources[parts[1].Name]
		if !ok {
			c.unknownElsewhere("source", parts[1].Name, ds, parts[1].Range, ds.sourceNames, "", "")
			return nil, nil, false
		}
		return src, nil, true
	case "product":
		if len(parts) == 2 {
			if p, ok := ds.products[parts[1].Name]; ok {
				c.errorf("not-a-port", ref.Range, "Reference to a product, not a port",
					"Products are read through their output ports. Name one: %s.port.%s (the ports of %s are: %s).",
					ref.String(), firstOr(sortedKeys(p.ports), "NAME"), p.plan.ID, strings.Join(sortedKeys(p.ports), ", "))
				return nil, nil, false
			}
		}
		if len(parts) != 4 || parts[2].Name != "port" {
			want := "product.NAME.port.PORT"
			if ref.Parts[0].Name == "domain" {
				want = "domain." + ds.plan.Name + "." + want
			}
			c.shapeError(ref, want)
			return nil, nil, false
		}
		p, ok := ds.products[parts[1].Name]
		if !ok {
			reader := "" // a product's input of itself is a cycle: it is never the answer
			if use == "input" && ds == ps.domain {
				reader = ps.plan.Name
			}
			c.unknownElsewhere("product", parts[1].Name, ds, parts[1].Range, ds.productNames,
				"domain.%s.product."+parts[1].Name+".port."+parts[3].Name, reader)
			return nil, nil, false
		}
		port, ok := p.ports[parts[3].Name]
		if !ok {
			c.unknown("port", parts[3].Name, "in product "+p.plan.ID, parts[3].Range, sortedKeys(p.ports))
			return nil, nil, false
		}
		if cross && port.plan.Visibility != "public" && !port.visibilityMisspelt {
			c.errorf("internal-port", ref.Range, "Port is internal to its domain",
				"The port %s is internal, so only domain %s may read it. Ask its owners (%s) to make it public, which makes its columns a contract, or read a public port instead.",
				port.plan.ID, ds.plan.Name, p.plan.Owner)
			return nil, nil, false
		}
		return nil, port, true
	}
	if parts[0].Name == "port" {
		c.errorf("unresolved-reference", ref.Range, "Input of the product's own port",
			"port.NAME names a port of this very product, which only its tests may refer to. An input reads a source, source.NAME, or another product's port, product.NAME.port.PORT.")
		return nil, nil, false
	}
	roots := []string{"source", "product", "domain"}
	if use == "test" {
		roots = []string{"port", "product", "domain"}
	}
	hint := suggest.DidYouMean(parts[0].Name, roots)
	if ds := c.domains[parts[0].Name]; ds != nil && len(parts) >= 2 {
		// DOMAIN.PRODUCT.PORT, as dbt and SQL name things.
		form := "domain." + parts[0].Name + ".product." + parts[1].Name + ".port."
		if len(parts) >= 3 {
			form += parts[2].Name
		} else {
			form += "PORT"
		}
		hint = fmt.Sprintf(" %s is a domain: a port of one of its products is %s.", parts[0].Name, form)
	}
	c.errorf("unresolved-reference", parts[0].Range, "Unknown kind of reference",
		"A reference to what a product reads starts with %s or %s.%s", strings.Join(roots[:len(roots)-1], ", "), roots[len(roots)-1], hint)
	return nil, nil, false
}

// unknownElsewhere reports a name missing from a domain, and points to
// another domain that has it: the commonest slip is a short name for an
// object of another domain. crossForm, when set, is how to refer to it
// there (with %s for the domain); sources have none, being private.
// except, when set, is the candidate that refers (see unknownBut).
func (c *compiler) unknownElsewhere(kind, name string, ds *domainScope, at diag.Range, candidates []string, crossForm, except string) {
	for _, o := range c.holdersOf(kind, name) {
		if o.plan.Name == ds.plan.Name {
			continue
		}
		hint := fmt.Sprintf("Domain %s has a %s named %q; sources are private to their domain, so read a public port of one of its products instead.", o.plan.Name, kind, name)
		if crossForm != "" {
			hint = fmt.Sprintf("Domain %s has one: short names refer to your own domain, so write %s.", o.plan.Name, fmt.Sprintf(crossForm, o.plan.Name))
		}
		c.errorf("unresolved-reference", at, fmt.Sprintf("Reference to an undeclared %s", kind),
			"There is no %s named %q in domain %s. %s", kind, name, ds.plan.Name, hint)
		return
	}
	c.unknownBut(kind, name, "in domain "+ds.plan.Name, at, candidates, except)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

func (c *compiler) shapeError(ref *ast.Ref, want string) {
	c.errorf("unresolved-reference", ref.Range, "Malformed reference",
		"%s does not name anything a product can read here. Write it as %s.", ref.String(), want)
}

func (c *compiler) resolveSteps(ps *productScope) {
	for _, name := range sortedKeys(ps.steps) {
		st := ps.steps[name]
		s := ps.stepAST[st]
		if s.Run != nil {
			st.Runner = c.resolveRunner(s.Run)
		}
		if descriptionMisspelt(s, st.Runner) {
			ps.written.misspeltStepDescriptions = append(ps.written.misspeltStepDescriptions, st.Name)
		}
		for _, ref := range s.After {
			if len(ref.Parts) != 2 || ref.Parts[0].Name != "step" {
				c.errorf("unresolved-reference", ref.Range, "Malformed reference", "after lists steps of the same product, as in after = [step.load].")
				continue
			}
			dep, ok := ps.steps[ref.Parts[1].Name]
			if !ok {
				c.unknown("step", ref.Parts[1].Name, "in product "+ps.plan.ID, ref.Parts[1].Range, sortedKeys(ps.steps))
				continue
			}
			if !slices.Contains(st.After, dep) {
				st.After = append(st.After, dep)
			}
		}
		if st.Runner != nil {
			st.Args = c.stepArgs(ps, s, st.Runner)
			continue
		}
		for _, a := range s.Args {
			if a.Meant != "" {
				c.misspeltStepArg(a)
			} else {
				c.diags = append(c.diags, a.Problems...)
			}
		}
	}
}

// descriptionMisspelt reports whether a step without a description has
// an argument that may be its misspelling ("descripton") and that its
// runner, if known, does not take: that argument is reported as unknown
// (misspeltStepArg or stepArgs), so the description is not known to be
// absent.
func descriptionMisspelt(s *ast.Step, r *plan.Runner) bool {
	if s.Description.Set {
		return false
	}
	for _, a := range s.Args {
		if a.Meant == "description" && (r == nil || !slices.ContainsFunc(r.Params, func(p *plan.Param) bool { return p.Name == a.Name })) {
			return true
		}
	}
	return false
}

func (c *compiler) resolveRunner(ref *ast.Ref) *plan.Runner {
	if len(ref.Parts) != 2 || ref.Parts[0].Name != "runner" {
		c.errorf("unresolved-reference", ref.Range, "Malformed reference", "run names a runner, as in run = runner.sql.%s The runners are: %s.",
			suggest.DidYouMean(ref.Parts[0].Name, []string{"runner"}), strings.Join(sortedKeys(c.runners), ", "))
		return nil
	}
	r, ok := c.runners[ref.Parts[1].Name]
	if !ok {
		c.unknown("runner", ref.Parts[1].Name, "in the mesh or the standard library", ref.Parts[1].Range, sortedKeys(c.runners))
	}
	return r
}

// stepArgs checks a step's arguments against its runner's parameters.
func (c *compiler) stepArgs(ps *productScope, s *ast.Step, r *plan.Runner) []*plan.Arg {
	params := map[string]*plan.Param{}
	for _, p := range r.Params {
		params[p.Name] = p
	}
	given := map[string]bool{}
	// misspelt holds the parameters given under a misspelt name, which is
	// reported: they are not also missing.
	misspelt := map[string]bool{}
	var out []*plan.Arg
	for _, a := range s.Args {
		p, ok := params[a.Name]
		nearest := ""
		if !ok {
			nearest = suggest.Nearest(a.Name, sortedKeys(params))
		}
		if !ok && a.Meant != "" && nearest == "" {
			c.misspeltStepArg(a)
			continue
		}
		if !ok {
			if nearest != "" {
				misspelt[nearest] = true
			}
			detail := fmt.Sprintf("The runner %s takes no argument %q.%s", r.Name, a.Name, suggest.DidYouMean(a.Name, sortedKeys(params)))
			if len(params) > 0 {
				detail += fmt.Sprintf(" Its parameters are: %s.", strings.Join(sortedKeys(params), ", "))
			}
			c.errorf("unknown-attribute", a.NameRange, "Unsupported runner argument", "%s", detail)
			continue
		}
		given[a.Name] = true
		if len(a.Problems) > 0 {
			c.diags = append(c.diags, a.Problems...)
			continue
		}
		if pa := c.stepArg(ps, s, p, a); pa != nil {
			out = append(out, pa)
			c.checkStdlibArg(r, pa)
		}
	}
	for _, p := range r.Params {
		if !p.Optional && !given[p.Name] && !misspelt[p.Name] {
			c.errorf("missing-attribute", s.DeclRange, "Missing runner argument",
				"The runner %s needs the argument %q (%s)%s.", r.Name, p.Name, p.Type, describedAs(p.Description))
		}
	}
	if ra := c.runnerAST[r]; ra != nil && len(ra.ExactlyOneOf.V) > 0 {
		var set []string
		anyMisspelt := false
		for _, n := range ra.ExactlyOneOf.V {
			if given[n.V] {
				set = append(set, n.V)
			}
			anyMisspelt = anyMisspelt || misspelt[n.V]
		}
		switch {
		case len(set) == 0 && !anyMisspelt:
			c.errorf("missing-attribute", s.DeclRange, "Missing runner argument",
				"The runner %s needs one of %s; this step gives none.", r.Name, orList(ra.ExactlyOneOf.Values()))
		case len(set) > 1:
			c.errorf("conflicting-attributes", s.DeclRange, "Conflicting runner arguments",
				"The runner %s takes exactly one of %s; this step gives %s. Keep one.", r.Name, orList(ra.ExactlyOneOf.Values()), strings.Join(set, " and "))
		}
	}
	return out
}

// checkStdlibArg checks what the standard library's runners need of an
// argument beyond its type, that every target would otherwise carry to a
// failure at run time.
func (c *compiler) checkStdlibArg(r *plan.Runner, a *plan.Arg) {
	switch {
	case !r.Stdlib:
	case r.Name == "sql" && a.Name == "sql" && len(snowsql.Split(a.String)) == 0:
		c.errorf("invalid-value", a.Range, "Step without SQL",
			"The step runs SQL statements on Snowflake, but its sql argument is empty or holds only comments, which every target would fail to run. Write its statements, or remove the step.")
	case r.Name == "dbt" && a.Name == "select":
		for _, word := range strings.Fields(a.String) {
			if strings.HasPrefix(word, "-") {
				c.errorf("invalid-value", a.Range, "Flag in a dbt selection",
					"select is a dbt node selection, passed as dbt build --select SELECT, but it holds %q, which dbt would take for a flag on Snowflake and for part of the selection elsewhere. Give only selectors, as in \"tag:prescribers+ tag:payer\".", word)
				return
			}
		}
		if strings.TrimSpace(a.String) == "" {
			c.errorf("invalid-value", a.Range, "Empty dbt selection",
				"select is a dbt node selection, passed as dbt build --select SELECT, and cannot be empty. Give the models to build, as in \"tag:prescribers+\".")
		}
	}
}

// misspeltStepArg reports an argument that is most likely a misspelling of
// one of the step's own.
func (c *compiler) misspeltStepArg(a *ast.Arg) {
	c.errorf("unknown-attribute", a.NameRange, "Unsupported argument",
		"A step has no argument %q. Did you mean %q?", a.Name, a.Meant)
}

// orList renders names as "a, b or c"; andList as "a, b and c".
func orList(names []string) string { return joinList(names, "or") }

func joinList(names []string, conj string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " " + conj + " " + names[len(names)-1]
}

func (c *compiler) stepArg(ps *productScope, s *ast.Step, p *plan.Param, a *ast.Arg) *plan.Arg {
	out := &plan.Arg{Name: a.Name, Type: p.Type, Range: a.Value.Range}
	v := a.Value
	if p.Type == "secret" {
		if v.Ref == nil {
			c.errorf("wrong-type", v.Range, "Secret expected",
				"The argument %q is a credential, so it refers to a secret block, as in %s = secret.NAME, never to a literal value.", a.Name, a.Name)
			return nil
		}
		out.Secret = c.resolveSecret(v.Ref, ps.domain)
		if out.Secret == nil {
			return nil
		}
		return out
	}
	if v.Ref != nil {
		c.errorf("wrong-type", v.Range, "Value expected", "The argument %q is a %s, not a reference; %s is not a value here. Quote it if it is text.", a.Name, p.Type, v.Ref.String())
		return nil
	}
	if v.Literal == cty.NilVal {
		return nil // it failed to decode; already reported
	}
	lit := v.Literal
	bad := func(want string) *plan.Arg {
		c.errorf("wrong-type", v.Range, "Incorrect argument type", "The argument %q must be %s, not %s.", a.Name, want, ast.Describe(lit))
		return nil
	}
	switch p.Type {
	case "string", "file", "dir":
		if lit.Type() != cty.String {
			return bad("a string")
		}
		out.String = lit.AsString()
		if p.Type != "string" {
			// Relative to the folder of the file that declares the step:
			// a blueprint's, for a step it gives.
			file, ok := c.meshPath(s.DeclRange.Filename(), out.String, p.Type == "dir", v.Range)
			if !ok {
				return nil
			}
			out.String = file
		}
	case "number":
		if lit.Type() != cty.Number {
			return bad("a number")
		}
		if !inNumberRange(lit.AsBigFloat()) {
			c.errorf("invalid-value", v.Range, "Number out of range", "The argument %q holds a number of 10^38 or more in magnitude; runner arguments stay within what Snowflake's NUMBER holds.", a.Name)
			return nil
		}
		out.Number, _ = lit.AsBigFloat().Float64()
	case "bool":
		if lit.Type() != cty.Bool {
			return bad("true or false")
		}
		out.Bool = lit.True()
	case "list(string)":
		if !lit.Type().IsTupleType() && !lit.Type().IsListType() {
			return bad("a list of strings")
		}
		for it := lit.ElementIterator(); it.Next(); {
			i, e := it.Element()
			if e.IsNull() || e.Type() != cty.String {
				c.errorf("wrong-type", elemRange(v, i), "Incorrect list value", "The argument %q is a list of quoted strings; its %s.", a.Name, listItemFault(i, e))
				return nil
			}
			out.List = append(out.List, e.AsString())
		}
	}
	return out
}

// meshPath resolves a path written in a file of the mesh, relative to that
// file's folder, and checks that it stays inside the mesh and names an
// existing file (or folder, when dir is set). The result is relative to the
// mesh root.
func (c *compiler) meshPath(declaredIn, p string, dir bool, at diag.Range) (string, bool) {
	what, example := "file", "sql/build.sql"
	if dir {
		what, example = "folder", "dbt"
	}
	rel := strings.TrimPrefix(declaredIn, c.tree.Prefix)
	if p == "" || path.IsAbs(p) || strings.Contains(p, `\`) {
		c.errorf("invalid-path", at, fmt.Sprintf("Invalid %s path", what), "Give the %s's path relative to this .mesh.hcl file's folder, with forward slashes, such as %q.", what, example)
		return "", false
	}
	full := path.Join(path.Dir(rel), p)
	if full == ".." || strings.HasPrefix(full, "../") {
		c.errorf("invalid-path", at, fmt.Sprintf("%s outside the mesh", capitalize(what)), "The path %q leads outside the mesh's folder. What a step uses lives inside the mesh, so that it is versioned and reviewed with it.", p)
		return "", false
	}
	if c.tree.FS != nil {
		// Like the loader, follow no symbolic link: what a step uses must be
		// in the mesh's own tree, not wherever a link points. The path is
		// walked as written, since a/../b goes through a, and the last
		// part's own type, where it is no link, is the file's.
		walked := path.Dir(rel)
		parts := strings.Split(p, "/")
		var typ fs.FileMode
		exists := false // walked is there, of type typ, and named by the last part
		for i, part := range parts {
			if exists && !typ.IsDir() {
				// Linux finds nothing under a file: not x.sql/, x.sql/.
				// nor x.sql/../y.sql, though the last is written out
				// cleaned.
				c.errorf("missing-file", at, "Path through a file",
					"The path %q goes through %s%s, which is a file, not a folder. Correct the path.", p, c.tree.Prefix, walked)
				return "", false
			}
			exists = false
			switch part {
			case "..":
				walked = path.Dir(walked)
				continue
			case "", ".":
				continue
			}
			walked = path.Join(walked, part)
			t, ok, spelled := c.pathType(walked)
			switch {
			case spelled != "":
				c.errorf("missing-file", at, "Path differs in case",
					"There is no %s%s, but there is %s%s. Linux, where CI and the pipelines run, tells names apart by case, where macOS and Windows do not: write the name as it is on disk.", c.tree.Prefix, walked, c.tree.Prefix, path.Join(path.Dir(walked), spelled))
				return "", false
			case !ok && !slices.Contains(parts[i+1:], ".."):
				continue // the path is reported as missing below
			case !ok:
				// Linux finds no a/../b without a, though the path is
				// written out cleaned, as b: the path is mistaken.
				c.errorf("missing-file", at, "Folder not found",
					"The path %q goes through %s%s, which does not exist (the path is relative to the folder of %s). Correct the path, without ../ where it can do without.", p, c.tree.Prefix, walked, declaredIn)
				return "", false
			case t&fs.ModeSymlink != 0:
				c.errorf("invalid-path", at, "Path through a symbolic link",
					"%s%s is a symbolic link, and meshc follows none: what a step uses must be in the mesh's own folder tree. Replace the link with the real file or folder.", c.tree.Prefix, walked)
				return "", false
			}
			typ, exists = t, true
		}
		if !exists {
			// The last part is missing, or is "..", whose folder the walk
			// has been through already: the path as a whole decides.
			info, err := fs.Stat(c.tree.FS, full)
			if exists = err == nil; exists {
				typ = info.Mode().Type()
			}
		}
		switch {
		case !exists:
			c.errorf("missing-file", at, fmt.Sprintf("%s not found", capitalize(what)), "There is no %s %s (the path is relative to the folder of %s). Create it or correct the path.", what, c.tree.Prefix+full, declaredIn)
			return "", false
		case typ.IsDir() != dir:
			other := "a folder"
			if !typ.IsDir() {
				other = "a file"
			}
			c.errorf("missing-file", at, fmt.Sprintf("%s expected", capitalize(what)), "%s is %s, but this argument names a %s.", c.tree.Prefix+full, other, what)
			return "", false
		case !dir && !typ.IsRegular():
			// Reading a named pipe would wait for a writer for ever, and
			// no checkout holds one.
			c.errorf("missing-file", at, "File expected",
				"%s is %s, not a regular file, which is what a step's file is and what a checkout holds. Replace it with the file, or correct the path.", c.tree.Prefix+full, filekind.Special(typ))
			return "", false
		}
	}
	return full, true
}

// pathType returns the type of the entry at p, relative to the mesh root,
// without following a link, and whether there is one: from the listing of
// its folder that loading made, which spares a system call per file that
// steps name (30,000 for 10,000 products whose steps keep their SQL in
// files), or for a folder loading did not walk (hidden, _, gen), from a
// listing made once, here. The file system is asked for a name a listing
// lacks, and when a folder cannot be listed.
//
// A name the listing holds only in another case is none, as on Linux,
// though a file system that ignores case (macOS, Windows) would find it:
// spelled is then the listing's spelling, so that the path fails where it
// is written rather than in CI.
func (c *compiler) pathType(p string) (typ fs.FileMode, ok bool, spelled string) {
	dir, name := path.Dir(p), path.Base(p)
	entries, listed := c.mesh.Folders[dir]
	if !listed {
		entries, listed = c.listUnwalked(dir)
	}
	if listed {
		i, found := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, name string) int { return strings.Compare(e.Name(), name) })
		if found {
			return entries[i].Type(), true, ""
		}
		if e, exact := otherCase(entries, name); e != nil {
			if exact { // a listing out of order, as tests shuffle them
				return e.Type(), true, ""
			}
			return 0, false, e.Name()
		}
	}
	info, err := fs.Lstat(c.tree.FS, p)
	if err != nil {
		return 0, false, ""
	}
	return info.Mode().Type(), true, ""
}

// listing is a folder's entries, and whether it could be listed.
type listing struct {
	entries []fs.DirEntry
	ok      bool
}

// listUnwalked lists a folder loading did not walk, once for all the
// steps whose paths go through it.
func (c *compiler) listUnwalked(dir string) ([]fs.DirEntry, bool) {
	u := &c.unwalked
	u.Lock()
	defer u.Unlock()
	l, done := u.folders[dir]
	if !done {
		entries, err := fs.ReadDir(c.tree.FS, dir)
		l = listing{entries, err == nil}
		if u.folders == nil {
			u.folders = map[string]listing{}
		}
		u.folders[dir] = l
	}
	return l.entries, l.ok
}

// otherCase finds name among entries, or else an entry whose name differs
// from it only in case; exact says which it found.
func otherCase(entries []fs.DirEntry, name string) (e fs.DirEntry, exact bool) {
	var other fs.DirEntry
	for _, e := range entries {
		switch {
		case e.Name() == name:
			return e, true
		case other == nil && strings.EqualFold(e.Name(), name):
			other = e
		}
	}
	return other, false
}

// resolveSecret resolves secret.NAME: a secret of the domain, or a
// mesh-wide one.
func (c *compiler) resolveSecret(ref *ast.Ref, ds *domainScope) *plan.Secret {
	if len(ref.Parts) != 2 || ref.Parts[0].Name != "secret" {
		c.errorf("unresolved-reference", ref.Range, "Malformed reference", "A credential refers to a secret block, as in secret.NAME.")
		return nil
	}
	name := ref.Parts[1].Name
	if s, ok := ds.secrets[name]; ok {
		return s
	}
	if s, ok := c.secrets[name]; ok {
		return s
	}
	c.unknown("secret", name, "in domain "+ds.plan.Name+" or mesh-wide", ref.Parts[1].Range, append(sortedKeys(ds.secrets), sortedKeys(c.secrets)...))
	return nil
}

func appendOnce[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
