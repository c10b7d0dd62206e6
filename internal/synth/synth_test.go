package synth_test

import (
	"bytes"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler"
	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./... -update
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/format"
	"github.com/meshc/meshc/lang/load"
)

// TestMeshIsClean checks that synthetic meshes check with no diagnostic,
// with several domains and a partial last one, and that a size always
// gives the same files.
func TestMeshIsClean(t *testing.T) {
	for _, n := range []int{1, 7, 130} {
		fsys := synth.Mesh(n)
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Diagnostics) > 0 {
			var out bytes.Buffer
			diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
			t.Fatalf("synth.Mesh(%d) is not clean:\n%s", n, out.String())
		}
		if got := len(res.Plan.Products); got != n {
			t.Errorf("synth.Mesh(%d) has %d products", n, got)
		}
		again := synth.Mesh(n)
		for name, f := range fsys {
			if g := again[name]; g == nil || !bytes.Equal(g.Data, f.Data) {
				t.Errorf("synth.Mesh(%d) differs between calls in %s", n, name)
			}
		}
	}
}

// TestMixedCadences checks that a mesh with weekly products has no error
// (their downstream SLAs allow a week) and has diamonds of mixed cadences,
// which it exists to exercise.
func TestMixedCadences(t *testing.T) {
	fsys := synth.Generate(synth.Options{Products: 600, Seed: 1, MixedCadences: true})
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	drifts := 0
	for _, d := range res.Diagnostics {
		if d.Code == "cadence-drift" {
			drifts++
		} else {
			var out bytes.Buffer
			diag.WriteText(&out, diag.Diagnostics{d}, res.SourcesFor(diag.Diagnostics{d}))
			t.Errorf("unexpected diagnostic:\n%s", out.String())
		}
	}
	if drifts == 0 {
		t.Error("no cadence-drift warning: the mesh has no diamond of mixed cadences")
	}
}

// TestDense checks that a dense mesh with weekly products has no error,
// has diamonds of mixed cadences, and that every product outside the first
// domain reads 4 to 8 products of the domain before its own, and nothing
// else.
func TestDense(t *testing.T) {
	fsys := synth.Generate(synth.Options{Products: 300, ProductsPerDomain: 60, Seed: 1, Dense: true, MixedCadences: true})
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), WholeMesh: true})
	if err != nil {
		t.Fatal(err)
	}
	drifts := 0
	for _, d := range res.Diagnostics {
		if d.Code != "cadence-drift" {
			t.Fatalf("unexpected diagnostic: %s: %s", d.Summary, d.Detail)
		}
		drifts++
	}
	if drifts == 0 {
		t.Error("no cadence-drift warning")
	}
	for _, p := range res.Plan.Products {
		d := domainNumber(t, p.Domain.Name)
		if d == 0 {
			continue
		}
		if n := len(p.Inputs); n < 4 || n > 8 {
			t.Errorf("%s reads %d inputs", p.ID, n)
		}
		for _, in := range p.Inputs {
			if in.Producer == nil || domainNumber(t, in.Producer.Domain.Name) != d-1 {
				t.Errorf("%s reads something other than a product of the domain before", p.ID)
			}
		}
	}
}

// TestSQLFiles checks that a mesh whose steps keep their SQL in files is
// clean, also where an environment's schema_prefix reads every file, and
// that its steps are those of the same mesh with the SQL inline, each
// reading a file of the mesh that holds its SQL.
func TestSQLFiles(t *testing.T) {
	compile := func(fsys fs.FS, env string) *compiler.Result {
		t.Helper()
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Env: env, Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(res.Diagnostics) > 0 {
			t.Fatalf("env %q: %v %v", env, err, res.Diagnostics)
		}
		return res
	}
	files := synth.Generate(synth.Options{Products: 130, Seed: 1, SQLFiles: true})
	compile(files, "dev")
	inline, got := compile(synth.Mesh(130), "").Plan, compile(files, "").Plan
	for i, p := range got.Products {
		want := inline.Products[i]
		if p.ID != want.ID || len(p.Steps) != len(want.Steps) {
			t.Fatalf("product %d is %s with %d steps; want %s with %d", i, p.ID, len(p.Steps), want.ID, len(want.Steps))
		}
		for j, s := range p.Steps {
			file, sql := s.Args[0], want.Steps[j].Args[0]
			if file.Name != "file" || sql.Name != "sql" {
				t.Fatalf("%s.%s reads %s, and its inline twin %s", p.ID, s.Name, file.Name, sql.Name)
			}
			text := files[file.String]
			if text == nil || strings.Join(strings.Fields(string(text.Data)), " ") != sql.String+";" {
				t.Errorf("%s.%s reads %s, which does not hold %q", p.ID, s.Name, file.String, sql.String)
			}
		}
	}
}

// TestReadsBack checks that a mesh whose products read only nearby
// domains is clean, and that no product reads further back: the inputs
// reach further without the bound.
func TestReadsBack(t *testing.T) {
	farthest := func(o synth.Options) int {
		res, err := compiler.Compile(load.Tree{FS: synth.Generate(o)}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(res.Diagnostics) > 0 {
			t.Fatalf("%+v: %v %v", o, err, res.Diagnostics)
		}
		far := 0
		for _, p := range res.Plan.Products {
			for _, in := range p.Inputs {
				if in.Producer != nil {
					far = max(far, domainNumber(t, p.Domain.Name)-domainNumber(t, in.Producer.Domain.Name))
				}
			}
		}
		return far
	}
	o := synth.Options{Products: 1200, ProductsPerDomain: 20, Seed: 1}
	if got := farthest(o); got <= 2 {
		t.Fatalf("without a bound, inputs reach %d domains back; the test needs more than 2", got)
	}
	o.ReadsBack = 2
	if got := farthest(o); got > 2 {
		t.Errorf("with ReadsBack 2, an input reaches %d domains back", got)
	}
}

func domainNumber(t *testing.T, name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "d"))
	if err != nil {
		t.Fatalf("domain %q is not d and a number", name)
	}
	return n
}

// TestMeshIsFormatted checks that synthetic files are laid out as meshc
// fmt lays them out, as a real mesh's are.
func TestMeshIsFormatted(t *testing.T) {
	for name, f := range synth.Mesh(130) {
		formatted(t, name, f.Data)
	}
	for name, f := range synth.Generate(synth.Options{Products: 130, Seed: 1, HandWritten: true, SQLFiles: true}) {
		if strings.HasSuffix(name, ".hcl") {
			formatted(t, "hand-written "+name, f.Data)
		}
	}
}

// formatted fails t unless src is laid out as meshc fmt lays it out.
func formatted(t *testing.T, name string, src []byte) {
	t.Helper()
	got, ds := format.Source(src, name)
	if ds.HasErrors() {
		t.Fatalf("%s: %s", name, ds[0].Summary)
	}
	if !bytes.Equal(got, src) {
		t.Errorf("%s is not formatted:\n%s", name, cmp.Diff(string(src), string(got)))
	}
}
