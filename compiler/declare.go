package compiler

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
)

// declare builds the plan's objects and the scopes that hold them, checking
// names, duplicates and every value that needs no reference to check, and
// resolves each product's steps, whose references name only runners,
// secrets and the product's own steps, all declared before them.
func (c *compiler) declare() {
	c.declareRunners()
	c.declareTestKinds()
	c.declareSecrets(c.mesh.Secrets, c.secrets, nil)
	// Blueprints are merged into their objects when loading; only their
	// names are left to check.
	for _, bp := range c.mesh.Blueprints {
		c.checkName("blueprint", bp.Name, bp.NameRange)
	}
	// Domains are declared on every core, each with all it holds; only
	// their names are registered first, so that the first of two
	// domains of one name is known whatever the order they run in.
	domains := make([]*domainScope, len(c.mesh.Domains))
	firsts := make([]*domainScope, len(c.mesh.Domains))
	for i, d := range c.mesh.Domains {
		ds := newDomainScope(d)
		if firsts[i] = c.domains[d.Name]; firsts[i] == nil {
			c.domains[d.Name] = ds
		}
		domains[i] = ds
		c.domainList = append(c.domainList, ds)
	}
	c.inParallel(len(domains), func(w *compiler, i int) { w.declareDomain(domains[i], firsts[i]) })
	c.domainNames = sortedKeys(c.domains)
	slices.SortFunc(c.domainList, func(a, b *domainScope) int { return cmp.Compare(a.plan.Name, b.plan.Name) })
	for _, ds := range c.domainList {
		c.plan.Domains = append(c.plan.Domains, ds.plan)
		ds.sourceNames = sortedKeys(ds.sources)
		for _, name := range ds.sourceNames {
			src := ds.sources[name]
			c.plan.Sources = append(c.plan.Sources, src)
			ds.plan.Sources = append(ds.plan.Sources, src)
			c.sourceColumns[src] = ds.sourceColumns[src]
		}
		ds.productNames = sortedKeys(ds.products)
		sortBy(ds.productList, func(p *productScope) string { return p.plan.Name })
		c.products = append(c.products, ds.productList...)
	}
	for i, ps := range c.products {
		ps.place = int32(i)
	}
	c.checkSharedObjects()
	for _, name := range sortedKeys(c.runners) {
		c.plan.Runners = append(c.plan.Runners, c.runners[name])
	}
	c.plan.Secrets = append(c.plan.Secrets, mapValues(c.secrets)...)
	for _, ds := range c.domainList {
		c.plan.Secrets = append(c.plan.Secrets, mapValues(ds.secrets)...)
	}
	slices.SortFunc(c.plan.Secrets, func(a, b *plan.Secret) int { return cmp.Compare(a.ID, b.ID) })
	c.plan.Files = make([]string, 0, len(c.mesh.Files))
	for _, f := range c.mesh.Files {
		c.plan.Files = append(c.plan.Files, f.Name)
	}
	slices.Sort(c.plan.Files)
	c.plan.Prefix = c.tree.Prefix
}

// checkSharedObjects reports two ports that publish one Snowflake object,
// whose steps would overwrite each other's data, and a source that reads
// a table a port publishes (checkSourceOverPort).
func (c *compiler) checkSharedObjects() {
	owners := map[string]*portScope{}
	for _, ps := range c.products {
		for _, name := range sortedKeys(ps.ports) {
			port := ps.ports[name]
			if port.plan.Object.Name == "" {
				continue
			}
			key := strings.ToUpper(port.plan.Object.String())
			if first, taken := owners[key]; taken {
				c.errorf("duplicate-name", port.objectRange, "Two ports publish one table",
					"%s is already published by port %s (at %s), so the two products would overwrite each other. Give this port a table of its own.",
					port.plan.Object, first.plan.ID, first.objectRange)
				continue
			}
			owners[key] = port
		}
	}
	for _, ds := range c.domainList {
		for _, name := range ds.sourceNames {
			src := ds.sources[name]
			if port := owners[strings.ToUpper(src.Table.String())]; port != nil && src.Table.Name != "" {
				c.checkSourceOverPort(ds, src, port)
			}
		}
	}
}

// checkSourceOverPort reports a source that names the table a port
// publishes. The mesh would not order the source's readers after the
// port's product, nor see a product that reads its own table, and a port
// that writes over a table a source describes writes over data landed
// from outside the mesh.
func (c *compiler) checkSourceOverPort(ds *domainScope, src *plan.Source, port *portScope) {
	p := port.plan.Product
	from := "product." + p.Name + ".port." + port.plan.Name
	public := ""
	if p.Domain != ds.plan {
		from = "domain." + p.Domain.Name + "." + from
		if port.plan.Visibility != "public" {
			public = ", once the port is public"
		}
	}
	c.errorf("duplicate-name", ds.sourceTables[src], "A source reads a table a port publishes",
		"%s is published by port %s (at %s), so source %s reads what the mesh makes, and meshc can neither run its readers after %s nor check them against the port's columns. "+
			"Remove the source: another product reads the table as an input from the port, from = %s%s, and %s itself reads its own table in its steps' SQL. Or, if the port should not write over data landed from outside the mesh, give the port a table of its own.",
		src.Table, port.plan.ID, port.objectRange, src.ID, p.ID, from, public, p.ID)
}

// newDomainScope makes the scope of a domain, for declareDomain to fill.
func newDomainScope(d *ast.Domain) *domainScope {
	pd := &plan.Domain{Name: d.Name, Owner: d.Owner.V, OwnerRange: ownerRange(d.Owner, d.DeclRange), Description: d.Description.V, Layer: d.Layer.V, LayerIndex: -1, Dir: d.Dir, Files: domainFiles(d), Range: d.DeclRange}
	return &domainScope{ast: d, plan: pd, sources: map[string]*plan.Source{}, sourceColumns: map[*plan.Source]columnSet{}, sourceTables: map[*plan.Source]diag.Range{}, products: map[string]*productScope{}, secrets: map[string]*plan.Secret{}}
}

// ownerRange is where an owner is written, for diagnostics about it
// (CODEOWNERS): its attribute, or the block that lacks one.
func ownerRange(owner ast.String, block diag.Range) diag.Range {
	if owner.Set {
		return owner.Range
	}
	return block
}

