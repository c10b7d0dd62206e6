package snowflake_test

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/targets/snowflake"
)

// account is a small model of what Snowflake keeps of a schema's tasks and
// refuses when a script changes them, as its documentation says:
//
//   - a task has at most 100 predecessors and 100 child tasks, and a task
//     graph at most 1000 tasks, "in either a resumed or suspended state"
//     (CREATE TASK, AFTER; ALTER TASK, usage notes);
//   - AFTER and ADD AFTER name existing tasks (ALTER TASK, ADD AFTER);
//   - the root of a graph is suspended before any of its tasks is
//     created, altered, linked, unlinked or dropped, and a standalone task
//     before it is altered (ALTER TASK and DROP TASK, usage notes);
//   - tasks are created suspended (CREATE TASK), and a task that loses
//     its last predecessor (DROP TASK of it, REMOVE AFTER) becomes a root
//     or standalone task, suspended (DROP TASK, ALTER TASK);
//   - CREATE OR ALTER TASK sets the predecessors to those it names (CREATE
//     TASK, CREATE OR ALTER TASK), and cannot resume or suspend a task;
//   - SYSTEM$TASK_DEPENDENTS_ENABLE resumes a root and every task after
//     it, and TASK_DEPENDENTS lists them;
//   - SHOW TASKS ... ROOT ONLY lists a schema's tasks without predecessors,
//     with their comments, ordered by name, and fails past 10,000 rows
//     unless it has LIMIT (at most 10,000), with FROM to page on (SHOW
//     TASKS, usage notes);
//   - SHOW STREAMS IN SCHEMA ... [STARTS WITH '...'] lists a schema's
//     streams, those whose names start so (case-sensitive), with their
//     comments, and fails past 10,000 rows as SHOW TASKS does (SHOW
//     STREAMS).
//
// The documentation does not say that a graph must stay connected while it
// is built: it says that a graph's structure can be defined once its tasks
// exist, with ALTER TASK ... ADD AFTER in any order (CREATE TASK, AFTER),
// and DROP TASK leaves a dropped task's children as roots of their own.
// So the model lets a task have predecessors under different roots for a
// while, and counts a graph's tasks from each root.
type account struct {
	tasks   map[string]*liveTask // by qualified name
	streams map[string]string    // their comments, by qualified name
}

type liveTask struct {
	after   []string
	comment string // "" for none
	started bool
}

var (
	dropTask   = regexp.MustCompile(`^DROP TASK IF EXISTS (\S+)$`)
	addAfter   = regexp.MustCompile(`^ALTER TASK (\S+) ADD AFTER ([^\n]+)$`)
	modifyWhen = regexp.MustCompile(`^ALTER TASK (\S+) MODIFY WHEN `)
	keepNames  = regexp.MustCompile(`(?s)WHERE name NOT IN \((.*?)\n    \);`)
	dropPrefix = regexp.MustCompile(`'DROP TASK IF EXISTS (\S+)' \|\|`)
	quoted     = regexp.MustCompile(`'([^']*)'`)
	// The parts of a block that drops retired graphs: the query of the
	// roots, the assignments and statements of its loop over them (the
	// first, up to the loop over a root's dependents), and the statement
	// that drops a dependent.
	retiredQuery = regexp.MustCompile(`(?s)\n( +)retired := \(\n(.*?)\n( +)\);\n`)
	retiredLoop  = regexp.MustCompile(`(?s)\n +FOR retired_root IN retired_roots DO\n(.*?)\n +FOR dependent IN dependent_tasks DO\n +EXECUTE IMMEDIATE (.*?);\n`)
	retiredStep  = regexp.MustCompile(`(?m)^ +(?:(\w+) := |EXECUTE IMMEDIATE )(.*);$`)
	// The loop over the database's schemas of a block that drops retired
	// graphs in a database.
	listedSchemas = regexp.MustCompile(`\n  schemas CURSOR FOR\n    SELECT schema_name\n    FROM (\S+)\.INFORMATION_SCHEMA\.SCHEMATA\n    WHERE schema_name <> 'INFORMATION_SCHEMA'\n    ORDER BY schema_name;\n(?s:.*)\n  FOR listed IN schemas DO\n`)
	// The streams of a block that drops retired graphs: the query of those
	// a retired root waited on, on a page of its SHOW STREAMS, and the
	// statement that drops one.
	streamsQuery = regexp.MustCompile(`(?s)\n +LET streams RESULTSET := \(\n(.*?)\n +\);\n`)
	streamDrop   = regexp.MustCompile(`(?m)^ +EXECUTE IMMEDIATE ('DROP STREAM IF EXISTS ' .*);$`)
	// The SHOW commands the blocks run, with their LIMIT and FROM.
	showTasks     = regexp.MustCompile(`^SHOW TASKS IN SCHEMA (.+?) ROOT ONLY(?: LIMIT (\d+)(?: FROM (` + sqlLiteral + `))?)?$`)
	showStreams   = regexp.MustCompile(`^SHOW STREAMS IN SCHEMA (.+?)(?: STARTS WITH (` + sqlLiteral + `))?(?: LIMIT (\d+)(?: FROM (` + sqlLiteral + `))?)?$`)
	dropStream    = regexp.MustCompile(`^DROP STREAM IF EXISTS (\S+)$`)
	newStream     = regexp.MustCompile(`^CREATE STREAM IF NOT EXISTS (\S+)\n(?s:.*)\n  COMMENT = (.*)$`)
	alterSuspend  = regexp.MustCompile(`^ALTER TASK (\S+) SUSPEND$`)
	qualifiedPart = regexp.MustCompile(`"(?:[^"]|"")*"|[^."]+`)
	// The loops of the blocks over the pages of a SHOW command's rows, by
	// the names of their variables (paged in render.go).
	rootPages   = newPageLoop("roots_shown", "page_rows", "last_root", "page_from")
	streamPages = newPageLoop("streams_shown", "stream_rows", "last_stream", "streams_from")
)

// sqlLiteral matches a string literal, its ' doubled or escaped with \.
const sqlLiteral = `'(?:[^'\\]|\\.|'')*'`

