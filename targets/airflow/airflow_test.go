package airflow_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/airflow"
)

func pharma(t *testing.T, env string) *plan.Plan { return meshtest.Pharma(t, env) }

func build(t *testing.T, p *plan.Plan, o airflow.Options) []output.File {
	t.Helper()
	files, ds := airflow.Build(p, o)
	if ds.HasErrors() {
		t.Fatalf("build: %v", ds)
	}
	return output.Rendered(files)
}

var pharmaBuilds = []struct {
	name string
	env  string
	opts airflow.Options
}{
	{"pharma", "", airflow.Options{}},
	{"pharma.airflow2", "", airflow.Options{Version: 2}},
	{"pharma.dev", "dev", airflow.Options{}},
}

// TestPharma compares the example's DAG files with golden files, and
// checks that the DAGs read back from the Python are the mesh's.
func TestPharma(t *testing.T) {
	for _, tt := range pharmaBuilds {
		t.Run(tt.name, func(t *testing.T) {
			p := pharma(t, tt.env)
			files := build(t, p, tt.opts)
			golden.Check(t, "airflow/"+tt.name+".txtar", meshtest.Archive(files, nil, nil))
			checkImports(t, files, tt.opts.Version)
			got := readBack(t, files)
			want := map[string]dagGraph{}
			for _, pr := range p.Products {
				want[pr.Domain.Name+"."+pr.Name] = expected(p, pr)
			}
			if diff := cmp.Diff(want, got.graphs(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("DAGs read back from the Python differ from the mesh (-mesh +python):\n%s", diff)
			}
		})
	}
}

// importsOf are the modules each Airflow version's DAG files import from:
// Airflow 3's Task SDK and standard provider, or Airflow 2's core modules,
// which Airflow 3 moved or removed.
var importsOf = map[int][]string{
	3: {"airflow.sdk", "airflow.providers.standard.operators.bash", "airflow.providers.standard.operators.empty", "airflow.providers.common.sql.operators.sql", "airflow.timetables.trigger", "airflow.timetables.assets"},
	2: {"airflow", "airflow.datasets", "airflow.utils.task_group", "airflow.operators.bash", "airflow.operators.empty", "airflow.providers.common.sql.operators.sql", "airflow.timetables.trigger", "airflow.timetables.datasets"},
}

var importLine = regexp.MustCompile(`^from (\S+) import `)

func checkImports(t *testing.T, files []output.File, version int) {
	t.Helper()
	if version == 0 {
		version = 3
	}
	for _, f := range files {
		for _, line := range strings.Split(string(f.Contents()), "\n") {
			if m := importLine.FindStringSubmatch(line); m != nil {
				if module := m[1]; !slices.Contains(importsOf[version], module) {
					t.Errorf("%s imports from %s, which is not a module of Airflow %d's DAGs", f.Path, module, version)
				}
			}
		}
	}
}

// dagGraph is what a test compares of a DAG: its tasks, dependencies,
// schedule and outlets.
type dagGraph struct {
	Tasks   map[string]string // task id -> operator
	Edges   [][2]string
	Crons   []string
	Assets  []string
	Outlets []string
}

// expected builds a product's DAG from the plan, as the target's
// documentation says it maps: a task per step after the steps it runs
// after, a task per test after the last steps, and publish after the
// error-severity tests (or the last steps when there are none).
func expected(p *plan.Plan, pr *plan.Product) dagGraph {
	g := dagGraph{Tasks: map[string]string{"publish": "EmptyOperator"}}
	uri := func(port *plan.Port) string {
		return "x-meshc://" + p.Environment.Name + "/" + strings.ReplaceAll(port.ID, ".", "/")
	}
	runsAfter := map[*plan.Step]bool{}
	for _, s := range pr.Steps {
		op := "BashOperator"
		if s.Runner.Name == "sql" {
			op = "SQLExecuteQueryOperator"
		}
		g.Tasks["steps."+s.Name] = op
		for _, a := range s.After {
			g.Edges = append(g.Edges, [2]string{"steps." + a.Name, "steps." + s.Name})
			runsAfter[a] = true
		}
	}
	var sinks []string
	for _, s := range pr.Steps {
		if !runsAfter[s] {
			sinks = append(sinks, "steps."+s.Name)
		}
	}
	gate := 0
	for _, t := range pr.Tests {
		id := "tests." + t.ID
		g.Tasks[id] = "SQLCheckOperator"
		for _, s := range sinks {
			g.Edges = append(g.Edges, [2]string{s, id})
		}
		if t.Severity == "error" {
			g.Edges = append(g.Edges, [2]string{id, "publish"})
			gate++
		} else {
			// Not a leaf, so that its failure does not fail the run.
			g.Tasks["warnings_reported"] = "EmptyOperator"
			g.Edges = append(g.Edges, [2]string{id, "warnings_reported"})
		}
	}
	if gate == 0 {
		for _, s := range sinks {
			g.Edges = append(g.Edges, [2]string{s, "publish"})
		}
	}
	slices.SortFunc(g.Edges, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, in := range pr.Inputs {
		if in.Port != nil && pr.Schedule.OnInputs {
			g.Assets = append(g.Assets, uri(in.Port))
		}
	}
	slices.Sort(g.Assets)
	g.Assets = slices.Compact(g.Assets)
	if c := pr.Schedule.Cadence; c != nil {
		g.Crons = []string{c.Cron}
	} else if len(g.Assets) == 0 {
		// Only sources: the most frequent source's cadence.
		if best := pr.FastestSource(); best != nil && pr.Schedule.OnInputs {
			g.Crons = []string{best.Cadence.Cron}
		}
	}
	for _, port := range pr.Ports {
		g.Outlets = append(g.Outlets, uri(port))
	}
	slices.Sort(g.Outlets)
	return g
}

// readBackResult is what testdata/readback.py prints.
type readBackResult struct {
	Calls      []string
	Undefined  []string
	Arguments  map[string][]string
	Constants  map[string]string
	Docstrings []string
	Jinja      bool // whether the rendered strings were rendered
	DAGs       []struct {
		DagID          string `json:"dag_id"`
		DocMD          string `json:"doc_md"`
		Tasks          map[string]readTask
		Edges          [][2]string
		ScheduleAssets []string `json:"schedule_assets"`
		ScheduleCrons  []string `json:"schedule_crons"`
		Outlets        []string
	}
}

type readTask struct {
	Operator string
	Strings  map[string]any
	Rendered map[string]any
}

func (r *readBackResult) graphs() map[string]dagGraph {
	out := map[string]dagGraph{}
	for _, d := range r.DAGs {
		g := dagGraph{Tasks: map[string]string{}, Edges: d.Edges, Crons: d.ScheduleCrons, Assets: d.ScheduleAssets, Outlets: d.Outlets}
		for id, t := range d.Tasks {
			g.Tasks[id] = t.Operator
		}
		out[d.DagID] = g
	}
	return out
}

// python returns the Python that tests run, or skips the test.
func python(t *testing.T) string {
	t.Helper()
	py := os.Getenv("MESHC_PYTHON")
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		t.Skipf("no %s to read the DAG files back with", py)
	}
	return py
}

// readBack writes files to a temporary folder and reads them back with
// testdata/readback.py, which parses and compiles each one.
func readBack(t *testing.T, files []output.File) *readBackResult {
	t.Helper()
	dir := t.TempDir()
	args := []string{filepath.Join("testdata", "readback.py")}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.WriteFile(path, f.Contents(), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	cmd := exec.Command(python(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reading the DAG files back: %v\n%s", err, stderr.String())
	}
	var r readBackResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Undefined) > 0 {
		t.Errorf("the DAG files read names they neither import nor assign: %v", r.Undefined)
	}
	return &r
}

// TestDeterministic builds the example four times, reading its files in a
// different random order each time, and compares the bytes.
func TestDeterministic(t *testing.T) {
	var first []output.File
	for i := range 4 {
		files := build(t, meshtest.ShuffledPharma(t, uint64(i)), airflow.Options{})
		if first == nil {
			first = files
			continue
		}
		if diff := cmp.Diff(first, files); diff != "" {
			t.Fatalf("build %d differs from the first:\n%s", i, diff)
		}
	}
}

// testCase is a mesh under testdata/cases/, built with the options its
// archive's comment names (a line such as "version: 2").
type testCase struct {
	name  string
	files []output.File
	out   []byte
}

func cases(t *testing.T) []testCase {
	t.Helper()
	var out []testCase
	for _, mc := range meshtest.Cases(t) {
		res := mc.Result
		var opts airflow.Options
		for _, line := range strings.Split(mc.Comment, "\n") {
			if v, ok := strings.CutPrefix(line, "version: "); ok {
				opts.Version, _ = strconv.Atoi(v)
			}
		}
		c := testCase{name: mc.Name}
		c.files, c.out = meshtest.BuildCase(res, func(p *plan.Plan) ([]output.File, diag.Diagnostics) { return airflow.Build(p, opts) })
		out = append(out, c)
	}
	return out
}

// TestCases compares each case's files, or diagnostics, with its golden
// file, and reads every file built back with Python.
func TestCases(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			golden.Check(t, "airflow/cases/"+c.name+".txtar", c.out)
			if c.files != nil {
				readBack(t, c.files)
			}
		})
	}
}

