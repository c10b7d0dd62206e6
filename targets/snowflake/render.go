package snowflake

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/snowsql"
)

// bytesPerGraph is about what a product's task graph takes, to size a
// file's buffer once (a graph of five tests and three steps is about 7 KB).
const bytesPerGraph = 8 << 10

// render appends a domain's script to dst, in an order that deploys
// safely on a fresh account and on one that runs any earlier version: the
// tables and streams the graphs use, then each graph (renderGraph), then
// every graph resumed, and last the graphs of the domain's products that
// the mesh no longer has dropped (dropRetired).
func (b *builder) render(dst []byte, d *plan.Domain, graphs []*graph) []byte {
	w := bytes.NewBuffer(dst)           // the file, after what dst holds
	w.Grow(bytesPerGraph * len(graphs)) // rather than doubling into place
	var products []*plan.Product
	for _, g := range graphs {
		products = append(products, g.product)
	}
	w.Write(output.Header("-- ", Owner(b.plan), b.sources(products)))
	fmt.Fprintf(w, "-- The %s domain of the %s mesh, environment %s: a Snowflake task graph per data\n-- product. Run it with a role that may create tasks, streams and tables in\n-- %s and read the publication tables of the products it reads.\n-- With snow sql, pass --enable-templating NONE: the mesh's SQL is not a template.\n",
		d.Name, b.plan.Name, b.plan.Environment.Name, qualified(b.schema(d)))
	if others := b.portSchemas(d, products); len(others) > 0 {
		// A step that writes such a port fails only when its task runs,
		// long after a deployment that went through: say so up front.
		w.WriteString("-- It creates no schema: its own must exist, and so must those its ports publish\n-- to, below. Its tasks run as this role, which needs USAGE on them and their\n-- databases, and the privileges its steps use there:\n")
		for _, schema := range others {
			fmt.Fprintf(w, "--   %s\n", schema)
		}
	}
	if first := readDomains(graphs, d); len(first) > 0 {
		// Its streams need their tables, which those scripts create.
		fmt.Fprintf(w, "-- Run it after %s.\n", strings.Join(first, ", "))
	}
	fmt.Fprintf(w, "-- At its end, it drops the task graphs of %s's products that the mesh no longer\n-- has, found in the schema when it runs: see the last block.\n", d.Name)

	w.WriteString("\n-- Publication tables: a row each time a product has run and passed its tests.\n")
	for _, g := range graphs {
		w.WriteString(b.publicationTableSQL(g.product))
	}
	var streams []string
	for _, g := range graphs {
		for _, in := range g.inputs {
			streams = append(streams, fmt.Sprintf("CREATE STREAM IF NOT EXISTS %s\n  ON TABLE %s\n  APPEND_ONLY = TRUE\n  COMMENT = %s;\n",
				qualified(in.stream), qualified(in.table), snowsql.String(fmt.Sprintf("%s waits for %s to publish", g.product.ID, in.producer.ID))))
		}
		if len(g.inputs) > 0 {
			streams = append(streams, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n  CONSUMED_AT TIMESTAMP_LTZ NOT NULL,\n  INPUT VARCHAR NOT NULL,\n  PUBLISHED_AT TIMESTAMP_LTZ NOT NULL,\n  RUN_GROUP_ID VARCHAR\n)\n  COMMENT = %s;\n",
				qualified(b.consumed(g.product)), snowsql.String(fmt.Sprintf("The publications each run of %s read", g.product.ID))))
		}
	}
	if len(streams) > 0 {
		w.WriteString("\n-- A stream per product read, on its publication table, starts the reader when\n-- it publishes. The tables of other domains' products are their scripts': run\n-- those first. IF NOT EXISTS keeps a stream's position, and so the publications\n-- not yet read.\n")
		for _, s := range streams {
			w.WriteString(s)
		}
	}

	for _, g := range graphs {
		b.renderGraph(w, g)
	}

	w.WriteString("\n-- Resume every task of each graph, its root last.\n")
	for _, g := range graphs {
		fmt.Fprintf(w, "SELECT SYSTEM$TASK_DEPENDENTS_ENABLE(%s);\n", snowsql.String(qualified(g.root.name)))
	}
	b.dropRetired(w, d)
	return w.Bytes()
}

