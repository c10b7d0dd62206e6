package compiler

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// testSite is where a test was written: in a column, in a port, or directly
// in a product.
type testSite struct {
	level  string // "column", "port" or "product"
	port   *portScope
	column *plan.Column
}

// tests binds every test to its kind, checks its arguments, and renders its
// SQL, product by product on every core; then it reports the templates
// whose rendered SQL was not one closed query.
func (c *compiler) tests() {
	faults := make([][]templateFault, len(c.products))
	c.inParallel(len(c.products), func(w *compiler, i int) { faults[i] = w.productTests(c.products[i]) })
	c.reportTemplateFaults(faults)
}

// productTests binds the tests of one product, and returns what its tests'
// rendered SQL showed wrong with their kinds' templates, one fault a kind.
func (c *compiler) productTests(ps *productScope) []templateFault {
	var faults []templateFault
	ids := map[string]*ast.TestUse{}
	uses := len(ps.tests)
	for _, port := range ps.ports {
		uses += port.testUses()
	}
	tests := make([]*plan.Test, 0, uses)
	if c.vars == nil {
		c.vars = map[string]cty.Value{}
	}
	vars := c.vars
	add := func(use *ast.TestUse, site testSite) {
		ps.testUses++
		t := c.test(ps, use, site, vars, &faults)
		if t == nil {
			ps.brokenTests = true
			return
		}
		if first, dup := ids[t.ID]; dup {
			at := use.DeclRange
			if use.Block != nil {
				at = use.Block.Name.Range
			}
			c.errorf("duplicate-name", at, "Duplicate test",
				"The product %s already has a test %s, at %s. Give one of them a name of its own with a test \"name\" { check = ... } block.", ps.plan.ID, t.ID, first.DeclRange)
			return
		}
		ids[t.ID] = use
		tests = append(tests, t)
	}
	for _, portName := range sortedKeys(ps.ports) {
		port := ps.ports[portName]
		for _, written := range port.columnTests {
			for _, use := range written.uses {
				add(use, testSite{level: "column", port: port, column: port.plan.Columns[written.column]})
			}
		}
		for _, use := range port.tests {
			add(use, testSite{level: "port", port: port})
		}
	}
	for _, use := range ps.tests {
		add(use, testSite{level: "product"})
	}
	sortBy(tests, func(t *plan.Test) string { return t.ID })
	ps.plan.Tests = tests
	for _, port := range ps.ports {
		// Room for every test that may be the port's, so that the list
		// is allocated once: growing it was 23 MB at 100,000 products.
		port.kindsOfTests = make([]string, 0, port.testUses()+len(ps.tests))
	}
	for _, t := range tests {
		if t.Port == nil {
			continue
		}
		if port := ps.ports[t.Port.Name]; port != nil && port.plan == t.Port {
			port.kindsOfTests = append(port.kindsOfTests, t.Kind)
		}
	}
	releaseBound(ps) // bound: this was their last reader
	return faults
}

// testUses counts the tests the port and its columns declare, bound or
// not.
func (port *portScope) testUses() int {
	n := len(port.tests)
	for _, written := range port.columnTests {
		n += len(written.uses)
	}
	return n
}