// domainFiles returns the files that hold the domain block and the
// domain's sources, secrets, policies and waivers (plan.Domain.Files).
func domainFiles(d *ast.Domain) []string {
	files := []string{d.DeclRange.Filename()}
	for _, s := range d.Sources {
		files = append(files, s.DeclRange.Filename())
	}
	for _, s := range d.Secrets {
		files = append(files, s.DeclRange.Filename())
	}
	for _, p := range d.Policies {
		files = append(files, p.DeclRange.Filename())
	}
	for _, w := range d.Waivers {
		files = append(files, w.DeclRange.Filename())
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// declareDomain declares a domain and all it holds. first is the domain
// of the same name declared before it, if any.
func (c *compiler) declareDomain(ds *domainScope, first *domainScope) {
	d, pd := ds.ast, ds.plan
	c.checkName("domain", d.Name, d.NameRange)
	// A second domain of the same name is reported, and its contents are
	// still checked, but references resolve to the first.
	if first != nil {
		c.duplicate("domain", d.Name, d.NameRange, first.ast.DeclRange)
	}
	if d.Owner.Set && strings.TrimSpace(d.Owner.V) == "" {
		c.errorf("invalid-value", d.Owner.Range, "Empty owner", "A domain's owner is who answers for its data and reviews its folder (CODEOWNERS): give a team's e-mail address or handle, such as owner = \"@%s-team\".", d.Name)
	}
	layersBad := c.mesh.Root != nil && (c.mesh.Root.Layers.Bad || (c.mesh.Root.Layers.Set && len(c.mesh.Root.Layers.V) == 0))
	switch {
	case layersBad || d.Layer.Bad:
		// The mesh's layers or this domain's failed to load; already reported.
	case d.Layer.Set && len(c.layers) == 0 && (c.mesh.Root == nil || !c.mesh.Root.Layers.Set):
		c.errorf("unresolved-reference", d.Layer.Range, "Layer without layers", "The mesh block in mesh.hcl lists no layers. Add layers = [...] there, lowest first, or remove this layer.")
	case d.Layer.Set:
		if i, ok := c.layers[d.Layer.V]; ok {
			pd.LayerIndex = i
		} else {
			c.unknown("layer", d.Layer.V, "in the mesh block's layers", d.Layer.Range, c.plan.Layers)
		}
	case len(c.layers) > 0:
		c.errorf("missing-attribute", d.DeclRange, "Domain without a layer",
			"The mesh declares layers (%s), so every domain says which one it is in, for example layer = %q.", strings.Join(c.plan.Layers, ", "), c.plan.Layers[0])
	}
	pd.Schema = strings.ToUpper(d.Name)
	schemaAt := d.NameRange
	if d.Schema.Set {
		c.objectPart("schema", d.Schema)
		pd.Schema, schemaAt = d.Schema.V, d.Schema.Range
	}
	c.prefixedSchema(pd.Schema, schemaAt)
	c.declareSecrets(d.Secrets, ds.secrets, pd)
	for _, s := range d.Sources {
		c.declareSource(ds, s)
	}
	for _, p := range d.Products {
		c.declareProduct(ds, p)
	}
	if !c.opts.WholeMesh {
		// The products' scopes keep what later stages read of their
		// syntax: the rest, most of a large mesh's, can go.
		d.Products = nil
	}
}

func (c *compiler) declareSource(ds *domainScope, s *ast.Source) {
	c.checkName("source", s.Name, s.NameRange)
	if first, dup := ds.sources[s.Name]; dup {
		c.duplicate("source", s.Name, s.NameRange, first.Range)
		return
	}
	ps := &plan.Source{ID: ds.plan.Name + "." + s.Name, Domain: ds.plan, Name: s.Name, Description: s.Description.V, Classification: s.Classification.V, Range: s.DeclRange}
	if s.Cadence.Set {
		ps.Cadence, _ = c.cadence(s.Cadence)
	}
	if s.Table.Set {
		ps.Table = c.objectName(s.Table, ds.plan)
		ds.sourceTables[ps] = s.Table.Range
	}
	c.classification(s.Classification)
	ps.Columns, ds.sourceColumns[ps], _ = c.columns(s.Columns, "source")
	if len(s.Columns) == 0 {
		c.errorf("missing-block", s.DeclRange, "Source without columns",
			"Declare the columns that products read from this source, each as column \"name\" { type = string }, so that meshc can check its readers.")
	}
	ds.sources[s.Name] = ps
	if !c.opts.WholeMesh {
		s.Columns = nil // as for a port's columns (declarePort)
	}
}

// columns declares the columns of a source or a port. It returns them
// in order, as a set by name, and their declarations in the same order.
func (c *compiler) columns(cols []*ast.Column, owner string) ([]*plan.Column, columnSet, []*ast.Column) {
	out := make([]*plan.Column, 0, len(cols))
	decls := make([]*ast.Column, 0, len(cols))
	set := make(columnSet, 0, len(cols))
	for _, col := range cols {
		if c.checkColumnName(col.Name, col.NameRange) {
			pc := &plan.Column{Name: col.Name, Range: col.DeclRange}
			out, decls = append(out, pc), append(decls, col)
			set = append(set, pc)
		}
	}
	slices.SortStableFunc(set, func(a, b *plan.Column) int { return compareFolded(a.Name, b.Name) })
	if repeated := c.duplicateColumns(set, out, decls, owner); repeated != nil {
		set = slices.DeleteFunc(set, func(col *plan.Column) bool { return repeated[col] })
		n := 0
		for i, pc := range out {
			if !repeated[pc] {
				out[n], decls[n] = pc, decls[i]
				n++
			}
		}
		out, decls = out[:n], decls[:n]
	}
	for i, pc := range out {
		c.declareColumn(pc, decls[i])
	}
	return out, set, decls
}

// duplicateColumns reports the columns that repeat the name of one
// declared before them and returns them, nil when there are none. set is
// sorted by folded name with a stable sort, so a column follows those of
// its name declared before it: no map by name for each of a large mesh's
// million ports, which cost more than the columns it checked.
func (c *compiler) duplicateColumns(set columnSet, out []*plan.Column, decls []*ast.Column, owner string) map[*plan.Column]bool {
	var repeated map[*plan.Column]bool
	first := 0 // the first of the names folded as set[i]'s
	for i := 1; i < len(set); i++ {
		if compareFolded(set[i].Name, set[first].Name) != 0 {
			first = i
			continue
		}
		declared, col := set[first], decls[slices.Index(out, set[i])]
		detail := fmt.Sprintf("This %s already has a column %q at %s: rename or remove one.", owner, declared.Name, declared.Range)
		if declared.Name != col.Name {
			detail = fmt.Sprintf("This %s already has a column %q at %s. Snowflake compares unquoted names without regard to case, so %s and %s are one column: rename or remove one.", owner, declared.Name, declared.Range, declared.Name, col.Name)
		}
		c.errorf("duplicate-name", col.NameRange, "Duplicate column", "%s", detail)
		if repeated == nil {
			repeated = map[*plan.Column]bool{}
		}
		repeated[set[i]] = true
	}
	return repeated
}

// declareColumn fills in a column's plan from its declaration, checking
// its type, classification and masking.
func (c *compiler) declareColumn(pc *plan.Column, col *ast.Column) {
	pc.Nullable, pc.Description = true, col.Description.V
	if classification, masking := col.Classification().V, col.Masking().V; classification != "" || masking != "" {
		pc.Governed = &plan.ColumnGovernance{Classification: classification, Masking: masking}
	}
	if col.Type.Name != "" {
		pc.Type, _ = c.columnType(col.Type)
	}
	if col.Nullable.Set {
		pc.Nullable = col.Nullable.V
	}
	c.classification(col.Classification())
	if masking := col.Masking(); masking.Set && !maskings[masking.V] {
		c.errorf("invalid-value", masking.Range, "Unknown masking",
			"%q is not a masking method.%s The methods are: %s.", masking.V, suggest.DidYouMean(masking.V, maskingNames), strings.Join(maskingNames, ", "))
	}
}

var maskingNames = []string{"hash", "nullify", "partial", "redact"}
var maskings = map[string]bool{"hash": true, "nullify": true, "partial": true, "redact": true}

func (c *compiler) classification(s ast.String) {
	if s.Set && !c.classifications[s.V] {
		names := c.classificationNames
		// As unknown lists candidates: a few, not a mesh's hundreds,
		// which the mesh block lists (the defaults are six).
		listed := " They are: " + strings.Join(names, ", ") + ". The mesh block's classifications argument can list others."
		if root := c.mesh.Root; len(names) > 8 && root != nil && root.Classifications.Set {
			listed = fmt.Sprintf(" The mesh block's classifications argument (%s) lists all %d, and can list others.", root.Classifications.Range, len(names))
		}
		c.errorf("invalid-value", s.Range, "Unknown classification",
			"%q is not one of the mesh's classifications.%s%s", s.V, suggest.DidYouMean(s.V, names), listed)
	}
}

// columnTypes are the types a column may have, with how many numeric
// arguments each takes.
var columnTypes = map[string]struct{ minArgs, maxArgs int }{
	"string": {0, 1}, "binary": {0, 1}, "number": {0, 2},
	"time": {0, 1}, "timestamp_ntz": {0, 1}, "timestamp_ltz": {0, 1}, "timestamp_tz": {0, 1},
	"integer": {}, "float": {}, "boolean": {}, "date": {},
	"variant": {}, "object": {}, "array": {},
}

func columnTypeNames() []string { return sortedKeys(columnTypes) }

// typeAliases maps type names from SQL and other tools onto meshc's, for
// suggestions.
var typeAliases = map[string]string{
	"bool": "boolean", "varchar": "string", "text": "string", "char": "string",
	"int": "integer", "bigint": "integer", "smallint": "integer", "double": "float",
	"real": "float", "decimal": "number", "numeric": "number", "timestamp": "timestamp_ntz",
	"datetime": "timestamp_ntz", "json": "variant", "map": "object", "list": "array", "bytes": "binary",
	// BigQuery's and SQL Server's, which teams moving to Snowflake bring.
	"int64": "integer", "int32": "integer", "integer64": "integer", "float64": "float", "bignumeric": "number",
	"datetime2": "timestamp_ntz", "smalldatetime": "timestamp_ntz", "datetimeoffset": "timestamp_tz",
	"nvarchar": "string", "nchar": "string", "bit": "boolean", "tinyint": "integer", "money": "number",
	"timestamptz": "timestamp_tz", "jsonb": "variant", "struct": "object", "varbinary": "binary",
}

// columnType checks a type expression and gives it its defaults.
func (c *compiler) columnType(t ast.TypeExpr) (plan.Type, bool) {
	arity, ok := columnTypes[t.Name]
	if !ok || t.Elem() != nil {
		hint := suggest.DidYouMean(t.Name, columnTypeNames())
		if meant, ok := typeAliases[strings.ToLower(t.Name)]; ok {
			hint = fmt.Sprintf(" Did you mean %s?", withArgs(meant, t.Args()))
		}
		c.errorf("invalid-type", t.Range, "Unknown column type",
			"%q is not a column type.%s The types are: %s.", t.Name, hint, strings.Join(columnTypeNames(), ", "))
		return plan.Type{}, false
	}
	if len(t.Args()) < arity.minArgs || len(t.Args()) > arity.maxArgs {
		want := "no arguments"
		switch t.Name {
		case "string", "binary":
			want = fmt.Sprintf("at most one argument, the length: %s or %s(100)", t.Name, t.Name)
		case "number":
			want = "at most two arguments, precision and scale: number(38, 2)"
		case "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz":
			want = fmt.Sprintf("at most one argument, the precision of its fractional seconds from 0 to %d: %s or %s(3)", plan.MaxTimePrecision, t.Name, t.Name)
		}
		c.errorf("invalid-type", t.Range, "Wrong number of type arguments", "The type %s takes %s.", t.Name, want)
		return plan.Type{}, false
	}
	pt := plan.Type{Name: t.Name}
	switch t.Name {
	case "string", "binary":
		limit := int64(plan.MaxStringLength)
		if t.Name == "binary" {
			limit = plan.MaxBinaryLength
		}
		if len(t.Args()) == 1 {
			if t.Args()[0] < 1 || t.Args()[0] > limit {
				unset := ""
				if t.Name == "string" {
					unset = fmt.Sprintf(" Without one, it is %d, Snowflake's default.", plan.DefaultStringLength)
				}
				c.errorf("invalid-type", t.Range, "Length out of range", "A %s's length is from 1 to %d (Snowflake's limit).%s", t.Name, limit, unset)
				return plan.Type{}, false
			}
			pt.Length = int32(t.Args()[0])
		}
	case "number":
		precision, scale := int64(38), int64(0)
		if len(t.Args()) >= 1 {
			precision = t.Args()[0]
		}
		if len(t.Args()) == 2 {
			scale = t.Args()[1]
		}
		if precision < 1 || precision > plan.MaxPrecision || scale < 0 || scale > precision {
			c.errorf("invalid-type", t.Range, "Precision or scale out of range",
				"number(%d, %d) is not a Snowflake number: the precision is from 1 to 38 and the scale from 0 to the precision, as in number(38, 2).", precision, scale)
			return plan.Type{}, false
		}
		if scale > plan.MaxScale {
			c.errorf("invalid-type", t.Range, "Scale out of range",
				"number(%d, %d) is not a Snowflake number: the scale, the number of digits after the decimal point, is at most %d: number(%d, %d) at most. Lower the scale, or use float.", precision, scale, plan.MaxScale, precision, min(precision, plan.MaxScale))
			return plan.Type{}, false
		}
		pt.Precision, pt.Scale = int8(precision), int8(scale)
	case "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz":
		pt.Precision = plan.MaxTimePrecision
		if len(t.Args()) == 1 {
			if p := t.Args()[0]; p < 0 || p > plan.MaxTimePrecision {
				c.errorf("invalid-type", t.Range, "Precision out of range",
					"A %s's precision, the digits of its fractional seconds, is from 0 (whole seconds) to %d (nanoseconds), as in %s(3) for milliseconds. Without one, it is %d, Snowflake's default.",
					t.Name, plan.MaxTimePrecision, t.Name, plan.MaxTimePrecision)
				return plan.Type{}, false
			}
			pt.Precision = int8(t.Args()[0])
		}
	}
	return pt, true
}

// withArgs writes the type name with the arguments given to another
// type, when it takes that many: varchar(10) suggests string(10) and
// timestamp(3) timestamp_ntz(3), but int(11) only integer.
func withArgs(name string, args []int64) string {
	if len(args) == 0 || len(args) > columnTypes[name].maxArgs {
		return name
	}
	written := make([]string, len(args))
	for i, a := range args {
		written[i] = strconv.FormatInt(a, 10)
	}
	return name + "(" + strings.Join(written, ", ") + ")"
}

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)

// checkVersion checks a product's version: semver, with numbers meshc diff
// can compare to tell a major version bump.
func (c *compiler) checkVersion(v string, rg diag.Range) {
	if !semver.MatchString(v) {
		hint := ""
		if bare := strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V"); semver.MatchString(bare) && tooLarge(bare) == "" {
			hint = fmt.Sprintf(" Did you mean %q?", bare)
		}
		c.errorf("invalid-version", rg, "Version is not semver",
			"%q is not a semantic version.%s Write MAJOR.MINOR.PATCH, such as \"2.1.0\", and raise MAJOR when a change breaks consumers.", v, hint)
		return
	}
	if part := tooLarge(v); part != "" {
		c.errorf("invalid-version", rg, "Version number too large",
			"The %s number of %q is larger than %d, the largest meshc compares: meshc diff could not tell whether the version went up. Write MAJOR.MINOR.PATCH with smaller numbers, such as \"2.1.0\".", part, v, int64(math.MaxInt64))
	}
}

