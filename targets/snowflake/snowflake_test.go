package snowflake_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/snowsql"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/snowflake"
)

func build(t *testing.T, p *plan.Plan) []output.File {
	t.Helper()
	files, ds := snowflake.Build(p, snowflake.Options{})
	if ds.HasErrors() {
		t.Fatalf("build: %v", ds)
	}
	return output.Rendered(files)
}

// TestPharma compares the example's scripts with golden files, and checks
// that the task graphs read back from the SQL are the mesh's.
func TestPharma(t *testing.T) {
	for _, env := range []string{"", "dev"} {
		name := "pharma"
		if env != "" {
			name += "." + env
		}
		t.Run(name, func(t *testing.T) {
			p := meshtest.Pharma(t, env)
			files := build(t, p)
			golden.Check(t, "snowflake/"+name+".txtar", meshtest.Archive(files, nil, nil))
			got := readBack(t, files)
			want := map[string]graphShape{}
			for _, pr := range p.Products {
				want[pr.ID] = expected(pr)
			}
			if diff := cmp.Diff(want, got.graphs(p), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("task graphs read back from the SQL differ from the mesh (-mesh +sql):\n%s", diff)
			}
		})
	}
}

// graphShape is what a test compares of a product's task graph: its tasks
// (by name without the product's prefix), their predecessors, the root's
// cron, and the products whose publications start it.
type graphShape struct {
	After  map[string][]string
	Cron   string
	Inputs []string
}

// expected builds a product's graph from the plan, as docs/targets/
// snowflake.md says it maps.
func expected(pr *plan.Product) graphShape {
	up := strings.ToUpper
	g := graphShape{After: map[string][]string{"START": nil}}
	runsAfter := map[*plan.Step]bool{}
	for _, s := range pr.Steps {
		var after []string
		for _, a := range s.After {
			after = append(after, "STEP$"+up(a.Name))
			runsAfter[a] = true
		}
		if len(after) == 0 {
			after = []string{"START"}
		}
		g.After["STEP$"+up(s.Name)] = after
	}
	var sinks []string
	for _, s := range pr.Steps {
		if !runsAfter[s] {
			sinks = append(sinks, "STEP$"+up(s.Name))
		}
	}
	var gate []string
	for _, t := range pr.Tests {
		id := "TEST$" + up(strings.ReplaceAll(t.ID, ".", "$"))
		g.After[id] = sinks
		if t.Severity == "error" {
			gate = append(gate, id)
		}
	}
	if len(gate) == 0 {
		gate = sinks
	}
	g.After["PUBLISH"] = gate
	for name := range g.After {
		slices.Sort(g.After[name])
	}
	if c := pr.Schedule.Cadence; c != nil {
		g.Cron = c.CronSundayZero + " " + pr.Schedule.Timezone
	} else {
		for _, in := range pr.Inputs {
			if in.Producer != nil && !slices.Contains(g.Inputs, in.Producer.ID) {
				g.Inputs = append(g.Inputs, in.Producer.ID)
			}
		}
		slices.Sort(g.Inputs)
		if best := pr.FastestSource(); len(g.Inputs) == 0 && best != nil {
			g.Cron = best.Cadence.CronSundayZero + " " + pr.Schedule.Timezone
		}
	}
	return g
}

// script is what the reader found in generated scripts.
type script struct {
	tasks   map[string]*readTask // by qualified name
	streams map[string]string    // stream -> the table it is on
	tables  []string
	enabled []string // roots resumed, in order
	kinds   []string // every statement's kind, in order
}

type readTask struct {
	name, schedule, when, body string
	comment                    string // as written, quoted
	after                      []string
	clauses                    []string
}

