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
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/targets/snowflake"
)

// intermediate matches the tasks meshc adds to keep a task within
// Snowflake's 100 children (...$THEN$n) and 100 predecessors
// (...$AFTER$n). Mesh names start with a letter, so no other task's name
// ends in $ and a number.
var intermediate = regexp.MustCompile(`\$(THEN|AFTER)\$[0-9]+$`)

// afterThen is a fan-out task of a fan-in task.
var afterThen = regexp.MustCompile(`\$AFTER\$[0-9]+\$THEN\$[0-9]+$`)

// TestSpread builds the cases whose graphs need intermediate tasks and
// reads them back: every task is within Snowflake's limits, and with the
// intermediate tasks taken out (each replaced by its predecessors) every
// graph is the mesh's, as TestPharma checks for graphs within the limits.
// Only the tasks right after a root that guards a start date have a
// condition, and all of them do.
func TestSpread(t *testing.T) {
	for _, name := range []string{"spread", "spread_steps"} {
		t.Run(name, func(t *testing.T) {
			res, _ := meshtest.CompileArchive(t, "testdata/cases/"+name+".txtar")
			if res.Plan == nil {
				t.Fatalf("compile: %v", res.Diagnostics)
			}
			checkSpread(t, res.Plan)
		})
	}
	// 101 last steps before 120 tests: the tests share two AFTER tasks,
	// each of which would have the 120 tests as children, so each gets
	// two THEN tasks before them.
	var steps strings.Builder
	for i := range 101 {
		fmt.Fprintf(&steps, "  step \"s%03d\" {\n    run = runner.sql\n    sql = \"select %d\"\n  }\n", i, i)
	}
	p := meshtest.FuzzPlan([]byte(oneProduct(120, steps.String())))
	if p == nil {
		t.Fatal("the mesh does not compile")
	}
	t.Run("fan-in then fan-out", func(t *testing.T) {
		s := checkSpread(t, p)
		var gathers, spreads int
		for name := range s.tasks {
			switch {
			case afterThen.MatchString(name):
				spreads++
			case strings.Contains(name, "$AFTER$"):
				gathers++
			}
		}
		if gathers != 2 || spreads != 4 {
			t.Errorf("%d AFTER tasks and %d THEN tasks after them, want 2 shared by the tests and 4", gathers, spreads)
		}
	})
}

// checkSpread builds a plan, checks its graphs as TestSpread says and
// returns what it read back.
func checkSpread(t *testing.T, p *plan.Plan) *script {
	t.Helper()
	s := readBack(t, build(t, p))
	children := map[string]int{}
	added := 0
	for name, rt := range s.tasks {
		if len(rt.after) > 100 {
			t.Errorf("task %s runs after %d tasks", name, len(rt.after))
		}
		for _, a := range rt.after {
			children[a]++
		}
		if intermediate.MatchString(name) {
			added++
			if !strings.HasPrefix(rt.body, "CALL SYSTEM$SET_RETURN_VALUE('") {
				t.Errorf("intermediate task %s does something: %s", name, rt.body)
			}
		}
		first := len(rt.after) == 1 && strings.HasSuffix(rt.after[0], "$START")
		guarded := p.Defaults.StartDate > "2026-11-24"
		if (first && guarded) != (rt.when != "") && !strings.HasSuffix(name, "$START") {
			t.Errorf("task %s, after %v, runs WHEN %q", name, rt.after, rt.when)
		}
	}
	if added == 0 {
		t.Error("no intermediate tasks")
	}
	for name, n := range children {
		if n > 100 {
			t.Errorf("%d tasks run after %s", n, name)
		}
	}
	want := map[string]graphShape{}
	for _, pr := range p.Products {
		want[pr.ID] = expected(pr)
	}
	got := s.graphs(p)
	for id, g := range got {
		got[id] = withoutIntermediates(g)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("task graphs read back without intermediate tasks differ from the mesh (-mesh +sql):\n%s", diff)
	}
	return s
}

// withoutIntermediates takes the intermediate tasks out of a graph, each
// task running after the predecessors of its intermediate predecessors.
func withoutIntermediates(g graphShape) graphShape {
	var resolve func(names []string) []string
	resolve = func(names []string) []string {
		var out []string
		for _, n := range names {
			if intermediate.MatchString(n) {
				out = append(out, resolve(g.After[n])...)
			} else {
				out = append(out, n)
			}
		}
		return out
	}
	after := map[string][]string{}
	for name, preds := range g.After {
		if intermediate.MatchString(name) {
			continue
		}
		p := resolve(preds)
		slices.Sort(p)
		after[name] = slices.Compact(p)
	}
	g.After = after
	return g
}

// TestTooManyTasks checks that a graph over Snowflake's 1000 tasks is
// refused, counting the intermediate tasks, and with that one error: its
// tasks are each within 100 predecessors and children.
func TestTooManyTasks(t *testing.T) {
	p := meshtest.FuzzPlan([]byte(oneProduct(990, "  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n")))
	if p == nil {
		t.Fatal("the mesh does not compile")
	}
	_, ds := snowflake.Build(p, snowflake.Options{})
	var got []string
	for _, d := range ds {
		got = append(got, d.Code+": "+d.Detail)
	}
	// 990 tests (825 of severity error), a step, the root, PUBLISH, ten
	// THEN tasks before the tests and nine AFTER tasks after them.
	want := []string{"snowflake-limit: The product's graph would have 1012 tasks: one for each of its 991 steps and tests, and 21 of meshc's; Snowflake allows 1000 in one graph. Split the product."}
	if diff := cmp.Diff(want, got); diff != "" || !ds.HasErrors() {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// oneProduct is a mesh, as a txtar archive, of one product with the steps
// given and n not_null tests, every sixth of severity warn.
func oneProduct(n int, steps string) string {
	var mesh strings.Builder
	mesh.WriteString("-- mesh.hcl --\nmesh \"m\" {}\nenvironment \"prod\" {\n  database  = \"DB\"\n  warehouse = \"WH\"\n}\n")
	mesh.WriteString("-- d/domain.mesh.hcl --\ndomain \"d\" {\n  owner = \"d@example.com\"\n}\n")
	mesh.WriteString("source \"raw\" {\n  cadence = \"daily\"\n  table   = \"RAW.X.Y\"\n  column \"id\" { type = string }\n}\n")
	mesh.WriteString("product \"p\" {\n  version = \"1.0.0\"\n  input \"raw\" {\n    from    = source.raw\n    columns = [\"id\"]\n  }\n")
	mesh.WriteString("  port \"main\" {\n    table = \"P\"\n    column \"id\" {\n      type = string\n")
	for i := range n {
		severity := ""
		if i%6 == 5 {
			severity = "        severity = \"warn\"\n"
		}
		fmt.Fprintf(&mesh, "      test \"t%03d\" {\n        check = not_null()\n%s      }\n", i, severity)
	}
	mesh.WriteString("    }\n  }\n" + steps + "}\n")
	return mesh.String()
}