// TestTaskIDs reads back the tasks of testdata/cases/column_ids.txtar,
// whose column names hold $ or are too long for a task id: each test must
// be one task, whose id Airflow takes (validate_key: KEY_REGEX and at
// most 250 characters), and which shows the test's ID, as its id or as
// its display name. A test whose ID Airflow takes keeps it as its id.
func TestTaskIDs(t *testing.T) {
	res, _ := meshtest.CompileArchive(t, "testdata/cases/column_ids.txtar")
	if res.Plan == nil {
		t.Fatalf("compile: %v", res.Diagnostics)
	}
	files, ds := airflow.Build(res.Plan, airflow.Options{})
	if ds.HasErrors() {
		t.Fatalf("build: %v", ds)
	}
	airflowKey := regexp.MustCompile(`^[\w.-]+$`)
	shown := map[string]string{} // the test's ID -> its task's id
	for id, task := range readBack(t, output.Rendered(files)).DAGs[0].Tasks {
		if !airflowKey.MatchString(id) || len(id) > 250 {
			t.Errorf("Airflow refuses the task id %q (%d characters)", id, len(id))
		}
		test, ok := strings.CutPrefix(id, "tests.")
		if !ok {
			continue
		}
		if name, ok := task.Strings["task_display_name"].(string); ok {
			test = name
		}
		if other, ok := shown[test]; ok {
			t.Errorf("tasks %s and %s both show test %s", other, id, test)
		}
		shown[test] = id
	}
	for _, test := range res.Plan.Products[0].Tests {
		id, ok := shown[test.ID]
		switch {
		case !ok:
			t.Errorf("no task shows test %s", test.ID)
		case airflowKey.MatchString(test.ID) && len("tests."+test.ID) <= 250 && id != "tests."+test.ID:
			t.Errorf("test %s is the task %s; want its ID unchanged", test.ID, id)
		}
	}
	if len(shown) != len(res.Plan.Products[0].Tests) {
		t.Errorf("%d test tasks for %d tests", len(shown), len(res.Plan.Products[0].Tests))
	}
}

