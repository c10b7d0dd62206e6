package compiler_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/targets/airflow"
	"github.com/meshc/meshc/targets/gitlab"
	"github.com/meshc/meshc/targets/snowflake"
)

// compileReusing compiles tree with results kept in cache, and reports
// whether the result was one kept before.
func compileReusing(t *testing.T, tree load.Tree, cache *load.Cache, today time.Time) (*compiler.Result, bool) {
	t.Helper()
	reused := false
	trace := func(stage string, _ time.Duration) { reused = reused || stage == "load, the result kept" }
	res, err := compiler.Compile(tree, compiler.Options{Today: today, Cache: cache, Reuse: true, Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	return res, reused
}

// shown is what a result shows: its diagnostics as text and as JSON (with
// every range's lines and columns), the policy report and outcomes, the
// plan's dump, and the files each target builds from it, with their
// diagnostics.
func shown(res *compiler.Result) string {
	var out bytes.Buffer
	diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	diag.WriteJSON(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	compiler.WritePolicyReport(&out, res)
	json.NewEncoder(&out).Encode(res.Policies)
	if res.Plan == nil {
		return out.String()
	}
	out.Write(plan.Dump(res.Plan))
	builds := map[string]func() ([]output.File, diag.Diagnostics){
		"gitlab":    func() ([]output.File, diag.Diagnostics) { return gitlab.Build(res.Plan, gitlab.Options{}) },
		"airflow":   func() ([]output.File, diag.Diagnostics) { return airflow.Build(res.Plan, airflow.Options{}) },
		"snowflake": func() ([]output.File, diag.Diagnostics) { return snowflake.Build(res.Plan) },
	}
	for _, name := range []string{"gitlab", "airflow", "snowflake"} {
		files, ds := builds[name]()
		out.WriteString("== " + name + "\n")
		diag.WriteText(&out, ds, res.SourcesFor(ds))
		for _, f := range files {
			out.WriteString("-- " + f.Path + "\n")
			out.Write(f.Data)
		}
	}
	return out.String()
}

// TestKeptResultsAreInvisible compiles each mesh without a cache, then
// twice keeping results: the second reads the first's back, and all three
// show the same diagnostics, policy report and targets' files, byte for
// byte. A mesh in another folder, or judged on another day, is not the
// same compilation.
func TestKeptResultsAreInvisible(t *testing.T) {
	for name, tree := range cacheMeshes(t) {
		cache, err := load.OpenCache(t.TempDir(), "test")
		if err != nil {
			t.Fatal(err)
		}
		cold, err := compiler.Compile(tree, compiler.Options{Today: meshtest.Today})
		if err != nil {
			t.Fatal(err)
		}
		want := shown(cold)
		first, reused := compileReusing(t, tree, cache, meshtest.Today)
		if reused {
			t.Fatalf("%s: an empty cache had a result", name)
		}
		if got := shown(first); got != want {
			t.Errorf("%s: keeping the result changes it:\n%s", name, cmp.Diff(want, got))
		}
		second, reused := compileReusing(t, tree, cache, meshtest.Today)
		if loaded := cold.Mesh != nil; reused != loaded {
			// A mesh that did not load (a syntax error) is not kept:
			// loading it again from the cache of decoded files is quick.
			t.Errorf("%s: the result kept was read back: %v; the mesh loaded: %v", name, reused, loaded)
		}
		if got := shown(second); got != want {
			t.Errorf("%s: the result read back differs:\n%s", name, cmp.Diff(want, got))
		}
		if (second.Plan == nil) != (cold.Plan == nil) || second.Mesh != nil {
			t.Errorf("%s: read back, the plan is %v (want one: %v) and the mesh %v (want none)", name, second.Plan != nil, cold.Plan != nil, second.Mesh != nil)
		}
		moved := tree
		moved.Prefix = "elsewhere/" + tree.Prefix
		if _, reused := compileReusing(t, moved, cache, meshtest.Today); reused {
			t.Errorf("%s: the result of the mesh in another folder was reused", name)
		}
		if _, reused := compileReusing(t, tree, cache, meshtest.Today.AddDate(0, 0, 1)); reused {
			t.Errorf("%s: the result of another day was reused", name)
		}
		if _, _, warning := cache.Report(); warning != "" {
			t.Errorf("%s: %s", name, warning)
		}
	}
}

// TestKeptResultsWatchStepPaths checks that a result is not reused once a
// file or folder that a step names has changed kind, though no mesh file
// changed: it is gone, or a file became a folder.
func TestKeptResultsWatchStepPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("mesh.hcl", "mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")
	write("d/d.mesh.hcl", `domain "d" {
  owner = "d@example.com"
}

source "raw" {
  cadence = "daily"
  table   = "RAW.T"
  column "id" { type = integer }
}

product "p" {
  owner   = "d@example.com"
  version = "1.0.0"
  input "raw" {
    from    = source.raw
    columns = ["id"]
  }
  port "main" {
    table = "P"
    column "id" { type = integer }
  }
  step "build" {
    run  = runner.sql
    file = "sql/build.sql"
  }
  schedule { cadence = "daily" }
}
`)
	write("d/sql/build.sql", "SELECT 1\n")
	tree := load.Tree{FS: os.DirFS(dir)}
	cache, err := load.OpenCache(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string, wantReused bool, wantCode string) {
		t.Helper()
		res, reused := compileReusing(t, tree, cache, meshtest.Today)
		codes := []string{}
		for _, d := range res.Diagnostics {
			codes = append(codes, d.Code)
		}
		if reused != wantReused || (wantCode == "") != (len(codes) == 0) || (wantCode != "" && !slices.Contains(codes, wantCode)) {
			t.Errorf("%s: reused %v, diagnostics %v; want reused %v and %q", when, reused, codes, wantReused, wantCode)
		}
	}
	check("first", false, "")
	check("again", true, "")
	os.Remove(filepath.Join(dir, "d", "sql", "build.sql"))
	check("the SQL file removed", false, "missing-file")
	check("again", true, "missing-file")
	if err := os.Mkdir(filepath.Join(dir, "d", "sql", "build.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	check("a folder in its place", false, "missing-file")
	os.Remove(filepath.Join(dir, "d", "sql", "build.sql"))
	write("d/sql/build.sql", "SELECT 2\n")
	check("the file back, with other SQL", false, "")
	check("again", true, "")
}

// TestKeptResultSpoilt checks that a spoilt entry of a result is ignored
// with a warning, and the mesh checked again.
func TestKeptResultSpoilt(t *testing.T) {
	tree := load.Tree{FS: fstest.MapFS{
		"mesh.hcl": {Data: []byte("mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
	}}
	dir := t.TempDir()
	cache, _ := load.OpenCache(dir, "test")
	want := shown(must(compileReusing(t, tree, cache, meshtest.Today)))
	entries, _ := filepath.Glob(filepath.Join(dir, "??", "*"))
	for _, p := range entries {
		data, _ := os.ReadFile(p)
		data[len(data)-1] ^= 0x20
		os.WriteFile(p, data, 0o644)
	}
	cache, _ = load.OpenCache(dir, "test")
	res, reused := compileReusing(t, tree, cache, meshtest.Today)
	if got := shown(res); reused || got != want {
		t.Errorf("a spoilt result was reused (%v) or changed the output:\n%s", reused, cmp.Diff(want, got))
	}
	if _, _, warning := cache.Report(); !strings.Contains(warning, "corrupt cache") {
		t.Errorf("no warning about the spoilt entries, got %q", warning)
	}
}

func must(res *compiler.Result, _ bool) *compiler.Result { return res }