// test binds one test. vars is a map to fill with its template's
// variables, emptied first; a fault of its kind's template that its
// rendered SQL shows is added to faults, unless one of that kind is
// there already.
func (c *compiler) test(ps *productScope, use *ast.TestUse, site testSite, vars map[string]cty.Value, faults *[]templateFault) *plan.Test {
	kind, ok := c.kinds[use.Kind]
	if use.Kind == "" {
		return nil // the check expression was malformed; already reported
	}
	if !ok {
		c.unknown("test kind", use.Kind, "in the mesh or the standard library", use.KindRange, sortedKeys(c.kinds))
		return nil
	}
	block := use.Written()
	t := &plan.Test{Name: use.Kind, Kind: use.Kind, Severity: "error", Description: block.Description.V, Range: use.DeclRange}
	if block.Description.Bad {
		ps.written.brokenTestDescriptions = append(ps.written.brokenTestDescriptions, t)
	}
	if block.Name.Set {
		c.checkName("test", block.Name.V, block.Name.Range)
		t.Name = block.Name.V
	}
	if sev := block.Severity; sev.Set {
		if sev.V != "error" && sev.V != "warn" {
			c.errorf("invalid-value", sev.Range, "Unknown severity",
				"A test's severity is \"error\" (a failure stops what runs after it) or \"warn\" (a failure is reported and the run goes on).%s", suggest.DidYouMean(strings.TrimSuffix(sev.V, "ing"), []string{"error", "warn"}))
		} else {
			t.Severity = sev.V
		}
	}

	port, column, ok := c.testSubject(ps, use, kind, site)
	if !ok {
		return nil
	}
	t.Column = column
	if port != nil {
		t.Port = port.plan
	}

	switch {
	case site.level == "column":
		t.ID = port.plan.Name + "." + t.Column.Name + "." + t.Name
	case site.level == "port":
		t.ID = port.plan.Name + "." + t.Name
	default:
		t.ID = t.Name
	}

	clear(vars)
	if !c.testArgs(ps, use, kind, port, t, vars) {
		return nil
	}
	if kind.Stdlib && kind.Name == "row_count" && !c.rowCountRange(use, vars) {
		return nil
	}
	if kind.Stdlib && kind.Name == "freshness" {
		c.checkDateFreshness(use, t.Column, vars)
	}
	vars["table"], vars["column"], vars["column_type"] = cty.NullVal(cty.String), cty.NullVal(cty.String), cty.NullVal(cty.String)
	if port != nil {
		vars["table"] = port.table
	}
	if t.Column != nil {
		vars["column"] = cty.StringVal(snowsql.Ident(t.Column.Name))
		vars["column_type"] = cty.StringVal(t.Column.Type.Name)
	}
	if kind.SQL == nil {
		return nil
	}
	if c.badTemplates[kind] {
		return t
	}
	mapped := c.mapped()
	var sql string // the test's SQL, when it is kept or its names are read
	var shape snowsql.Shape
	var excerpt string // where the SQL is not one closed query
	var first string   // its first word: a query's is SELECT or WITH
	var err error
	if c.opts.NoTestSQL {
		// The text is read, not kept: it is made in a buffer that tests
		// share.
		buf := sqlBuffers.Get().(*[]byte)
		if *buf, err = kind.SQL.AppendRender((*buf)[:0], vars); err == nil {
			shape = snowsql.ShapeOf(*buf)
			excerpt = faultExcerpt(*buf, shape)
			first = snowsql.FirstWord(*buf)
			if mapped != nil {
				sql = string(*buf)
			}
		}
		sqlBuffers.Put(buf)
	} else if sql, err = kind.SQL.Render(vars); err == nil {
		shape = snowsql.ShapeOf(sql)
		excerpt = faultExcerpt(sql, shape)
		first = snowsql.FirstWord(sql)
	}
	if err != nil {
		*faults = append(*faults, templateFault{kind: kind, at: use.CallRange, failed: strings.TrimSuffix(err.Error(), ".")})
		return nil
	}
	if !oneQuery(shape) {
		if !slices.ContainsFunc(*faults, func(f templateFault) bool { return f.kind == kind && f.failed == "" }) {
			*faults = append(*faults, templateFault{kind: kind, test: t.ID, product: ps.plan.ID, at: use.CallRange, shape: shape, excerpt: excerpt})
		}
		return t // bound, with no SQL, as the tests of a kind found bad before
	}
	if first != "SELECT" && first != "WITH" {
		*faults = append(*faults, templateFault{kind: kind, at: use.CallRange, notQuery: cmp.Or(first, "something else")})
		return nil
	}
	if mapped != nil {
		// The kinds' ${table} and port arguments are mapped already, and
		// placeholders filled, so only names written out are found.
		c.unmappedNames(sqlOf{kind: "test", name: t.ID, ps: ps}, sql, mapped, func(start, end int) (diag.Range, bool) {
			return c.testNameAt(use, kind, sql[start:end])
		})
	}
	if c.opts.NoTestSQL {
		return t
	}
	// The targets run the query inside one of their own: a semicolon
	// that ends it goes, even before a comment, which the targets' line
	// break after the query closes.
	t.SQL = strings.TrimSpace(snowsql.Unterminated(sql))
	return t
}

// testNameAt returns where a table's name, as a test's rendered SQL
// writes it, is written in the test's sql arguments, and whether it is:
// else the name is the kind's template's, and it is the test's call.
func (c *compiler) testNameAt(use *ast.TestUse, kind *ast.TestKind, written string) (diag.Range, bool) {
	for i, p := range kind.Params {
		if i >= len(use.Args) || typeName(p.Type) != "sql" {
			continue
		}
		v := use.Args[i]
		if v.Ref != nil || v.Literal == cty.NilVal || v.Literal.Type() != cty.String {
			continue
		}
		arg := v.Literal.AsString()
		for n := range snowsql.TableNames(arg) {
			if arg[n.Start:n.End] == written {
				return c.stringRange(v.Range, arg, n.Start, n.End), true
			}
		}
	}
	return use.CallRange, false
}

// testPlaceholders checks the placeholders of a test's sql argument,
// written at rg, as those of a step's SQL (placeholders), and returns the
// argument with each filled with its input's table, or its port's, in the
// environment compiled for: the test's rendered query is what every
// target runs. ok is false when one is wrong, or names an input that
// failed to resolve (which was reported).
func (c *compiler) testPlaceholders(of sqlOf, sql string, rg diag.Range) (string, bool) {
	if !c.placeholders(of, sql, func(start, end int) diag.Range { return c.stringRange(rg, sql, start, end) }) {
		return "", false
	}
	filled, err := of.ps.plan.FillPlaceholders(sql)
	return filled, err == nil
}

