package load

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/stamp"
)

// TestFolderListingIndex walks a tree with every kind of entry the walk
// acts on (mesh files, folders it enters or skips, links, names in the
// wrong case, a nested mesh.hcl, the output folder) and as many it does not,
// with the sources' index and without, through a series of edits: the
// files found and the warnings must be the same, and a walk after one that
// filled the index must list no folder.
func TestFolderListingIndex(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir, indexes := t.TempDir(), t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, rel string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{"mesh.hcl", "d/p.mesh.hcl", "d/sql/p.sql", "d/P.Mesh.hcl", "d/nested/mesh.hcl",
		".git/x.mesh.hcl", "_drafts/x.mesh.hcl", "gen/airflow/x.mesh.hcl", "gen/y.mesh.hcl", "d/dbt/models/m.sql"} {
		write(rel, "# "+rel+"\n")
	}
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	os.MkdirAll(filepath.Join(dir, "d", "python", "__pycache__"), 0o755)
	link("d", "linked")
	link("p.mesh.hcl", "d/l.mesh.hcl")
	link("sql/p.sql", "d/l.sql")
	link("sql/p.sql", "d/turns.mesh.hcl")
	if err := mkfifo(filepath.Join(dir, "d", "pipe.mesh.hcl")); err != nil {
		t.Log(err)
	}

	walk := func(ix *sourceIndex) string {
		t.Helper()
		files, _, ds := readTree(&Tree{FS: os.DirFS(dir), Dir: dir, sources: ix})
		var b strings.Builder
		for _, f := range files {
			fmt.Fprintln(&b, f.name)
		}
		for _, d := range ds {
			fmt.Fprintln(&b, d.Code, d.Subject.Filename())
		}
		return b.String()
	}
	indexed := func() *sourceIndex {
		t.Helper()
		ix := openSources(indexes, dir)
		// The racy rule is off: each edit below waits out the clock's
		// tick instead.
		ix.racy = -int64(time.Hour)
		got, want := walk(ix), walk(nil)
		if got != want {
			t.Fatalf("the index changes the walk:\n%s", cmp.Diff(want, got))
		}
		if err := ix.save(); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	indexed()
	if ix := indexed(); ix.relisted != 0 || len(ix.folders) == 0 || ix.spoilt {
		t.Errorf("a walk after one that filled the index listed %d folders, took %d from it (spoilt %v); want none, and all", ix.relisted, len(ix.folders), ix.spoilt)
	}
	edits := map[string]func(){
		"a file added":       func() { write("d/q.mesh.hcl", "") },
		"a file removed":     func() { os.Remove(filepath.Join(dir, "d", "p.mesh.hcl")) },
		"a folder added":     func() { write("d/new/deeper/r.mesh.hcl", "") },
		"a folder hidden":    func() { os.Rename(filepath.Join(dir, "d", "new"), filepath.Join(dir, "d", "_new")) },
		"a file made folder": func() { os.Remove(filepath.Join(dir, "d", "q.mesh.hcl")); write("d/q.mesh.hcl/s.mesh.hcl", "") },
		"a link added":       func() { link("../d", "d/sql/up") },
		"a name cased wrong": func() { os.Rename(filepath.Join(dir, "mesh.hcl"), filepath.Join(dir, "Mesh.hcl")) },
		"a file edited":      func() { write("d/dbt/models/m.sql", "select 1") },
		"a link retargeted":  func() { os.Remove(filepath.Join(dir, "d", "turns.mesh.hcl")); link("sql", "d/turns.mesh.hcl") },
		"a folder made anew": func() { os.RemoveAll(filepath.Join(dir, "d", "sql")); write("d/sql/x.mesh.hcl", "") },
	}
	for _, name := range []string{"a file added", "a file removed", "a folder added", "a folder hidden",
		"a file made folder", "a link added", "a name cased wrong", "a file edited", "a link retargeted",
		"a folder made anew"} {
		// A folder's stamp moves with the clock's tick, which is coarser
		// than a nanosecond: an edit in the tick of the one before could
		// leave it as it was, which the racy rule guards against.
		time.Sleep(20 * time.Millisecond)
		edits[name]()
		t.Run(name, func(t *testing.T) { indexed() })
	}
}

// TestFolderListingRacy checks that the index does not remember the
// listing of a folder changed within stamp.RacyFor of the run.
func TestFolderListingRacy(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mesh.hcl"), nil, 0o644)
	ix := openSources(t.TempDir(), dir)
	readTree(&Tree{FS: os.DirFS(dir), Dir: dir, sources: ix})
	if len(ix.folders) != 0 || ix.relisted != 1 {
		t.Errorf("a folder written a moment ago: %d listings remembered, %d listed; want none and one", len(ix.folders), ix.relisted)
	}
}
