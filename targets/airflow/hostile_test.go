package airflow_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/airflow"
)

// TestHostile builds testdata/cases/hostile.txtar, whose strings look like
// Python, Jinja and comment syntax, and reads the DAG back with Python:
// the file must call nothing but the operators and helpers meshc writes,
// and every string must reach Airflow exactly as written in the mesh, also
// after Airflow renders it as a Jinja template (when Python has Jinja).
func TestHostile(t *testing.T) {
	res, _ := meshtest.CompileArchive(t, "testdata/cases/hostile.txtar")
	if res.Plan == nil {
		t.Fatalf("compile: %v", res.Diagnostics)
	}
	p := res.Plan
	got := readBack(t, build(t, p, airflow.Options{}))

	wantCalls := []string{"Asset", "BashOperator", "CronTriggerTimetable", "DAG", "EmptyOperator", "SQLCheckOperator", "SQLExecuteQueryOperator", "TaskGroup", "pendulum.datetime"} // no defaults.retry_delay: no pendulum.duration
	if !slices.Equal(got.Calls, wantCalls) {
		t.Errorf("the file calls %v, want %v", got.Calls, wantCalls)
	}
	if c := got.Constants["CONN_ID"]; c != p.Environment.Connection {
		t.Errorf("CONN_ID = %q, want %q", c, p.Environment.Connection)
	}
	if c := got.Constants["MESH_PATH"]; c != p.Targets["airflow"].Text("mesh_path") {
		t.Errorf("MESH_PATH = %q", c)
	}
	if doc := got.Docstrings[0]; !strings.Contains(doc, p.Domains[0].Description) {
		t.Errorf("the docstring %q lost the domain's description %q", doc, p.Domains[0].Description)
	}

	pr := p.Products[0]
	dag := got.DAGs[0]

	// Airflow 2 renders a DAG's doc_md with Jinja when it parses the file:
	// there the description is escaped as templated fields are.
	doc2 := readBack(t, build(t, p, airflow.Options{Version: 2})).DAGs[0].DocMD
	if got := unliteral(doc2); got != dag.DocMD {
		t.Errorf("Airflow 2's doc_md, undone, is %q; want Airflow 3's %q", got, dag.DocMD)
	}
	// A task's doc_md is Markdown that neither version renders: written
	// as it is for both.
	dag2 := readBack(t, build(t, p, airflow.Options{Version: 2})).DAGs[0]
	if doc := dag.Tasks["steps.python"].Strings["doc_md"]; doc != pr.Steps[0].Description || dag2.Tasks["steps.python"].Strings["doc_md"] != doc {
		t.Errorf("the step's doc_md is %q on Airflow 3 and %q on Airflow 2; want %q on both", doc, dag2.Tasks["steps.python"].Strings["doc_md"], pr.Steps[0].Description)
	}
	if !strings.Contains(dag.DocMD, strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(pr.Description)) {
		t.Errorf("doc_md %q lost the description", dag.DocMD)
	}
	// A string Airflow renders must come out as the mesh wrote it; Jinja
	// drops one trailing newline, as it does for any template.
	rendered := func(task, field string) string {
		v, ok := dag.Tasks[task].Rendered[field]
		if !ok {
			t.Fatalf("task %s has no %s", task, field)
		}
		s, _ := v.(string)
		return s
	}
	templated := func(task, field, want string) {
		t.Helper()
		raw := dag.Tasks[task].Strings[field].(string)
		if got := unliteral(raw); got != want {
			t.Errorf("%s %s: %q, undone, is %q; want %q", task, field, raw, got, want)
		}
		if got.Jinja && rendered(task, field) != strings.TrimSuffix(want, "\n") {
			t.Errorf("%s %s renders as %q; want %q", task, field, rendered(task, field), want)
		}
	}
	var inline, python string
	for _, s := range pr.Steps {
		for _, a := range s.Args {
			if a.Name == "sql" {
				inline = a.String
			}
		}
	}
	templated("steps.inline", "sql", inline)
	for _, tt := range pr.Tests {
		templated("tests."+tt.ID, "sql", "SELECT COUNT(*) = 0 AS passed\nFROM (\n"+tt.SQL+"\n) AS failing_rows\n")
	}
	python = unliteral(dag.Tasks["steps.python"].Strings["bash_command"].(string))
	if got.Jinja {
		python = rendered("steps.python", "bash_command")
	}
	// Run the command with python standing for a program that prints its
	// arguments: each must arrive as written.
	out, err := exec.Command("bash", "-c", `python() { printf '%s\0' "$@"; }; `+python).Output()
	if err != nil {
		t.Fatalf("bash %q: %v", python, err)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	var want []string
	for _, s := range pr.Steps {
		for _, a := range s.Args {
			switch a.Name {
			case "script":
				want = append([]string{a.String}, want...)
			case "args":
				want = append(want, a.List...)
			}
		}
	}
	if !slices.Equal(args, want) {
		t.Errorf("the command's arguments are\n%q\nwant\n%q", args, want)
	}
	env := dag.Tasks["steps.python"].Strings["env"].(map[string]any)
	for _, v := range p.Targets["airflow"].Jobs["python"].Variables {
		if got := unliteral(env[v.Name].(string)); got != v.Value {
			t.Errorf("env %s = %q, want %q", v.Name, got, v.Value)
		}
	}
}

// unliteral undoes literal's escapes, {{ 'X' }} for X, and fails on any
// other Jinja syntax, which Airflow would evaluate.
func unliteral(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "{")
		if i < 0 || i+1 >= len(s) {
			return b.String() + s
		}
		b.WriteString(s[:i])
		s = s[i:]
		if !strings.ContainsRune("{%#", rune(s[1])) {
			b.WriteByte('{')
			s = s[1:]
			continue
		}
		rest, ok := strings.CutPrefix(s, "{{ '")
		if !ok || len(rest) < 5 || !strings.HasPrefix(rest[1:], "' }}") && !strings.HasPrefix(rest[2:], "' }}") {
			return "UNESCAPED JINJA: " + s
		}
		n := 1
		if !strings.HasPrefix(rest[1:], "' }}") {
			n = 2
		}
		b.WriteString(rest[:n])
		s = rest[n+4:]
	}
}