// placeholderInString reports a placeholder in a test's string argument,
// written at rg (the argument, or its element of a list), which the
// kind's template writes as a quoted string, where it would stay as
// written: meshc fills placeholders only in SQL.
func (c *compiler) placeholderInString(rg diag.Range, p *ast.Param, kind *ast.TestKind, s string, start, end int) {
	what := "a string, which the test's SQL holds as a quoted value"
	if typeName(p.Type) == "list(string)" {
		what = "a list of strings, which the test's SQL holds as quoted values"
	}
	c.errorf("invalid-template", c.stringRange(rg, s, start, end), "Placeholder in a string",
		"The argument %q of %s is %s, so %s would stay as written there: meshc fills {{ input.NAME }} and {{ port.NAME }} only in an argument of type sql, such as the query of custom_sql or the condition of expression. To read an input's or a port's table, write the test as custom_sql.",
		p.Name, kind.Name, what, s[start:end])
}

// testSubject works out which port and column a test checks: those it is
// written in, or those a product-level test block names, and checks that
// they suit the test kind.
func (c *compiler) testSubject(ps *productScope, use *ast.TestUse, kind *ast.TestKind, site testSite) (*portScope, *plan.Column, bool) {
	block := use.Written()
	if kind.On.V != "column" && block.Column.Set {
		c.errorf("test-level", block.Column.Range, fmt.Sprintf("%s tests a whole %s", kind.Name, kind.On.V),
			"The test kind %s checks a whole %s, not one column: remove column.", kind.Name, kind.On.V)
		return nil, nil, false
	}
	port := site.port
	if site.level == "product" {
		switch {
		case block.PortBad:
			return nil, nil, false // reported when loading
		case block.Port != nil:
			var ok bool
			if _, port, ok = c.resolvePortOfProduct(block.Port, ps); !ok {
				return nil, nil, false
			}
		case kind.On.V != "product" && len(ps.ports) == 1:
			for _, p := range ps.ports {
				port = p
			}
		case kind.On.V != "product" && len(ps.ports) > 1:
			fix := "port = port.NAME. Or move the test into that port."
			if bp := blueprintHolding(c.mesh.Blueprints, use.DeclRange); bp != nil {
				// A blueprint has no ports, and its products' differ.
				fix = fmt.Sprintf("the test comes from blueprint.%s, which cannot name a port of every product that extends it. Give %s a test of its own in its place, with port = port.NAME", bp.Name, ps.plan.ID)
				if name := use.Written().Name; name.V != "" {
					fix = fmt.Sprintf("the test comes from blueprint.%s, which cannot name a port of every product that extends it. Give %s a test %q of its own, with port = port.NAME: it replaces the blueprint's.", bp.Name, ps.plan.ID, name.V)
				}
			}
			c.errorf("missing-attribute", use.DeclRange, "Which port does this test check?",
				"The product %s has several ports (%s), so a %s test declared in the product says which one it checks: %s",
				ps.plan.ID, strings.Join(sortedKeys(ps.ports), ", "), kind.Name, fix)
			return nil, nil, false
		}
	}
	column := site.column
	if block.Column.Set && port == nil {
		c.errorf("missing-attribute", block.Column.Range, "Column of which port?",
			"This test, declared in the product, names a column but no port: add port = port.NAME to say whose column it is.")
		return nil, nil, false
	}
	if block.Column.Set {
		col, ok := port.columns.get(block.Column.V)
		if !ok {
			c.unknown("column", block.Column.V, "in port "+port.plan.ID, block.Column.Range, port.columnNames())
			return nil, nil, false
		}
		column = col
	}
	switch {
	case kind.On.V == "column" && column == nil && block.Column.Bad:
		return nil, nil, false // its misspelt column argument was reported when loading
	case kind.On.V == "column" && column == nil:
		c.errorf("test-level", use.CallRange, fmt.Sprintf("%s tests a column", kind.Name),
			"Put this test in a column's tests, or say which column it checks with column = \"name\" in a test block.")
		return nil, nil, false
	case kind.On.V == "port" && site.level == "column":
		c.errorf("test-level", use.CallRange, fmt.Sprintf("%s tests a whole port", kind.Name),
			"This test checks a table, not one column: move it to the port's tests.")
		return nil, nil, false
	case column != nil && column.Type.Name != "" && len(kind.ColumnTypes.V) > 0 && !c.badColumnTypes[kind] && !kind.ColumnTypes.Contains(column.Type.Name):
		c.errorf("test-column-type", use.CallRange, fmt.Sprintf("%s cannot test %s %s column", kind.Name, diag.Article(column.Type.Name, false), column.Type.Name),
			"The test kind %s works on columns of type %s; the column %s is %s.", kind.Name, strings.Join(kind.ColumnTypes.Values(), ", "), column.Name, column.Type)
		return nil, nil, false
	}
	return port, column, true
}

// rowCountRange reports a row_count test whose min is more than its max,
// which no table passes, and returns whether the range is sound.
func (c *compiler) rowCountRange(use *ast.TestUse, vars map[string]cty.Value) bool {
	lo, hi := vars["min"], vars["max"]
	if lo.IsNull() || hi.IsNull() || lo.Type() != cty.String || hi.Type() != cty.String {
		return true
	}
	min, _, err1 := big.ParseFloat(lo.AsString(), 10, 256, big.ToNearestEven)
	max, _, err2 := big.ParseFloat(hi.AsString(), 10, 256, big.ToNearestEven)
	if err1 != nil || err2 != nil || min.Cmp(max) <= 0 {
		return true
	}
	c.errorf("invalid-value", use.CallRange, "Empty row count range",
		"row_count(%s, %s) asks for at least %s rows and at most %s, which no table has: the test would fail on every run. Swap the two, or give the range you mean.",
		lo.AsString(), hi.AsString(), lo.AsString(), hi.AsString())
	return false
}

