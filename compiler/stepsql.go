package compiler

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/credscan"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// stepSQL reads the SQL of the steps on the standard library's sql
// runner: their sql argument, or their file's content, which it alone of
// the stages reads (on every core, after resolve has linked steps to
// runners and inputs to what they read). It checks the placeholders that
// name an input's table, {{ input.NAME }}, or the product's own port's,
// {{ port.NAME }} (snowsql.Placeholders).
// When the environment prefixes schemas, it also warns of names written
// out that the prefix does not reach: meshc maps the schema that steps
// run in, and their tests and publications read, to the prefixed one,
// but does not rewrite names written in SQL, so a step that names its
// domain's schema (PHYSICIAN.X) works beside its tests' data rather than
// in it, and one that names another domain's table reads the unprefixed
// copy (in a dev build, production's clone) rather than the one its
// tests and its wait for the input compare with. A file that cannot be
// read is an error here, in every environment, rather than in a build
// for one target or another. Tests' SQL is read where it is rendered
// (testSQL).
//
// With the cache on, a file whose stamp is as the last check found it is
// not read unless what it held then (sqlFacts, in load.Facts) is worth a
// report now: most checks read only the files that changed.
func (c *compiler) stepSQL() {
	mapped := c.mapped()
	facts := load.OpenFacts(c.tree)
	c.inParallel(len(c.products), func(w *compiler, i int) {
		ps := c.products[i]
		for _, s := range ps.plan.Steps {
			if s.Runner == nil || s.Runner.Name != "sql" || !s.Runner.Stdlib {
				continue
			}
			if mapped == nil && inlineWithout(s) {
				continue // nothing to read, nor to find
			}
			file := sqlFile(s)
			var st stamp.Stamp
			if file != nil && facts != nil {
				known, ok, now := facts.Lookup(file.String)
				if f, sound := decodeSQLFacts(known); ok && sound && !f.worthReading(ps, mapped) {
					continue
				}
				st = now
			}
			sql, ok, at, err := s.SQL(c.plan.Root)
			if err != nil {
				w.diags = append(w.diags, ps.plan.SQLReadError(s, at, err))
				continue
			}
			if !ok {
				continue
			}
			var credentials []credscan.Match // loading checked an inline sql
			if file != nil {
				credentials = credscan.FindAll(sql)
			}
			if file != nil && facts != nil {
				f := sqlFactsOf(sql)
				f.credentials = len(credentials) > 0
				facts.Remember(file.String, st, f.encode())
			}
			of := sqlOf{kind: "step", name: s.Name, ps: ps}
			w.fileCredentials(of, at, sql, credentials)
			w.placeholders(of, sql, func(start, end int) diag.Range { return w.sqlRange(at, sql, start, end) })
			if mapped != nil {
				w.unmappedNames(of, sql, mapped, func(start, end int) (diag.Range, bool) { return w.sqlRange(at, sql, start, end), true })
			}
		}
	})
	facts.Save()
}

// stepFilesOf returns the file system the steps' files are read from,
// for plan.Root: the tree's, read with stamp.ReadRegular for a tree on
// disk, in fewer system calls than os.DirFS's ReadFile makes, since the
// checker reads every step's SQL file on every check (without the cache,
// or when they changed).
func stepFilesOf(tree load.Tree) fs.FS {
	if tree.Dir == "" || tree.FS == nil {
		return tree.FS
	}
	return regularFiles{tree.FS, tree.Dir}
}

// regularFiles is a folder on disk, FS, whose files ReadFile reads with
// stamp.ReadRegular.
type regularFiles struct {
	fs.FS
	dir string
}

func (r regularFiles) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	data, err := stamp.ReadRegular(filepath.Join(r.dir, filepath.FromSlash(name)))
	if errors.Is(err, stamp.ErrNotRegular) {
		err = &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return data, err
}

// sqlFile returns a step's file argument when its SQL is a file's, else
// nil.
func sqlFile(s *plan.Step) *plan.Arg {
	for _, a := range s.Args {
		if a.Name == "file" && a.Type == "file" {
			return a
		}
	}
	return nil
}

// sqlFacts is what the checker needs to know of a step's SQL file to
// tell whether it has anything to report in it, which a check remembers
// (load.Facts) so that the next need not read the file again: the inputs
// and the ports that its placeholders name, whether a placeholder is
// malformed (or in quotes or a comment), and the schemas of the tables it
// names as SCHEMA.NAME. They are the file's alone, whatever the
// environment and the mesh around it.
type sqlFacts struct {
	inputs    []string
	ports     []string
	malformed bool
	// credentials is true when the file holds a literal credential
	// (credscan), reported at every check until it is removed.
	credentials bool
	schemas     []string // upper-cased, as Snowflake reads an unquoted name
}