// tooLarge names the first of a semantic version's MAJOR, MINOR and PATCH
// numbers that does not fit in an int64, or returns "".
func tooLarge(v string) string {
	core, _, _ := strings.Cut(strings.SplitN(v, "+", 2)[0], "-")
	for i, n := range strings.SplitN(core, ".", 3) {
		if _, err := strconv.ParseInt(n, 10, 64); err != nil {
			return []string{"MAJOR", "MINOR", "PATCH"}[i]
		}
	}
	return ""
}

func (c *compiler) declareProduct(ds *domainScope, p *ast.Product) {
	c.checkName("product", p.Name, p.NameRange)
	// A second product of the same name is reported and still checked, but
	// references resolve to the first.
	first, dup := ds.products[p.Name]
	if dup {
		c.duplicate("product", p.Name, p.NameRange, first.plan.Range)
	}
	pp := &plan.Product{
		ID: ds.plan.Name + "." + p.Name, Domain: ds.plan, Name: p.Name, Owner: ds.plan.Owner, OwnerRange: ds.plan.OwnerRange,
		Description: p.Description.V, Version: p.Version.V, Tags: p.Tags.Values(), Range: p.DeclRange,
	}
	if p.Owner.Set {
		pp.Owner, pp.OwnerRange = p.Owner.V, p.Owner.Range
		// An empty owner would not fall back to the domain's: it is a
		// mistake, whether the product or its blueprint writes it. The
		// detail names the product, so that one written in a blueprint
		// counts the products that inherit it (onceInBlueprints).
		if strings.TrimSpace(p.Owner.V) == "" {
			c.errorf("invalid-value", p.Owner.Range, "Empty owner", "The owner of product %s is who answers for its data and reviews its files (CODEOWNERS): give a team's e-mail address or handle, such as owner = \"@%s-team\", or remove owner for the domain's.", pp.ID, ds.plan.Name)
		}
	}
	if p.Version.Set {
		c.checkVersion(p.Version.V, p.Version.Range)
	}
	// A repeated tag is reported once, at its second listing, however
	// often it is repeated.
	listed, seen := map[string]int{}, map[string]int{}
	for _, t := range p.Tags.V {
		listed[t.V]++
	}
	for _, t := range p.Tags.V {
		if strings.TrimSpace(t.V) == "" {
			c.errorf("invalid-value", t.Range, "Empty tag", "Remove the empty tag.")
			continue
		}
		if strings.ContainsFunc(t.V, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) {
			// Tags are labels on one line: Airflow's DAG tags, the
			// catalog's and the manifest's. U+2028 and U+2029 separate
			// lines too, in JavaScript and in editors.
			c.errorf("invalid-value", t.Range, "Tag with a control character",
				"The tag %q holds a control character (a line break or separator, a tab or another). A tag is a label on one line, such as \"master-data\": remove it.", t.V)
			continue
		}
		if seen[t.V]++; seen[t.V] != 2 {
			continue
		}
		times := "twice; remove one"
		if n := listed[t.V]; n > 2 {
			times = fmt.Sprintf("%d times; keep one", n)
		}
		c.warnf("duplicate-tag", t.Range, "Duplicate tag", "The tag %q is listed %s.", t.V, times)
	}
	ps := &productScope{ast: p, written: productWrittenOf(p), inputs: p.Inputs, tests: p.Tests, blueprints: p.Blueprints,
		plan: pp, domain: ds, ports: map[string]*portScope{}, steps: map[string]*plan.Step{}, stepAST: map[*plan.Step]*ast.Step{}}
	for _, port := range p.Ports {
		c.declarePort(ps, port)
	}
	for _, name := range sortedKeys(ps.ports) {
		pp.Ports = append(pp.Ports, ps.ports[name].plan)
	}
	if len(p.Ports) == 0 && !slices.Contains(p.Broken, "port") {
		c.errorf("missing-block", p.DeclRange, "Product without a port",
			"A data product publishes at least one output port, the table or view its consumers read: add port \"name\" { table = \"NAME\" ... } with its columns.")
	}
	for _, s := range p.Steps {
		c.checkName("step", s.Name, s.NameRange)
		if first, dup := ps.steps[s.Name]; dup {
			c.duplicate("step", s.Name, s.NameRange, first.Range)
			continue
		}
		st := &plan.Step{Name: s.Name, Description: s.Description.V, Range: s.DeclRange}
		ps.steps[s.Name] = st
		ps.stepAST[st] = s
	}
	if len(p.Steps) == 0 && !slices.Contains(p.Broken, "step") {
		c.errorf("missing-block", p.DeclRange, "Product without a step",
			"A product is built by at least one step: add a step block with run = runner.NAME and the runner's arguments, such as file = \"sql/build.sql\" for runner.sql.")
	}
	// A product's steps read only runners, secrets and the product's own
	// steps, all declared by now: resolved here, their syntax is let go of
	// before the collection that a large mesh makes as declaring ends,
	// which would otherwise mark it all (docs/performance.md).
	c.resolveSteps(ps)
	c.orderSteps(ps)
	ps.steps, ps.stepAST = nil, nil
	if !c.opts.WholeMesh {
		p.Steps = nil
	}
	c.declareSchedule(ps)
	if p.Deprecation != nil {
		pp.Deprecation = &plan.Deprecation{Date: p.Deprecation.Date.V, Message: p.Deprecation.Message.V, Range: p.Deprecation.DeclRange}
		if p.Deprecation.Date.Set {
			c.date(p.Deprecation.Date)
		}
	}
	if !dup {
		ds.products[p.Name] = ps
	}
	ds.productList = append(ds.productList, ps)
	ps.ast = nil // what later stages read of it is in ps (productScope.ast)
}