// checkDateFreshness warns of a freshness test on a date column whose
// max_age is under a day: Snowflake reads a date as its midnight, so the
// newest date is hours old as soon as the day starts, and the test fails
// every day from max_age past midnight, today's rows or not.
func (c *compiler) checkDateFreshness(use *ast.TestUse, col *plan.Column, vars map[string]cty.Value) {
	age := vars["max_age"]
	if col == nil || col.Type.Name != "date" || age.IsNull() || age.Type() != cty.String {
		return
	}
	seconds, err := strconv.ParseInt(age.AsString(), 10, 64)
	maxAge := time.Duration(seconds) * time.Second
	if err != nil || maxAge >= 24*time.Hour {
		return
	}
	c.warnf("freshness-date", use.CallRange, "Freshness of a date under a day",
		"Column %s is a date, which Snowflake compares as its midnight, so its newest value is already %s old at %s every day, even with today's rows: the test would fail each day from then on. Give max_age a day or more, such as \"1d\" (or \"2d\" for data that lands a day late), or test a timestamp column.",
		col.Name, plan.FormatDuration(maxAge), time.Time{}.Add(maxAge).Format("15:04"))
}

// testArgs binds a test's positional arguments to its kind's parameters and
// renders each as SQL text for the template, into vars.
func (c *compiler) testArgs(ps *productScope, use *ast.TestUse, kind *ast.TestKind, port *portScope, t *plan.Test, vars map[string]cty.Value) bool {
	params := kind.Params
	if len(use.Args) > len(params) {
		c.errorf("wrong-arguments", use.Args[len(params)].Range, "Too many arguments",
			"The test kind %s takes %s.", kind.Name, describeParams(params))
		return false
	}
	ok := true
	ports := map[string]*portScope{}
	for i, p := range params {
		typ := typeName(p.Type)
		if i >= len(use.Args) {
			if !p.Optional.V {
				c.errorf("wrong-arguments", use.CallRange, "Missing argument",
					"The test kind %s needs the argument %q%s. It takes %s.", kind.Name, p.Name, describedAs(p.Description.V), describeParams(params))
				ok = false
			}
			vars[p.Name] = cty.NullVal(cty.String)
			continue
		}
		v := use.Args[i]
		if typ == "port" {
			if v.Ref == nil {
				c.errorf("wrong-type", v.Range, "Port expected", "The argument %q of %s is a port, written as a reference without quotes: port.NAME for this product's own, product.NAME.port.PORT in this domain, or domain.DOMAIN.product.NAME.port.PORT.", p.Name, kind.Name)
				ok = false
				continue
			}
			_, target, resolved := c.resolveReadable(v.Ref, ps, "test")
			if !resolved {
				ok = false
				continue
			}
			if target.plan.Product != ps.plan {
				ps.edges = append(ps.edges, edge{to: target.plan.Product, place: target.product.place, at: v.Range, byTest: true})
			}
			ports[p.Name] = target
			t.References = appendOnce(t.References, target.plan)
			vars[p.Name] = target.table
			continue
		}
		if v.Ref != nil {
			c.errorf("wrong-type", v.Range, "Value expected", "The argument %q of %s is a %s, not a reference. Quote it if it is text.", p.Name, kind.Name, typ)
			ok = false
			continue
		}
		text, good := c.testArg(sqlOf{kind: "test", name: t.ID, ps: ps}, v, p, typ, kind, port, ports, t.Column)
		if !good {
			ok = false
			continue
		}
		vars[p.Name] = text
	}
	return ok
}

// elemRange returns where the element i of a list argument is written,
// or the whole argument's range where that is not known.
func elemRange(v ast.Value, i cty.Value) diag.Range {
	n, _ := i.AsBigFloat().Int64()
	if n < 0 || n >= int64(len(v.Elems)) {
		return v.Range
	}
	return v.Elems[n]
}

func describeParams(params []*ast.Param) string {
	if len(params) == 0 {
		return "no arguments"
	}
	var parts []string
	for _, p := range params {
		s := p.Name + " (" + typeName(p.Type)
		if p.Optional.V {
			s += ", optional"
		}
		parts = append(parts, s+")")
	}
	return "the arguments " + strings.Join(parts, ", ")
}