func sqlFactsOf(sql string) sqlFacts {
	var f sqlFacts
	for _, p := range snowsql.Placeholders(sql) {
		names := &f.inputs
		if p.Kind == "port" {
			names = &f.ports
		}
		if p.Err != "" {
			f.malformed = true
		} else if !slices.Contains(*names, p.Name) {
			*names = append(*names, p.Name)
		}
	}
	for t := range snowsql.TableNames(sql) {
		if len(t.Parts) == 2 && !slices.Contains(f.schemas, t.Parts[0]) {
			f.schemas = append(f.schemas, t.Parts[0])
		}
	}
	return f
}

// worthReading reports whether the file whose facts f are holds what the
// checker reports for a step of ps (placeholders, unmappedNames): a
// placeholder malformed or naming no input or port, or a name in a
// schema that the environment maps.
func (f sqlFacts) worthReading(ps *productScope, mapped *mappedTables) bool {
	if f.malformed || f.credentials {
		return true
	}
	for _, name := range f.inputs {
		if ps.plan.Input(name) == nil && !ps.brokenInputs {
			return true
		}
	}
	for _, name := range f.ports {
		if ps.plan.Port(name) == nil {
			return true
		}
	}
	if mapped != nil {
		for _, schema := range f.schemas {
			if mapped.schemas[schema] != nil {
				return true
			}
		}
	}
	return false
}

// encode writes f as a string for load.Facts: a byte of flags (1 for
// malformed, 2 for credentials), then the inputs, the ports and the
// schemas, each list its length and each name its length and bytes.
// What an older meshc wrote, without the ports, does not decode, and
// its file is read again.
func (f sqlFacts) encode() string {
	b := []byte{0}
	if f.malformed {
		b[0] |= 1
	}
	if f.credentials {
		b[0] |= 2
	}
	for _, list := range [][]string{f.inputs, f.ports, f.schemas} {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, s := range list {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	return string(b)
}

// decodeSQLFacts reads what encode wrote; sound is false for anything
// else, such as nothing remembered.
func decodeSQLFacts(s string) (f sqlFacts, sound bool) {
	b := []byte(s)
	if len(b) == 0 || b[0] > 3 {
		return sqlFacts{}, false
	}
	f.malformed, f.credentials, b = b[0]&1 != 0, b[0]&2 != 0, b[1:]
	for _, list := range []*[]string{&f.inputs, &f.ports, &f.schemas} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)) {
			return sqlFacts{}, false
		}
		b = b[k:]
		for range n {
			m, k := binary.Uvarint(b)
			if k <= 0 || m > uint64(len(b)-k) {
				return sqlFacts{}, false
			}
			*list = append(*list, string(b[k:k+int(m)]))
			b = b[k+int(m):]
		}
	}
	return f, len(b) == 0
}

// sqlOf is whose SQL placeholders and table names are read in: a step's
// or a test's, of a product, for the words of their diagnostics.
type sqlOf struct {
	kind string // "step" or "test"
	name string // the step's name, or the test's ID
	ps   *productScope
}

func (o sqlOf) String() string { return o.kind + " " + o.name }

// mapped returns the tables that the environment's schema prefix maps,
// found once for the stages that read SQL, or nil when it has none.
func (c *compiler) mapped() *mappedTables {
	env := c.plan.Environment
	if env == nil || env.SchemaPrefix == "" {
		return nil
	}
	c.mappedOnce.Do(func() { c.mappedTables = c.findMappedTables() })
	return c.mappedTables
}

// inlineWithout reports whether a step's SQL is its sql argument, and
// holds no placeholder: there is nothing to check in it unless names are
// mapped.
func inlineWithout(s *plan.Step) bool {
	for _, a := range s.Args {
		if a.Name == "sql" && a.Type == "string" {
			return !strings.Contains(a.String, "{{")
		}
	}
	return false
}

