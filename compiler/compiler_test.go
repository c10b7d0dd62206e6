package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"golang.org/x/tools/txtar"
)

// today fixes the date deprecations are judged against, so that golden
// files do not change with the calendar.
var today = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// TestBroken checks each mesh under testdata/broken/ (a txtar archive of its
// files) and compares the diagnostics with testdata/golden/check/NAME.txt,
// and with those of compiling it again as meshc check does.
// Each archive's comment says what it shows; a broken mesh must produce at
// least one error.
func TestBroken(t *testing.T) {
	archives, err := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "*.txtar"))
	if err != nil || len(archives) == 0 {
		t.Fatalf("no broken meshes found: %v", err)
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := compileArchive(t, ar, compiler.Options{Today: today})
			if !res.Diagnostics.HasErrors() && !strings.Contains(string(ar.Comment), "warning only") {
				t.Errorf("the mesh has no errors; a broken mesh must produce one (or say 'warning only' in its comment)")
			}
			text := func(res *compiler.Result) []byte {
				var out bytes.Buffer
				diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
				return out.Bytes()
			}
			out := text(res)
			golden.Check(t, "check/"+name+".txt", out)
			// Once more as meshc check compiles, which checks the tests'
			// templates rather than rendering them. Output that follows a
			// map's order (HCL's "did you mean" among equally near names
			// did) may differ between compilations, too.
			if again := text(compileArchive(t, ar, compiler.Options{Today: today, NoTestSQL: true})); !bytes.Equal(again, out) {
				t.Errorf("compiling as meshc check does gave other diagnostics:\n%s\nthe first time:\n%s", again, out)
			}
		})
	}
}

func compileArchive(t *testing.T, ar *txtar.Archive, opts compiler.Options) *compiler.Result {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	res, err := compiler.Compile(load.Tree{FS: fsys}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestExamples checks every mesh under examples/: it must have no
// diagnostics at all, its plan must match testdata/golden/plan/NAME.txt for
// each environment, and compiling twice must give the same plan.
func TestExamples(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(golden.Root(), "examples", "*", "mesh.hcl"))
	if len(dirs) == 0 {
		t.Skip("no examples yet")
	}
	for _, meshFile := range dirs {
		dir := filepath.Dir(meshFile)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			for _, env := range []string{"", "dev"} {
				res := compileDir(t, dir, env)
				if len(res.Diagnostics) > 0 {
					var out bytes.Buffer
					diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
					t.Fatalf("examples/%s is not clean:\n%s", name, out.String())
				}
				got := plan.Dump(res.Plan)
				again := plan.Dump(compileDir(t, dir, env).Plan)
				if !bytes.Equal(got, again) {
					t.Errorf("two compilations of examples/%s differ", name)
				}
				suffix := ""
				if env != "" {
					suffix = "." + env
				}
				golden.Check(t, "plan/"+name+suffix+".txt", got)
			}
		})
	}
}

func compileDir(t *testing.T, dir, env string) *compiler.Result {
	t.Helper()
	// Compile with the path relative to the repository root, as a user in
	// the root would type it, so that golden files hold no local paths.
	rel, err := filepath.Rel(golden.Root(), dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := compiler.Compile(load.Tree{FS: os.DirFS(dir), Prefix: filepath.ToSlash(rel) + "/"}, compiler.Options{Env: env, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSQLArguments checks the SQL that tests with SQL arguments render
// (testdata/broken/test_sql_argument_statements, less its mistakes): a
// line comment ending an expression ends its line, so that the template's
// closing parenthesis is not part of it, and a custom query's semicolon
// goes, so that the targets can run it as a subquery.
func TestSQLArguments(t *testing.T) {
	ar, err := txtar.ParseFile(filepath.Join(golden.Root(), "testdata", "broken", "test_sql_argument_statements.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range ar.Files {
		text := strings.Replace(string(f.Data), `, expression("-- to do")`, "", 1)
		if at := strings.Index(text, `  test "two_queries"`); at >= 0 {
			text = text[:at] + "}\n"
		}
		ar.Files[i].Data = []byte(text)
	}
	res := compileArchive(t, ar, compiler.Options{Today: today})
	if len(res.Diagnostics) > 0 {
		t.Fatalf("the mesh without its mistakes has diagnostics: %v", res.Diagnostics)
	}
	want := map[string]string{
		"main.expression": "SELECT * FROM DB.PAYER.CLAIMS WHERE NOT (claims >= 0 -- never negative\n)",
		"none_negative":   "SELECT 1 FROM CLAIMS WHERE claims < 0 -- none expected",
	}
	for _, p := range res.Plan.Products {
		for _, test := range p.Tests {
			if test.SQL != want[test.ID] {
				t.Errorf("test %s renders\n%s\nwant\n%s", test.ID, test.SQL, want[test.ID])
			}
			delete(want, test.ID)
		}
	}
	if len(want) > 0 {
		t.Errorf("tests not found: %v", want)
	}
}
