package load

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// One schema per block type, as in Terraform's internal/configs. A file's top
// level may hold any of the top-level blocks; placement rules (which blocks
// belong in mesh.hcl, which in a domain's folder) are in blocks.go.

var meshSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "owner"}, {Name: "layers"}, {Name: "classifications"}, {Name: "policy_sets"},
}}

var defaultsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "timezone"}, {Name: "retries"}, {Name: "retry_delay"}, {Name: "start_date"},
}}

var environmentSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "database", Required: true}, {Name: "schema_prefix"},
	{Name: "warehouse"}, {Name: "role"}, {Name: "connection"}, {Name: "dbt_target"},
}}

// domainSchema does not require owner: a blueprint may give it, so its
// absence is reported after blueprints are merged (blueprint.go).
var domainSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "owner"}, {Name: "description"}, {Name: "layer"}, {Name: "schema"}, {Name: "extends"},
}}

var sourceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"}, {Name: "cadence", Required: true}, {Name: "table", Required: true}, {Name: "classification"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}},
}

var columnSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true}, {Name: "nullable"}, {Name: "classification"},
		{Name: "masking"}, {Name: "description"}, {Name: "tests"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "test", LabelNames: []string{"name"}}},
}

var productSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "owner"}, {Name: "description"}, {Name: "version", Required: true}, {Name: "tags"},
		{Name: "extends"},
		{Name: "tests"}, // only to explain that a product's own tests are blocks
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "input", LabelNames: []string{"name"}},
		{Type: "port", LabelNames: []string{"name"}},
		{Type: "step", LabelNames: []string{"name"}},
		{Type: "test", LabelNames: []string{"name"}},
		{Type: "schedule"},
		{Type: "sla"},
		{Type: "deprecation"},
	},
}

var inputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "from", Required: true}, {Name: "columns"}, // columns: the checker explains its absence
}}

var portSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "table"}, {Name: "view"}, {Name: "visibility"}, {Name: "description"}, {Name: "tests"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "column", LabelNames: []string{"name"}},
		{Type: "test", LabelNames: []string{"name"}},
	},
}

// stepSchema lists the attributes every step has; the others are the
// runner's arguments, checked against the runner's parameters later.
var stepSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "run", Required: true}, {Name: "after"}, {Name: "description"},
}}

// testSchema is a test block; port and column are only allowed where the
// test is not already inside one (checked in testBlock).
var testSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "check", Required: true}, {Name: "severity"}, {Name: "description"},
	{Name: "column"}, {Name: "port"},
}}

var scheduleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "cadence"}, {Name: "on_inputs"}, {Name: "timezone"},
}}

var slaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "freshness", Required: true}}}

var deprecationSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "date", Required: true}, {Name: "message"},
}}

var runnerSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "description"}, {Name: "exactly_one_of"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "param", LabelNames: []string{"name"}}},
}

var testKindSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"}, {Name: "on", Required: true}, {Name: "column_types"}, {Name: "sql", Required: true},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "param", LabelNames: []string{"name"}}},
}

var paramSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type", Required: true}, {Name: "optional"}, {Name: "description"}, {Name: "of"},
}}

var secretSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "vault"}, {Name: "name"},
}}

// decoder accumulates diagnostics while decoding one file.
type decoder struct {
	file  *diag.File
	dir   string // the file's folder, which a domain block owns
	diags diag.Diagnostics
	// broken lists the blocks and arguments of the last body decoded that
	// failed to load, by the name meant: HCL's suggestion for a misspelt
	// name, or the type of a block written without its label.
	broken []string
	// scratch is what parsing and decoding the file reuse (see scratch),
	// which the decoder tells of the expressions it keeps.
	scratch *scratch
	// inStep is set while a step is decoded, whose references come from
	// scratch.stepRefs.
	inStep bool
}

func (d *decoder) add(ds diag.Diagnostics) { d.diags = append(d.diags, ds...) }

func (d *decoder) content(body hcl.Body, schema *hcl.BodySchema) *hcl.BodyContent {
	c, hds := content(body, schema, d.scratch)
	d.add(convertDiags(d.file, dropMisspeltRequired(hds)))
	d.broken = nil
	for _, hd := range hds {
		if m := didYouMean.FindStringSubmatch(hd.Detail); m != nil {
			d.broken = append(d.broken, m[1])
		}
		if m := missingLabel.FindStringSubmatch(hd.Summary); m != nil {
			d.broken = append(d.broken, m[1])
		}
	}
	// In order: HCL reports arguments in its map's order, and the list is
	// part of what the cache keeps.
	slices.Sort(d.broken)
	return c
}