// parameters are the arguments meshc may pass to each callable, from the
// Airflow documentation of each version (API references of Airflow 3's
// Task SDK, airflow.timetables and the standard and common-sql providers;
// Airflow 2.9's airflow.models.dag, airflow.operators and
// airflow.timetables): positional arguments as #0, #1.
var parameters = map[string][]string{
	"DAG":                     {"dag_id", "description", "doc_md", "schedule", "start_date", "catchup", "max_active_runs", "tags", "default_args"},
	"TaskGroup":               {"#0"},
	"Asset":                   {"name", "uri"}, // Airflow 3
	"Dataset":                 {"#0"},          // Airflow 2
	"AssetOrTimeSchedule":     {"timetable", "assets"},
	"DatasetOrTimeSchedule":   {"timetable", "datasets"},
	"CronTriggerTimetable":    {"#0", "timezone"},
	"BashOperator":            {"task_id", "bash_command", "cwd", "env", "append_env", "skip_on_exit_code", "doc_md"},
	"EmptyOperator":           {"task_id", "outlets", "trigger_rule"},
	"SQLExecuteQueryOperator": {"task_id", "conn_id", "hook_params", "sql", "split_statements", "doc_md"},
	"SQLCheckOperator":        {"task_id", "task_display_name", "conn_id", "hook_params", "sql", "retries", "doc_md"}, // task_display_name: Airflow 2.9 and later
	"pendulum.datetime":       {"#0", "#1", "#2", "tz"},
	"pendulum.duration":       {"days", "hours", "minutes", "seconds"},
}

// TestParameters checks that every call in the generated files passes only
// parameters the callable has, for both versions.
func TestParameters(t *testing.T) {
	for _, tt := range pharmaBuilds {
		files := build(t, pharma(t, tt.env), tt.opts)
		for _, c := range cases(t) {
			files = append(files, c.files...)
		}
		for i := range files {
			files[i].Path = strconv.Itoa(i) + "_" + files[i].Path
		}
		got := readBack(t, files)
		for callee, args := range got.Arguments {
			allowed := parameters[callee]
			if allowed == nil {
				t.Errorf("%s: meshc calls %s, which the test does not know", tt.name, callee)
			}
			for _, a := range args {
				if !slices.Contains(allowed, a) {
					t.Errorf("%s: %s is given %s, which is not one of its parameters %v", tt.name, callee, a, allowed)
				}
			}
		}
	}
}

// buildKeeping builds as meshc build does, keeping the files keep has
// room for (meshtest.Build).
func buildKeeping(p *plan.Plan, keep *output.Allowance) ([]output.File, diag.Diagnostics) {
	return airflow.Build(p, airflow.Options{Keep: keep})
}

// TestRendersAgain checks that the files rendered again to be written
// are those the build renders to keep.
func TestRendersAgain(t *testing.T) { meshtest.RendersAgain(t, airflow.Owner, buildKeeping) }

// TestStepFilesUnreadable checks the error for a step's SQL file that
// cannot be read when the target puts its SQL into the file it writes.
func TestStepFilesUnreadable(t *testing.T) { meshtest.StepFilesUnreadable(t, buildKeeping) }

// TestStepFilesNotStatements checks that step SQL files the tasks could
// not run as written are refused.
func TestStepFilesNotStatements(t *testing.T) {
	meshtest.StepFilesNotStatements(t, buildKeeping, "airflow-no-runner")
}

// TestSameOnAnyCores builds a synthetic mesh with one core and with four:
// the build shares its work out, and must write the same bytes.
func TestSameOnAnyCores(t *testing.T) {
	p := meshtest.Synthetic(t, 300)
	meshtest.SameOnAnyCores(t, func() ([]output.File, diag.Diagnostics) { return airflow.Build(p, airflow.Options{}) })
}