// testArg renders one literal test argument of a test (of) as SQL text.
func (c *compiler) testArg(of sqlOf, v ast.Value, p *ast.Param, typ string, kind *ast.TestKind, port *portScope, ports map[string]*portScope, tested *plan.Column) (cty.Value, bool) {
	if v.Literal == cty.NilVal {
		return cty.NilVal, false // it failed to decode; already reported
	}
	lit := v.Literal
	bad := func(want string) (cty.Value, bool) {
		c.errorf("wrong-type", v.Range, "Incorrect argument type", "The argument %q of %s must be %s, not %s.", p.Name, kind.Name, want, ast.Describe(lit))
		return cty.NilVal, false
	}
	switch typ {
	case "string", "sql", "duration", "column":
		if lit.Type() != cty.String {
			return bad("a string")
		}
		s := lit.AsString()
		switch typ {
		case "string":
			if start, end, found := snowsql.PlaceholderIn(s); found {
				c.placeholderInString(v.Range, p, kind, s, start, end)
				return cty.NilVal, false
			}
			return cty.StringVal(snowsql.String(s)), true
		case "sql":
			switch shape := snowsql.ShapeOf(s); {
			case shape.Open != "":
				c.errorf("invalid-value", v.Range, "Unclosed SQL",
					"The argument %q of %s leaves %s open, so the SQL the test writes after it would be part of it. Close it.", p.Name, kind.Name, shape.Open)
				return cty.NilVal, false
			case shape.Statements == 0:
				c.errorf("invalid-value", v.Range, "Empty SQL", "The argument %q of %s is SQL and cannot be empty, or hold only comments.", p.Name, kind.Name)
				return cty.NilVal, false
			case shape.Statements > 1:
				c.errorf("invalid-value", v.Range, "More than one SQL statement",
					"The argument %q of %s is one SQL query or expression, which the test runs inside one of its own; this one holds %d statements, separated by semicolons. Keep one, or write a test for each.", p.Name, kind.Name, shape.Statements)
				return cty.NilVal, false
			}
			// Templates put the argument inside text of their own (in
			// parentheses, or a subquery): a semicolon that ends it goes,
			// and a line comment that ends it gets its line break.
			if kind.Stdlib && kind.Name == "expression" && port != nil {
				c.expressionColumns(s, v.Range, port)
			}
			if strings.Contains(s, "{{") {
				var ok bool
				if s, ok = c.testPlaceholders(of, s, v.Range); !ok {
					return cty.NilVal, false
				}
			}
			s = strings.TrimSpace(snowsql.Unterminated(s))
			if snowsql.EndsInComment(s) {
				s += "\n"
			}
			return cty.StringVal(s), true
		case "duration":
			d, ok := parseDuration(s)
			if !ok {
				c.invalidDuration(s, v.Range)
				return cty.NilVal, false
			}
			return cty.StringVal(strconv.FormatInt(int64(d.Seconds()), 10)), true
		default: // column
			owner := port
			if p.Of.Set {
				owner = ports[p.Of.V]
			}
			if owner == nil && p.Of.Set {
				return cty.NilVal, false // its port did not resolve; already reported
			}
			if owner == nil {
				c.errorf("missing-attribute", v.Range, "Which port does this test check?",
					"The argument %q of %s names a column of the tested port, but this test, declared in the product, has no port: add port = port.NAME to the test block.", p.Name, kind.Name)
				return cty.NilVal, false
			}
			col, ok := owner.columns.get(s)
			if !ok {
				c.unknown("column", s, "in port "+owner.plan.ID, v.Range, owner.columnNames())
				return cty.NilVal, false
			}
			// A column of another port is compared with the tested one (a
			// foreign key, say), so their values must be comparable.
			if p.Of.Set && tested != nil && tested.Type.Name != "" && col.Type.Name != "" && !tested.Type.ComparableWith(col.Type) {
				c.errorf("incompatible-type", v.Range, "Columns of different types",
					"The test compares %s (%s) with %s.%s (%s), which Snowflake cannot compare as they are: it refuses the query, or converts each value to the other type and fails at the first that does not convert. Compare columns of one kind of type: the same type, both numeric (number, integer, float), or both dates and timestamps; or cast one of them in a custom_sql test.",
					tested.Name, tested.Type, owner.plan.ID, col.Name, col.Type)
				return cty.NilVal, false
			}
			return cty.StringVal(snowsql.Ident(col.Name)), true
		}
	case "number":
		if lit.Type() != cty.Number {
			return bad("a number")
		}
		n, ok := sqlNumber(lit)
		if !ok {
			c.numberOutOfRange(v.Range, p, kind)
			return cty.NilVal, false
		}
		return cty.StringVal(n), true
	case "bool":
		if lit.Type() != cty.Bool {
			return bad("true or false")
		}
		if lit.True() {
			return cty.StringVal("TRUE"), true
		}
		return cty.StringVal("FALSE"), true
	case "list(string)":
		if !lit.Type().IsTupleType() && !lit.Type().IsListType() {
			return bad("a list")
		}
		items := make([]cty.Value, 0, lit.LengthInt()) // sized once: growing it was garbage in every accepted_values test
		for it := lit.ElementIterator(); it.Next(); {
			i, e := it.Element()
			text, scalar := listItemText(e)
			if !scalar {
				c.errorf("wrong-type", elemRange(v, i), "Incorrect list value",
					"The argument %q of %s is a list of strings (numbers, true and false are taken as their text); its %s.", p.Name, kind.Name, listItemFault(i, e))
				return cty.NilVal, false
			}
			if text == "" && e.Type() == cty.Number { // sqlNumber found it out of range
				c.numberOutOfRange(elemRange(v, i), p, kind)
				return cty.NilVal, false
			}
			if start, end, found := snowsql.PlaceholderIn(text); found {
				c.placeholderInString(elemRange(v, i), p, kind, text, start, end)
				return cty.NilVal, false
			}
			items = append(items, cty.StringVal(snowsql.String(text)))
		}
		if len(items) == 0 {
			c.errorf("invalid-value", v.Range, "Empty list", "The argument %q of %s needs at least one value.", p.Name, kind.Name)
			return cty.NilVal, false
		}
		if kind.Stdlib && kind.Name == "accepted_values" && tested != nil && (!c.acceptedValuesOfType(lit, tested, v) || !c.acceptedValuesPrecise(lit, tested, v)) {
			return cty.NilVal, false
		}
		return cty.ListVal(items), true
	}
	return cty.NilVal, false
}