// misspelt reports whether the argument name, not set, was written in the
// body just decoded under another name ("layr"), which is reported already:
// the value is then present but invalid (Bad), so that checks that it is
// missing skip it, and the objects that extend a blueprint inherit it as
// such rather than as left out.
func (d *decoder) misspelt(name string, set bool) bool {
	return !set && slices.Contains(d.broken, name)
}

var (
	didYouMean      = regexp.MustCompile(`Did you mean "([^"]+)"\?`)
	requiredMissing = regexp.MustCompile(`^The argument "([^"]+)" is required`)
	missingLabel    = regexp.MustCompile(`^(?:Missing name for|Extraneous label for) (\S+)`)
)

// dropMisspeltRequired removes HCL's "Missing required argument" for an
// argument that an "Unsupported argument" diagnostic of the same body
// already suggests: the user wrote it, misspelt, and one message says so.
func dropMisspeltRequired(hds hcl.Diagnostics) hcl.Diagnostics {
	if len(hds) == 0 {
		return hds // nearly every body: spared the map below
	}
	suggested := map[string]bool{}
	for _, hd := range hds {
		if m := didYouMean.FindStringSubmatch(hd.Detail); m != nil && hd.Summary == "Unsupported argument" {
			suggested[m[1]] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(suggested)) {
		hds = dropMissing(hds, name)
	}
	return hds
}

// optional decodes an attribute that may be absent; absent is returned as
// is when it is, carrying the block's range.
func optional[T any](d *decoder, c *hcl.BodyContent, name string, absent T, decode func(*decoder, *hcl.Attribute) (T, diag.Diagnostics)) T {
	attr, ok := c.Attributes[name]
	if !ok {
		return absent
	}
	v, ds := decode(d, attr)
	d.add(ds)
	return v
}

func (d *decoder) str(c *hcl.BodyContent, name string, block hcl.Range) ast.String {
	return optional(d, c, name, ast.String{Range: d.rng(block)}, (*decoder).decodeString)
}

// prose decodes free text written for people (a description, a
// deprecation's message, a waiver's reason), and warns of a control
// character in it other than a tab or a line break: a stray escape or bell
// pasted with the text, which the targets and reports write escaped
// (\u001b in YAML, say), not as the author saw it.
func (d *decoder) prose(c *hcl.BodyContent, name string, block hcl.Range) ast.String {
	s := d.str(c, name, block)
	d.controlCharacter(s.V, s.Range, cmp.Or(proseNames[name], name))
	return s
}

// controlCharacter warns of the first control character in text written
// for people, other than a tab or a line break, at rng, and reports
// whether there was one.
func (d *decoder) controlCharacter(text string, rng diag.Range, what string) bool {
	i := strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' })
	if i < 0 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	d.add(diag.Diagnostics{diag.Warnf("control-character", rng, "Control character in a "+what,
		"The %s holds U+%04X, a control character, which no catalog, DAG, pipeline or report shows as text: the generated files write it escaped (a Snowflake COMMENT leaves a NUL out). Remove it; for a line break, write the text over several lines (<<-EOT).", what, r)})
	return true
}

// proseNames name, for the warning, the attributes prose decodes that
// their name alone does not say.
var proseNames = map[string]string{"message": "deprecation's message", "reason": "waiver's reason"}

func (d *decoder) strs(c *hcl.BodyContent, name string, block hcl.Range) ast.Strings {
	return optional(d, c, name, ast.Strings{Range: d.rng(block)}, (*decoder).decodeStrings)
}

func (d *decoder) boolean(c *hcl.BodyContent, name string, block hcl.Range) ast.Bool {
	return optional(d, c, name, ast.Bool{Range: d.rng(block)}, (*decoder).decodeBool)
}

func (d *decoder) number(c *hcl.BodyContent, name string, block hcl.Range) ast.Number {
	return optional(d, c, name, ast.Number{Range: d.rng(block)}, (*decoder).decodeNumber)
}

func (d *decoder) ref(c *hcl.BodyContent, name, what string) *ast.Ref {
	attr, ok := c.Attributes[name]
	if !ok {
		return nil
	}
	r, ds := d.decodeRef(attr.Expr, what)
	d.add(ds)
	return r
}

func (d *decoder) label(b *hcl.Block) (string, diag.Range) {
	if len(b.Labels) == 0 {
		return "", d.rng(b.DefRange)
	}
	return b.Labels[0], d.rng(b.LabelRanges[0])
}

func (d *decoder) meshBlock(b *hcl.Block) *ast.MeshBlock {
	c := d.content(b.Body, meshSchema)
	m := &ast.MeshBlock{DeclRange: d.rng(b.DefRange)}
	m.Name, m.NameRange = d.label(b)
	m.Description = d.prose(c, "description", b.DefRange)
	m.Description.Bad = m.Description.Bad || d.misspelt("description", m.Description.Set)
	m.Owner = d.str(c, "owner", b.DefRange)
	m.Owner.Bad = m.Owner.Bad || d.misspelt("owner", m.Owner.Set)
	m.Layers = d.strs(c, "layers", b.DefRange)
	m.Layers.Bad = m.Layers.Bad || d.misspelt("layers", m.Layers.Set)
	m.Classifications = d.strs(c, "classifications", b.DefRange)
	m.PolicySets = d.strs(c, "policy_sets", b.DefRange)
	m.PolicySets.Bad = m.PolicySets.Bad || d.misspelt("policy_sets", m.PolicySets.Set)
	return m
}

func (d *decoder) defaults(b *hcl.Block) *ast.Defaults {
	c := d.content(b.Body, defaultsSchema)
	return &ast.Defaults{
		DeclRange:  d.rng(b.DefRange),
		Timezone:   d.str(c, "timezone", b.DefRange),
		Retries:    d.number(c, "retries", b.DefRange),
		RetryDelay: d.str(c, "retry_delay", b.DefRange),
		StartDate:  d.str(c, "start_date", b.DefRange),
	}
}

func (d *decoder) environment(b *hcl.Block) *ast.Environment {
	c := d.content(b.Body, environmentSchema)
	e := &ast.Environment{DeclRange: d.rng(b.DefRange)}
	e.Name, e.NameRange = d.label(b)
	e.Description = d.prose(c, "description", b.DefRange)
	e.Database = d.str(c, "database", b.DefRange)
	e.SchemaPrefix = d.str(c, "schema_prefix", b.DefRange)
	e.Warehouse = d.str(c, "warehouse", b.DefRange)
	e.Role = d.str(c, "role", b.DefRange)
	e.Connection = d.str(c, "connection", b.DefRange)
	e.DbtTarget = d.str(c, "dbt_target", b.DefRange)
	return e
}

func (d *decoder) domain(b *hcl.Block) *ast.Domain {
	c := d.content(b.Body, domainSchema)
	dom := &ast.Domain{DeclRange: d.rng(b.DefRange), Dir: d.dir}
	dom.Name, dom.NameRange = d.label(b)
	dom.Owner = d.str(c, "owner", b.DefRange)
	dom.Description = d.prose(c, "description", b.DefRange)
	dom.Layer = d.str(c, "layer", b.DefRange)
	dom.Owner.Bad = dom.Owner.Bad || d.misspelt("owner", dom.Owner.Set)
	dom.Layer.Bad = dom.Layer.Bad || d.misspelt("layer", dom.Layer.Set)
	dom.Description.Bad = dom.Description.Bad || d.misspelt("description", dom.Description.Set)
	dom.Schema = d.str(c, "schema", b.DefRange)
	dom.Extends = d.ref(c, "extends", "a blueprint")
	if _, ok := c.Attributes["extends"]; ok && dom.Extends == nil || d.misspelt("extends", false) {
		unknownInheritance(dom, nil)
	}
	return dom
}

func (d *decoder) source(b *hcl.Block) *ast.Source {
	c := d.content(b.Body, sourceSchema)
	s := &ast.Source{DeclRange: d.rng(b.DefRange)}
	s.Name, s.NameRange = d.label(b)
	s.Description = d.prose(c, "description", b.DefRange)
	s.Description.Bad = s.Description.Bad || d.misspelt("description", s.Description.Set)
	s.Cadence = d.str(c, "cadence", b.DefRange)
	s.Table = d.str(c, "table", b.DefRange)
	s.Classification = d.str(c, "classification", b.DefRange)
	s.Columns = room[*ast.Column](c.Blocks, "column")
	for _, cb := range c.Blocks {
		s.Columns = append(s.Columns, d.column(cb, false))
	}
	return s
}

// column decodes a column; tests are allowed on ports, not on sources.
func (d *decoder) column(b *hcl.Block, testsAllowed bool) *ast.Column {
	c := d.content(b.Body, columnSchema)
	col := &ast.Column{DeclRange: d.rng(b.DefRange)}
	col.Name, col.NameRange = d.label(b)
	if attr, ok := c.Attributes["type"]; ok {
		t, ds := d.decodeType(attr.Expr)
		d.add(ds)
		col.Type = t
	}
	col.Nullable = d.boolean(c, "nullable", b.DefRange)
	classification, masking := d.str(c, "classification", b.DefRange), d.str(c, "masking", b.DefRange)
	classification.Bad = classification.Bad || d.misspelt("classification", classification.Set)
	masking.Bad = masking.Bad || d.misspelt("masking", masking.Set)
	if absent := (ast.String{Range: col.DeclRange}); classification != absent || masking != absent {
		col.Governed = &ast.ColumnGovernance{Classification: classification, Masking: masking}
	}
	col.Description = d.prose(c, "description", b.DefRange)
	col.Description.Bad = col.Description.Bad || d.misspelt("description", col.Description.Set)
	testsOnSource := func(at hcl.Range) {
		d.add(diag.Diagnostics{diag.Errorf("tests-on-source", d.rng(at), "Tests on a source column",
			"Sources are raw data that meshc does not build, so they carry no tests. Test the columns of the port that reads this source instead.")})
	}
	if attr, ok := c.Attributes["tests"]; ok {
		if testsAllowed {
			col.Tests = append(col.Tests, d.testList(attr)...)
		} else {
			testsOnSource(attr.NameRange)
		}
	}
	for _, tb := range c.Blocks {
		if testsAllowed {
			col.Tests = append(col.Tests, d.testBlock(tb, "column"))
		} else {
			testsOnSource(tb.DefRange)
		}
	}
	return col
}

func (d *decoder) product(b *hcl.Block) *ast.Product {
	c := d.content(b.Body, productSchema)
	p := &ast.Product{DeclRange: d.rng(b.DefRange), Broken: d.broken}
	p.Name, p.NameRange = d.label(b)
	p.Extends = d.ref(c, "extends", "a blueprint")
	d.productBody(p, b, c)
	if _, ok := c.Attributes["extends"]; ok && p.Extends == nil {
		unknownInheritance(nil, p)
	}
	return p
}

// productBody decodes what a product and a product blueprint share.
func (d *decoder) productBody(p *ast.Product, b *hcl.Block, c *hcl.BodyContent) {
	p.Owner = d.str(c, "owner", b.DefRange)
	p.Owner.Bad = p.Owner.Bad || d.misspelt("owner", p.Owner.Set)
	p.Description = d.prose(c, "description", b.DefRange)
	p.Description.Bad = p.Description.Bad || d.misspelt("description", p.Description.Set)
	p.Version = d.str(c, "version", b.DefRange)
	p.Tags = d.strs(c, "tags", b.DefRange)
	if attr, ok := c.Attributes["tests"]; ok {
		d.add(diag.Diagnostics{diag.Errorf("unknown-attribute", d.rng(attr.NameRange), "Tests list in a product",
			"A product's own tests are test blocks, test \"name\" { check = row_count(1) port = port.NAME }; tests = [...] lists belong in ports and columns.")})
	}
	p.Inputs = room[*ast.Input](c.Blocks, "input")
	p.Ports = room[*ast.Port](c.Blocks, "port")
	p.Steps = room[*ast.Step](c.Blocks, "step")
	p.Tests = room[*ast.TestUse](c.Blocks, "test")
	for _, cb := range c.Blocks {
		switch cb.Type {
		case "input":
			p.Inputs = append(p.Inputs, d.input(cb))
		case "port":
			p.Ports = append(p.Ports, d.port(cb))
		case "step":
			p.Steps = append(p.Steps, d.step(cb))
		case "test":
			p.Tests = append(p.Tests, d.testBlock(cb, "product"))
		case "schedule":
			if p.Schedule != nil {
				d.duplicateBlock(cb, p.Schedule.DeclRange)
				continue
			}
			sc := d.content(cb.Body, scheduleSchema)
			p.Schedule = &ast.Schedule{
				DeclRange: d.rng(cb.DefRange),
				Cadence:   d.str(sc, "cadence", cb.DefRange),
				OnInputs:  d.boolean(sc, "on_inputs", cb.DefRange),
				Timezone:  d.str(sc, "timezone", cb.DefRange),
			}
			p.Schedule.Cadence.Bad = p.Schedule.Cadence.Bad || d.misspelt("cadence", p.Schedule.Cadence.Set)
			p.Schedule.OnInputs.Bad = p.Schedule.OnInputs.Bad || d.misspelt("on_inputs", p.Schedule.OnInputs.Set)
		case "sla":
			if p.SLA != nil {
				d.duplicateBlock(cb, p.SLA.DeclRange)
				continue
			}
			sc := d.content(cb.Body, slaSchema)
			p.SLA = &ast.SLA{DeclRange: d.rng(cb.DefRange), Freshness: d.str(sc, "freshness", cb.DefRange)}
			p.SLA.Freshness.Bad = p.SLA.Freshness.Bad || d.misspelt("freshness", p.SLA.Freshness.Set)
		case "deprecation":
			if p.Deprecation != nil {
				d.duplicateBlock(cb, p.Deprecation.DeclRange)
				continue
			}
			sc := d.content(cb.Body, deprecationSchema)
			p.Deprecation = &ast.Deprecation{
				DeclRange: d.rng(cb.DefRange),
				Date:      d.str(sc, "date", cb.DefRange),
				Message:   d.prose(sc, "message", cb.DefRange),
			}
		}
	}
}

// room returns an empty list with room for the blocks of typ among
// blocks, or nil when there are none, so that appending them one by one
// leaves no outgrown lists behind as garbage.
func room[T any](blocks hcl.Blocks, typ string) []T {
	n := 0
	for _, b := range blocks {
		if b.Type == typ {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return make([]T, 0, n)
}

func (d *decoder) duplicateBlock(b *hcl.Block, first diag.Range) {
	d.add(diag.Diagnostics{diag.Errorf("duplicate-block", d.rng(b.DefRange), fmt.Sprintf("Duplicate %s block", b.Type),
		"A product has at most one %s block, and one is already declared at %s. Merge the two.", b.Type, first)})
}

func (d *decoder) input(b *hcl.Block) *ast.Input {
	c := d.content(b.Body, inputSchema)
	in := d.scratch.inputs.new()
	in.DeclRange = d.rng(b.DefRange)
	in.Name, in.NameRange = d.label(b)
	in.From = d.ref(c, "from", "a source or a port")
	if attr, ok := c.Attributes["columns"]; ok {
		before := len(d.diags)
		in.Columns = d.inputColumns(attr)
		in.ColumnsBad = len(d.diags) > before
	}
	in.ColumnsBad = in.ColumnsBad || d.misspelt("columns", in.Columns != nil)
	return in
}

// inputColumns decodes `columns = ["a", "b"]`, or the typed form
// `columns = { a = string, b = number(38, 2) }` that also states the types
// the consumer relies on.
func (d *decoder) inputColumns(attr *hcl.Attribute) []ast.InputColumn {
	if pairs, ok := staticMap(attr.Expr); ok {
		var out []ast.InputColumn
		for _, kv := range pairs {
			name := hcl.ExprAsKeyword(kv.Key)
			if name == "" {
				if s, ok := stringValue(kv.Key); ok {
					name = s
				}
			}
			if name == "" {
				d.add(diag.Diagnostics{diag.Errorf("wrong-type", d.rng(kv.Key.Range()), "Invalid column name", "Column names in a columns map are plain names, like npi = string.")})
				continue
			}
			t, ds := d.decodeType(kv.Value)
			d.add(ds)
			out = append(out, ast.InputColumn{Name: name, Range: d.rng(kv.Key.Range()), Type: &t})
		}
		return out
	}
	names, ds := d.decodeStrings(attr)
	if ds != nil {
		d.add(diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Incorrect attribute value type",
			"The argument \"columns\" is a list of column names, like [\"npi\", \"specialty\"], or a map from names to expected types, like { npi = string(10) }.")})
		return nil
	}
	out := make([]ast.InputColumn, len(names.V))
	for i, n := range names.V {
		out[i] = ast.InputColumn{Name: n.V, Range: n.Range}
	}
	return out
}

// staticMap returns hcl.ExprMap's pairs, and false where expr is no map.
// A list, the common form of an input's columns, is none: hcl.ExprMap
// would make its error for nothing (34 MB at 100,000 products).
func staticMap(expr hcl.Expression) ([]hcl.KeyValuePair, bool) {
	if _, list := expr.(*hclsyntax.TupleConsExpr); list {
		return nil, false
	}
	pairs, ds := hcl.ExprMap(expr)
	return pairs, !ds.HasErrors()
}

func (d *decoder) port(b *hcl.Block) *ast.Port {
	c := d.content(b.Body, portSchema)
	p := &ast.Port{DeclRange: d.rng(b.DefRange), Broken: d.broken}
	p.Name, p.NameRange = d.label(b)
	_, hasTable := c.Attributes["table"]
	_, hasView := c.Attributes["view"]
	switch {
	case hasTable && hasView:
		d.add(diag.Diagnostics{diag.Errorf("port-kind", d.rng(c.Attributes["view"].NameRange), "Port is both a table and a view",
			"A port publishes one object: keep either table or view.")})
		fallthrough
	case hasTable:
		p.Kind, p.Object = "table", d.str(c, "table", b.DefRange)
	case hasView:
		p.Kind, p.Object = "view", d.str(c, "view", b.DefRange)
	case d.misspelt("table", false) || d.misspelt("view", false):
		// Written under another name ("tabel"), reported as such.
	default:
		d.add(diag.Diagnostics{diag.Errorf("port-kind", d.rng(b.DefRange), "Port publishes nothing",
			"Give the port the table or the view it publishes, for example table = \"PRESCRIBERS\".")})
	}
	p.Visibility = d.str(c, "visibility", b.DefRange)
	p.Description = d.prose(c, "description", b.DefRange)
	p.Description.Bad = p.Description.Bad || d.misspelt("description", p.Description.Set)
	if attr, ok := c.Attributes["tests"]; ok {
		p.Tests = append(p.Tests, d.testList(attr)...)
	}
	p.Columns = room[*ast.Column](c.Blocks, "column")
	for _, cb := range c.Blocks {
		switch cb.Type {
		case "column":
			p.Columns = append(p.Columns, d.column(cb, true))
		case "test":
			p.Tests = append(p.Tests, d.testBlock(cb, "port"))
		}
	}
	return p
}

func (d *decoder) step(b *hcl.Block) *ast.Step {
	c, attrs, hds := arguments(b.Body, stepSchema, d.scratch)
	// An argument close to one of the step's own that is missing (afer for
	// after, runner for run) may be a misspelling of it. Whether it is
	// depends on the runner, which may well take a parameter named runs:
	// the compiler decides. Meanwhile HCL's complaint that the step's own
	// argument is missing is held back, so that one slip reads as one
	// problem.
	names := slices.Sorted(maps.Keys(attrs))
	meant := map[string]string{}
	for _, name := range names {
		m := d.scratch.nearestStepArg(name)
		if alias, ok := stepAliases[name]; ok {
			m = alias
		}
		if _, given := c.Attributes[m]; m != "" && !given {
			meant[name] = m
			hds = dropMissing(hds, m)
		}
	}
	d.add(convertDiags(d.file, hds))
	s := d.scratch.steps.new()
	s.DeclRange = d.rng(b.DefRange)
	s.Name, s.NameRange = d.label(b)
	d.inStep = true
	s.Run = d.ref(c, "run", "a runner")
	if attr, ok := c.Attributes["after"]; ok {
		refs, ds := d.decodeRefs(attr, "a step")
		d.add(ds)
		s.After = refs
	}
	s.Description = d.prose(c, "description", b.DefRange)
	if len(attrs) > 0 {
		s.Args = make([]*ast.Arg, 0, len(attrs))
	}
	for _, name := range names {
		attr := attrs[name]
		v, ds := d.decodeValue(attr.Expr)
		arg := d.scratch.args.new()
		*arg = ast.Arg{Name: name, NameRange: d.rng(attr.NameRange), Value: v, Problems: ds, Meant: meant[name]}
		s.Args = append(s.Args, arg)
	}
	d.inStep = false
	return s
}

// stepOwnArgs are the arguments every step has, next to its runner's.
var stepOwnArgs = []string{"run", "after", "description"}

// stepAliases are what other tools call a step's own arguments.
var stepAliases = map[string]string{"runner": "run", "depends_on": "after", "needs": "after", "upstream": "after"}

// dropMissing removes HCL's "Missing required argument" for name.
func dropMissing(hds hcl.Diagnostics, name string) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, hd := range hds {
		if m := requiredMissing.FindStringSubmatch(hd.Detail); m != nil && m[1] == name {
			continue
		}
		out = append(out, hd)
	}
	return out
}