// deploy runs the scripts' statements against the account, in order,
// failing at the first one Snowflake would refuse.
func (a *account) deploy(t *testing.T, files []output.File) {
	t.Helper()
	for _, f := range files {
		for i, stmt := range snowsql.Split(string(f.Contents())) {
			stmt = stripComments(stmt)
			if err := a.run(stmt); err != "" {
				head, _, _ := strings.Cut(stmt, "\n")
				t.Fatalf("%s, statement %d (%s): Snowflake refuses it: %s", f.Path, i+1, head, err)
			}
		}
	}
}

// run applies one statement, or says why Snowflake refuses it.
func (a *account) run(stmt string) string {
	switch {
	case createTable.MatchString(stmt):
		return ""
	case createStream.MatchString(stmt):
		m := newStream.FindStringSubmatch(stmt)
		note, err := sqlEval(m[2], nil)
		if err != nil {
			return "its comment: " + err.Error()
		}
		if a.streams == nil {
			a.streams = map[string]string{}
		}
		name := accountName(m[1])
		if _, ok := a.streams[name]; !ok {
			a.streams[name] = note.s
		}
		return ""
	case suspend.MatchString(stmt):
		if lt := a.tasks[suspend.FindStringSubmatch(stmt)[1]]; lt != nil {
			lt.started = false
		}
		return ""
	case createTask.MatchString(stmt):
		rt := parseTask(createTask.FindStringSubmatch(stmt), stmt)
		if !strings.HasPrefix(stmt, "CREATE OR ALTER ") && a.tasks[rt.name] != nil {
			return rt.name + " already exists"
		}
		if err := a.createOrAlter(rt.name, rt.after); err != "" {
			return err
		}
		note, err := sqlEval(rt.comment, nil)
		if err != nil {
			return "its comment: " + err.Error()
		}
		a.tasks[rt.name].comment = note.s
		return ""
	case addAfter.MatchString(stmt):
		m := addAfter.FindStringSubmatch(stmt)
		lt := a.tasks[m[1]]
		if lt == nil {
			return m[1] + " does not exist"
		}
		preds := strings.Split(strings.ReplaceAll(m[2], " ", ""), ",")
		return a.createOrAlter(m[1], append(slices.Clone(lt.after), preds...))
	case modifyWhen.MatchString(stmt):
		name := modifyWhen.FindStringSubmatch(stmt)[1]
		if a.tasks[name] == nil {
			return name + " does not exist"
		}
		return a.mayChange(name)
	case dropTask.MatchString(stmt):
		return a.drop(dropTask.FindStringSubmatch(stmt)[1])
	case dropStale.MatchString(stmt):
		root := dropStale.FindStringSubmatch(stmt)[1]
		if a.tasks[root] == nil {
			return "TASK_DEPENDENTS: task " + root + " does not exist"
		}
		keep := map[string]bool{}
		for _, m := range quoted.FindAllStringSubmatch(keepNames.FindStringSubmatch(stmt)[1], -1) {
			keep[m[1]] = true
		}
		schema := dropPrefix.FindStringSubmatch(stmt)[1]
		// The cursor's query runs once, when the loop opens it.
		for _, name := range a.dependents(root) {
			if !keep[strings.TrimPrefix(name, schema+".")] {
				if err := a.drop(name); err != "" {
					return err
				}
			}
		}
		return ""
	case dropRetired.MatchString(stmt):
		if msg := letInLoop(stmt); msg != "" {
			return msg
		}
		return a.dropRetired(stmt)
	case enable.MatchString(stmt):
		root := enable.FindStringSubmatch(stmt)[1]
		if a.tasks[root] == nil {
			return root + " does not exist"
		}
		for _, name := range a.dependents(root) {
			a.tasks[name].started = true
		}
		return ""
	}
	return "a statement the model does not know"
}

// letInLoop says where a Snowflake Scripting block runs a LET again in
// the block it ran it in, or is "": a LET declares its cursor or
// RESULTSET in the innermost block around it, under a name "not already
// in use in this block" (LET), so a LET right inside a loop fails on the
// loop's second round, and one must be in a block that each round
// enters afresh. It reads a block as meshc writes one, each BEGIN,
// REPEAT, FOR ... DO and END on a line of its own.
func letInLoop(block string) string {
	var open []string // "block" or "loop", innermost last
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "BEGIN":
			open = append(open, "block")
		case line == "REPEAT" || strings.HasPrefix(line, "FOR ") && strings.HasSuffix(line, " DO"):
			open = append(open, "loop")
		case line == "END;" || line == "END FOR;" || line == "END REPEAT;":
			if len(open) == 0 {
				return "an END that closes nothing"
			}
			open = open[:len(open)-1]
		case strings.HasPrefix(line, "LET "):
			if len(open) == 0 || open[len(open)-1] == "loop" {
				return "a LET right inside a loop declares its name again on the loop's second round: " + line
			}
		}
	}
	return ""
}

// dropRetired runs a block that drops retired graphs by evaluating its
// SQL (sqleval_test.go): in each schema of the database when it loops
// over them, its SHOW TASKS ... ROOT ONLY page by page (rootPages), then
// on each page its query of the roots shown, then, for each row in order,
// the assignments and statements of its loop: the root suspended, each
// task after it dropped as the loop's statement names it, then the root,
// then the streams it waited on (dropStreams).
func (a *account) dropRetired(stmt string) string {
	vars := map[string]sqlValue{}
	dropPages := func() string {
		return rootPages.run(stmt, vars, a.showRoots, func(shown []sqlRow) string { return a.dropShown(stmt, shown) })
	}
	m := listedSchemas.FindStringSubmatch(stmt)
	if m == nil {
		return dropPages()
	}
	db := accountName(m[1])
	var schemas []string
	for name := range a.tasks {
		if parts := strings.Split(name, "."); parts[0] == db {
			schemas = append(schemas, parts[1])
		}
	}
	slices.Sort(schemas)
	for _, schema := range slices.Compact(schemas) {
		vars["LISTED.SCHEMA_NAME"] = sqlString(schema)
		if msg := dropPages(); msg != "" {
			return msg
		}
	}
	return ""
}

