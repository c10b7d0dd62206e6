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

// lstatCounter is a mesh's files that count the Lstats asked of them, and
// the listings of one folder.
type lstatCounter struct {
	fstest.MapFS
	lstats   atomic.Int64
	folder   string
	listings atomic.Int64
}

func (c *lstatCounter) Lstat(name string) (fs.FileInfo, error) {
	c.lstats.Add(1)
	return c.MapFS.Lstat(name)
}

func (c *lstatCounter) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == c.folder {
		c.listings.Add(1)
	}
	return c.MapFS.ReadDir(name)
}

// TestStepPathsFromListings checks that the paths steps name are looked up
// in the listings loading made of the folders it walked, not asked of the
// file system again, and that a folder loading skipped is listed, once.
func TestStepPathsFromListings(t *testing.T) {
	files := synth.Generate(synth.Options{Products: 60, Seed: 1, SQLFiles: true})
	fsys := &lstatCounter{MapFS: files, folder: "domains/d0/_shared"}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today})
	if err != nil || len(res.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, res.Diagnostics)
	}
	if n := fsys.lstats.Load(); n != 0 {
		t.Errorf("checking the steps of 60 products asked for %d Lstats; want none", n)
	}

	// Two steps whose SQL is in a folder loading does not walk.
	files["domains/d0/_shared/stage.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	for _, p := range []string{"p0", "p1"} {
		f := files["domains/d0/"+p+".mesh.hcl"]
		named := `file = "sql/` + p + `_stage.sql"`
		if !strings.Contains(string(f.Data), named) {
			t.Fatalf("%s's first step does not read the file as %s", p, named)
		}
		f.Data = []byte(strings.Replace(string(f.Data), named, `file = "_shared/stage.sql"`, 1))
	}
	fsys.lstats.Store(0)
	res, err = compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: meshtest.Today})
	if err != nil || len(res.Diagnostics) > 0 {
		t.Fatalf("%v %v", err, res.Diagnostics)
	}
	if n, l := fsys.lstats.Load(), fsys.listings.Load(); n != 0 || l != 1 {
		t.Errorf("two steps reading a file in a folder loading skips asked for %d Lstats and %d listings of the folder; want none and one", n, l)
	}
}

// unlisted is a mesh's files whose folder listings leave out one name,
// which Lstat still finds: as on a file system that keeps a name in one
// Unicode normal form and finds it in another (macOS).
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

	// In a folder loading does not walk, too.
	files["domains/d0/_shared/stage.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;\n")}
	p0.Data = []byte(strings.Replace(string(p0.Data), `file = "SQL/P0_stage.sql"`, `file = "_shared/Stage.sql"`, 1))
	res, err = compiler.Compile(load.Tree{FS: caseless{files}}, compiler.Options{Today: meshtest.Today})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) != 1 || !strings.HasPrefix(res.Diagnostics[0].Detail, "There is no domains/d0/_shared/Stage.sql, but there is domains/d0/_shared/stage.sql.") {
		t.Fatalf("got %v; want one diagnostic, Path differs in case, for _shared/Stage.sql", res.Diagnostics)
	}
}