// testList decodes `tests = [not_null(), accepted_values(["A", "B"])]`.
func (d *decoder) testList(attr *hcl.Attribute) []*ast.TestUse {
	exprs, hds := hcl.ExprList(attr.Expr)
	if hds.HasErrors() {
		d.add(diag.Diagnostics{diag.Errorf("wrong-type", d.rng(attr.Expr.Range()), "Incorrect attribute value type",
			"The argument \"tests\" is a list of test calls, for example [not_null(), unique()].")})
		return nil
	}
	out := make([]*ast.TestUse, 0, len(exprs))
	for _, e := range exprs {
		t := d.scratch.tests.new()
		t.DeclRange = d.rng(e.Range())
		if d.testCall(e, t) {
			out = append(out, t)
		}
	}
	return out
}

// testBlock decodes a `test "name" {}` block found at the given level
// (column, port or product).
func (d *decoder) testBlock(b *hcl.Block, level string) *ast.TestUse {
	c := d.content(b.Body, testSchema)
	t := d.scratch.tests.new()
	t.DeclRange = d.rng(b.DefRange)
	name, nameRange := d.label(b)
	if attr, ok := c.Attributes["check"]; ok {
		d.testCall(attr.Expr, t)
	}
	t.Block = d.scratch.testBlocks.new()
	*t.Block = ast.TestBlock{
		Name:        ast.String{V: name, Set: true, Range: nameRange},
		Severity:    d.str(c, "severity", b.DefRange),
		Description: d.prose(c, "description", b.DefRange),
		Column:      d.str(c, "column", b.DefRange),
		Port:        d.ref(c, "port", "a port"),
	}
	_, hasPort := c.Attributes["port"]
	t.Block.PortBad = hasPort && t.Block.Port == nil || d.misspelt("port", hasPort)
	t.Block.Column.Bad = t.Block.Column.Bad || d.misspelt("column", t.Block.Column.Set)
	t.Block.Description.Bad = t.Block.Description.Bad || d.misspelt("description", t.Block.Description.Set)
	if attr, ok := c.Attributes["column"]; ok && level == "column" {
		d.add(diag.Diagnostics{diag.Errorf("unknown-attribute", d.rng(attr.NameRange), "Column given twice",
			"This test is inside a column block and tests that column; remove the column argument.")})
	}
	if attr, ok := c.Attributes["port"]; ok && level != "product" {
		d.add(diag.Diagnostics{diag.Errorf("unknown-attribute", d.rng(attr.NameRange), "Port given twice",
			"This test is inside a port and tests that port; the port argument is only for tests declared directly in a product.")})
	}
	return t
}

