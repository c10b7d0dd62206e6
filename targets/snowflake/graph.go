package snowflake

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
)

// Snowflake's limits on a task graph and on identifiers.
const (
	maxTasks        = 1000 // tasks in one graph
	maxPredecessors = 100  // AFTER entries of one task
	maxChildren     = 100  // tasks that run after one task
	maxIdentifier   = 255
	maxRetries      = 30 // TASK_AUTO_RETRY_ATTEMPTS
)

// startDatesPassed is a day by which every start date before it has
// passed wherever a script meshc writes runs: the day this rule was
// written. A root guards its graph until the mesh's start_date only when
// that is later, so the graphs of a mesh whose start date is past (the
// default's, 2024-01-01, or any written before) have no guard, and the
// script does not depend on the day meshc runs. A later version of meshc
// may move it on, which drops the guards of dates passed meanwhile.
const startDatesPassed = "2026-11-24"

// graph is a product's task graph, before rendering.
type graph struct {
	product *plan.Product
	// startDate is the mesh's start_date (YYYY-MM-DD) when the root
	// guards the graph until then, else "".
	startDate string
	root      *task
	tasks     []*task // root first, every task after its predecessors
	// inputs are the streams the root waits on, one per product read,
	// when the product runs on its inputs.
	inputs []*input
	// publications is the product's publication table.
	publications plan.ObjectName
}

// input is a stream on an upstream product's publication table.
type input struct {
	stream   plan.ObjectName
	producer *plan.Product
	table    plan.ObjectName // the producer's publication table
}

// task is one task of a graph.
type task struct {
	name     plan.ObjectName
	after    []*task
	schedule string // the root's cron and time zone
	when     string // the condition: a root's streams, the start date of the tasks right after the root
	comment  string
	body     string
	at       diag.Range
	// apart is set on the tasks that fan out a task's children: the
	// script creates them anew, without their predecessor, and links
	// them to it once every other task of the graph is in place (see
	// render).
	apart bool
}

// Task names, in the domain's schema: PRODUCT$START, PRODUCT$STEP$STEP,
// PRODUCT$TEST$PORT$COLUMN$TEST, PRODUCT$PUBLISH, and for the tasks that
// keep a task within Snowflake's limits, TASK$THEN$N and TASK$AFTER$N.
// Mesh names are snake_case without $ and start with a letter, so the
// mapping is one to one, and every name is an identifier Snowflake reads
// unquoted, upper-cased as it stores them.
func taskName(p *plan.Product, parts ...string) string {
	return strings.ToUpper(p.Name + "$" + strings.ReplaceAll(strings.Join(parts, "$"), ".", "$"))
}

// graph models a product's graph and checks Snowflake's limits on it.
func (b *builder) graph(p *plan.Product) *graph {
	g := &graph{product: p, publications: b.publications(p)}
	if d := b.plan.Defaults.StartDate; d > startDatesPassed { // both YYYY-MM-DD
		g.startDate = d
	}
	g.root = &task{name: b.object(p.Domain, taskName(p, "START")), at: p.Range, comment: b.marker() + " " + comment(p.ID, p.Description)}
	b.schedule(g)
	b.checkCompletion(g)
	g.tasks = append(g.tasks, g.root)

	byStep := map[*plan.Step]*task{}
	for _, s := range p.Steps {
		t := &task{name: b.object(p.Domain, taskName(p, "STEP", s.Name)), at: s.Range, comment: comment(p.ID+" step "+s.Name, s.Description)}
		t.body = b.stepBody(p, s)
		for _, a := range s.After {
			t.after = append(t.after, byStep[a])
		}
		if len(t.after) == 0 {
			t.after = []*task{g.root}
			// Skipped, a first step keeps every task after it from
			// running (CREATE TASK's WHEN).
			t.when = g.guard()
		}
		byStep[s] = t
		g.tasks = append(g.tasks, t)
	}
	var sinks []*task // a product has a step at least (the checker says so)
	for _, s := range p.LastSteps() {
		sinks = append(sinks, byStep[s])
	}

	var gate []*task
	for _, t := range p.Tests {
		tt := &task{name: b.object(p.Domain, taskName(p, "TEST", t.ID)), at: t.Range, after: sinks,
			comment: comment(fmt.Sprintf("%s test %s (%s, severity %s)", p.ID, t.ID, t.Kind, t.Severity), t.Description)}
		tt.body = testBody(p, t)
		g.tasks = append(g.tasks, tt)
		if t.Severity == "error" {
			gate = append(gate, tt)
		}
	}
	// Tests of severity warn do not hold back publication; with none of
	// severity error, publish follows the steps.
	if len(gate) == 0 {
		gate = sinks
	}
	publish := &task{name: b.object(p.Domain, taskName(p, "PUBLISH")), at: p.Range, after: gate,
		comment: comment(p.ID+" publishes", "Records that the product's steps have run and its tests have passed, which starts the products that read it.")}
	publish.body = fmt.Sprintf("INSERT INTO %s (PUBLISHED_AT, RUN_GROUP_ID)\n  SELECT CURRENT_TIMESTAMP(), SYSTEM$TASK_RUNTIME_INFO('CURRENT_TASK_GRAPH_RUN_GROUP_ID')", qualified(g.publications))
	g.tasks = append(g.tasks, publish)
	b.gather(g)
	b.spread(g)
	b.checkLimits(g)
	b.checkOwnNames(g)
	return g
}