func (c *compiler) declarePort(ps *productScope, p *ast.Port) {
	c.checkName("port", p.Name, p.NameRange)
	if first, dup := ps.ports[p.Name]; dup {
		c.duplicate("port", p.Name, p.NameRange, first.plan.Range)
		return
	}
	pp := &plan.Port{ID: ps.plan.ID + "." + p.Name, Product: ps.plan, Name: p.Name, Kind: p.Kind, Visibility: "internal", Description: p.Description.V, Range: p.DeclRange}
	if p.Object.Set {
		pp.Object, pp.ObjectRange = c.objectName(p.Object, ps.domain.plan), p.Object.Range
	}
	if p.Visibility.Set {
		if p.Visibility.V != "public" && p.Visibility.V != "internal" {
			c.errorf("invalid-value", p.Visibility.Range, "Unknown visibility",
				"A port's visibility is \"public\" (other domains may read it) or \"internal\" (only its own domain may).%s", suggest.DidYouMean(p.Visibility.V, []string{"public", "internal"}))
			pp.Visibility = "public" // so that its readers are not reported as well
		} else {
			pp.Visibility = p.Visibility.V
		}
	}
	var set columnSet
	var decls []*ast.Column
	pp.Columns, set, decls = c.columns(p.Columns, "port")
	if len(p.Columns) == 0 {
		c.errorf("missing-block", p.DeclRange, "Port without columns",
			"A port's columns are the contract its consumers rely on: declare each as column \"name\" { type = string }.")
	}
	o := pp.Object
	written := make([]columnWritten, len(decls))
	tested := 0
	for _, col := range decls {
		if len(col.Tests) > 0 {
			tested++
		}
	}
	var tests []columnTestUses
	if tested > 0 {
		tests = make([]columnTestUses, 0, tested)
	}
	for i, col := range decls {
		written[i] = writtenOf(col)
		if len(col.Tests) > 0 {
			tests = append(tests, columnTestUses{i, col.Tests})
		}
	}
	ps.ports[p.Name] = &portScope{plan: pp, product: ps, ownWritten: portWrittenOf(p, pp.Visibility), tests: p.Tests, objectRange: p.Object.Range,
		visibilityMisspelt: !p.Visibility.Set && slices.Contains(p.Broken, "visibility"),
		columns:            set, columnTests: tests, written: written, table: cty.StringVal(snowsql.QualifiedName(o.Database, o.Schema, o.Name))}
	if !c.opts.WholeMesh {
		// The plan holds the columns, with what later stages read of
		// their syntax beside it: the declarations, most of a large
		// mesh's syntax, can go.
		p.Columns = nil
	}
}