// testCall decodes a test kind call such as accepted_values(["A", "B"]).
func (d *decoder) testCall(expr hcl.Expression, t *ast.TestUse) bool {
	t.CallRange = d.rng(expr.Range())
	if fc, ok := expr.(*hclsyntax.FunctionCallExpr); ok && !fc.ExpandFinal {
		// What hcl.ExprCall gives, without its copy of the arguments.
		t.Kind, t.KindRange = fc.Name, d.rng(fc.NameRange)
		if len(fc.Args) > 0 {
			t.Args = d.scratch.values.slice(len(fc.Args))[:0]
		}
		for _, a := range fc.Args {
			d.testArg(t, a)
		}
		return true
	}
	call, hds := hcl.ExprCall(expr)
	if hds.HasErrors() {
		detail := "A test is a call of a test kind, for example not_null() or accepted_values([\"A\", \"B\"])."
		if kw := hcl.ExprAsKeyword(expr); kw != "" && kw != "null" && kw != "true" && kw != "false" {
			detail = fmt.Sprintf("Test kinds are called like functions, even without arguments: write %s().", kw)
		}
		d.add(diag.Diagnostics{diag.Errorf("not-a-test", d.rng(expr.Range()), "Test call expected", "%s", detail)})
		return false
	}
	if fc, ok := expr.(*hclsyntax.FunctionCallExpr); ok && fc.ExpandFinal {
		d.add(diag.Diagnostics{diag.Errorf("not-a-literal", d.rng(fc.CloseParenRange), "Expanded arguments",
			"Test arguments are written one by one; ... expansion is an expression, and values are literals. Remove the ...")})
		return false
	}
	t.Kind, t.KindRange = call.Name, d.rng(call.NameRange)
	for _, a := range call.Arguments {
		d.testArg(t, a)
	}
	return true
}