// portSchemas returns the schemas, other than the domain's, that the
// products' ports publish to (MART.KPIS, or a name in full), each once,
// in the order written. The script creates no schema, the domain's
// included: creating one takes CREATE SCHEMA on the database and makes
// the role its owner, which a schema that several domains publish to
// should not have.
func (b *builder) portSchemas(d *plan.Domain, products []*plan.Product) []string {
	seen := map[string]bool{strings.ToUpper(qualified(b.schema(d))): true}
	var out []string
	for _, p := range products {
		for _, port := range p.Ports {
			schema := qualified(plan.ObjectName{Database: port.Object.Database, Schema: port.Object.Schema})
			if key := strings.ToUpper(schema); !seen[key] {
				seen[key] = true
				out = append(out, schema)
			}
		}
	}
	return out
}

// publicationTableSQL creates a product's publication table, in its own
// domain's script: the producer's role owns it and writes to it.
func (b *builder) publicationTableSQL(p *plan.Product) string {
	// Change tracking is on from the start: a stream on a table turns it
	// on only when its creator owns the table, and readers do not.
	// A reader's stream may wait for its other inputs for weeks (a monthly
	// input); the longest extension keeps it from going stale meanwhile.
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n  PUBLISHED_AT TIMESTAMP_LTZ NOT NULL,\n  RUN_GROUP_ID VARCHAR\n)\n  CHANGE_TRACKING = TRUE\n  MAX_DATA_EXTENSION_TIME_IN_DAYS = 90\n  COMMENT = %s;\n",
		qualified(b.publications(p)), snowsql.String(fmt.Sprintf("Publications of %s, written by meshc's task %s", p.ID, taskName(p, "PUBLISH"))))
}

// renderGraph writes the statements that turn whatever an earlier
// version of the script deployed into the graph, each of which Snowflake
// accepts on its way (a task has at most 100 children, and a task graph
// 1000 tasks, at every step, not only in the end):
//
//  1. the root suspended, as Snowflake requires before any task of its
//     graph changes, and created or altered;
//  2. the tasks the mesh no longer has dropped, before any other task
//     changes: they would otherwise hold places among their predecessors'
//     100 children (and the graph's 1000 tasks) while the new tasks join,
//     such as the tasks in between of a graph that needed them and no
//     longer does, whose step gets its tests back;
//  3. every other task, each after its predecessors; a task that fans out
//     a task's children is dropped and created anew, without its
//     predecessor, so that its only children are those the statements
//     after it give it, whatever an earlier version gave it;
//  4. the fan-out tasks linked to their predecessors, once every task the
//     predecessor started directly has moved under them: a step whose 100
//     tests become 101 has 100 children until they have;
//  5. the graph resumed, at the end of the script (render).
func (b *builder) renderGraph(w *bytes.Buffer, g *graph) {
	fmt.Fprintf(w, "\n-- %s: suspend the graph while its tasks change.\n", g.product.ID)
	fmt.Fprintf(w, "ALTER TASK IF EXISTS %s SUSPEND;\n\n", qualified(g.root.name))
	b.renderTask(w, g, g.root)
	w.WriteByte('\n')
	b.dropStale(w, g)
	var apart []*task
	for _, t := range g.tasks[1:] {
		w.WriteByte('\n')
		if t.apart {
			apart = append(apart, t)
			fmt.Fprintf(w, "-- %s is created anew and apart from the graph: its children are only\n-- the tasks below, and it runs after %s once they no longer do (at the end).\nDROP TASK IF EXISTS %s;\n",
				t.name.Name, t.after[0].name.Name, qualified(t.name))
		}
		b.renderTask(w, g, t)
	}
	if len(apart) == 0 {
		return
	}
	fmt.Fprintf(w, "\n-- %s: the tasks in between join the graph, now that the tasks they start no\n-- longer run after their predecessor directly.\n", g.product.ID)
	for _, t := range apart {
		fmt.Fprintf(w, "ALTER TASK %s ADD AFTER %s;\n", qualified(t.name), qualified(t.after[0].name))
		if t.when != "" {
			fmt.Fprintf(w, "ALTER TASK %s MODIFY WHEN %s;\n", qualified(t.name), t.when)
		}
	}
}