// objectName maps a table or view name onto the chosen environment. A full
// DATABASE.SCHEMA.NAME is kept as is; SCHEMA.NAME and NAME get the
// environment's database, and NAME the domain's schema; schemas meshc fills
// in get the environment's schema prefix.
func (c *compiler) objectName(s ast.String, d *plan.Domain) plan.ObjectName {
	parts := strings.Split(s.V, ".")
	for _, p := range parts {
		if !snowsql.IsIdentifier(p) || len(p) > 255 {
			c.errorf("invalid-name", s.Range, "Invalid table name",
				"%s%q is not a Snowflake object name: write NAME, SCHEMA.NAME or DATABASE.SCHEMA.NAME, each part a letter or underscore followed by letters, digits, underscores or $.", dollarsFault(p), s.V)
			return plan.ObjectName{Name: s.V}
		}
	}
	env := c.plan.Environment
	switch len(parts) {
	case 1:
		return plan.ObjectName{Database: env.Database, Schema: env.SchemaPrefix + d.Schema, Name: parts[0]} // checked with the domain
	case 2:
		return plan.ObjectName{Database: env.Database, Schema: c.prefixedSchema(parts[0], s.Range), Name: parts[1]}
	case 3:
		return plan.ObjectName{Database: parts[0], Schema: parts[1], Name: parts[2]}
	}
	c.errorf("invalid-name", s.Range, "Invalid table name", "%q has %d parts; a name has at most three: DATABASE.SCHEMA.NAME.", s.V, len(parts))
	return plan.ObjectName{Name: s.V}
}

func (c *compiler) declareSchedule(ps *productScope) {
	p, pp := ps.ast, ps.plan
	pp.Schedule = plan.Schedule{Timezone: c.plan.Defaults.Timezone, Range: p.DeclRange}
	if s := p.Schedule; s != nil {
		pp.Schedule.Range = s.DeclRange
		if s.Cadence.Set {
			if cad, ok := c.cadence(s.Cadence); ok {
				pp.Schedule.Cadence = &cad
			}
		}
		pp.Schedule.OnInputs = s.OnInputs.V
		ps.cadenceBroken = (s.Cadence.Set || s.Cadence.Bad) && pp.Schedule.Cadence == nil
		if s.Timezone.Set {
			pp.Schedule.Timezone = c.timezone(s.Timezone)
		}
		c.checkClockChange(pp.Schedule)
		if !s.Cadence.Set && !s.Cadence.Bad && !s.OnInputs.V && !s.OnInputs.Bad {
			c.errorf("missing-attribute", s.DeclRange, "Schedule without a cadence",
				"A schedule block gives a cadence (hourly, daily, weekly, monthly or a cron expression), or on_inputs = true to run when the inputs publish, or both.")
		}
	} else {
		pp.Schedule.OnInputs = true
	}
	if p.SLA != nil && p.SLA.Freshness.Set {
		if d, ok := c.duration(p.SLA.Freshness); ok {
			pp.SLA = &plan.SLA{Freshness: d, Range: p.SLA.Freshness.Range}
		}
	}
}