func (d *decoder) testArg(t *ast.TestUse, arg hcl.Expression) {
	v, ds := d.decodeValue(arg)
	d.add(ds)
	t.Args = append(t.Args, v)
}

func (d *decoder) runner(b *hcl.Block) *ast.Runner {
	c := d.content(b.Body, runnerSchema)
	r := &ast.Runner{DeclRange: d.rng(b.DefRange)}
	r.Name, r.NameRange = d.label(b)
	r.Description = d.prose(c, "description", b.DefRange)
	r.ExactlyOneOf = d.strs(c, "exactly_one_of", b.DefRange)
	for _, pb := range c.Blocks {
		r.Params = append(r.Params, d.param(pb))
	}
	return r
}

func (d *decoder) testKind(b *hcl.Block) *ast.TestKind {
	c := d.content(b.Body, testKindSchema)
	k := &ast.TestKind{DeclRange: d.rng(b.DefRange)}
	k.Name, k.NameRange = d.label(b)
	k.Description = d.prose(c, "description", b.DefRange)
	k.On = d.str(c, "on", b.DefRange)
	k.ColumnTypes = d.strs(c, "column_types", b.DefRange)
	for _, pb := range c.Blocks {
		k.Params = append(k.Params, d.param(pb))
	}
	if attr, ok := c.Attributes["sql"]; ok {
		k.SQL = &template{file: d.file, expr: d.scratch.keep(attr.Expr)}
		if s, isString := stringValue(attr.Expr); isString && strings.TrimSpace(s) == "" {
			d.add(diag.Diagnostics{diag.Errorf("invalid-value", d.rng(attr.Expr.Range()), "Empty SQL template",
				"A test kind renders to one SQL query that returns the failing rows; write it here, such as \"SELECT * FROM ${table} WHERE ${column} IS NULL\".")})
		}
	}
	return k
}

