package snowflake_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/snowsql"
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
//     with their comments (SHOW TASKS).
//
// The documentation does not say that a graph must stay connected while it
// is built: it says that a graph's structure can be defined once its tasks
// exist, with ALTER TASK ... ADD AFTER in any order (CREATE TASK, AFTER),
// and DROP TASK leaves a dropped task's children as roots of their own.
// So the model lets a task have predecessors under different roots for a
// while, and counts a graph's tasks from each root.
type account struct {
	tasks map[string]*liveTask // by qualified name
}

type liveTask struct {
	after   []string
	comment string // as the script writes it, quoted
	started bool
}

var (
	dropTask   = regexp.MustCompile(`^DROP TASK IF EXISTS (\S+)$`)
	addAfter   = regexp.MustCompile(`^ALTER TASK (\S+) ADD AFTER ([^\n]+)$`)
	modifyWhen = regexp.MustCompile(`^ALTER TASK (\S+) MODIFY WHEN `)
	keepNames  = regexp.MustCompile(`(?s)WHERE name NOT IN \((.*?)\n    \);`)
	dropPrefix = regexp.MustCompile(`'DROP TASK IF EXISTS (\S+)' \|\|`)
	quoted     = regexp.MustCompile(`'([^']*)'`)
	// What the block that drops retired graphs keeps, and whose graphs
	// it drops: the roots whose comment starts with the domain's prefix.
	retiredKeep   = regexp.MustCompile(`(?s)AND name NOT IN \((.*?)\n      \)`)
	retiredDomain = regexp.MustCompile(`AND \(note = '([^']*)' \|\| product OR`)
)

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
	case createTable.MatchString(stmt), createStream.MatchString(stmt):
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
		a.tasks[rt.name].comment = rt.comment
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

// dropRetired runs the block that drops the graphs of a domain's products
// the mesh no longer has: the roots named PRODUCT$START in the schema, but
// those it keeps, whose comment is the domain's prefix and the product's
// name, alone or before ": ". Each root is suspended, the tasks after it
// dropped, then the root.
func (a *account) dropRetired(stmt string) string {
	schema := dropRetired.FindStringSubmatch(stmt)[1]
	keep := map[string]bool{}
	for _, m := range quoted.FindAllStringSubmatch(retiredKeep.FindStringSubmatch(stmt)[1], -1) {
		keep[m[1]] = true
	}
	prefix := retiredDomain.FindStringSubmatch(stmt)[1]
	var roots []string // SHOW TASKS ... ROOT ONLY, run once
	for name, lt := range a.tasks {
		short, ok := strings.CutPrefix(name, schema+".")
		if !ok || len(lt.after) > 0 || keep[short] || !strings.HasSuffix(short, "$START") {
			continue
		}
		id := prefix + strings.ToLower(strings.TrimSuffix(short, "$START"))
		// Quoting keeps prefixes: compare the literals.
		if lt.comment == snowsql.String(id) || strings.HasPrefix(lt.comment, strings.TrimSuffix(snowsql.String(id+": "), "'")) {
			roots = append(roots, name)
		}
	}
	slices.Sort(roots)
	for _, root := range roots {
		a.tasks[root].started = false
		for _, name := range a.dependents(root) {
			if name != root {
				if err := a.drop(name); err != "" {
					return err
				}
			}
		}
		if err := a.drop(root); err != "" {
			return err
		}
	}
	return ""
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
	fresh := &account{tasks: map[string]*liveTask{}}
	fresh.deploy(t, files)
	shape := func(acc *account) map[string]string {
		out := map[string]string{}
		for name, lt := range acc.tasks {
			after := slices.Sorted(slices.Values(lt.after))
			out[name] = fmt.Sprintf("after %v, resumed %v", after, lt.started)
		}
		return out
	}
	got, want := shape(a), shape(fresh)
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("task %s is missing", name)
		} else if g != w {
			t.Errorf("task %s: %s, want %s", name, g, w)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("task %s is left over: %s", name, g)
		}
	}
	for name, lt := range fresh.tasks {
		if !lt.started {
			t.Errorf("task %s is not resumed on a fresh account", name)
		}
	}
}

