package compiler

import (
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
)

// schemas warns of the steps on the standard library's sql runner whose
// SQL names a table in their domain's own schema (PHYSICIAN.X) when the
// environment prefixes schemas: meshc maps the schema that steps run in,
// and their tests and publications read, to the prefixed one, but does
// not rewrite names written in SQL, so such a step works on the
// unprefixed schema (in a dev build, beside its tests' data rather than in
// it). Since it reads the steps' SQL files (on every core), it runs only
// for such an environment, after resolve has linked steps to runners. A
// file that cannot be read is left to the targets to report. Tests' SQL
// is read where it is rendered (unmappedInTest).
func (c *compiler) schemas() {
	env := c.plan.Environment
	if env == nil || env.SchemaPrefix == "" {
		return
	}
	db := ""
	if env.Database != "" {
		db = env.Database + "."
	}
	c.inParallel(len(c.plan.Products), func(w *compiler, i int) {
		pr := c.plan.Products[i]
		schema := pr.Domain.Schema
		for _, s := range pr.Steps {
			if s.Runner == nil || s.Runner.Name != "sql" || !s.Runner.Stdlib {
				continue
			}
			sql, ok, at, err := s.SQL(c.plan.Root)
			if !ok || err != nil {
				continue
			}
			if name := snowsql.SchemaQualified(sql, schema); name != "" {
				w.diags = append(w.diags, diag.Warnf("unmapped-schema", at.Range, "Step SQL names its domain's schema",
					"The SQL of step %s of %s names %s, in its domain's schema %s. The environment %s puts the domain's tables in %s%s%s (its schema_prefix), where steps run and the product's tests and publications look, but meshc does not rewrite names written in SQL: this step works in %s%s instead. Name the domain's tables without a schema.",
					s.Name, pr.ID, name, schema, env.Name, db, env.SchemaPrefix, schema, db, schema))
			}
		}
	})
}