func (d *decoder) param(b *hcl.Block) *ast.Param {
	c := d.content(b.Body, paramSchema)
	p := &ast.Param{DeclRange: d.rng(b.DefRange)}
	p.Name, p.NameRange = d.label(b)
	if attr, ok := c.Attributes["type"]; ok {
		t, ds := d.decodeType(attr.Expr)
		d.add(ds)
		p.Type = t
	}
	p.Optional = d.boolean(c, "optional", b.DefRange)
	p.Description = d.prose(c, "description", b.DefRange)
	p.Of = d.str(c, "of", b.DefRange)
	return p
}

func (d *decoder) secret(b *hcl.Block) *ast.Secret {
	c := d.content(b.Body, secretSchema)
	s := &ast.Secret{DeclRange: d.rng(b.DefRange)}
	s.Name, s.NameRange = d.label(b)
	s.Description = d.prose(c, "description", b.DefRange)
	s.Vault = d.str(c, "vault", b.DefRange)
	s.Named = d.str(c, "name", b.DefRange)
	s.Vault.Bad = s.Vault.Bad || d.misspelt("vault", s.Vault.Set)
	s.Named.Bad = s.Named.Bad || d.misspelt("name", s.Named.Set)
	return s
}

// trimDot drops a leading "./" so that folder names print the same whether
// or not the user wrote one.
func trimDot(p string) string { return strings.TrimPrefix(p, "./") }