// renderTask writes a CREATE OR ALTER TASK statement, its clauses in the
// order of Snowflake's CREATE TASK reference. CREATE OR ALTER keeps the
// task's history, which CREATE OR REPLACE would drop. A task created apart
// from its graph (renderGraph) is new: CREATE TASK, without its AFTER and
// WHEN, which it gets when it joins the graph.
func (b *builder) renderTask(w *bytes.Buffer, g *graph, t *task) {
	s := b.settings
	root := t == g.root
	// One line per property, written piece by piece: a large mesh has
	// hundreds of thousands of these.
	line := func(parts ...string) {
		for _, p := range parts {
			w.WriteString(p)
		}
		w.WriteByte('\n')
	}
	if t.apart {
		line("CREATE TASK ", qualified(t.name))
	} else {
		line("CREATE OR ALTER TASK ", qualified(t.name))
	}
	if s.warehouse != "" {
		line("  WAREHOUSE = ", snowsql.Ident(s.warehouse))
	} else if s.initialSize != "" {
		line("  USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = ", snowsql.String(s.initialSize))
	}
	if t.schedule != "" {
		line("  SCHEDULE = ", snowsql.String(t.schedule))
	}
	if root && s.overlap != "" {
		line("  OVERLAP_POLICY = ", s.overlap)
	}
	if s.timeout > 0 {
		line("  USER_TASK_TIMEOUT_MS = ", strconv.FormatInt(s.timeout.Milliseconds(), 10))
	}
	if root && s.suspendAfter >= 0 {
		line("  SUSPEND_TASK_AFTER_NUM_FAILURES = ", strconv.FormatInt(s.suspendAfter, 10))
	}
	line("  COMMENT = ", snowsql.String(t.comment))
	if root {
		line("  TASK_AUTO_RETRY_ATTEMPTS = ", strconv.Itoa(b.retry))
		if needsCompletion(s, t) {
			line("  TARGET_COMPLETION_INTERVAL = ", snowsql.String(intervalSQL(s.completion)))
		}
	}
	after, when := t.after, t.when
	if t.apart {
		after, when = nil, ""
	}
	for i, a := range after {
		if i == 0 {
			w.WriteString("  AFTER ")
		} else {
			w.WriteString(",\n    ")
		}
		w.WriteString(qualified(a.name))
		if i == len(after)-1 {
			w.WriteByte('\n')
		}
	}
	if when != "" {
		line("  WHEN ", when)
	}
	line("AS\n", t.body, ";")
}

// retries is the roots' TASK_AUTO_RETRY_ATTEMPTS: the mesh's retries, at
// most Snowflake's 30. Snowflake retries a failed graph run from the
// failed task.
func (b *builder) retries() int {
	r := b.plan.Defaults.Retries
	if r > maxRetries {
		b.warnf("snowflake-retries", b.plan.Defaults.RetriesAt, "Snowflake retries a task graph at most 30 times",
			"retries = %d applies to the other targets; Snowflake's roots get TASK_AUTO_RETRY_ATTEMPTS = 30, its most.", r)
		return maxRetries
	}
	return r
}

// needsCompletion reports whether a root is a serverless triggered task,
// which Snowflake requires to have a TARGET_COMPLETION_INTERVAL.
func needsCompletion(s *settings, root *task) bool {
	return s.warehouse == "" && root.when != "" && root.schedule == ""
}

// dropStale drops the tasks of a graph that the mesh no longer has, such
// as a removed or renamed step's: CREATE OR ALTER leaves them in place,
// where they would still run after their predecessors. They are the
// root's dependents that the script does not write; the root is
// suspended, as DROP TASK requires, and exists (TASK_DEPENDENTS fails on
// a task that does not), as the block comes right after it. A dropped
// task's children become roots of their own until the statements below
// give them their predecessors again.
func (b *builder) dropStale(w *bytes.Buffer, g *graph) {
	schema := b.schema(g.product.Domain)
	var names []string
	for _, t := range g.tasks {
		names = append(names, "\n        "+snowsql.String(t.name.Name))
	}
	var block strings.Builder
	fmt.Fprintf(&block, "DECLARE\n  stale CURSOR FOR\n    SELECT name\n    FROM TABLE(%s.INFORMATION_SCHEMA.TASK_DEPENDENTS(TASK_NAME => %s, RECURSIVE => TRUE))\n",
		snowsql.Ident(schema.Database), snowsql.String(qualified(g.root.name)))
	// Every task of a graph is in its root's schema, so names alone tell
	// them apart (and Snowflake stores unquoted names upper-cased).
	fmt.Fprintf(&block, "    WHERE name NOT IN (%s\n    );\n", strings.Join(names, ","))
	fmt.Fprintf(&block, "BEGIN\n  FOR stale_task IN stale DO\n    EXECUTE IMMEDIATE %s || '.\"' || REPLACE(stale_task.name, '\"', '\"\"') || '\"';\n  END FOR;\nEND;",
		snowsql.String("DROP TASK IF EXISTS "+qualified(schema)))
	fmt.Fprintf(w, "-- Drop the tasks the mesh no longer has from the graph of %s.\n-- They go first: each holds a place among its predecessors' 100 children.\n%s;\n", g.product.ID, executeImmediate(block.String()))
}