// pageLoop is a block's loop over the pages of a SHOW command's rows,
// found by the names of its variables: the query ID of a page's SHOW, its
// rows counted and the last of their names, and the FROM clause of the
// next page.
type pageLoop struct {
	shown, rows, last, from string
	// head matches the loop's first statements: the SHOW command's
	// expression, which ends in from, and the one that sets from.
	head, until *regexp.Regexp
}

func newPageLoop(shown, rows, last, from string) *pageLoop {
	return &pageLoop{
		shown: shown, rows: rows, last: last, from: from,
		head: regexp.MustCompile(fmt.Sprintf(`(?m)^ +%[4]s := '';\n +REPEAT\n +EXECUTE IMMEDIATE ('SHOW .*' \|\| %[4]s);\n +%[1]s := SQLID;\n +SELECT COUNT\(\*\), MAX\("name"\) INTO :%[2]s, :%[3]s FROM TABLE\(RESULT_SCAN\(:%[1]s\)\);\n +%[4]s := (.*);$`,
			shown, rows, last, from)),
		until: regexp.MustCompile(fmt.Sprintf(`(?m)^ +UNTIL \(%s < (\d+)\)\n +END REPEAT;$`, rows)),
	}
}

// run runs the block's loop, given the values of the variables it reads:
// from reset, then a page's SHOW command, which show runs, the last of
// the page's names kept (as MAX("name"): SHOW orders by name), from set,
// and body on the page, until a page has fewer rows than the loop's
// condition says.
func (p *pageLoop) run(stmt string, vars map[string]sqlValue, show func(cmd string) ([]sqlRow, string), body func(page []sqlRow) string) string {
	head, until := p.head.FindStringSubmatch(stmt), p.until.FindStringSubmatch(stmt)
	if head == nil || until == nil {
		return "the model does not know this block's loop over pages of " + p.shown
	}
	full, _ := strconv.Atoi(until[1])
	from, last := strings.ToUpper(p.from), strings.ToUpper(p.last)
	vars[from] = sqlString("")
	for {
		cmd, err := sqlEval(head[1], vars)
		if err != nil || cmd.null {
			return fmt.Sprintf("the SHOW command: %v, %v", cmd, err)
		}
		page, msg := show(cmd.s)
		if msg != "" {
			return msg
		}
		// The page's last name, before body drops what has it.
		vars[last] = sqlNull
		if len(page) > 0 {
			vars[last] = page[len(page)-1]["name"]
		}
		if vars[from], err = sqlEval(head[2], vars); err != nil {
			return p.from + ": " + err.Error()
		}
		if msg := body(page); msg != "" {
			return msg
		}
		if len(page) < full {
			return ""
		}
	}
}

// showMax is the most rows a SHOW command returns (SHOW TASKS, SHOW
// STREAMS, usage notes).
const showMax = 10000

// showPage is what a SHOW command lists of rows, those of its scope
// ordered by name: from the name its FROM gives on (a name no object
// need have), at most its LIMIT. Without LIMIT, it fails past showMax
// rows, and LIMIT may not exceed showMax. limit and from are the
// command's, "" when it has none.
func showPage(rows []sqlRow, limit, from string) ([]sqlRow, string) {
	most := showMax
	if limit != "" {
		n, _ := strconv.Atoi(limit)
		if n > showMax {
			return nil, fmt.Sprintf("LIMIT %d exceeds the maximum of %d", n, showMax)
		}
		most = n
	}
	if from != "" {
		v, err := sqlEval(from, nil)
		if err != nil {
			return nil, "FROM: " + err.Error()
		}
		start, _ := slices.BinarySearchFunc(rows, v.s, func(r sqlRow, name string) int { return strings.Compare(r["name"].s, name) })
		rows = rows[start:]
	}
	if len(rows) > most {
		if limit == "" {
			return nil, fmt.Sprintf("090153: The result set size exceeded the max number of rows(%d) supported for SHOW statements. Use LIMIT option", showMax)
		}
		rows = rows[:most]
	}
	return rows, ""
}

// showRoots runs a SHOW TASKS ... ROOT ONLY command: the roots in its
// schema, with their comments, ordered by name, as showPage pages them.
func (a *account) showRoots(cmd string) ([]sqlRow, string) {
	m := showTasks.FindStringSubmatch(cmd)
	if m == nil {
		return nil, "a SHOW command the model does not know: " + cmd
	}
	in := accountName(m[1])
	var rows []sqlRow
	for _, name := range slices.Sorted(maps.Keys(a.tasks)) {
		lt := a.tasks[name]
		parts := strings.Split(name, ".")
		if len(lt.after) > 0 || parts[0]+"."+parts[1] != in {
			continue
		}
		note := sqlNull
		if lt.comment != "" {
			note = sqlString(lt.comment)
		}
		rows = append(rows, sqlRow{"database_name": sqlString(parts[0]), "schema_name": sqlString(parts[1]), "name": sqlString(parts[2]), "comment": note})
	}
	return showPage(rows, m[2], m[3])
}

