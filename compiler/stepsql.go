package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
)

// stepSQL reads the SQL of the steps on the standard library's sql
// runner: their sql argument, or their file's content, which it alone of
// the stages reads (on every core, after resolve has linked steps to
// runners and inputs to what they read). It checks the {{ input.NAME }}
// placeholders that name an input's table (snowsql.InputPlaceholders).
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
// (unmappedInTest).
func (c *compiler) stepSQL() {
	env := c.plan.Environment
	var mapped *mappedTables
	if env != nil && env.SchemaPrefix != "" {
		mapped = c.mappedTables()
	}
	c.inParallel(len(c.products), func(w *compiler, i int) {
		ps := c.products[i]
		for _, s := range ps.plan.Steps {
			if s.Runner == nil || s.Runner.Name != "sql" || !s.Runner.Stdlib {
				continue
			}
			if mapped == nil && inlineWithout(s) {
				continue // nothing to read, nor to find
			}
			sql, ok, at, err := s.SQL(c.plan.Root)
			if err != nil {
				w.diags = append(w.diags, ps.plan.SQLReadError(s, at, err))
				continue
			}
			if !ok {
				continue
			}
			w.placeholders(ps, s, at, sql)
			if mapped != nil {
				w.unmappedInStep(ps.plan, s, at, sql, mapped)
			}
		}
	})
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

// placeholders checks the input placeholders of a step's SQL: each is
// well formed and names one of the product's inputs.
func (c *compiler) placeholders(ps *productScope, s *plan.Step, at *plan.Arg, sql string) {
	pr := ps.plan
	for _, p := range snowsql.InputPlaceholders(sql) {
		rg := c.sqlRange(at, sql, p.Start, p.End)
		if p.Err != "" {
			c.errorf("invalid-template", rg, "Invalid placeholder", "In the SQL of step %s of %s, %s.", s.Name, pr.ID, p.Err)
			continue
		}
		if pr.Input(p.Name) != nil || ps.brokenInputs {
			continue // an input that failed to resolve was reported
		}
		if len(pr.Inputs) == 0 {
			c.errorf("unresolved-reference", rg, "Placeholder naming no input",
				"In the SQL of step %s, %s stands for the table of the input %s, but %s has no inputs. Add an input block reading the port (or source) whose table the step reads, input %q { from = ... }, and the placeholder names it.", s.Name, sql[p.Start:p.End], p.Name, pr.ID, p.Name)
			continue
		}
		names := make([]string, len(pr.Inputs))
		for i, in := range pr.Inputs {
			names[i] = in.Name
		}
		c.errorf("unresolved-reference", rg, "Placeholder naming no input",
			"In the SQL of step %s, %s stands for the table of the input %s, but %s has no input named %q; its inputs are: %s.%s",
			s.Name, sql[p.Start:p.End], p.Name, pr.ID, p.Name, strings.Join(names, ", "), c.listOf("input", pr.ID, names).DidYouMean(p.Name))
	}
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

func (c *compiler) mappedTables() *mappedTables {
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

// unmappedInStep warns of each table a step's SQL names with a schema
// that the environment's prefix maps, once per name: its domain's own
// (name it without a schema), or another domain's (name it through an
// input's placeholder).
func (c *compiler) unmappedInStep(pr *plan.Product, s *plan.Step, at *plan.Arg, sql string, m *mappedTables) {
	env := c.plan.Environment
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
		rg := c.sqlRange(at, sql, t.Start, t.End)
		schema := t.Parts[0]
		if schema == own {
			c.warnf("unmapped-schema", rg, "Step SQL names its domain's schema",
				"The SQL of step %s of %s names %s, in its domain's schema %s. The environment %s puts the domain's tables in %s (its schema_prefix), where steps run and the product's tests and publications look, but meshc does not rewrite names written in SQL: this step works in %s instead. Name the domain's tables without a schema.",
				s.Name, pr.ID, written, schema, env.Name, snowsql.QualifiedName(env.Database, env.SchemaPrefix+schema), snowsql.QualifiedName(env.Database, schema))
			continue
		}
		var fix string
		found := m.tables[[2]string{schema, t.Parts[1]}]
		switch in := inputReading(pr, found); {
		case in != nil:
			fix = fmt.Sprintf("Write {{ input.%s }} instead, which meshc fills with the table of the input %s in each environment.", in.Name, in.Name)
		case found.port != nil:
			fix = fmt.Sprintf("Add an input reading it (from = domain.%s.product.%s.port.%s), and write {{ input.NAME }} with the input's name instead, which meshc fills with the input's table in each environment.",
				found.port.Product.Domain.Name, found.port.Product.Name, found.port.Name)
		default:
			fix = fmt.Sprintf("Add an input reading the port of domain %s that publishes it, and write {{ input.NAME }} with the input's name instead, which meshc fills with the input's table in each environment.", m.schemas[schema].Name)
		}
		summary := "Step SQL names another domain's schema"
		if m.schemas[schema] == pr.Domain {
			summary = "Step SQL names a schema the environment maps"
		}
		c.warnf("unmapped-schema", rg, summary,
			"The SQL of step %s of %s names %s, in schema %s of domain %s. In the environment %s, meshc maps that table to %s (its schema_prefix), which the product's tests and its wait for its inputs read, but it does not rewrite names written in SQL: this step reads %s instead. %s",
			s.Name, pr.ID, written, schema, m.schemas[schema].Name, env.Name, snowsql.QualifiedName(env.Database, env.SchemaPrefix+schema, t.Parts[1]), snowsql.QualifiedName(env.Database, schema, t.Parts[1]), fix)
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
