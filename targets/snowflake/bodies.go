package snowflake

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/credscan"
	"github.com/meshc/meshc/internal/snowsql"
)

// executeImmediate wraps a Snowflake Scripting block as a task body. The
// block goes between $$ when it holds no $$; otherwise, since user text
// could end a $$ string early, it goes in a single-quoted string with
// quotes and backslashes escaped.
func executeImmediate(block string) string {
	if strings.Contains(block, "$$") {
		return "EXECUTE IMMEDIATE " + snowsql.String(block)
	}
	return "EXECUTE IMMEDIATE $$\n" + block + "\n$$"
}

// stepBody maps a step of p to its runner's task body.
func (b *builder) stepBody(p *plan.Product, s *plan.Step) string {
	tmpl := b.settings.target.Jobs[s.Runner.Name]
	if tmpl == nil {
		var can []string
		for _, name := range slices.Sorted(maps.Keys(b.plan.Targets)) {
			if name != Name && b.plan.Targets[name].Jobs[s.Runner.Name] != nil {
				can = append(can, name)
			}
		}
		others := "no other target either"
		if len(can) > 0 {
			others = "the " + strings.Join(can, " and ") + " target"
			if len(can) > 1 {
				others += "s"
			}
			others += " can run it"
		}
		b.errorf("snowflake-runner", s.Range, "Runner that cannot run inside Snowflake",
			"Step %s runs on runner %s, which a Snowflake task cannot run (%s). Build this mesh for another target, or tell the snowflake target how to run it inside Snowflake, such as a procedure that calls the tool: a runner %q { sql = \"CALL ...\" } block in the target \"snowflake\" block.", s.Name, s.Runner.Name, others, s.Runner.Name)
		return ""
	}
	switch tmpl.Kind {
	case "statements":
		return b.statements(p, s)
	case "dbt":
		return b.dbt(s)
	}
	return b.call(s, tmpl)
}

// statements is the body of a task that runs the step's SQL: its sql
// argument, or its file's content, read when meshc builds since the task
// runs where the repository is not. The statements run as one Snowflake
// Scripting block. Its placeholders name the inputs' tables, and the
// product's own ports', in the environment built.
func (b *builder) statements(p *plan.Product, s *plan.Step) string {
	sql, _, arg, err := s.SQL(b.plan.Root)
	if err != nil {
		b.diags = append(b.diags, p.SQLReadError(s, arg, err))
		return ""
	}
	if why := snowsql.Unrunnable(sql); why != "" {
		b.errorf("snowflake-runner", arg.Range, "Step SQL cannot run", "The step runs its statements as a Snowflake task, which holds its SQL (%s), but %s.", arg.String, why)
		return ""
	}
	if start, end, words, ok := snowsql.BlockBegin(sql); ok {
		// Reported rather than mended: BEGIN TRANSACTION runs on every
		// target, so one edit mends it everywhere, and the task then
		// runs the SQL as written. Both statements are quoted from the
		// words alone, since a comment inside one would read as part of
		// the statement to write (and a line comment would swallow the
		// rest of it).
		written := strings.Join(words, " ")
		rest := words[1:] // past BEGIN
		if len(rest) > 0 && strings.EqualFold(rest[0], "WORK") {
			rest = rest[1:]
		}
		fix := strings.Join(append([]string{"BEGIN TRANSACTION"}, rest...), " ")
		b.errorf("snowflake-runner", b.sqlRange(arg, sql, start, end), "BEGIN that a Snowflake task reads as a block",
			"The step runs its statements as a Snowflake task, in a Snowflake Scripting block, where BEGIN opens a nested block rather than a transaction (and a block's BEGIN may not be followed by a semicolon), so the task would fail on every run. Write %s; instead of %s;: it starts a transaction in a Snowflake task as on every other target.", fix, written)
		return ""
	}
	// Loading checked an inline sql; a file is read only here, and the
	// task would carry what it holds.
	if arg.Type == "file" {
		if detail, found := credscan.InFile(arg.String, sql); found {
			b.errorf("literal-credential", arg.Range, "Credential written as a literal", "%s", detail)
			return ""
		}
	}
	sql, err = p.FillPlaceholders(sql)
	if err != nil { // the compiler checked the placeholders
		b.errorf("invalid-template", arg.Range, "Invalid placeholder", "The SQL of step %s of %s: %v.", s.Name, p.ID, err)
		return ""
	}
	sql = strings.TrimSpace(sql)
	if !snowsql.Terminated(sql) {
		sql += "\n;"
	}
	return executeImmediate("BEGIN\n" + sql + "\nEND;")
}