// placeholders checks the placeholders of a step's or a test's SQL, and
// reports whether they are sound: each is well formed and names one of
// the product's inputs, or one of its own ports. at returns where a
// placeholder is written, asked only of one reported.
func (c *compiler) placeholders(of sqlOf, sql string, at func(start, end int) diag.Range) bool {
	pr := of.ps.plan
	sound := true
	for _, p := range snowsql.Placeholders(sql) {
		written := sql[p.Start:p.End]
		switch {
		case p.Err != "":
			sound = false
			c.errorf("invalid-template", at(p.Start, p.End), "Invalid placeholder", "In the SQL of %s of %s, %s.", of, pr.ID, bareFault(pr, p, written))
		case p.Kind == "port" && pr.Port(p.Name) == nil:
			sound = false
			names := make([]string, len(pr.Ports))
			for i, port := range pr.Ports {
				names[i] = port.Name
			}
			c.errorf("unresolved-reference", at(p.Start, p.End), "Placeholder naming no port",
				"In the SQL of %s, %s stands for the table of the product's own port %s, but %s has no port named %q; its ports are: %s.%s A table of another product is read through an input, {{ input.NAME }}.",
				of, written, p.Name, pr.ID, p.Name, strings.Join(names, ", "), c.listOf("port", pr.ID, names).DidYouMean(p.Name))
		case p.Kind == "input" && pr.Input(p.Name) == nil:
			sound = false
			if of.ps.brokenInputs {
				continue // an input that failed to resolve was reported
			}
			if port := pr.Port(p.Name); port != nil {
				c.errorf("unresolved-reference", at(p.Start, p.End), "Placeholder naming no input",
					"In the SQL of %s, %s stands for the table of the input %s, but %s has no input named %q: %s is its own port. Write {{ port.%s }} for the port's table in each environment.",
					of, written, p.Name, pr.ID, p.Name, p.Name, p.Name)
				continue
			}
			if len(pr.Inputs) == 0 {
				c.errorf("unresolved-reference", at(p.Start, p.End), "Placeholder naming no input",
					"In the SQL of %s, %s stands for the table of the input %s, but %s has no inputs. Add an input block reading the port (or source) whose table the %s reads, input %q { from = ... }, and the placeholder names it.", of, written, p.Name, pr.ID, of.kind, p.Name)
				continue
			}
			names := make([]string, len(pr.Inputs))
			for i, in := range pr.Inputs {
				names[i] = in.Name
			}
			c.errorf("unresolved-reference", at(p.Start, p.End), "Placeholder naming no input",
				"In the SQL of %s, %s stands for the table of the input %s, but %s has no input named %q; its inputs are: %s.%s",
				of, written, p.Name, pr.ID, p.Name, strings.Join(names, ", "), c.listOf("input", pr.ID, names).DidYouMean(p.Name))
		}
	}
	return sound
}

// bareFault is what is wrong with a malformed placeholder p of pr's SQL:
// one that names an input or a port of pr without input. or port. is
// told the one form that names it.
func bareFault(pr *plan.Product, p snowsql.Placeholder, written string) string {
	switch {
	case p.Name == "" || p.Kind != "":
		return p.Err
	case pr.Input(p.Name) != nil:
		return fmt.Sprintf("%s names no input: write {{ input.%s }} for the table that the product's input %s reads", written, p.Name, p.Name)
	case pr.Port(p.Name) != nil:
		return fmt.Sprintf("%s names no port: write {{ port.%s }} for the table of the product's own port %s", written, p.Name, p.Name)
	}
	return p.Err
}

// mappedTables are the schemas and tables that an environment's prefix
// maps, by their names as written (upper-cased, as Snowflake resolves
// unquoted names): each domain's schema, and the tables of ports and
// sources that a prefix reaches.
type mappedTables struct {
	schemas map[string]*plan.Domain   // a schema, to the domain it is (or holds a table) of
	tables  map[[2]string]mappedTable // SCHEMA and NAME, to what is published there
	domains map[*plan.Domain]string   // each domain's schema, upper-cased
}

// mappedTable is a port or a source, whose table a prefix maps.
type mappedTable struct {
	port   *plan.Port
	source *plan.Source
}

func (c *compiler) findMappedTables() *mappedTables {
	env := c.plan.Environment
	m := &mappedTables{schemas: map[string]*plan.Domain{}, tables: map[[2]string]mappedTable{}, domains: map[*plan.Domain]string{}}
	// unprefixed is the schema a mapped name was written with: a
	// three-part name, which is not mapped, is not found.
	unprefixed := func(n plan.ObjectName) (string, bool) {
		if n.Database != env.Database || !strings.HasPrefix(n.Schema, env.SchemaPrefix) {
			return "", false
		}
		return strings.ToUpper(strings.TrimPrefix(n.Schema, env.SchemaPrefix)), true
	}
	for _, d := range c.plan.Domains {
		m.domains[d] = strings.ToUpper(d.Schema)
		m.schemas[m.domains[d]] = d
	}
	for _, ps := range c.products {
		for _, port := range ps.plan.Ports {
			if schema, ok := unprefixed(port.Object); ok {
				m.tables[[2]string{schema, strings.ToUpper(port.Object.Name)}] = mappedTable{port: port}
				if m.schemas[schema] == nil {
					m.schemas[schema] = ps.plan.Domain
				}
			}
		}
	}
	for _, src := range c.plan.Sources {
		if schema, ok := unprefixed(src.Table); ok {
			m.tables[[2]string{schema, strings.ToUpper(src.Table.Name)}] = mappedTable{source: src}
			if m.schemas[schema] == nil {
				m.schemas[schema] = src.Domain
			}
		}
	}
	return m
}