var (
	createTask   = regexp.MustCompile(`^CREATE (?:OR ALTER )?TASK (\S+)\n((?:  .*\n|    .*\n)*)AS\n`)
	createStream = regexp.MustCompile(`^CREATE STREAM IF NOT EXISTS (\S+)\n  ON TABLE (\S+)\n  APPEND_ONLY = TRUE\n  COMMENT = '(?:[^'\\]|''|\\.)*'$`)
	createTable  = regexp.MustCompile(`^CREATE TABLE IF NOT EXISTS (\S+) \(\n[^;]*\)\n(?:  CHANGE_TRACKING = TRUE\n  MAX_DATA_EXTENSION_TIME_IN_DAYS = 90\n)?  COMMENT = '(?:[^'\\]|''|\\.)*'$`)
	suspend      = regexp.MustCompile(`^ALTER TASK IF EXISTS (\S+) SUSPEND$`)
	enable       = regexp.MustCompile(`^SELECT SYSTEM\$TASK_DEPENDENTS_ENABLE\('([^']+)'\)$`)
	dropStale    = regexp.MustCompile(`^EXECUTE IMMEDIATE \$\$\nDECLARE\n  stale CURSOR FOR\n    SELECT name\n    FROM TABLE\(\S+\.INFORMATION_SCHEMA\.TASK_DEPENDENTS\(TASK_NAME => '([^']+)', RECURSIVE => TRUE\)\)\n`)
	dropRetired  = regexp.MustCompile(`^EXECUTE IMMEDIATE \$\$\nDECLARE\n  roots_shown VARCHAR;\n(?s:.*)SHOW TASKS IN (?:SCHEMA|DATABASE) `)
)

// readBack reads every statement of the scripts, failing on any statement
// that is not one of the kinds meshc writes. A task's AFTER and WHEN are
// those it has in the end: a fan-out task gets them after it is created.
func readBack(t *testing.T, files []output.File) *script {
	t.Helper()
	s := &script{tasks: map[string]*readTask{}, streams: map[string]string{}}
	for _, f := range files {
		for _, stmt := range snowsql.Split(string(f.Contents())) {
			stmt = stripComments(stmt)
			switch {
			case createTask.MatchString(stmt):
				rt := parseTask(createTask.FindStringSubmatch(stmt), stmt)
				if s.tasks[rt.name] != nil {
					t.Errorf("task %s is created twice", rt.name)
				}
				s.tasks[rt.name] = rt
				s.kinds = append(s.kinds, "task")
			case createStream.MatchString(stmt):
				m := createStream.FindStringSubmatch(stmt)
				s.streams[m[1]] = m[2]
				s.kinds = append(s.kinds, "stream")
			case createTable.MatchString(stmt):
				s.tables = append(s.tables, createTable.FindStringSubmatch(stmt)[1])
				s.kinds = append(s.kinds, "table")
			case suspend.MatchString(stmt):
				s.kinds = append(s.kinds, "suspend")
			case dropStale.MatchString(stmt):
				s.kinds = append(s.kinds, "cleanup")
			case dropRetired.MatchString(stmt):
				s.kinds = append(s.kinds, "retire")
			case dropTask.MatchString(stmt):
				s.kinds = append(s.kinds, "drop")
			case addAfter.MatchString(stmt):
				m := addAfter.FindStringSubmatch(stmt)
				rt := s.tasks[m[1]]
				if rt == nil {
					t.Fatalf("%s: %s joins the graph before it is created", f.Path, m[1])
				}
				rt.after = append(rt.after, strings.Split(strings.ReplaceAll(m[2], " ", ""), ",")...)
				s.kinds = append(s.kinds, "join")
			case modifyWhen.MatchString(stmt):
				m := modifyWhen.FindStringSubmatch(stmt)
				rt := s.tasks[m[1]]
				if rt == nil {
					t.Fatalf("%s: %s gets a condition before it is created", f.Path, m[1])
				}
				rt.when = strings.TrimPrefix(stmt, m[0])
				s.kinds = append(s.kinds, "when")
			case enable.MatchString(stmt):
				s.enabled = append(s.enabled, enable.FindStringSubmatch(stmt)[1])
				s.kinds = append(s.kinds, "enable")
			default:
				t.Fatalf("%s: a statement meshc does not write:\n%s", f.Path, stmt)
			}
		}
	}
	return s
}