// portsByObject returns the ports of the plan's products that publish a
// table or view, by its name upper-cased as qualified (checkOwnNames):
// the names are identifiers that need no quotes, which Snowflake reads
// upper-cased.
func portsByObject(p *plan.Plan) map[string]*plan.Port {
	ports := map[string]*plan.Port{}
	for _, pr := range p.Products {
		for _, port := range pr.Ports {
			if port.Object.Name != "" {
				ports[objectKey(port.Object)] = port
			}
		}
	}
	return ports
}

func objectKey(o plan.ObjectName) string {
	return strings.ToUpper(o.Database + "." + o.Schema + "." + o.Name)
}

// checkOwnNames reports a port whose table or view has the name of a
// table or stream that the graph creates in its domain's schema. A
// schema holds one table, view or stream of a name, which a query's FROM
// reads: CREATE ... IF NOT EXISTS would find the port's and create
// nothing, and the graph would read and write the port's data as its own
// bookkeeping (or a step the graph's). Tasks are another kind of object,
// named apart from tables.
func (b *builder) checkOwnNames(g *graph) {
	type own struct {
		name       plan.ObjectName
		kind, what string // what CREATE makes, and what the graph uses it for
	}
	graph := "the Snowflake task graph of " + g.product.ID
	owns := []own{{g.publications, "TABLE", "table where " + graph + " records its publications"}}
	if len(g.inputs) > 0 {
		owns = append(owns, own{b.consumed(g.product), "TABLE", "table where " + graph + " records the publications each run reads"})
	}
	for _, in := range g.inputs {
		owns = append(owns, own{in.stream, "STREAM", "stream on which " + graph + " waits for " + in.producer.ID + " to publish"})
	}
	for _, o := range owns {
		port := b.ports[objectKey(o.name)]
		if port == nil {
			continue
		}
		at := port.ObjectRange
		if at.IsZero() {
			at = port.Range
		}
		b.errorf("snowflake-name", at, "Port table named as one of meshc's",
			"Port %s publishes %s, the name of the %s. A schema holds one table, view or stream of a name: CREATE %s IF NOT EXISTS would find the port's and create nothing, and the task graph would take the port's data for its own. Give the port's table another name: in a domain's schema, the Snowflake target names its tables and streams after a product's name and a $ (PRODUCT$PUBLICATIONS, PRODUCT$CONSUMED, PRODUCT$INPUT$DOMAIN$PRODUCT).",
			port.ID, port.Object, o.what, o.kind)
	}
}

// guard is the condition of the tasks right after the root when it
// guards the graph until a start date to come: they are skipped on the
// value it returns before the day. SYSTEM$GET_PREDECESSOR_RETURN_VALUE
// reads a direct predecessor only.
func (g *graph) guard() string {
	if g.startDate == "" {
		return ""
	}
	return "SYSTEM$GET_PREDECESSOR_RETURN_VALUE(" + snowsql.String(g.root.name.Name) + ") != " + snowsql.String(beforeStart(g.startDate))
}