// dbt is the body of a task that builds a selection of the dbt project
// object named in the target block.
func (b *builder) dbt(s *plan.Step) string {
	if b.settings.dbtProject == "" {
		b.errorf("snowflake-dbt-project", s.Range, "No dbt project for Snowflake",
			"The step builds with dbt, which Snowflake runs with EXECUTE DBT PROJECT on a dbt project object. Name it in the target \"snowflake\" block: dbt_project = \"DATABASE.SCHEMA.PROJECT\".")
		return ""
	}
	var selection string
	for _, a := range s.Args {
		if a.Name == "select" {
			selection = a.String
		}
	}
	project := strings.Split(b.settings.dbtProject, ".")
	args := "build --select " + selection
	if target := b.plan.Environment.DbtTarget; target != "" {
		// The project object holds its profiles.yml, which sees none of
		// the environment's settings: the target picks the environment's.
		args += " --target " + target
	}
	return fmt.Sprintf("EXECUTE DBT PROJECT %s ARGS = %s", snowsql.QualifiedName(project...), snowsql.String(args))
}

// call is the body of a task that runs the runner block's statement, its
// placeholders replaced by the step's arguments as SQL literals.
func (b *builder) call(s *plan.Step, tmpl *plan.JobTemplate) string {
	t, err := snowsql.Parse(tmpl.SQL)
	if err != nil { // the compiler checked the template
		b.errorf("invalid-template", s.Range, "Invalid SQL template", "The runner block at %s: %s.", tmpl.Range, err)
		return ""
	}
	values := map[string]string{}
	for _, param := range s.Runner.Params {
		values[param.Name] = "NULL"
	}
	for _, a := range s.Args {
		values[a.Name] = b.literal(a)
	}
	body, err := t.Render(values)
	if err != nil {
		b.errorf("invalid-template", s.Range, "Invalid SQL template", "The runner block at %s: %s.", tmpl.Range, err)
	}
	return body
}

// literal renders a step argument as a SQL value: text as a string, a list
// as an array, a secret as the name of its SECRET object.
func (b *builder) literal(a *plan.Arg) string {
	switch a.Type {
	case "number":
		// A negative number goes in parentheses: written after a minus
		// in the template (x -{{n}}), -5 would make x --5, and -- starts
		// a comment that hides the rest of the statement.
		if n := a.Words()[0]; strings.HasPrefix(n, "-") {
			return "(" + n + ")"
		}
		return a.Words()[0]
	case "bool":
		return strings.ToUpper(a.Words()[0])
	case "list(string)":
		items := make([]string, len(a.List))
		for i, v := range a.List {
			items[i] = snowsql.String(v)
		}
		return "ARRAY_CONSTRUCT(" + strings.Join(items, ", ") + ")"
	case "secret":
		return snowsql.String(b.secretName(a.Secret))
	}
	return snowsql.String(a.String)
}

// secretName is the Snowflake SECRET object holding a secret: the
// secret's name in the orchestrator's store when it has one, else its id
// upper-cased, in the target block's secrets_schema.
func (b *builder) secretName(s *plan.Secret) string {
	if b.settings.secretsSchema == "" {
		b.errorf("snowflake-secret", s.Range, "No schema for Snowflake secrets",
			"Snowflake reads the secret from a SECRET object. Name the schema that holds them in the target \"snowflake\" block, such as secrets_schema = \"PLATFORM.SECRETS\".")
		return ""
	}
	name := s.Named
	if name == "" {
		name = s.Key()
	}
	if !snowsql.IsIdentifier(name) {
		b.errorf("snowflake-secret", s.Range, "Secret name Snowflake cannot use",
			"Snowflake reads the secret from the SECRET object %s, but %q is not an identifier that needs no quotes (letters, digits, _ and $, not starting with a digit).", name, name)
	}
	return b.settings.secretsSchema + "." + name
}