// retireMesh is a mesh of domain d and domain e, which shares d's schema,
// with a product of each name given, each with a description (its root's
// COMMENT is then "domain.product: description").
func retireMesh(d, e []string) []byte {
	var mesh strings.Builder
	mesh.WriteString("-- mesh.hcl --\nmesh \"m\" {}\nenvironment \"prod\" {\n  database  = \"DB\"\n  warehouse = \"WH\"\n}\n")
	for _, dom := range []struct {
		name, schema string
		products     []string
	}{{"d", "", d}, {"e", "D", e}} {
		fmt.Fprintf(&mesh, "-- %s/domain.mesh.hcl --\ndomain %q {\n  owner = \"%s@example.com\"\n", dom.name, dom.name, dom.name)
		if dom.schema != "" {
			fmt.Fprintf(&mesh, "  schema = %q\n", dom.schema)
		}
		fmt.Fprintf(&mesh, "}\nsource \"raw\" {\n  cadence = \"daily\"\n  table   = \"RAW.X.%s\"\n  column \"id\" { type = string }\n}\n", strings.ToUpper(dom.name))
		for _, p := range dom.products {
			fmt.Fprintf(&mesh, "product %q {\n  version     = \"1.0.0\"\n  description = \"Product %s of %s.\"\n", p, p, dom.name)
			mesh.WriteString("  input \"raw\" {\n    from    = source.raw\n    columns = [\"id\"]\n  }\n")
			fmt.Fprintf(&mesh, "  port \"main\" {\n    table = %q\n    column \"id\" {\n      type  = string\n      tests = [not_null()]\n    }\n  }\n", strings.ToUpper(p))
			mesh.WriteString("  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n}\n")
		}
	}
	return []byte(mesh.String())
}

// TestRedeployRetired deploys a mesh's scripts on an account that runs those of an
// earlier version, in the model above, where products were removed or
// moved between two domains that share a schema. Each domain's script
// drops the graphs of its own products that the mesh no longer has, and
// no other: after d's script alone, e's graphs are as they were, and after
// both, the account holds what a fresh one would.
func TestRedeployRetired(t *testing.T) {
	type mesh struct{ d, e []string }
	tests := []struct {
		name     string
		from, to mesh
		// gone are the products whose tasks d's script drops; kept, the
		// products of e whose tasks it leaves as they were.
		gone, kept []string
	}{
		{"removed from d", mesh{[]string{"a", "b"}, []string{"c"}}, mesh{[]string{"a"}, []string{"c"}}, []string{"B"}, []string{"C"}},
		{"several removed", mesh{[]string{"a", "b", "f"}, []string{"c"}}, mesh{[]string{"a"}, []string{"c"}}, []string{"B", "F"}, []string{"C"}},
		// The mesh still creates b's root in the schema, now e's script.
		{"moved to e", mesh{[]string{"a", "b"}, []string{"c"}}, mesh{[]string{"a"}, []string{"b", "c"}}, nil, []string{"B", "C"}},
		// Removed from e: d's script leaves it to e's.
		{"removed from e", mesh{[]string{"a"}, []string{"c", "x"}}, mesh{[]string{"a"}, []string{"c"}}, nil, []string{"C", "X"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scripts := func(m mesh) []output.File {
				p := meshtest.FuzzPlan(retireMesh(m.d, m.e))
				if p == nil {
					t.Fatal("the mesh does not compile")
				}
				return build(t, p)
			}
			a := &account{tasks: map[string]*liveTask{}}
			a.deploy(t, scripts(tc.from))
			files := scripts(tc.to)
			before := map[string]string{}
			for name, lt := range a.tasks {
				before[name] = fmt.Sprintf("after %v, resumed %v", lt.after, lt.started)
			}
			if len(files) != 2 || files[0].Path != "d.sql" {
				t.Fatalf("files %v, want d.sql and e.sql", files)
			}
			a.deploy(t, files[:1])
			for name, was := range before {
				short := strings.TrimPrefix(name, "DB.D.")
				product, _, _ := strings.Cut(short, "$")
				switch lt := a.tasks[name]; {
				case slices.Contains(tc.gone, product) && lt != nil:
					t.Errorf("d.sql leaves task %s of a product the mesh no longer has", name)
				case slices.Contains(tc.kept, product) && lt == nil:
					t.Errorf("d.sql drops task %s of domain e", name)
				case slices.Contains(tc.kept, product) && fmt.Sprintf("after %v, resumed %v", lt.after, lt.started) != was:
					t.Errorf("d.sql changes task %s of domain e", name)
				}
			}
			a.deploy(t, files[1:])
			a.sameAsFresh(t, files)
		})
	}
}