// dropShown runs a block's query of retired roots on the roots shown, then
// its loop over them.
func (a *account) dropShown(stmt string, shown []sqlRow) string {
	q, loop := retiredQuery.FindStringSubmatch(stmt), retiredLoop.FindStringSubmatch(stmt)
	if q == nil || loop == nil {
		return "the model does not know this block's shape"
	}
	roots, err := sqlQuery(q[2], map[string][]sqlRow{"ROOTS_SHOWN": shown}, nil)
	if err != nil {
		return "the query of retired roots: " + err.Error()
	}
	for _, root := range roots {
		vars := map[string]sqlValue{}
		for col, v := range root {
			vars["RETIRED_ROOT."+col] = v
		}
		for _, step := range retiredStep.FindAllStringSubmatch(loop[1], -1) {
			v, err := sqlEval(step[2], vars)
			if err != nil || v.null || v.isBool {
				return fmt.Sprintf("%s: %v, %v", step[0], v, err)
			}
			if step[1] != "" {
				vars[strings.ToUpper(step[1])] = v
				continue
			}
			sm := alterSuspend.FindStringSubmatch(v.s)
			if sm == nil {
				return "a statement the model does not know: " + v.s
			}
			lt := a.tasks[accountName(sm[1])]
			if lt == nil {
				return sm[1] + " does not exist"
			}
			lt.started = false
		}
		rootTask := accountName(vars["ROOT_TASK"].s)
		if a.tasks[rootTask] == nil {
			return "TASK_DEPENDENTS: task " + rootTask + " does not exist"
		}
		for _, name := range a.dependents(rootTask) { // less the root, by its name
			if name == rootTask || strings.HasSuffix(name, "."+vars["ROOT_NAME"].s) {
				continue
			}
			short := name[strings.LastIndexByte(name, '.')+1:]
			vars["DEPENDENT.NAME"] = sqlString(short)
			v, err := sqlEval(loop[2], vars)
			if err != nil || v.null {
				return fmt.Sprintf("dropping %s: %v, %v", short, v, err)
			}
			dm := dropTask.FindStringSubmatch(v.s)
			if dm == nil {
				return "a statement the model does not know: " + v.s
			}
			if err := a.drop(accountName(dm[1])); err != "" {
				return err
			}
		}
		if err := a.drop(rootTask); err != "" {
			return err
		}
		if msg := a.dropStreams(stmt, vars); msg != "" {
			return msg
		}
	}
	return ""
}

// dropStreams runs the end of a block's loop over retired roots, given
// the values of its variables: its SHOW STREAMS page by page
// (streamPages), on each page its query of the streams the root waited
// on, and its statement that drops each of them. A block that keeps them
// (retired-graphs.sql) has none of these.
func (a *account) dropStreams(stmt string, vars map[string]sqlValue) string {
	q, drop := streamsQuery.FindStringSubmatch(stmt), streamDrop.FindStringSubmatch(stmt)
	if q == nil && drop == nil && !strings.Contains(stmt, "SHOW STREAMS") {
		return ""
	}
	if q == nil || drop == nil {
		return "the model does not know this block's streams"
	}
	return streamPages.run(stmt, vars, a.showStreams, func(shown []sqlRow) string {
		streams, err := sqlQuery(q[1], map[string][]sqlRow{"STREAMS_SHOWN": shown}, vars)
		if err != nil {
			return "the query of streams: " + err.Error()
		}
		for _, row := range streams {
			vars["INPUT_STREAM.NAME"] = row["NAME"]
			v, err := sqlEval(drop[1], vars)
			if err != nil || v.null {
				return fmt.Sprintf("dropping stream %v: %v, %v", row["NAME"], v, err)
			}
			dm := dropStream.FindStringSubmatch(v.s)
			if dm == nil {
				return "a statement the model does not know: " + v.s
			}
			delete(a.streams, accountName(dm[1]))
		}
		return ""
	})
}

// showStreams runs a SHOW STREAMS command: the streams in its schema whose
// names start with STARTS WITH's (case-sensitive), with their comments,
// ordered by name, as showPage pages them.
func (a *account) showStreams(cmd string) ([]sqlRow, string) {
	m := showStreams.FindStringSubmatch(cmd)
	if m == nil {
		return nil, "a SHOW command the model does not know: " + cmd
	}
	in, start := accountName(m[1]), ""
	if m[2] != "" {
		v, err := sqlEval(m[2], nil)
		if err != nil {
			return nil, "STARTS WITH: " + err.Error()
		}
		start = v.s
	}
	var rows []sqlRow
	for _, name := range slices.Sorted(maps.Keys(a.streams)) {
		i := strings.LastIndexByte(name, '.')
		if name[:i] == in && strings.HasPrefix(name[i+1:], start) {
			rows = append(rows, sqlRow{"name": sqlString(name[i+1:]), "comment": sqlString(a.streams[name])})
		}
	}
	return showPage(rows, m[3], m[4])
}

// accountName turns a qualified name as SQL writes it into the account's key:
// quoted parts as they are, the others upper-cased, as Snowflake stores
// them.
func accountName(name string) string {
	parts := qualifiedPart.FindAllString(name, -1)
	for i, p := range parts {
		if strings.HasPrefix(p, `"`) {
			parts[i] = strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		} else {
			parts[i] = strings.ToUpper(p)
		}
	}
	return strings.Join(parts, ".")
}

// createOrAlter gives a task, created if need be, the predecessors named.
func (a *account) createOrAlter(name string, after []string) string {
	if len(after) > 100 {
		return fmt.Sprintf("%d predecessors", len(after))
	}
	lt := a.tasks[name]
	if lt != nil {
		if err := a.mayChange(name); err != "" {
			return err
		}
	}
	for _, p := range after {
		if a.tasks[p] == nil {
			return "predecessor " + p + " does not exist"
		}
		if err := a.mayChange(p); err != "" {
			return "linking to " + p + ": " + err
		}
		if slices.Contains(a.ancestors(p), name) || p == name {
			return "a loop through " + p
		}
	}
	if lt == nil {
		lt = &liveTask{}
		a.tasks[name] = lt
	}
	before := lt.after
	lt.after = slices.Clone(after)
	if len(after) == 0 && len(before) > 0 {
		lt.started = false // a child become root or standalone
	}
	return a.limits()
}

// drop drops a task, if it exists.
func (a *account) drop(name string) string {
	lt := a.tasks[name]
	if lt == nil {
		return ""
	}
	if len(lt.after) > 0 || len(a.children()[name]) > 0 {
		if err := a.mayChange(name); err != "" {
			return err
		}
	}
	delete(a.tasks, name)
	for _, other := range a.tasks {
		if i := slices.Index(other.after, name); i >= 0 {
			other.after = slices.Delete(other.after, i, i+1)
			if len(other.after) == 0 {
				other.started = false
			}
		}
	}
	return ""
}

// mayChange says why a task may not change now: a root above it, or the
// task itself when standalone or a root, is resumed.
func (a *account) mayChange(name string) string {
	for _, r := range a.roots(name) {
		if a.tasks[r].started {
			return "its graph's root " + r + " is resumed"
		}
	}
	return ""
}