// parseTask reads a CREATE [OR ALTER] TASK statement, given createTask's
// match of it.
func parseTask(m []string, stmt string) *readTask {
	rt := &readTask{name: m[1], body: strings.TrimPrefix(stmt, m[0])}
	clauses := strings.Split(strings.TrimSuffix(m[2], "\n"), "\n")
	for i := 0; i < len(clauses); i++ {
		c := strings.TrimSpace(clauses[i])
		switch {
		case strings.HasPrefix(c, "AFTER "):
			list := strings.TrimPrefix(c, "AFTER ")
			for i+1 < len(clauses) && strings.HasPrefix(clauses[i+1], "    ") {
				i++
				list += strings.TrimSpace(clauses[i])
			}
			rt.after = strings.Split(list, ",")
		case strings.HasPrefix(c, "COMMENT = "):
			rt.comment = strings.TrimPrefix(c, "COMMENT = ")
		case strings.HasPrefix(c, "SCHEDULE = "):
			rt.schedule = strings.Trim(strings.TrimPrefix(c, "SCHEDULE = "), "'")
		case strings.HasPrefix(c, "WHEN "):
			rt.when = strings.TrimPrefix(c, "WHEN ")
			for i+1 < len(clauses) && strings.HasPrefix(clauses[i+1], "  AND ") {
				i++
				rt.when += " " + strings.TrimSpace(clauses[i])
			}
		}
		rt.clauses = append(rt.clauses, strings.SplitN(c, " ", 2)[0])
	}
	return rt
}

// stripComments drops the comment lines that head a statement.
func stripComments(stmt string) string {
	for stmt = strings.TrimSpace(stmt); strings.HasPrefix(stmt, "--"); stmt = strings.TrimSpace(stmt) {
		_, stmt, _ = strings.Cut(stmt, "\n")
	}
	return stmt
}

var streamHasData = regexp.MustCompile(`SYSTEM\$STREAM_HAS_DATA\('([^']+)'\)`)

// graphs groups the tasks read back by product and describes each graph
// as the mesh would.
func (s *script) graphs(p *plan.Plan) map[string]graphShape {
	out := map[string]graphShape{}
	publishedBy := map[string]string{} // publication table -> product
	for _, pr := range p.Products {
		publishedBy[strings.ToUpper(pr.Name)+"$PUBLICATIONS"] = pr.ID
	}
	for _, pr := range p.Products {
		prefix := snowsql.QualifiedName(p.Environment.Database, p.Environment.SchemaPrefix+pr.Domain.Schema, strings.ToUpper(pr.Name)+"$")
		g := graphShape{After: map[string][]string{}}
		for name, rt := range s.tasks {
			// Mesh names hold no $, so no other product's tasks start
			// with this prefix.
			short, ok := strings.CutPrefix(name, prefix)
			if !ok {
				continue
			}
			var after []string
			for _, a := range rt.after {
				after = append(after, strings.TrimPrefix(a, prefix))
			}
			slices.Sort(after)
			g.After[short] = after
			if short == "START" {
				if rt.schedule != "" {
					g.Cron = strings.TrimPrefix(rt.schedule, "USING CRON ")
				}
				for _, m := range streamHasData.FindAllStringSubmatch(rt.when, -1) {
					table := s.streams[m[1]]
					g.Inputs = append(g.Inputs, publishedBy[table[strings.LastIndex(table, ".")+1:]])
				}
				slices.Sort(g.Inputs)
			}
		}
		out[pr.ID] = g
	}
	return out
}

// TestDeterministic builds the example four times, reading its files in a
// different random order each time, and compares the bytes.
func TestDeterministic(t *testing.T) {
	var first []output.File
	for i := range 4 {
		files := build(t, meshtest.ShuffledPharma(t, uint64(i)))
		if first == nil {
			first = files
			continue
		}
		if diff := cmp.Diff(first, files); diff != "" {
			t.Fatalf("build %d differs from the first:\n%s", i, diff)
		}
	}
}

// testCase is a mesh under testdata/cases/ and what building it gave.
type testCase struct {
	name  string
	plan  *plan.Plan
	files []output.File
	out   []byte
}

func cases(t *testing.T) []testCase {
	t.Helper()
	var out []testCase
	for _, mc := range meshtest.Cases(t) {
		res := mc.Result
		c := testCase{name: mc.Name, plan: res.Plan}
		c.files, c.out = meshtest.BuildCase(res, func(p *plan.Plan) ([]output.File, diag.Diagnostics) { return snowflake.Build(p, snowflake.Options{}) })
		out = append(out, c)
	}
	return out
}