func (c *compiler) declareSecrets(secrets []*ast.Secret, into map[string]*plan.Secret, d *plan.Domain) {
	for _, s := range secrets {
		c.checkName("secret", s.Name, s.NameRange)
		if first, dup := into[s.Name]; dup {
			c.duplicate("secret", s.Name, s.NameRange, first.Range)
			continue
		}
		if d != nil {
			if mw, clash := c.secrets[s.Name]; clash {
				c.errorf("duplicate-name", s.NameRange, "Secret shadows a mesh-wide secret",
					"A mesh-wide secret %q is declared at %s; a domain's secret of the same name would hide it. Rename one of them.", s.Name, mw.Range)
				continue
			}
		}
		ps := &plan.Secret{ID: s.Name, Name: s.Name, Domain: d, Description: s.Description.V, Vault: s.Vault.V, Named: s.Named.V, Range: s.DeclRange}
		if d != nil {
			ps.ID = d.Name + "." + s.Name
		}
		switch {
		case s.Vault.Set && s.Named.Set:
			c.errorf("invalid-secret", s.Named.Range, "Secret kept in two places",
				"A secret is kept in one place: either a vault path (vault) or a named secret of the orchestrator (name). Remove one of the two.")
		case !s.Vault.Set && !s.Named.Set && !s.Vault.Bad && !s.Named.Bad:
			c.errorf("invalid-secret", s.DeclRange, "Secret without a location",
				"Say where the credential is kept: vault = \"path/in/vault#field\" for a vault path, or name = \"NAME_IN_THE_ORCHESTRATOR\" for a named secret.")
		}
		if s.Vault.Set && (strings.TrimSpace(s.Vault.V) == "" || strings.ContainsAny(s.Vault.V, " \t\n") || strings.HasPrefix(s.Vault.V, "#")) {
			c.errorf("invalid-secret", s.Vault.Range, "Invalid vault path", "A vault path is a non-empty path without spaces, then the field after #, such as \"data-platform/talend#token\".")
		}
		if s.Named.Set && !snowsql.IsIdentifier(s.Named.V) {
			c.errorf("invalid-secret", s.Named.Range, "Invalid secret name", "A secret's name is an identifier such as TALEND_TOKEN: a letter or underscore, then letters, digits, underscores or $.")
		}
		into[s.Name] = ps
	}
}

func (c *compiler) declareRunners() {
	for _, r := range c.mesh.Runners {
		c.checkName("runner", r.Name, r.NameRange)
		if first, dup := c.runners[r.Name]; dup {
			c.duplicateOf("runner", r.Name, r.NameRange, first.Range, first.Stdlib)
			continue
		}
		pr := &plan.Runner{Name: r.Name, Description: r.Description.V, Stdlib: r.Stdlib, Range: r.DeclRange}
		params := map[string]*ast.Param{}
		for _, p := range r.Params {
			c.checkName("parameter", p.Name, p.NameRange)
			if first, dup := params[p.Name]; dup {
				c.duplicate("parameter", p.Name, p.NameRange, first.DeclRange)
				continue
			}
			if reservedStepArgs[p.Name] {
				c.errorf("invalid-name", p.NameRange, "Reserved parameter name", "Steps already use %q for themselves (run, after and description), so a runner cannot take a parameter of that name.", p.Name)
				continue
			}
			params[p.Name] = p
			if p.Of.Set {
				c.errorf("unknown-attribute", p.Of.Range, "of on a runner parameter", "of says which port a test kind's column parameter belongs to; runner parameters have no use for it. Remove it.")
			}
			typ := typeName(p.Type)
			if p.Type.Name != "" && !runnerParamTypes[typ] {
				c.errorf("invalid-type", p.Type.Range, "Unknown parameter type",
					"Runner parameters have one of the types: %s.%s", strings.Join(sortedKeys(runnerParamTypes), ", "), suggest.DidYouMean(typ, sortedKeys(runnerParamTypes)))
			}
			pr.Params = append(pr.Params, &plan.Param{Name: p.Name, Type: typ, Optional: p.Optional.V, Description: p.Description.V})
		}
		if r.ExactlyOneOf.Set && len(r.ExactlyOneOf.V) < 2 {
			c.errorf("invalid-value", r.ExactlyOneOf.Range, "Too few alternatives", "exactly_one_of lists two or more optional parameters, of which a step gives exactly one.")
		}
		seenAlt := map[string]bool{}
		for _, name := range r.ExactlyOneOf.V {
			if seenAlt[name.V] {
				c.errorf("duplicate-name", name.Range, "Duplicate alternative", "%q is listed twice in exactly_one_of; remove one.", name.V)
				continue
			}
			seenAlt[name.V] = true
			if p, ok := params[name.V]; !ok {
				c.unknown("parameter", name.V, "in runner "+r.Name, name.Range, sortedKeys(params))
			} else if !p.Optional.V {
				c.errorf("invalid-value", name.Range, "Required parameter in exactly_one_of", "The parameter %q is required, so it cannot be one of several alternatives: mark it optional = true.", name.V)
			}
		}
		c.runners[r.Name] = pr
		c.runnerAST[pr] = r
	}
}

var reservedStepArgs = map[string]bool{"run": true, "after": true, "description": true}

var runnerParamTypes = map[string]bool{"string": true, "number": true, "bool": true, "list(string)": true, "file": true, "dir": true, "secret": true}

var testParamTypes = map[string]bool{"string": true, "number": true, "bool": true, "list(string)": true, "duration": true, "sql": true, "port": true, "column": true}

// templateVariables are available in every test kind's SQL template.
var templateVariables = []string{"table", "column", "column_type"}

// templateFunctionNames are the functions a test kind's SQL template may
// call.
var templateFunctionNames = load.TemplateFunctions()

func typeName(t ast.TypeExpr) string {
	if t.Elem() != nil {
		return t.Name + "(" + typeName(*t.Elem()) + ")"
	}
	if len(t.Args()) > 0 {
		return fmt.Sprintf("%s(%d)", t.Name, t.Args()[0])
	}
	return t.Name
}