// limits checks every task's children and every graph's tasks.
func (a *account) limits() string {
	kids := a.children()
	for name, k := range kids {
		if len(k) > 100 {
			return fmt.Sprintf("task %s would have %d child tasks", name, len(k))
		}
	}
	for name, lt := range a.tasks {
		if len(lt.after) == 0 && len(kids[name]) > 0 {
			if n := len(dependents(kids, name)); n > 1000 {
				return fmt.Sprintf("the graph of %s would have %d tasks", name, n)
			}
		}
	}
	return ""
}

func (a *account) children() map[string][]string {
	kids := map[string][]string{}
	for name, lt := range a.tasks {
		for _, p := range lt.after {
			kids[p] = append(kids[p], name)
		}
	}
	return kids
}

// dependents lists a task and every task after it, sorted.
func (a *account) dependents(root string) []string { return dependents(a.children(), root) }

func dependents(kids map[string][]string, root string) []string {
	seen := map[string]bool{root: true}
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		for _, k := range kids[queue[0]] {
			if !seen[k] {
				seen[k] = true
				queue = append(queue, k)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// ancestors lists the tasks before a task, transitively.
func (a *account) ancestors(name string) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		for _, p := range a.tasks[n].after {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				walk(p)
			}
		}
	}
	walk(name)
	return out
}

// roots lists the tasks without predecessors that a task runs after, or
// the task itself when it has none.
func (a *account) roots(name string) []string {
	var out []string
	for _, n := range append(a.ancestors(name), name) {
		if len(a.tasks[n].after) == 0 {
			out = append(out, n)
		}
	}
	return out
}

// deployMesh is a mesh of one product whose step s000, or first steps
// s000... and a step join after them all, come before tests
// t<from>...t<to-1> (every sixth of severity warn); with a start date to
// come, the root guards the graph.
func deployMesh(firstSteps, from, to int, startDate bool) []byte {
	var steps strings.Builder
	var names []string
	for i := range firstSteps {
		fmt.Fprintf(&steps, "  step \"s%03d\" {\n    run = runner.sql\n    sql = \"select %d\"\n  }\n", i, i)
		names = append(names, fmt.Sprintf("step.s%03d", i))
	}
	if firstSteps > 1 {
		fmt.Fprintf(&steps, "  step \"join\" {\n    run   = runner.sql\n    sql   = \"select 0\"\n    after = [%s]\n  }\n", strings.Join(names, ", "))
	}
	var mesh strings.Builder
	mesh.WriteString("-- mesh.hcl --\nmesh \"m\" {}\n")
	if startDate {
		mesh.WriteString("defaults {\n  start_date = \"2027-01-05\"\n}\n")
	}
	mesh.WriteString("environment \"prod\" {\n  database  = \"DB\"\n  warehouse = \"WH\"\n}\n")
	mesh.WriteString("-- d/domain.mesh.hcl --\ndomain \"d\" {\n  owner = \"d@example.com\"\n}\n")
	mesh.WriteString("source \"raw\" {\n  cadence = \"daily\"\n  table   = \"RAW.X.Y\"\n  column \"id\" { type = string }\n}\n")
	mesh.WriteString("product \"p\" {\n  version = \"1.0.0\"\n  input \"raw\" {\n    from    = source.raw\n    columns = [\"id\"]\n  }\n")
	mesh.WriteString("  port \"main\" {\n    table = \"P\"\n    column \"id\" {\n      type = string\n")
	for i := from; i < to; i++ {
		severity := ""
		if i%6 == 5 {
			severity = "        severity = \"warn\"\n"
		}
		fmt.Fprintf(&mesh, "      test \"t%03d\" {\n        check = not_null()\n%s      }\n", i, severity)
	}
	mesh.WriteString("    }\n  }\n" + steps.String() + "}\n")
	return []byte(mesh.String())
}