// readDomains lists the scripts of the other domains whose products the
// graphs read, sorted.
func readDomains(graphs []*graph, d *plan.Domain) []string {
	var out []string
	for _, g := range graphs {
		for _, in := range g.inputs {
			if in.producer.Domain != d {
				out = append(out, in.producer.Domain.Name+".sql")
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rootsBySchema returns the names of the graphs' roots in each schema,
// upper-cased as qualified, sorted, once for the build: every domain's
// script keeps those of its schema, which domains may share, and going
// over every product for each of thousands of domains is quadratic.
func (b *builder) rootsBySchema() map[string][]string {
	roots := map[string][]string{}
	for _, p := range b.plan.Products {
		in := strings.ToUpper(qualified(b.schema(p.Domain)))
		roots[in] = append(roots[in], taskName(p, "START"))
	}
	for in, names := range roots {
		slices.Sort(names)
		roots[in] = slices.Compact(names)
	}
	return roots
}

// dropRetired drops the task graphs of the domain's products that the mesh
// no longer has. Which they are is known only where the script runs, so
// the block finds them in the schema: the roots named PRODUCT$START, less
// those that the mesh's scripts create in the schema, whose COMMENT is one
// this build writes for a root of the domain (the marker, then
// 'domain.'), or, for a root that an earlier meshc wrote without the
// marker, the product's ID ('domain.product', alone or before ": ").
// Either way the domain's name keeps the block off the graphs of the other
// domains that share the schema (mesh names hold no '.', so 'd.' starts
// no other domain's IDs), and a product that moved to one of them keeps
// its root's name, which the mesh still creates. The marker keeps it off
// the roots of another mesh or environment that has the same schema.
//
// It comes last, once every current graph has been created and resumed:
// CREATE OR ALTER TASK has given each current task the predecessors the
// mesh gives it, none of them a retired product's task (graphs meet only
// through streams on publication tables, and no current product reads a
// retired one), so no current task is among a retired root's dependents,
// and a block that fails leaves the current graphs deployed and running.
// Each graph goes as dropGraph says, then the streams its root waited on,
// which hold no data. The publication and $CONSUMED tables are kept: they
// hold data someone may still need, and other schemas' streams may be on
// a publication table.
func (b *builder) dropRetired(w *bytes.Buffer, d *plan.Domain) {
	schema := b.schema(d)
	keep := b.roots[strings.ToUpper(qualified(schema))]
	names := make([]string, len(keep))
	for i, k := range keep {
		names[i] = "\n        " + snowsql.String(k)
	}
	prefix := d.Name + "."
	in := qualified(schema)
	quoted := func(variable string) string { // an account's name, in the schema, quoted
		return snowsql.String(in+".\"") + " || REPLACE(" + variable + ", '\"', '\"\"') || '\"'"
	}
	var block strings.Builder
	block.WriteString("DECLARE\n  roots_shown VARCHAR;\n  page_rows INTEGER;\n  last_root VARCHAR;\n  page_from VARCHAR;\n  streams_shown VARCHAR;\n  stream_rows INTEGER;\n  last_stream VARCHAR;\n  streams_from VARCHAR;\n  retired RESULTSET;\n  root_name VARCHAR;\n  root_task VARCHAR;\n  product_id VARCHAR;\n  stream_prefix VARCHAR;\nBEGIN\n")
	var page strings.Builder
	page.WriteString("  retired := (\n    SELECT name, product FROM (\n      SELECT \"name\" AS name, \"comment\" AS note, LOWER(REPLACE(\"name\", '$START')) AS product\n      FROM TABLE(RESULT_SCAN(:roots_shown))\n    )\n    WHERE ENDSWITH(name, '$START')\n")
	fmt.Fprintf(&page, "      AND name NOT IN (%s\n      )\n", strings.Join(names, ","))
	fmt.Fprintf(&page, "      AND (STARTSWITH(note, %s)\n        OR note = %s || product OR STARTSWITH(note, %s || product || ': '))\n    ORDER BY name\n  );\n",
		snowsql.String(b.marker()+" "+prefix), snowsql.String(prefix), snowsql.String(prefix))
	page.WriteString("  LET retired_roots CURSOR FOR retired;\n  FOR retired_root IN retired_roots DO\n    root_name := retired_root.name;\n")
	fmt.Fprintf(&page, "    root_task := %s;\n", quoted("root_name"))
	fmt.Fprintf(&page, "    product_id := %s || retired_root.product;\n", snowsql.String(prefix))
	page.WriteString("    stream_prefix := REPLACE(root_name, '$START', '$INPUT$');\n")
	dropGraph(&page, schema.Database, quoted)
	// The root's streams, by the start of their names, a page at a time:
	// those named so are one product's inputs, in each mesh and
	// environment that shares the schema, which may hold more of them
	// than SHOW lists (showLimit). Like page, written as a block's
	// statements are, two spaces in.
	var streams strings.Builder
	streams.WriteString("  LET streams RESULTSET := (\n    SELECT \"name\" AS name\n    FROM TABLE(RESULT_SCAN(:streams_shown))\n    WHERE STARTSWITH(\"name\", :stream_prefix) AND STARTSWITH(\"comment\", :product_id || ' waits for ')\n  );\n")
	streams.WriteString("  LET input_streams CURSOR FOR streams;\n  FOR input_stream IN input_streams DO\n")
	fmt.Fprintf(&streams, "    EXECUTE IMMEDIATE 'DROP STREAM IF EXISTS ' || %s;\n  END FOR;\n", quoted("input_stream.name"))
	showStreams := snowsql.String("SHOW STREAMS IN SCHEMA "+in+" STARTS WITH '") + " || " + literalOf("stream_prefix") + " || " + snowsql.String(fmt.Sprintf("' LIMIT %d", showLimit))
	// Two levels in: in the loop over the roots, and in the block
	// dropGraph opens there.
	page.WriteString(indent(indent(paged(streamPages, showStreams, streams.String()))))
	page.WriteString("    END;\n  END FOR;\n")
	block.WriteString(paged(rootPages, snowsql.String(fmt.Sprintf("SHOW TASKS IN SCHEMA %s ROOT ONLY LIMIT %d", in, showLimit)), page.String()))
	block.WriteString("END;")
	fmt.Fprintf(w, `
-- Drop the task graphs of %[1]s's products that the mesh no longer has. Which
-- products those are is decided when the script runs, from what is in %[2]s
-- then, not when meshc wrote it: the roots named PRODUCT$START whose COMMENT
-- starts with %[3]s, as this build writes it, or is
-- the product's ID, %[4]s, as meshc wrote it before, other than the
-- roots the mesh's scripts create in the schema. Other domains' graphs in the
-- schema stay: their roots' comments name their own domain. Each root is
-- suspended, the tasks after it dropped, then the root, then the streams it
-- waited on. The product's tables, PRODUCT$PUBLICATIONS and PRODUCT$CONSUMED,
-- are kept with their data: drop them by hand once no one needs it.
%[5]s;
`, d.Name, in, snowsql.String(b.marker()+" "+prefix), snowsql.String(prefix+"product"), executeImmediate(block.String()))
}

// dropGraph writes the statements of a loop over retired roots that drop
// the graph of root_task, named root_name in its schema: the root
// suspended (Snowflake drops a graph's tasks only while its root is),
// every task after it (TASK_DEPENDENTS lists them, all in the root's
// schema, as Snowflake keeps a graph's tasks), then the root. quoted
// names a task of the root's schema, given a variable holding its name.
// It leaves open a block that the caller ends.
func dropGraph(block *strings.Builder, database string, quoted func(variable string) string) {
	block.WriteString("    EXECUTE IMMEDIATE 'ALTER TASK ' || root_task || ' SUSPEND';\n    BEGIN\n")
	fmt.Fprintf(block, "      LET dependents RESULTSET := (\n        SELECT name\n        FROM TABLE(%s.INFORMATION_SCHEMA.TASK_DEPENDENTS(TASK_NAME => :root_task, RECURSIVE => TRUE))\n        WHERE name <> :root_name\n      );\n", snowsql.Ident(database))
	block.WriteString("      LET dependent_tasks CURSOR FOR dependents;\n      FOR dependent IN dependent_tasks DO\n")
	fmt.Fprintf(block, "        EXECUTE IMMEDIATE 'DROP TASK IF EXISTS ' || %s;\n      END FOR;\n", quoted("dependent.name"))
	block.WriteString("      EXECUTE IMMEDIATE 'DROP TASK IF EXISTS ' || root_task;\n")
}

// RetiredGraphs is the path of the script that drops the graphs no
// domain's script drops, which runs after every domain's. It is in a
// folder of its own, beside which the domains' scripts are the *.sql
// files, so that a glob of those never runs it among them: no name in the
// same folder sorts after every domain's (a domain may be named zzz, and
// a shell's glob sorts by its locale, which may ignore punctuation).
const RetiredGraphs = "last/retired-graphs.sql"

// retiredGraphs writes the script, run after every domain's, that drops
// the task graphs this mesh deployed in the environment's database and
// that no domain's script deploys or drops: those of a domain removed
// from the mesh or left without products, and those left in a schema
// that a domain's schema or the environment's schema_prefix no longer
// names. They are the roots in the database whose COMMENT starts with
// the marker, which names this mesh and this environment, other than
// those of a domain with a script in that domain's schema: the domain's
// script keeps its current graphs and drops its retired ones (dropRetired)
// with its own role. The marker keeps the block off every task another
// mesh, another environment sharing the database, or a person made; the
// roots an earlier meshc wrote without it are left alone. It pages
// through each schema in turn (paged), not the database at once:
// SHOW TASKS IN DATABASE orders by schema first, and FROM names a task,
// not a schema.
//
// It appends the script to dst. domains are the domains that have a
// script, sorted.
func (b *builder) retiredGraphs(dst []byte, domains []*plan.Domain) []byte {
	w := bytes.NewBuffer(dst)
	sources := []string{b.plan.Range.Filename(), b.plan.Environment.Range.Filename()}
	for _, d := range domains {
		sources = append(sources, d.Range.Filename())
	}
	for i, f := range sources {
		sources[i] = b.plan.Rel(f)
	}
	slices.Sort(sources)
	w.Write(output.Header("-- ", Owner(b.plan), slices.Compact(sources)))
	database := snowsql.Ident(b.plan.Environment.Database)
	fmt.Fprintf(w, "-- The %s mesh, environment %s: drops the task graphs it deployed in %s\n-- that no domain's script deploys any more: those of a domain removed from the\n-- mesh or left without products, and those in a schema that a domain's schema or\n-- the environment's schema_prefix no longer names. Run it after every domain's\n-- script, with a role that owns the tasks of every domain (one granted the roles\n-- that run the domains' scripts). With snow sql, pass --enable-templating NONE.\n",
		b.plan.Name, b.plan.Environment.Name, database)
	marker := b.marker() + " "
	var block strings.Builder
	block.WriteString("DECLARE\n  roots_shown VARCHAR;\n  page_rows INTEGER;\n  last_root VARCHAR;\n  page_from VARCHAR;\n  retired RESULTSET;\n  root_name VARCHAR;\n  root_task VARCHAR;\n")
	fmt.Fprintf(&block, "  schemas CURSOR FOR\n    SELECT schema_name\n    FROM %s.INFORMATION_SCHEMA.SCHEMATA\n    WHERE schema_name <> 'INFORMATION_SCHEMA'\n    ORDER BY schema_name;\nBEGIN\n", database)
	block.WriteString("  FOR listed IN schemas DO\n")
	var page strings.Builder
	page.WriteString("  retired := (\n    SELECT \"schema_name\" AS schema_name, \"name\" AS name\n    FROM TABLE(RESULT_SCAN(:roots_shown))\n")
	fmt.Fprintf(&page, "    WHERE STARTSWITH(\"comment\", %s)\n", snowsql.String(marker))
	for _, d := range domains {
		fmt.Fprintf(&page, "      AND NOT (\"schema_name\" = %s AND STARTSWITH(\"comment\", %s))\n",
			snowsql.String(strings.ToUpper(b.schema(d).Schema)), snowsql.String(marker+d.Name+"."))
	}
	page.WriteString("    ORDER BY name\n  );\n")
	page.WriteString("  LET retired_roots CURSOR FOR retired;\n  FOR retired_root IN retired_roots DO\n    root_name := retired_root.name;\n")
	in := snowsql.String(database+".\"") + " || REPLACE(retired_root.schema_name, '\"', '\"\"') || '\".\"'"
	quoted := func(variable string) string { // an account's name, in the root's schema, quoted
		return in + " || REPLACE(" + variable + ", '\"', '\"\"') || '\"'"
	}
	fmt.Fprintf(&page, "    root_task := %s;\n", quoted("root_name"))
	dropGraph(&page, b.plan.Environment.Database, quoted)
	page.WriteString("    END;\n  END FOR;\n")
	// A schema's name goes into SHOW as a quoted identifier, its " doubled.
	show := snowsql.String("SHOW TASKS IN SCHEMA "+database+".\"") + " || REPLACE(listed.schema_name, '\"', '\"\"') || " + snowsql.String(fmt.Sprintf("\" ROOT ONLY LIMIT %d", showLimit))
	block.WriteString(indent(paged(rootPages, show, page.String())))
	block.WriteString("  END FOR;\nEND;")
	fmt.Fprintf(w, `
-- Drop the task graphs whose root's COMMENT starts with %[1]s,
-- as this build writes it for the %[2]s mesh in environment %[3]s, but those
-- of each domain with a script in its schema, which that script keeps or
-- drops. Each root is suspended, the tasks after it dropped, then the root.
-- Their streams and tables are kept: drop the schema by hand once no one needs
-- its data.
%[4]s;
`, snowsql.String(marker), b.plan.Name, b.plan.Environment.Name, executeImmediate(block.String()))
	return w.Bytes()
}

// showLimit is the most rows a SHOW command returns: past it, SHOW fails
// (error 090153) unless it has LIMIT, at most showLimit rows, and pages
// on with FROM 'name' (SHOW TASKS, usage notes; SHOW STREAMS takes the
// same LIMIT ... FROM).
const showLimit = 10000

// pages names the variables of a loop over the pages of a SHOW command's
// rows: the query ID of a page's SHOW, how many rows it has, the last of
// their names, and the FROM clause of the next page.
type pages struct{ shown, rows, last, from string }

var (
	rootPages   = pages{shown: "roots_shown", rows: "page_rows", last: "last_root", from: "page_from"}
	streamPages = pages{shown: "streams_shown", rows: "stream_rows", last: "last_stream", from: "streams_from"}
)

// paged writes a REPEAT loop that runs the SHOW command show (an
// expression, ending in LIMIT showLimit) for one page of rows, whose query
// ID it keeps in p.shown, then body on them, until a page has fewer. SHOW
// lists a schema's tasks or streams ordered by name, and FROM 'name'
// starts a page at a name whether or not an object still has it (body may
// have dropped it), so the next page starts at the last name of the page
// before: if FROM lists that object again, body finds it again and keeps
// or drops it as before. SHOW takes no bind variable, so the name goes
// into the command as a string literal, its \ and ' escaped. body is
// indented as the loop is, by two spaces.
//
// body goes in a block of its own, which each page enters afresh: a LET
// in it declares a cursor or a RESULTSET, whose name must not be in use
// in its block already (LET), as it would be on the second page in the
// loop's block.
func paged(p pages, show, body string) string {
	var page strings.Builder
	fmt.Fprintf(&page, "  %s := '';\n  REPEAT\n", p.from)
	fmt.Fprintf(&page, "    EXECUTE IMMEDIATE %s || %s;\n    %s := SQLID;\n", show, p.from, p.shown)
	fmt.Fprintf(&page, "    SELECT COUNT(*), MAX(\"name\") INTO :%s, :%s FROM TABLE(RESULT_SCAN(:%s));\n", p.rows, p.last, p.shown)
	fmt.Fprintf(&page, "    %s := ' FROM ''' || %s || '''';\n", p.from, literalOf(p.last))
	page.WriteString("    BEGIN\n")
	page.WriteString(indent(indent(body)))
	page.WriteString("    END;\n")
	fmt.Fprintf(&page, "  UNTIL (%s < %d)\n  END REPEAT;\n", p.rows, showLimit)
	return page.String()
}

// literalOf is an expression of the variable's value as it goes between
// the quotes of a string literal, its \ and ' escaped: into a SHOW
// command, which takes no bind variable.
func literalOf(variable string) string {
	return "REPLACE(REPLACE(" + variable + `, '\\', '\\\\'), '''', '\\''')`
}

// indent indents each line of block by two spaces.
func indent(block string) string {
	return "  " + strings.ReplaceAll(strings.TrimSuffix(block, "\n"), "\n", "\n  ") + "\n"
}