// TestCases compares each case's scripts, or diagnostics, with its golden
// file, and reads every script built back.
func TestCases(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			golden.Check(t, "snowflake/cases/"+c.name+".txtar", c.out)
			if c.files != nil {
				readBack(t, c.files)
			}
		})
	}
}

// TestStartDate checks the guard of a start date that may be to come:
// every root returns beforeStart until the day, and only the first steps,
// which every other task waits for, are skipped on it. A start date meshc
// knows has passed, as the example's, gives no guard.
func TestStartDate(t *testing.T) {
	res, _ := meshtest.CompileArchive(t, "testdata/cases/start_date.txtar")
	if res.Plan == nil {
		t.Fatalf("compile: %v", res.Diagnostics)
	}
	s := readBack(t, build(t, res.Plan))
	const when = `SYSTEM$GET_PREDECESSOR_RETURN_VALUE('%s$START') != 'before start_date 2027-01-05'`
	for name, rt := range s.tasks {
		short := name[strings.LastIndex(name, ".")+1:]
		product, _, _ := strings.Cut(short, "$")
		switch {
		case strings.HasSuffix(short, "$START"):
			if !strings.Contains(rt.body, "< DATE_FROM_PARTS(2027, 1, 5)) THEN\n    CALL SYSTEM$SET_RETURN_VALUE('before start_date 2027-01-05');") {
				t.Errorf("root %s does not guard its graph until the start date:\n%s", name, rt.body)
			}
		case len(rt.after) == 1 && rt.after[0] == "DB.D."+product+"$START":
			if want := fmt.Sprintf(when, product); rt.when != want {
				t.Errorf("first step %s runs WHEN %q, want %q", name, rt.when, want)
			}
		case rt.when != "":
			t.Errorf("task %s, after %v, has a condition: %s", name, rt.after, rt.when)
		}
	}
	for _, f := range build(t, meshtest.Pharma(t, "")) {
		if strings.Contains(string(f.Contents()), "before start_date") {
			t.Errorf("%s guards a start date that has passed (the example's, %s)", f.Path, "2026-01-05")
		}
	}
}

// buildKeeping builds as meshc build does, keeping the files keep has
// room for (meshtest.Build).
func buildKeeping(p *plan.Plan, keep *output.Allowance) ([]output.File, diag.Diagnostics) {
	return snowflake.Build(p, snowflake.Options{Keep: keep})
}

// TestRendersAgain checks that the files rendered again to be written
// are those the build renders to keep.
func TestRendersAgain(t *testing.T) { meshtest.RendersAgain(t, snowflake.Owner, buildKeeping) }

// TestStepFilesUnreadable checks the error for a step's SQL file that
// cannot be read when the target puts its SQL into the file it writes.
func TestStepFilesUnreadable(t *testing.T) { meshtest.StepFilesUnreadable(t, buildKeeping) }

// TestSameOnAnyCores builds a synthetic mesh with one core and with four:
// the build shares its work out, and must write the same bytes.
func TestSameOnAnyCores(t *testing.T) {
	p := meshtest.Synthetic(t, 300)
	meshtest.SameOnAnyCores(t, func() ([]output.File, diag.Diagnostics) { return snowflake.Build(p, snowflake.Options{}) })
}

// TestCompletionRequired checks the guard behind the standard library's
// target_completion_interval, which no mesh can unset: without it, a
// product that runs on its inputs as a serverless task is an error, as
// Snowflake requires the interval of such a task.
func TestCompletionRequired(t *testing.T) {
	p := meshtest.Pharma(t, "")
	sf := p.Targets[snowflake.Name]
	if sf == nil || sf.Options["target_completion_interval"] == nil {
		t.Fatal("the standard library sets no target_completion_interval")
	}
	delete(sf.Options, "target_completion_interval")
	p.Environment.Warehouse = "" // serverless
	_, ds := snowflake.Build(p, snowflake.Options{})
	if !slices.ContainsFunc(ds, func(d *diag.Diagnostic) bool { return d.Code == "snowflake-completion" }) {
		t.Errorf("no snowflake-completion error without a completion interval: %v", ds)
	}
}

// TestStepFilesNotStatements checks that step SQL files the tasks could
// not run as written are refused.
func TestStepFilesNotStatements(t *testing.T) {
	meshtest.StepFilesNotStatements(t, buildKeeping, "snowflake-runner")
}