// expressionColumns warns of the names in an expression test's condition
// that are no column of its port: Snowflake refuses the query on every
// run ("invalid identifier"). It is a warning, as the names are read by
// a lexer rather than Snowflake's parser (snowsql.ColumnNames), which
// leaves out what it cannot tell from a column and may not know every
// keyword.
func (c *compiler) expressionColumns(condition string, at diag.Range, port *portScope) {
	names, ok := snowsql.ColumnNames(condition)
	if !ok {
		return
	}
	var reported []string
	for _, n := range names {
		written := condition[n.Start:n.End]
		if _, found := port.columns.get(written); found || slices.Contains(reported, n.Name) {
			continue
		}
		reported = append(reported, n.Name)
		columns := port.columnNames()
		hint := c.columnMeant("in port "+port.plan.ID, written, columns)
		if hint == "" && len(columns) <= 8 {
			hint = fmt.Sprintf(" Its columns are: %s.", strings.Join(columns, ", "))
		}
		c.warnf("expression-column", c.stringRange(at, condition, n.Start, n.End), "Expression names no column",
			"The condition names %s, which is not a column of port %s, so Snowflake would refuse the test's query on every run (invalid identifier).%s To read another table, use custom_sql.",
			written, port.plan.ID, hint)
	}
}

// listItemText is the text of a string, number or bool in a list of
// strings (a number as sqlNumber writes it, a bool as "true" or "false"),
// and whether it is one of those: a list, an object or null is not.
func listItemText(e cty.Value) (string, bool) {
	switch {
	case e.IsNull():
		return "", false
	case e.Type() == cty.String:
		return e.AsString(), true
	case e.Type() == cty.Bool:
		return strconv.FormatBool(e.True()), true
	case e.Type() == cty.Number:
		n, _ := sqlNumber(e)
		return n, true
	}
	return "", false
}

// listItemFault says which value of a list of strings is wrong, what it
// is and how to write it, as "3rd value is a list: ...". i is its index.
func listItemFault(i, e cty.Value) string {
	n, _ := i.AsBigFloat().Int64()
	which := ordinal(int(n)+1) + " value"
	if text, scalar := listItemText(e); scalar {
		return fmt.Sprintf("%s is %s: quote it, as %q", which, ast.Describe(e), text)
	}
	if e.IsNull() {
		return which + " is null, which SQL finds equal to no value: leave it out"
	}
	return fmt.Sprintf("%s is %s: write the values one by one in the list itself, each quoted, such as [\"a\", \"b\"]", which, ast.Describe(e))
}

// ordinal writes n, counted from 1, as "1st", "2nd", "3rd", "4th", "11th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// acceptedValuesOfType reports the values of an accepted_values list that
// Snowflake cannot convert to the tested column's type, as it does to
// compare them with the column: the query would fail on every run. It
// refuses only what certainly fails: text that is no number for a
// numeric column, no boolean for a boolean one, and that holds no digit
// for a date, time or timestamp, whose input formats are many. It is
// reported once, at the first such value, naming them all.
func (c *compiler) acceptedValuesOfType(list cty.Value, col *plan.Column, v ast.Value) bool {
	var want, example string
	var reads func(string) bool
	switch col.Type.Name {
	case "integer", "number":
		want, example, reads = "a number", `["1", "2"]`, isSQLNumber
	case "float":
		want, example, reads = "a number", `["1.5", "2"]`, func(s string) bool {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "nan", "inf", "-inf", "infinity", "-infinity":
				return true
			}
			return isSQLNumber(s)
		}
	case "boolean":
		want, example, reads = "a boolean", `["true", "false"]`, func(s string) bool {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true", "false", "t", "f", "yes", "no", "y", "n", "on", "off", "1", "0":
				return true
			}
			return false
		}
	case "date", "time", "timestamp_ntz", "timestamp_ltz", "timestamp_tz":
		want = "a " + map[string]string{"date": "date", "time": "time"}[col.Type.Name]
		if col.Type.Name != "date" && col.Type.Name != "time" {
			want = "a timestamp"
		}
		example = map[string]string{"date": `["2024-01-31"]`, "time": `["08:30:00"]`}[col.Type.Name]
		if example == "" {
			example = `["2024-01-31 08:30:00"]`
		}
		reads = func(s string) bool { return s == "" || strings.ContainsAny(s, "0123456789") }
	default:
		return true
	}
	var bad []string
	at := v.Range
	for it := list.ElementIterator(); it.Next(); {
		i, e := it.Element()
		if s, _ := listItemText(e); !reads(s) {
			if len(bad) == 0 {
				at = elemRange(v, i)
			}
			bad = append(bad, strconv.Quote(s))
		}
	}
	if len(bad) == 0 {
		return true
	}
	which := bad[0] + " is not " + want
	if len(bad) > 1 {
		which = strings.Join(bad[:len(bad)-1], ", ") + " and " + bad[len(bad)-1] + " are not " + strings.TrimPrefix(strings.TrimPrefix(want, "an "), "a ") + "s"
	}
	c.errorf("incompatible-type", at, "Value not of the column's type",
		"accepted_values compares the column %s (%s) with each value, which Snowflake converts to the column's type: %s, so the test would fail on every run with a conversion error. List values of the column's type, such as %s, or test a string column.",
		col.Name, col.Type, which, example)
	return false
}