// gather gives a task after more than Snowflake's 100 predecessors (such
// as PUBLISH after the tests of severity error) tasks that do nothing,
// PRODUCT$...$AFTER$1, $2, ..., each after 100 of them at most, and runs
// the task after those instead. A task runs only when all its
// predecessors have succeeded, so it runs exactly when it did: a
// predecessor that fails or is skipped keeps its gathering task, and so
// the task, from running. One level is enough for any graph within
// Snowflake's 1000 tasks; checkLimits reports the rest.
func (b *builder) gather(g *graph) {
	if !slices.ContainsFunc(g.tasks, func(t *task) bool { return len(t.after) > maxPredecessors }) {
		return
	}
	// Tasks that wait for the same predecessors (the tests, all after the
	// last steps) share their gathering tasks.
	waitsFor := func(t *task) string {
		names := make([]string, len(t.after))
		for i, a := range t.after {
			names[i] = a.name.Name
		}
		return strings.Join(names, "\n")
	}
	users := map[string]int{}
	for _, t := range g.tasks {
		if len(t.after) > maxPredecessors {
			users[waitsFor(t)]++
		}
	}
	made := map[string][]*task{}
	var tasks []*task
	for _, t := range g.tasks {
		if len(t.after) > maxPredecessors {
			key := waitsFor(t)
			gathers, ok := made[key]
			if !ok {
				before := t.name.Name
				switch more := users[key] - 1; more {
				case 0:
				case 1:
					before += " and 1 more task"
				default:
					before += fmt.Sprintf(" and %d more tasks", more)
				}
				for i, part := range chunks(t.after, maxPredecessors) {
					which := fmt.Sprintf("%d of the %d tasks before %s", len(part), len(t.after), before)
					gathers = append(gathers, &task{
						name:    b.object(g.product.Domain, fmt.Sprintf("%s$AFTER$%d", t.name.Name, i+1)),
						at:      t.at,
						after:   part,
						comment: fmt.Sprintf("%s waits for %s: Snowflake allows a task %d predecessors", g.product.ID, which, maxPredecessors),
						body:    "CALL SYSTEM$SET_RETURN_VALUE(" + snowsql.String(which+" "+haveRun(len(part))) + ")",
					})
				}
				made[key] = gathers
				tasks = append(tasks, gathers...)
			}
			t.after = gathers
		}
		tasks = append(tasks, t)
	}
	g.tasks = tasks
}

// spread gives a task with more than Snowflake's 100 children (such as
// the last step before more than 100 tests) tasks that do nothing,
// PRODUCT$...$THEN$1, $2, ..., each after it and before 100 of its
// children at most, which run after those instead. A fan-out task runs
// when the task has succeeded, so its children run exactly when they
// did; a fan-out task of a root that guards a start date takes the first
// steps' condition (they no longer follow the root, whose return value
// they read). Each fan-out task comes right before its first child in the
// script, after its predecessor, and is created apart from the graph (see
// render). One level is enough for any graph within Snowflake's 1000
// tasks; checkLimits reports the rest.
func (b *builder) spread(g *graph) {
	if len(g.tasks) <= maxChildren+1 {
		return // no task can have more children
	}
	children := map[*task][]*task{}
	for _, t := range g.tasks {
		for _, a := range t.after {
			children[a] = append(children[a], t)
		}
	}
	before := map[*task][]*task{} // fan-out tasks by their first child
	for _, t := range g.tasks {
		kids := children[t]
		if len(kids) <= maxChildren {
			continue
		}
		for i, part := range chunks(kids, maxChildren) {
			f := &task{
				name:    b.object(g.product.Domain, fmt.Sprintf("%s$THEN$%d", t.name.Name, i+1)),
				at:      t.at,
				after:   []*task{t},
				comment: fmt.Sprintf("%s starts %d of the %d tasks after %s: Snowflake allows a task %d children", g.product.ID, len(part), len(kids), t.name.Name, maxChildren),
				body:    "CALL SYSTEM$SET_RETURN_VALUE(" + snowsql.String(t.name.Name+" has run") + ")",
				apart:   true,
			}
			if t == g.root {
				f.when = g.guard()
			}
			for _, c := range part {
				c.after = slices.Clone(c.after) // tests share theirs
				c.after[slices.Index(c.after, t)] = f
				if t == g.root {
					c.when = ""
				}
			}
			before[part[0]] = append(before[part[0]], f)
		}
	}
	if len(before) == 0 {
		return
	}
	var tasks []*task
	for _, t := range g.tasks {
		tasks = append(tasks, before[t]...)
		tasks = append(tasks, t)
	}
	g.tasks = tasks
}

// haveRun agrees with a number of tasks.
func haveRun(n int) string {
	if n == 1 {
		return "has run"
	}
	return "have run"
}

// chunks splits tasks into runs of at most n, in order.
func chunks(tasks []*task, n int) [][]*task {
	var out [][]*task
	for len(tasks) > n {
		out = append(out, tasks[:n:n])
		tasks = tasks[n:]
	}
	return append(out, tasks)
}

// checkCompletion reports a serverless triggered root without the
// completion interval it needs.
func (b *builder) checkCompletion(g *graph) {
	if needsCompletion(b.settings, g.root) && b.settings.completion == 0 {
		b.errorf("snowflake-completion", g.product.Range, "Serverless triggered task without a completion interval",
			"The product runs on its inputs as a serverless task, which Snowflake requires to have a target completion interval. Set target_completion_interval in the target \"snowflake\" block, such as \"30m\".")
	}
}

// publications is a product's publication table.
func (b *builder) publications(p *plan.Product) plan.ObjectName {
	return b.object(p.Domain, strings.ToUpper(p.Name)+"$PUBLICATIONS")
}

