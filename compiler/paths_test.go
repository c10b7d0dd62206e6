package compiler_test

import (
	"io/fs"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/load"
)

// lstatCounter is a mesh's files that count the Lstats asked of them.
type lstatCounter struct {
	fstest.MapFS
	lstats atomic.Int64
}

func (c *lstatCounter) Lstat(name string) (fs.FileInfo, error) {
	c.lstats.Add(1)
	return c.MapFS.Lstat(name)
}

// TestStepPathsFromListings checks that the paths steps name are looked up
// in the listings loading made of the folders it walked, not asked of the
// file system again, and that a path into a folder loading skipped is.
func TestStepPathsFromListings(t *testing.T) {
	files := synth.Generate(synth.Options{Products: 60, Seed: 1, SQLFiles: true})
	fsys := &lstatCounter{MapFS: files}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today})
	if err != nil || len(res.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, res.Diagnostics)
	}
	if n := fsys.lstats.Load(); n != 0 {
		t.Errorf("checking the steps of 60 products asked for %d Lstats; want none", n)
	}

	// A step whose SQL is in a folder loading does not walk.
	files["domains/d0/_shared/stage.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	p0 := files["domains/d0/p0.mesh.hcl"]
	named := `file = "sql/p0_stage.sql"`
	if !strings.Contains(string(p0.Data), named) {
		t.Fatalf("p0's first step does not read the file as %s", named)
	}
	p0.Data = []byte(strings.Replace(string(p0.Data), named, `file = "_shared/stage.sql"`, 1))
	fsys.lstats.Store(0)
	res, err = compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today})
	if err != nil || len(res.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, res.Diagnostics)
	}
	if n := fsys.lstats.Load(); n != 1 {
		t.Errorf("a step reading a file in a folder loading skips asked for %d Lstats; want 1", n)
	}
}

// unlisted is a mesh's files whose folder listings leave out one name,
// which Lstat still finds: as a file system that ignores case finds
// "SQL.sql" for the entry "sql.sql" its listing shows.
type unlisted struct {
	fstest.MapFS
	name string
}

func (u unlisted) ReadDir(dir string) ([]fs.DirEntry, error) {
	entries, err := u.MapFS.ReadDir(dir)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == u.name }), err
}

// TestStepPathsMissingFromListings checks that a name a listing lacks is
// asked of the file system, which refuses it as a link if it is one.
func TestStepPathsMissingFromListings(t *testing.T) {
	files := synth.Generate(synth.Options{Products: 1, Seed: 1, SQLFiles: true})
	files["domains/d0/sql/LINK.sql"] = &fstest.MapFile{Data: []byte("p0_stage.sql"), Mode: fs.ModeSymlink}
	p0 := files["domains/d0/p0.mesh.hcl"]
	p0.Data = []byte(strings.Replace(string(p0.Data), `file = "sql/p0_stage.sql"`, `file = "sql/LINK.sql"`, 1))
	res, err := compiler.Compile(load.Tree{FS: unlisted{files, "LINK.sql"}}, compiler.Options{Today: meshtest.Today})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Summary != "Path through a symbolic link" {
		t.Errorf("a step reading a link its folder's listing lacks: %v; want it refused as a link", res.Diagnostics)
	}
}

// caseless is a mesh's files on a file system that ignores case, as macOS's
// and Windows's do: it finds a name in any case, but lists it as created.
type caseless struct{ fstest.MapFS }

func (c caseless) name(name string) string {
	for stored := range c.MapFS {
		if strings.EqualFold(stored, name) {
			return stored
		}
	}
	return name
}

func (c caseless) Open(name string) (fs.File, error) { return c.MapFS.Open(c.name(name)) }

func (c caseless) Stat(name string) (fs.FileInfo, error) { return c.MapFS.Stat(c.name(name)) }

func (c caseless) Lstat(name string) (fs.FileInfo, error) { return c.MapFS.Lstat(c.name(name)) }

// TestStepPathsInAnotherCase checks that a step path spelt in another case
// than on disk is refused where the file system would find it anyway, so
// that it fails on the machine it is written on, not in CI.
func TestStepPathsInAnotherCase(t *testing.T) {
	files := synth.Generate(synth.Options{Products: 1, Seed: 1, SQLFiles: true})
	res, err := compiler.Compile(load.Tree{FS: caseless{files}}, compiler.Options{Today: meshtest.Today})
	if err != nil || len(res.Diagnostics) > 0 {
		t.Fatalf("the mesh as generated: %v %v", err, res.Diagnostics)
	}
	p0 := files["domains/d0/p0.mesh.hcl"]
	p0.Data = []byte(strings.Replace(string(p0.Data), `file = "sql/p0_stage.sql"`, `file = "SQL/P0_stage.sql"`, 1))
	if _, err := fs.Stat(caseless{files}, "domains/d0/SQL/P0_stage.sql"); err != nil {
		t.Fatalf("the file system does not ignore case: %v", err)
	}
	res, err = compiler.Compile(load.Tree{FS: caseless{files}}, compiler.Options{Today: meshtest.Today})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Summary != "Path differs in case" {
		t.Fatalf("got %v; want one diagnostic, Path differs in case", res.Diagnostics)
	}
	if want := "There is no domains/d0/SQL, but there is domains/d0/sql."; !strings.HasPrefix(res.Diagnostics[0].Detail, want) {
		t.Errorf("detail %q; want it to start %q", res.Diagnostics[0].Detail, want)
	}
}