// isSQLNumber reports whether Snowflake reads s as a number: digits with
// an optional sign, decimal point and exponent, and spaces around them.
func isSQLNumber(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	mantissa, exponent, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, _ := strings.Cut(mantissa, ".")
	digits := func(d string) bool { return strings.Trim(d, "0123456789") == "" }
	if whole+frac == "" || !digits(whole) || !digits(frac) {
		return false
	}
	if hasExp {
		exponent = strings.TrimPrefix(strings.TrimPrefix(exponent, "+"), "-")
		return exponent != "" && digits(exponent)
	}
	return true
}

func (c *compiler) numberOutOfRange(at diag.Range, p *ast.Param, kind *ast.TestKind) {
	c.errorf("invalid-value", at, "Number out of range",
		"The argument %q of %s holds a number of 10^38 or more in magnitude, beyond what Snowflake's NUMBER holds.", p.Name, kind.Name)
}

// sqlNumber renders a number for SQL, refusing the ones Snowflake's NUMBER
// cannot hold: rendering 1e100000000 in full would take minutes and
// gigabytes before Snowflake rejected it anyway.
func sqlNumber(v cty.Value) (string, bool) {
	bf := v.AsBigFloat()
	if !inNumberRange(bf) {
		return "", false
	}
	if bf.IsInt() {
		return bf.Text('f', 0), true
	}
	// Up to 38 decimals, as NUMBER's scale allows, without trailing zeros;
	// smaller fractions round to 0.
	s := strings.TrimRight(bf.Text('f', 38), "0")
	return strings.TrimSuffix(s, "."), true
}

// numberLimit is 10^38, exactly: Snowflake's NUMBER holds 38 digits.
var numberLimit, _, _ = big.ParseFloat("1e38", 10, 256, big.ToNearestEven)

// inNumberRange reports whether a number is below 10^38 in magnitude.
func inNumberRange(f *big.Float) bool { return new(big.Float).Abs(f).Cmp(numberLimit) < 0 }

// resolvePortOfProduct resolves the port = port.NAME of a test block.
func (c *compiler) resolvePortOfProduct(ref *ast.Ref, ps *productScope) (*plan.Source, *portScope, bool) {
	if len(ref.Parts) != 2 || ref.Parts[0].Name != "port" {
		c.errorf("unresolved-reference", ref.Range, "Malformed reference", "port names one of this product's ports, as in port = port.main.")
		return nil, nil, false
	}
	return c.resolveReadable(ref, ps, "test")
}

// A templateFault is a test kind's template that failed to render for a
// test (failed says why), or whose SQL, rendered for a test, is not one
// closed query, though its own text is (checkTemplateSQL) and so is each
// value put in it: meshc quotes strings and names, and checks a sql
// argument (testArg). What the template writes with the values is not
// known before: format("%s", "; x") writes a second statement, %{ if }
// can leave a quote open, and even a lone value can join the text beside
// it ("-" and -5 make a comment).
type templateFault struct {
	kind    *ast.TestKind
	test    string // the ID of the test whose SQL showed it
	product string
	at      diag.Range // the test's call
	failed  string     // the render's error
	// notQuery is the first word of rendered SQL that is not a query.
	notQuery string
	shape    snowsql.Shape
	excerpt  string // the SQL from where it goes wrong (faultExcerpt)
}

// oneQuery reports whether SQL of the shape is one query that closes all
// it opens, as a test's must be: the targets run it as a subquery. A
// semicolon that only ends it makes no second one, and the targets drop
// it.
func oneQuery(s snowsql.Shape) bool { return s.Open == "" && s.Statements == 1 }

// sqlBuffers hold the text of tests whose SQL is read but not kept
// (Options.NoTestSQL).
var sqlBuffers = sync.Pool{New: func() any { return new([]byte) }}