// checkTemplateSQL reports a test kind whose SQL template writes more
// than one statement, or leaves a quote or a comment open: the targets
// run a test's query inside one of their own, as a subquery, where
// either breaks the SQL around it. A semicolon ending the query is
// dropped by the targets. This reads the template's own text only, each
// interpolation and directive as a word, so that a mistake in it is
// reported even when no test uses the kind; what the directives and
// calls write is checked in each test's rendered SQL (templateFault).
//
// A template names no input with {{ input.NAME }}, nor a port with
// {{ port.NAME }}: a kind serves products whose inputs and ports differ,
// and a product's tests name them in their sql arguments, where meshc
// fills them (testPlaceholders). Any other {{ outside quotes and
// comments is no Snowflake SQL either, as in a step's SQL.
func (c *compiler) checkTemplateSQL(k *ast.TestKind) {
	skeleton := k.SQL.Skeleton()
	// The first placeholder only: the kind's tests are not rendered once
	// one is reported, and one error says what to change in the others.
	if ps := snowsql.Placeholders(skeleton); len(ps) > 0 {
		p := ps[0]
		written := skeleton[p.Start:p.End]
		if p.Kind != "" {
			c.errorf("invalid-template", c.templateRange(k.SQL, skeleton, p.Start, p.End), "Placeholder in a test kind's SQL",
				"The SQL template of test kind %s holds %s, which meshc does not fill in a kind's template: a kind serves products whose inputs and ports differ. The tested table is ${table}; for another, give the kind a parameter instead: of type port, which a test gives as port.NAME or product.NAME.port.PORT, or of type sql, whose argument may be {{ input.NAME }} or {{ port.NAME }}.", k.Name, written)
		} else {
			c.errorf("invalid-template", c.templateRange(k.SQL, skeleton, p.Start, p.End), "Invalid placeholder",
				"The SQL template of test kind %s holds %s, which is no Snowflake SQL, and which meshc does not fill: a template writes a value with ${NAME}. %s", k.Name, written, templateBraceFix(k, p))
		}
		c.badTemplates[k] = true
	}
	switch shape := snowsql.ShapeOf(skeleton); {
	case shape.Open != "":
		c.errorf("invalid-template", k.SQL.Range(), "Unclosed SQL",
			"The SQL template of test kind %s leaves %s open, so the SQL the targets write after the query would be part of it. Close it.", k.Name, shape.Open)
		c.badTemplates[k] = true
	case shape.Statements > 1:
		c.errorf("invalid-template", k.SQL.Range(), "More than one SQL statement",
			"The SQL template of test kind %s holds %d statements, separated by semicolons, but a test is one query, which the targets run inside one of their own. Keep one query that returns the failing rows, joining the others in with WITH or UNION ALL.", k.Name, shape.Statements)
		c.badTemplates[k] = true
	case shape.Statements == 0:
		c.errorf("invalid-template", k.SQL.Range(), "Empty SQL template",
			"The SQL template of test kind %s holds no query, only comments or nothing, but a test is a query that returns the failing rows. Write the query.", k.Name)
		c.badTemplates[k] = true
	}
}

// templateBraceFix says what a test kind's template means by a malformed
// placeholder p: ${NAME} when it names a parameter of the kind or a
// variable of every template.
func templateBraceFix(k *ast.TestKind, p snowsql.Placeholder) string {
	if p.Name != "" {
		if slices.Contains(templateVariables, p.Name) || slices.ContainsFunc(k.Params, func(q *ast.Param) bool { return q.Name == p.Name }) {
			return fmt.Sprintf("Write ${%s} instead.", p.Name)
		}
		return fmt.Sprintf("Write ${table} for the tested table, or give the kind a parameter %s and write ${%s}.", p.Name, p.Name)
	}
	return "Write ${NAME} for a parameter of the kind, or ${table} for the tested table."
}

// templateRange returns where the bytes start to end of a test kind's
// template's skeleton are written. The skeleton writes each
// interpolation as x, so offsets differ; but the text there, found as
// often in the template as written as in its skeleton, is the same
// occurrence of it in both. Else it is the template's range.
func (c *compiler) templateRange(t ast.Template, skeleton string, start, end int) diag.Range {
	whole := t.Range()
	text := c.texts.For(diag.Diagnostics{{Subject: &whole}})[whole.Filename()]
	from, to := whole.Offsets()
	want := skeleton[start:end]
	if from < 0 || to > len(text) || from > to {
		return whole
	}
	written := string(text[from:to])
	if strings.Count(written, want) != strings.Count(skeleton, want) {
		return whole
	}
	off := 0
	for range strings.Count(skeleton[:start], want) {
		off += strings.Index(written[off:], want) + len(want)
	}
	off += strings.Index(written[off:], want)
	return whole.File().Range(from+off, from+off+len(want))
}

// checkTemplateValues reports the values a test kind's template writes
// where they break its SQL, each once; it reports whether there were none.
// meshc renders every value as SQL before the template writes it (see
// testArg): a string as a quoted literal, each value of a list(string)
// too, a sql argument as written, the table, a port and a column as
// Snowflake identifiers, quoted where they need it ("ORDER"), and a
// number, a duration (its seconds) and a bool as words without quotes.
// So inside quotes, a string's or a sql argument's own quotes end the
// string, and inside a quoted identifier, a name's quotes end it, or its
// dots and case are part of one name that no table or column has; a
// number, a duration or a bool is text there, as column_type is (which
// is written as it is), as a sql argument is in a $$ string, and the
// table's or a column's name in '...' is a string naming it. A negative
// number right after a minus sign writes "--", which starts a comment;
// in quotes or a comment it is text.
func (c *compiler) checkTemplateValues(k *ast.TestKind, params map[string]*ast.Param) bool {
	reported := map[diag.Range]bool{} // a loop's body is read twice
	for _, v := range k.SQL.Interpolations() {
		if reported[v.Range] {
			continue
		}
		typ := v.Variable // table or column
		if p := params[v.Variable]; p != nil {
			typ = typeName(p.Type)
		} else if typ != "table" && typ != "column" {
			continue
		}
		open := snowsql.ShapeOf(v.Before).Open
		name, written := v.Name, "${"+v.Name+"}"
		if v.Name != v.Variable {
			name = fmt.Sprintf("%s, a value of %s,", v.Name, v.Variable)
		}
		if !v.Alone {
			written = "the interpolation"
		}
		switch {
		case (typ == "string" || typ == "list(string)") && open != "" && open != "a comment":
			what := map[string]string{"string": "a string argument", "list(string)": "each value of a list(string) argument"}[typ]
			effect := "so its quotes would be part of the text"
			if open == "a quoted string" {
				effect = "so the quotes would be doubled, ''O''Brien'', which Snowflake reads as an empty string followed by other text"
			}
			c.errorf("invalid-template", v.Range, "Value inside quotes",
				"The SQL template of test kind %s writes %s inside %s, but meshc writes %s as an SQL literal itself, quotes included ('O''Brien'), %s. Write %s without quotes around it.",
				k.Name, name, open, what, effect, written)
		case typ == "sql" && (open == "a quoted string" || open == "a quoted identifier"):
			// In a $$ string, as in EXECUTE IMMEDIATE $$ ... $$, SQL
			// with quotes is as good as any text.
			example := "x = 'A'"
			if open == "a quoted identifier" {
				example = `"Order Id" = 1`
			}
			c.errorf("invalid-template", v.Range, "Value inside quotes",
				"The SQL template of test kind %s writes %s inside %s, but a sql argument is SQL, which meshc writes as it is: there it would be text, which the first quote of the same kind in an argument (%s) would end. Write %s outside quotes.",
				k.Name, name, open, example, written)
		case (typ == "table" || typ == "column" || typ == "port") && open == "a quoted identifier":
			what := map[string]string{"table": "the tested table's name", "column": "the tested column's name", "port": "a port's table name"}[typ]
			if params[v.Variable] != nil && typ == "column" {
				what = "a column's name"
			}
			c.errorf("invalid-template", v.Range, "Name inside quotes",
				"The SQL template of test kind %s writes %s inside a quoted identifier, but meshc writes %s as a Snowflake identifier itself, quoted where it needs quotes (\"ORDER\"): inside double quotes, those quotes would end the identifier, and another name would keep its dots and lower case, naming no table or column. Write %s without the double quotes.",
				k.Name, name, what, written)
		case typ == "number" && v.Alone && strings.HasSuffix(v.Before, "-") && open == "" && !snowsql.EndsInComment(v.Before):
			c.errorf("invalid-template", v.Range, "Number right after a minus sign",
				"A negative %s would be written right after the minus sign, as in x --5, and -- starts an SQL comment that hides the rest of the line. Put a space or parentheses between them: - ${%s}, or -(${%s}).", v.Name, v.Name, v.Name)
		default:
			continue
		}
		reported[v.Range] = true
	}
	return len(reported) == 0
}