// unmappedNames warns of each table a step's or a test's SQL names with
// a schema that the environment's prefix maps, once per name: its
// domain's own (name it without a schema), its product's own port's in
// another schema (name it through the port's placeholder), or another
// domain's (through an input's). at returns where a name is written,
// and whether in the step's or test's own SQL rather than in a test
// kind's template, which cannot name an input: asked only of one
// reported.
func (c *compiler) unmappedNames(of sqlOf, sql string, m *mappedTables, at func(start, end int) (diag.Range, bool)) {
	env, pr := c.plan.Environment, of.ps.plan
	own := m.domains[pr.Domain]
	var seen []string
	for t := range snowsql.TableNames(sql) {
		if len(t.Parts) != 2 || m.schemas[t.Parts[0]] == nil {
			continue
		}
		written := sql[t.Start:t.End]
		key := t.Parts[0] + "." + t.Parts[1]
		if slices.Contains(seen, key) {
			continue
		}
		seen = append(seen, key)
		rg, ownSQL := at(t.Start, t.End)
		schema := t.Parts[0]
		if schema == own && of.kind == "step" {
			c.warnf("unmapped-schema", rg, "Step SQL names its domain's schema",
				"The SQL of step %s of %s names %s, in its domain's schema %s. The environment %s puts the domain's tables in %s (its schema_prefix), where steps run and the product's tests and publications look, but meshc does not rewrite names written in SQL: this step works in %s instead. Name the domain's tables without a schema.",
				of.name, pr.ID, written, schema, env.Name, snowsql.QualifiedName(env.Database, env.SchemaPrefix+schema), snowsql.QualifiedName(env.Database, schema))
			continue
		}
		if schema == own {
			c.warnf("unmapped-schema", rg, "Test SQL names its domain's schema",
				"The SQL of test %s of %s names %s, in its domain's schema %s. The environment %s puts the domain's tables in %s (its schema_prefix), where the product's steps write, but meshc does not rewrite names written in SQL: this test reads %s instead. Name the domain's tables without a schema, as tests run in the domain's schema.",
				of.name, pr.ID, written, schema, env.Name, snowsql.QualifiedName(env.Database, env.SchemaPrefix+schema), snowsql.QualifiedName(env.Database, schema))
			continue
		}
		var fix string
		found := m.tables[[2]string{schema, t.Parts[1]}]
		ownPort := found.port != nil && found.port.Product == pr
		switch in := inputReading(pr, found); {
		case !ownSQL:
			fix = "The name is written in the SQL template of the test's kind, which cannot name an input: give the kind a parameter of type port for the table instead, which meshc maps in each environment, or of type sql, whose argument may be {{ input.NAME }}."
		case in != nil:
			fix = fmt.Sprintf("Write {{ input.%s }} instead, which meshc fills with the table of the input %s in each environment.", in.Name, in.Name)
		case ownPort:
			fix = fmt.Sprintf("It is the product's own port %s: write {{ port.%s }} instead, which meshc fills with the port's table in each environment.", found.port.Name, found.port.Name)
		case found.port != nil:
			fix = fmt.Sprintf("Add an input reading it (from = domain.%s.product.%s.port.%s), and write {{ input.NAME }} with the input's name instead, which meshc fills with the input's table in each environment.",
				found.port.Product.Domain.Name, found.port.Product.Name, found.port.Name)
		default:
			fix = fmt.Sprintf("Add an input reading the port of domain %s that publishes it, and write {{ input.NAME }} with the input's name instead, which meshc fills with the input's table in each environment.", m.schemas[schema].Name)
		}
		summary := capitalize(of.kind) + " SQL names another domain's schema"
		if m.schemas[schema] == pr.Domain {
			summary = capitalize(of.kind) + " SQL names a schema the environment maps"
		}
		readers := "the product's tests and its wait for its inputs read"
		switch {
		case ownPort:
			readers = "the product publishes, and its tests and the products that read the port read"
		case of.kind == "test":
			readers = "the product's steps and its wait for its inputs read"
		}
		c.warnf("unmapped-schema", rg, summary,
			"The SQL of %s of %s names %s, in schema %s of domain %s. In the environment %s, meshc maps that table to %s (its schema_prefix), which %s, but it does not rewrite names written in SQL: this %s reads %s instead. %s",
			of, pr.ID, written, schema, m.schemas[schema].Name, env.Name, snowsql.QualifiedName(env.Database, env.SchemaPrefix+schema, t.Parts[1]), readers, of.kind, snowsql.QualifiedName(env.Database, schema, t.Parts[1]), fix)
	}
}

// inputReading returns the input of pr that reads a mapped table, or nil.
func inputReading(pr *plan.Product, t mappedTable) *plan.Input {
	for _, in := range pr.Inputs {
		if t.port != nil && in.Port == t.port || t.source != nil && in.Source == t.source {
			return in
		}
	}
	return nil
}