// faultExcerpt returns the SQL from where what is open starts, or from
// the semicolon before the second statement, to the end of its line and
// at most 32 bytes, for a message; "" when sql is one closed query or none.
func faultExcerpt[T ~string | ~[]byte](sql T, s snowsql.Shape) string {
	var from int
	switch {
	case s.Open != "":
		from = s.OpenAt
	case s.Statements > 1:
		from = s.SecondAt
	default:
		return ""
	}
	end := min(len(sql), from+32)
	for i := from; i < end; i++ {
		if sql[i] == '\n' {
			end = i
		}
	}
	for end < len(sql) && end > from && !utf8.RuneStart(sql[end]) {
		end--
	}
	excerpt := string(sql[from:end])
	if end < len(sql) && sql[end] != '\n' {
		excerpt += "..."
	}
	return excerpt
}

// reportTemplateFaults reports each template that faults found, once, at
// the template, for the first test in product order that showed it; its
// other tests showed the same fault or, with other values, would. The
// error keeps the plan, and so the broken queries, from every target
// (Compile gives a plan only without errors). A failed render, or SQL
// that is not a query, is reported at the test, as its arguments may be
// what fails, and once for all the tests of its kind that fail alike: a
// mistake in a template the platform team wrote fails every test of it.
func (c *compiler) reportTemplateFaults(faults [][]templateFault) {
	type failure struct {
		kind          *ast.TestKind
		err, notQuery string
	}
	failures := map[failure][]diag.Range{} // the calls that failed alike
	var firsts []templateFault
	for _, product := range faults {
		for _, f := range product {
			if f.failed != "" || f.notQuery != "" {
				key := failure{f.kind, f.failed, f.notQuery}
				if failures[key] == nil {
					firsts = append(firsts, f)
				}
				failures[key] = append(failures[key], f.at)
				continue
			}
			if c.badTemplates[f.kind] {
				continue
			}
			c.badTemplates[f.kind] = true
			c.reportTemplateFault(f)
		}
	}
	for _, f := range firsts {
		alike := sameFailure(f.kind, failures[failure{f.kind, f.failed, f.notQuery}][1:])
		if f.notQuery != "" {
			c.errorf("invalid-value", f.at, "Test is not a query",
				"Rendered for this test, the SQL of test kind %s (at %s) starts with %s, but a test is a query that returns the failing rows: a SELECT, or a WITH before one. Snowflake and Airflow run it inside SELECT COUNT(*) FROM (...), and GitLab runs it as written, where a DELETE, an UPDATE or a TRUNCATE would change the data it tests. Write a SELECT that returns the rows that fail.%s",
				f.kind.Name, f.kind.SQL.Range(), f.notQuery, alike)
			continue
		}
		c.errorf("test-render", f.at, "Test cannot be rendered",
			"The SQL template of test kind %s (at %s) failed for this test: %s. Fix the template or the arguments.%s", f.kind.Name, f.kind.SQL.Range(), f.failed, alike)
	}
}

// sameFailure says which other tests of a kind failed to render with the
// same error, naming the first few calls.
func sameFailure(kind *ast.TestKind, others []diag.Range) string {
	const named = 3
	if len(others) == 0 {
		return ""
	}
	at := make([]string, 0, named+1)
	for _, r := range others[:min(len(others), named)] {
		at = append(at, r.String())
	}
	if len(others) > named {
		at = append(at, fmt.Sprintf("%d more", len(others)-named))
	}
	if len(others) == 1 {
		return fmt.Sprintf(" 1 more test of kind %s fails the same way, at %s.", kind.Name, at[0])
	}
	return fmt.Sprintf(" %d more tests of kind %s fail the same way, at %s.", len(others), kind.Name, strings.Join(at, ", "))
}

func (c *compiler) reportTemplateFault(f templateFault) {
	k := f.kind
	switch {
	case f.shape.Open != "":
		c.errorf("invalid-template", k.SQL.Range(), "Unclosed SQL",
			"Rendered for the test %s of %s (at %s), the SQL template of test kind %s leaves %s open, from %q on, so the SQL the targets write after the query would be part of it. "+
				"The template's own text closes what it opens, so it is what the template writes with the test's values, in its ${ } interpolations and %%{ } directives, that does not: make that close what it opens too, whatever the values (which meshc has quoted already).",
			f.test, f.product, f.at, k.Name, f.shape.Open, f.excerpt)
	case f.shape.Statements > 1:
		c.errorf("invalid-template", k.SQL.Range(), "More than one SQL statement",
			"Rendered for the test %s of %s (at %s), the SQL template of test kind %s holds %d statements, the second after the semicolon of %q, but a test is one query, which the targets run inside one of their own. "+
				"The template's own text holds one, so the semicolon is written with the test's values, in a ${ } interpolation or a %%{ } directive: keep semicolons out of what they write, whatever the values (which meshc has quoted already), and join other queries in with WITH or UNION ALL.",
			f.test, f.product, f.at, k.Name, f.shape.Statements, f.excerpt)
	default:
		c.errorf("invalid-template", k.SQL.Range(), "Empty SQL template",
			"Rendered for the test %s of %s (at %s), the SQL template of test kind %s holds no query, only comments or nothing, but a test is a query that returns the failing rows. "+
				"Make the template write one whatever the values, its %%{ } directives and ${ } calls choosing parts of it rather than the whole.",
			f.test, f.product, f.at, k.Name)
	}
}