// TestRedeploy deploys a mesh's script on an account that runs the
// script of an earlier version of the mesh, in the model of Snowflake
// above, across Snowflake's 100 children and predecessors in both
// directions: no statement is refused, and what is deployed in the end
// is the new graph alone, resumed, as a fresh account would have it.
func TestRedeploy(t *testing.T) {
	type version struct {
		firstSteps, from, to int
		startDate            bool
	}
	tests := []struct {
		name     string
		versions []version
	}{
		// The step's 100 children become 2 THEN tasks, the first
		// before 100 tests that were not there; PUBLISH's 84
		// predecessors become 2 AFTER tasks.
		{"under to over", []version{{1, 100, 200, false}, {1, 0, 200, false}}},
		{"100 to 101", []version{{1, 0, 100, false}, {1, 0, 101, false}}},
		{"over to under", []version{{1, 0, 150, false}, {1, 0, 100, false}}},
		{"over to under, renamed", []version{{1, 0, 150, false}, {1, 200, 300, false}}},
		// The THEN tasks stay, with other tests after each.
		{"over to further over", []version{{1, 50, 200, false}, {1, 0, 250, false}}},
		{"over to less over", []version{{1, 0, 250, false}, {1, 50, 200, false}}},
		{"over, again", []version{{1, 0, 150, false}, {1, 0, 150, false}}},
		// Every test renamed: the old ones and the new would make a
		// graph of over 1000 tasks.
		{"700 tests renamed", []version{{1, 0, 700, false}, {1, 1000, 1700, false}}},
		{"under, over, under", []version{{1, 0, 90, false}, {1, 0, 180, false}, {1, 100, 190, false}}},
		// The root's first steps, which take its start date's
		// condition, and the join after them.
		{"first steps under to over", []version{{90, 0, 10, true}, {110, 0, 10, true}}},
		{"first steps over to under", []version{{110, 0, 10, true}, {90, 0, 10, true}}},
		{"first steps over to further over", []version{{110, 0, 10, true}, {250, 0, 10, true}}},
		// 101 last steps before 120 tests: the tests share 2 AFTER
		// tasks, each with 2 THEN tasks.
		{"gathered tests under to over", []version{{101, 0, 60, false}, {101, 0, 120, false}}},
		{"gathered tests over to under", []version{{101, 0, 120, false}, {101, 0, 60, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &account{tasks: map[string]*liveTask{}}
			var files []output.File
			for _, v := range tc.versions {
				p := meshtest.FuzzPlan(deployMesh(v.firstSteps, v.from, v.to, v.startDate))
				if p == nil {
					t.Fatal("the mesh does not compile")
				}
				files = build(t, p)
				a.deploy(t, files)
			}
			a.sameAsFresh(t, files)
		})
	}
}

// sameAsFresh checks that the account holds what the scripts deploy on an
// account of their own: the same tasks after the same tasks, all resumed.
func (a *account) sameAsFresh(t *testing.T, files []output.File) {
	t.Helper()
	fresh := freshAccount(t, files)
	shape := func(acc *account) map[string]string {
		out := map[string]string{}
		for name, lt := range acc.tasks {
			after := slices.Sorted(slices.Values(lt.after))
			out[name] = fmt.Sprintf("after %v, resumed %v", after, lt.started)
		}
		return out
	}
	sameTasks(t, shape(a), shape(fresh))
	for name, lt := range fresh.tasks {
		if !lt.started {
			t.Errorf("task %s is not resumed on a fresh account", name)
		}
	}
}

// sameTasks reports each task that the shapes of an account, got, and
// those it should have, want, by the tasks' names, do not hold alike.
func sameTasks(t *testing.T, got, want map[string]string) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[name]; !ok {
			t.Errorf("task %s is missing", name)
		} else if g != want[name] {
			t.Errorf("task %s: %s, want %s", name, g, want[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			t.Errorf("task %s is left over: %s", name, got[name])
		}
	}
}

// freshAccount is an account on which the domains' scripts have run:
// what the mesh deploys. retired-graphs.sql, which has nothing to drop
// there, is left out, so that a mistake of its that drops a current graph
// shows against it.
func freshAccount(t *testing.T, files []output.File) *account {
	t.Helper()
	fresh := &account{tasks: map[string]*liveTask{}}
	fresh.deploy(t, slices.DeleteFunc(slices.Clone(files), func(f output.File) bool { return f.Path == snowflake.RetiredGraphs }))
	return fresh
}

// retireDomain is a domain of a mesh that the tests below deploy: its
// name, its schema ("" for the default, its name upper-cased) and its
// products, each with a description (its root's COMMENT is then
// "[meshc MESH/ENV] domain.product: description").
type retireDomain struct {
	name, schema string
	products     []string
}

// retireMesh is a mesh of the domains, in an environment whose database
// is DB.
func retireMesh(mesh, env, prefix string, domains ...retireDomain) []byte {
	var m strings.Builder
	fmt.Fprintf(&m, "-- mesh.hcl --\nmesh %q {}\nenvironment %q {\n  database      = \"DB\"\n  schema_prefix = %q\n  warehouse     = \"WH\"\n}\n", mesh, env, prefix)
	for _, dom := range domains {
		fmt.Fprintf(&m, "-- %s/domain.mesh.hcl --\ndomain %q {\n  owner = \"%s@example.com\"\n", dom.name, dom.name, dom.name)
		if dom.schema != "" {
			fmt.Fprintf(&m, "  schema = %q\n", dom.schema)
		}
		fmt.Fprintf(&m, "}\nsource \"raw\" {\n  cadence = \"daily\"\n  table   = \"RAW.X.%s\"\n  column \"id\" { type = string }\n}\n", strings.ToUpper(dom.name))
		for _, p := range dom.products {
			fmt.Fprintf(&m, "product %q {\n  version     = \"1.0.0\"\n  description = \"Product %s of %s.\"\n", p, p, dom.name)
			m.WriteString("  input \"raw\" {\n    from    = source.raw\n    columns = [\"id\"]\n  }\n")
			fmt.Fprintf(&m, "  port \"main\" {\n    table = %q\n    column \"id\" {\n      type  = string\n      tests = [not_null()]\n    }\n  }\n", strings.ToUpper(p))
			m.WriteString("  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n}\n")
		}
	}
	return []byte(m.String())
}

// deployment is a mesh built for one environment.
type deployment struct {
	mesh, env, prefix string
	domains           []retireDomain
}

// scripts builds the deployment's scripts: the domains' in name order,
// then retired-graphs.sql, which runs after them.
func (dp deployment) scripts(t *testing.T) []output.File {
	t.Helper()
	p := meshtest.FuzzPlan(retireMesh(dp.mesh, dp.env, dp.prefix, dp.domains...))
	if p == nil {
		t.Fatal("the mesh does not compile")
	}
	files := build(t, p)
	last := slices.IndexFunc(files, func(f output.File) bool { return f.Path == snowflake.RetiredGraphs })
	if last < 0 {
		t.Fatalf("no %s among %d files", snowflake.RetiredGraphs, len(files))
	}
	return append(slices.Delete(slices.Clone(files), last, last+1), files[last])
}

// shapes describes every task of the account, by name.
func (a *account) shapes() map[string]string {
	out := map[string]string{}
	for name, lt := range a.tasks {
		out[name] = fmt.Sprintf("after %v, resumed %v, comment %q", slices.Sorted(slices.Values(lt.after)), lt.started, lt.comment)
	}
	return out
}

// TestRedeployRetired deploys a mesh's scripts on an account that runs
// those of an earlier version, in the model above, where products were
// removed or moved between two domains that share a schema. Each domain's
// script drops the graphs of its own products that the mesh no longer
// has, and no other: after d's script alone, e's graphs are as they were,
// and after all the scripts, the account holds what a fresh one would. A
// graph that an earlier meshc deployed, whose root's comment has no
// marker, is dropped too when it is d's.
func TestRedeployRetired(t *testing.T) {
	type mesh struct{ d, e []string }
	tests := []struct {
		name     string
		from, to mesh
		// gone are the products whose tasks d's script drops; kept, the
		// products of e whose tasks it leaves as they were.
		gone, kept []string
	}{
		{"removed from d", mesh{[]string{"a", "b"}, []string{"c"}}, mesh{[]string{"a"}, []string{"c"}}, []string{"B", "OLD", "BARE"}, []string{"C"}},
		{"several removed", mesh{[]string{"a", "b", "f"}, []string{"c"}}, mesh{[]string{"a"}, []string{"c"}}, []string{"B", "F", "OLD", "BARE"}, []string{"C"}},
		// The mesh still creates b's root in the schema, now e's script.
		{"moved to e", mesh{[]string{"a", "b"}, []string{"c"}}, mesh{[]string{"a"}, []string{"b", "c"}}, []string{"OLD", "BARE"}, []string{"B", "C"}},
		// Removed from e: d's script leaves it to e's.
		{"removed from e", mesh{[]string{"a"}, []string{"c", "x"}}, mesh{[]string{"a"}, []string{"c"}}, []string{"OLD", "BARE"}, []string{"C", "X"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deploy := func(m mesh) deployment {
				return deployment{"m", "prod", "", []retireDomain{{"d", "", m.d}, {"e", "D", m.e}}}
			}
			a := &account{tasks: map[string]*liveTask{}}
			a.deploy(t, deploy(tc.from).scripts(t))
			// A graph of d that meshc deployed before roots had a marker.
			a.tasks["DB.D.OLD$START"] = &liveTask{comment: "d.old: Product old of d.", started: true}
			a.tasks["DB.D.OLD$STEP$BUILD"] = &liveTask{after: []string{"DB.D.OLD$START"}, comment: "d.old step build", started: true}
			a.tasks["DB.D.BARE$START"] = &liveTask{comment: "d.bare", started: true} // without a description
			files := deploy(tc.to).scripts(t)
			before := a.shapes()
			if len(files) != 3 || files[0].Path != "d.sql" {
				t.Fatalf("files %v, want d.sql, e.sql and %s", files, snowflake.RetiredGraphs)
			}
			a.deploy(t, files[:1])
			after := a.shapes()
			for name, was := range before {
				short := strings.TrimPrefix(name, "DB.D.")
				product, _, _ := strings.Cut(short, "$")
				switch now, ok := after[name]; {
				case slices.Contains(tc.gone, product) && ok:
					t.Errorf("d.sql leaves task %s of a product the mesh no longer has", name)
				case slices.Contains(tc.kept, product) && !ok:
					t.Errorf("d.sql drops task %s of domain e", name)
				case slices.Contains(tc.kept, product) && now != was:
					t.Errorf("d.sql changes task %s of domain e: %s, was %s", name, now, was)
				}
			}
			a.deploy(t, files[1:])
			a.sameAsFresh(t, files)
		})
	}
}

// TestRetiredGraphs deploys, in the model above, a mesh's scripts and
// then retired-graphs.sql on an account that runs earlier deployments:
// of the same mesh and environment, whose graphs the scripts no longer
// deploy (a domain removed or left without products, a schema or a
// prefix changed), and of another environment or mesh in the same
// database, beside tasks made by hand. In the end, the account holds what
// a fresh account holds after the scripts, and the other deployments'
// tasks and the hand-made ones as they were.
func TestRetiredGraphs(t *testing.T) {
	d := retireDomain{"d", "", []string{"a", "b"}}
	e := retireDomain{"e", "", []string{"c"}}
	prod := func(domains ...retireDomain) deployment { return deployment{"m", "prod", "", domains} }
	dev := func(domains ...retireDomain) deployment { return deployment{"m", "dev", "DEV_", domains} }
	tests := []struct {
		name   string
		before []deployment
		after  deployment
		// others are the schemas whose tasks belong to deployments other
		// than after's, which must stay as they were.
		others []string
	}{
		{"domain removed", []deployment{prod(d, e)}, prod(d), nil},
		{"domain without products", []deployment{prod(d, e)}, prod(d, retireDomain{"e", "", nil}), nil},
		// Removed from d's schema, where d's script leaves it: its name
		// starts with d's.
		{"domain beside it removed", []deployment{prod(d, retireDomain{"dd", "D", []string{"g"}})}, prod(d), nil},
		{"every domain removed", []deployment{prod(d, e)}, prod(), nil},
		{"schema changed", []deployment{prod(d, e)}, prod(retireDomain{"d", "D2", d.products}, e), nil},
		{"domain renamed", []deployment{prod(d, e)}, prod(retireDomain{"f", "D", d.products}, e), nil},
		{"prefix changed", []deployment{prod(d, e)}, deployment{"m", "prod", "P_", []retireDomain{d, e}}, nil},
		// Both environments share the database, as the example's do not.
		{"dev beside prod", []deployment{prod(d, e), dev(d, e)}, dev(d), []string{"D", "E"}},
		{"prod beside dev", []deployment{dev(d, e), prod(d, e)}, prod(d), []string{"DEV_D", "DEV_E"}},
		// Another mesh of the same names, in schemas of its own.
		{"another mesh", []deployment{{"n", "prod", "N_", []retireDomain{d, e}}, prod(d, e)}, prod(d), []string{"N_D", "N_E"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &account{tasks: map[string]*liveTask{}}
			for _, dp := range tc.before {
				a.deploy(t, dp.scripts(t))
			}
			// Made by hand, or by a meshc that wrote no marker: left.
			a.tasks["DB.H.JOB"] = &liveTask{started: true}
			a.tasks["DB.H.OLD$START"] = &liveTask{comment: "h.old: Product old of h.", started: true}
			a.tasks["DB.H.NOTE$START"] = &liveTask{comment: "[meshc m/prod]", started: true}
			kept := map[string]string{}
			for name, shape := range a.shapes() {
				parts := strings.Split(name, ".")
				if parts[1] == "H" || slices.Contains(tc.others, parts[1]) {
					kept[name] = shape
				}
			}
			files := tc.after.scripts(t)
			a.deploy(t, files)
			want := freshAccount(t, files).shapes()
			for name, shape := range kept {
				want[name] = shape
			}
			sameTasks(t, a.shapes(), want)
		})
	}
}

// TestRenamedEnvironment deploys, in the model above, the scripts of an
// environment renamed in place, prod to live, whose mesh lost product b
// meanwhile, and then, as docs/targets/snowflake.md says, the script a
// mesh without domains builds for the old name: the new scripts take over
// the current graphs, giving their roots live's marker, and neither
// drops b's, whose root has prod's; the last script does, and nothing
// else.
func TestRenamedEnvironment(t *testing.T) {
	before := deployment{"m", "prod", "", []retireDomain{{"d", "", []string{"a", "b"}}, {"e", "", []string{"c"}}}}
	after := deployment{"m", "live", "", []retireDomain{{"d", "", []string{"a"}}, {"e", "", []string{"c"}}}}
	a := &account{tasks: map[string]*liveTask{}}
	a.deploy(t, before.scripts(t))
	files := after.scripts(t)
	a.deploy(t, files)
	if _, ok := a.tasks["DB.D.B$START"]; !ok {
		t.Fatal("live's scripts drop prod's graph of b: the test no longer shows what the old name's script is for")
	}
	a.deploy(t, deployment{"m", "prod", "", nil}.scripts(t))
	sameTasks(t, a.shapes(), freshAccount(t, files).shapes())
}

// TestRetiredGraphsLast checks that the domains' scripts are the *.sql
// files of the output folder and retired-graphs.sql is not, whatever the
// domains' names: run by that glob among them, it would drop the graph of
// a product moved to a domain whose script comes later, before that script
// gives its root the new domain's comment.
func TestRetiredGraphsLast(t *testing.T) {
	domains := []retireDomain{{"a", "", []string{"x"}}, {"zzz", "", []string{"y"}}, {"zz_z", "", []string{"z"}}}
	p := meshtest.FuzzPlan(retireMesh("m", "prod", "", domains...))
	if p == nil {
		t.Fatal("the mesh does not compile")
	}
	for _, f := range build(t, p) {
		if domain, _ := path.Match("*.sql", f.Path); domain == (f.Path == snowflake.RetiredGraphs) {
			t.Errorf("%s: matched by *.sql %v", f.Path, domain)
		}
	}
}

// TestRetiredPaged deploys, in the model above, a mesh's scripts on an
// account whose schemas hold more roots than one SHOW TASKS lists: those
// of other deployments, by name before the retired ones. d.sql must page
// through d's schema to drop b's graph, and retired-graphs.sql through
// e's to drop the graph of the removed domain e, both leaving the others'.
func TestRetiredPaged(t *testing.T) {
	before := deployment{"m", "prod", "", []retireDomain{{"d", "", []string{"a", "b"}}, {"e", "", []string{"c"}}}}
	after := deployment{"m", "prod", "", []retireDomain{{"d", "", []string{"a"}}}}
	a := &account{tasks: map[string]*liveTask{}}
	a.deploy(t, before.scripts(t))
	var others []string
	for _, schema := range []string{"D", "E"} {
		for i := range 10001 { // a page of SHOW's and one more
			name := fmt.Sprintf("DB.%s.A%05d$START", schema, i)
			if i >= 9998 { // the last of the first page, in D or E: FROM quotes it
				name += `'\`
			}
			a.tasks[name] = &liveTask{comment: "[meshc m/dev] " + strings.ToLower(schema) + ".x", started: true}
			others = append(others, name)
		}
	}
	shapes, kept := a.shapes(), map[string]string{}
	for _, name := range others {
		kept[name] = shapes[name]
	}
	files := after.scripts(t)
	a.deploy(t, files)
	want := freshAccount(t, files).shapes()
	maps.Copy(want, kept)
	sameTasks(t, a.shapes(), want)
}

// TestRetiredStreams deploys, in the model above, a mesh's scripts on an
// account whose schema holds more streams than one SHOW STREAMS lists:
// d.sql must drop the streams the retired product b's root waited on, and
// keep the others', those of another product whose name starts with b's,
// and those named as b's that are someone else's, more than a page of
// them, by name before b's: SHOW STREAMS ... STARTS WITH must page, and
// FROM escape the first page's last name, which has ' and \. A retired
// root whose name has ' and \ (made by hand) has its streams dropped too:
// STARTS WITH must escape them.
func TestRetiredStreams(t *testing.T) {
	before := deployment{"m", "prod", "", []retireDomain{{"d", "", []string{"a", "b"}}}}
	after := deployment{"m", "prod", "", []retireDomain{{"d", "", []string{"a"}}}}
	a := &account{tasks: map[string]*liveTask{}, streams: map[string]string{}}
	a.deploy(t, before.scripts(t))
	a.tasks[`DB.D.Q'\$START`] = &liveTask{comment: `[meshc m/prod] d.q'\`, started: true}
	gone := map[string]string{
		"DB.D.B$INPUT$E$X":   "d.b waits for e.x to publish",
		"DB.D.B$INPUT$E$Y":   "d.b waits for e.y to publish",
		`DB.D.Q'\$INPUT$E$X`: `d.q'\ waits for e.x to publish`,
	}
	kept := map[string]string{
		"DB.D.B$INPUT$F$X":  "someone's",
		"DB.D.BB$INPUT$E$X": "d.bb waits for e.x to publish",
		"DB.E.B$INPUT$E$X":  "d.b waits for e.x to publish",
	}
	for i := range 10001 { // a page of SHOW's and one more
		kept[fmt.Sprintf("DB.D.A$INPUT$E$X%05d", i)] = "d.a waits for e.x to publish"
		name := fmt.Sprintf("DB.D.B$INPUT$A%05d", i)
		if i == 9999 { // the last of the first page: FROM quotes it
			name += `'\`
		}
		kept[name] = "someone's"
	}
	maps.Copy(a.streams, gone)
	maps.Copy(a.streams, kept)
	a.deploy(t, after.scripts(t))
	if !maps.Equal(a.streams, kept) {
		for name := range gone {
			if _, ok := a.streams[name]; ok {
				t.Errorf("stream %s is left over", name)
			}
		}
		for name := range kept {
			if _, ok := a.streams[name]; !ok {
				t.Errorf("stream %s is missing", name)
			}
		}
	}
}