// testBody runs a test's query and counts the failing rows: a test of
// severity error raises an error when there are any, which fails the task
// and so keeps the product from publishing; one of severity warn only
// reports them in the task's return value.
func testBody(p *plan.Product, t *plan.Test) string {
	query := strings.TrimRight(t.SQL, "\n \t;")
	var w strings.Builder
	w.WriteString("DECLARE\n  failing INTEGER;\n  message VARCHAR;\n")
	if t.Severity == "error" {
		fmt.Fprintf(&w, "  test_failed EXCEPTION (-20001, %s);\n", snowsql.String(fmt.Sprintf("test %s of %s failed: its query returned rows", t.ID, p.ID)))
	}
	fmt.Fprintf(&w, "BEGIN\n  SELECT COUNT(*) INTO :failing FROM (\n%s\n  ) AS failing_rows;\n", query)
	// SYSTEM$SET_RETURN_VALUE takes a literal or a variable, which a SQL
	// statement reads with a colon (IF and assignments read it without).
	w.WriteString("  message := failing || ' failing rows';\n  CALL SYSTEM$SET_RETURN_VALUE(:message);\n")
	if t.Severity == "error" {
		w.WriteString("  IF (failing > 0) THEN\n    RAISE test_failed;\n  END IF;\n")
	}
	w.WriteString("END;")
	return executeImmediate(w.String())
}

// startBody is the root's body. A root that waits on its inputs' streams
// consumes them, recording which publications the run reads, so that the
// next run waits for new ones. A root that guards its graph until the
// mesh's start date (g.startDate) returns beforeStart until that day in
// the product's time zone, which keeps the first steps from running, and
// its starting message from then on; a triggered root consumes its
// streams before the day too, or it would be triggered again at once.
func (b *builder) startBody(g *graph) string {
	starts := "CALL SYSTEM$SET_RETURN_VALUE(" + snowsql.String(g.product.ID+" "+g.product.Version+" starts") + ")"
	if len(g.inputs) == 0 && g.startDate == "" {
		return starts
	}
	var w strings.Builder
	w.WriteString("BEGIN\n")
	if len(g.inputs) > 0 {
		// One transaction: the run reads either every input's new
		// publications or none of them.
		w.WriteString("  BEGIN TRANSACTION;\n")
		for _, in := range g.inputs {
			fmt.Fprintf(&w, "  INSERT INTO %s (CONSUMED_AT, INPUT, PUBLISHED_AT, RUN_GROUP_ID)\n    SELECT CURRENT_TIMESTAMP(), %s, PUBLISHED_AT, RUN_GROUP_ID FROM %s;\n",
				qualified(b.consumed(g.product)), snowsql.String(in.producer.ID), qualified(in.stream))
		}
		w.WriteString("  COMMIT;\n")
	}
	if g.startDate != "" {
		// SYSDATE() is the time in UTC, as a TIMESTAMP_NTZ, which
		// CONVERT_TIMEZONE turns into the product's wall-clock time;
		// DATE_FROM_PARTS reads no session's date format.
		day, _ := time.Parse(time.DateOnly, g.startDate) // the compiler checked it
		fmt.Fprintf(&w, "  IF (TO_DATE(CONVERT_TIMEZONE('UTC', %s, SYSDATE())) < DATE_FROM_PARTS(%d, %d, %d)) THEN\n    CALL SYSTEM$SET_RETURN_VALUE(%s);\n  ELSE\n    %s;\n  END IF;\n",
			snowsql.String(g.product.Schedule.Timezone), day.Year(), day.Month(), day.Day(), snowsql.String(beforeStart(g.startDate)), starts)
	}
	w.WriteString("END;")
	return executeImmediate(w.String())
}

// beforeStart is the return value of a root run before the mesh's start
// date, on which the first steps' WHEN skips them.
func beforeStart(date string) string { return "before start_date " + date }

// consumed is the table where a product's runs record the publications
// they read.
func (b *builder) consumed(p *plan.Product) plan.ObjectName {
	return b.object(p.Domain, strings.ToUpper(p.Name)+"$CONSUMED")
}