func (c *compiler) declareTestKinds() {
	for _, k := range c.mesh.TestKinds {
		c.checkName("test kind", k.Name, k.NameRange)
		if first, dup := c.kinds[k.Name]; dup {
			c.duplicateOf("test kind", k.Name, k.NameRange, first.DeclRange, first.Stdlib)
			continue
		}
		if k.On.Set && k.On.V != "column" && k.On.V != "port" && k.On.V != "product" {
			c.errorf("invalid-value", k.On.Range, "Unknown test level", "A test kind is on \"column\", \"port\" or \"product\".")
		}
		params := map[string]*ast.Param{}
		optionalSeen := false
		for _, p := range k.Params {
			c.checkName("parameter", p.Name, p.NameRange)
			if first, dup := params[p.Name]; dup {
				c.duplicate("parameter", p.Name, p.NameRange, first.DeclRange)
				continue
			}
			if slices.Contains(templateVariables, p.Name) {
				c.errorf("invalid-name", p.NameRange, "Reserved parameter name", "%q is a variable every test template has (%s); name the parameter differently.", p.Name, strings.Join(templateVariables, ", "))
			}
			params[p.Name] = p
			typ := typeName(p.Type)
			if p.Type.Name != "" && !testParamTypes[typ] {
				c.errorf("invalid-type", p.Type.Range, "Unknown parameter type",
					"Test kind parameters have one of the types: %s.%s", strings.Join(sortedKeys(testParamTypes), ", "), suggest.DidYouMean(typ, sortedKeys(testParamTypes)))
			}
			if p.Optional.V {
				optionalSeen = true
			} else if optionalSeen {
				c.errorf("invalid-value", p.DeclRange, "Required parameter after an optional one", "Test arguments are positional, so optional parameters come last: move this one up.")
			}
			if p.Of.Set {
				if typ != "column" {
					c.errorf("invalid-value", p.Of.Range, "of on a parameter that is not a column", "Only column parameters say which port parameter they belong to.")
				} else if of, ok := params[p.Of.V]; !ok {
					c.errorf("unresolved-reference", p.Of.Range, "of names no port parameter",
						"of names an earlier parameter of type port, whose columns this one is checked against; there is no parameter %q before it.%s", p.Of.V, suggest.DidYouMean(p.Of.V, sortedKeys(params)))
				} else if t := typeName(of.Type); testParamTypes[t] && t != "port" {
					c.errorf("unresolved-reference", p.Of.Range, "of names no port parameter",
						"of names an earlier parameter of type port, whose columns this one is checked against; %q is a %s.", p.Of.V, t)
				}
			}
		}
		for _, t := range k.ColumnTypes.V {
			if _, ok := columnTypes[t.V]; !ok {
				c.errorf("invalid-type", t.Range, "Unknown column type", "%q is not a column type.%s", t.V, suggest.DidYouMean(t.V, columnTypeNames()))
				c.badColumnTypes[k] = true
			}
		}
		if k.SQL != nil {
			for _, v := range k.SQL.Variables() {
				if _, ok := params[v.Name]; !ok && !slices.Contains(templateVariables, v.Name) {
					c.unknown("template variable", v.Name, "in test kind "+k.Name, v.Range, append(slices.Clone(templateVariables), sortedKeys(params)...))
					c.badTemplates[k] = true
				}
			}
			for _, call := range k.SQL.Calls() {
				if !c.checkTemplateCall(call) {
					c.badTemplates[k] = true
				}
			}
			c.checkTemplateSQL(k)
			if !c.checkTemplateValues(k, params) {
				c.badTemplates[k] = true
			}
		}
		c.kinds[k.Name] = k
		if !k.Stdlib {
			if c.plan.KindFiles == nil {
				c.plan.KindFiles = map[string]string{}
			}
			c.plan.KindFiles[k.Name] = k.DeclRange.Filename()
		}
	}
}

// checkTemplateCall reports a call in a test kind's SQL template to a
// function templates do not have, or with the wrong number of arguments,
// and returns whether the call is sound. Reported here, at the kind,
// rather than by HCL when each test's SQL is rendered, it is reported
// once, and with meshc's own suggestion (HCL's "did you mean" picks at
// random among equally near names).
func (c *compiler) checkTemplateCall(call ast.TemplateCall) bool {
	sig, ok := load.TemplateSignature(call.Name)
	if !ok {
		c.errorf("unresolved-reference", call.NameRange, "Call to an unknown function",
			"There is no function %q in SQL templates.%s They may call %s.", call.Name, suggest.Function(call.Name, templateFunctionNames), andList(templateFunctionNames))
		return false
	}
	least, most := sig.Least(), sig.Most()
	if call.Expands {
		// The last argument is a list whose length each test's
		// rendering finds: the arguments before it may be too many.
		if call.Args-1 <= most {
			return true
		}
	} else if least <= call.Args && call.Args <= most {
		return true
	}
	params := slices.Clone(sig.Params)
	takes := count(least, "argument", "arguments")
	if least == 0 {
		takes = "no arguments"
	}
	switch {
	case sig.Variadic != "" && sig.VariadicMin > 0:
		takes = "at least " + takes
		params = append(params, sig.Variadic+"...")
	case sig.Variadic != "":
		takes = "at least " + takes
		params = append(params, "["+sig.Variadic+"...]")
	}
	passes := strconv.Itoa(call.Args)
	if call.Expands {
		passes = fmt.Sprintf("%d and a list", call.Args-1)
	}
	c.errorf("invalid-value", call.Range, "Wrong number of arguments in a template call",
		"%s takes %s, and this call passes %s. Call it as %s(%s).", call.Name, takes, passes, call.Name, strings.Join(params, ", "))
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func mapValues[V any](m map[string]V) []V {
	var out []V
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}