// schedule sets the root's schedule, or the streams it waits on. A product
// on a cadence runs on its cron (and reads its inputs' last published
// data, as on every target); a product on its inputs runs when every
// product it reads has published; one that reads only sources runs on
// the most frequent source's cadence.
func (b *builder) schedule(g *graph) {
	p := g.product
	cadence := p.Schedule.Cadence
	if cadence == nil && p.Schedule.OnInputs {
		for _, up := range p.Producers() {
			g.inputs = append(g.inputs, &input{
				stream:   b.object(p.Domain, taskName(p, "INPUT", up.Domain.Name, up.Name)),
				producer: up,
				table:    b.publications(up),
			})
		}
		if s := p.FastestSource(); len(g.inputs) == 0 && s != nil {
			cadence = &s.Cadence
		}
	}
	if p.Schedule.Cadence != nil && p.Schedule.OnInputs && len(p.Producers()) > 0 {
		b.warnf("snowflake-schedule", p.Schedule.Range, "Snowflake runs the product on its cadence only",
			"The product runs on its cadence and when its inputs publish, but a Snowflake task graph's root either has a schedule or waits on streams, not both: its graph runs on the cadence only, reading its inputs' last publications. Drop the cadence to run on the inputs.")
	}
	if cadence != nil {
		g.root.schedule = "USING CRON " + cadence.CronSundayZero + " " + p.Schedule.Timezone
	}
	var conds []string
	for _, in := range g.inputs {
		conds = append(conds, "SYSTEM$STREAM_HAS_DATA("+snowsql.String(qualified(in.stream))+")")
	}
	g.root.when = strings.Join(conds, "\n  AND ")
	g.root.body = b.startBody(g)
}

// checkLimits reports what Snowflake would refuse: too many tasks in the
// graph, predecessors or children of a task, and identifiers too long.
func (b *builder) checkLimits(g *graph) {
	p := g.product
	if len(g.tasks) > maxTasks {
		b.errorf("snowflake-limit", p.Range, "Too many tasks for one Snowflake task graph",
			"The product's graph would have %d tasks: one for each of its %d steps and tests, and %d of meshc's; Snowflake allows %d in one graph. Split the product.", len(g.tasks), len(p.Steps)+len(p.Tests), len(g.tasks)-len(p.Steps)-len(p.Tests), maxTasks)
	}
	children := map[*task][]*task{}
	for _, t := range g.tasks {
		if len(t.after) > maxPredecessors {
			b.errorf("snowflake-limit", t.at, "Too many predecessors for a Snowflake task",
				"Task %s would run after %d tasks; Snowflake allows %d predecessors. Split the product, or give it fewer steps or tests of severity error.", t.name.Name, len(t.after), maxPredecessors)
		}
		for _, a := range t.after {
			children[a] = append(children[a], t)
		}
		for _, part := range []string{t.name.Database, t.name.Schema, t.name.Name} {
			if len(part) > maxIdentifier {
				b.errorf("snowflake-limit", t.at, "Identifier too long for Snowflake",
					"%q has %d characters; Snowflake identifiers have at most %d. A task's name is made of its product's name and the names of what it runs (a step, or a test with its port and column), joined by $: shorten them.", part, len(part), maxIdentifier)
			}
		}
	}
	for _, t := range g.tasks {
		if n := len(children[t]); n > maxChildren {
			b.errorf("snowflake-limit", t.at, "Too many child tasks for a Snowflake task",
				"%d tasks would run after task %s; Snowflake allows %d children. Split the product, or give it fewer tests or steps that start at once.", n, t.name.Name, maxChildren)
		}
	}
}

// comment is a task's COMMENT: what it is, then its description's first
// paragraph on one line, without NUL characters. Snowflake documents \0
// in a string constant, but not in an object's metadata, and a tool that
// keeps strings as C strings would cut the comment there; a NUL in a
// description is a stray (the control-character warning), so it is
// dropped, where other control characters are written as escapes.
func comment(what, description string) string {
	d := strings.TrimSpace(strings.ReplaceAll(description, "\x00", ""))
	if i := strings.Index(d, "\n\n"); i >= 0 {
		d = d[:i]
	}
	if d = strings.Join(strings.Fields(d), " "); d != "" {
		return what + ": " + d
	}
	return what
}

// marker starts the COMMENT of each root the build writes: the mesh and
// the environment, which mesh names hold neither space nor "/" nor "]".
// The blocks that drop retired graphs (dropRetired, retiredGraphs) drop
// only roots whose comment starts with it, so they never touch another
// mesh's tasks, another environment's that share the database, or tasks
// made by hand.
func (b *builder) marker() string { return marker(b.plan.Name, b.plan.Environment.Name) }

// marker is the marker of the build of mesh in env (PreviousBuild reads
// it back).
func marker(mesh, env string) string { return "[meshc " + mesh + "/" + env + "]" }

// qualified renders an object name for SQL.
func qualified(o plan.ObjectName) string {
	return snowsql.QualifiedName(o.Database, o.Schema, o.Name)
}
