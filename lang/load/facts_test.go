package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc/meshc/internal/stamp"
)

// TestFacts checks the index of what checks found in files (Facts): what
// a run remembers, the next finds while the file's stamp is as it was,
// and not once the file changes; a file the next run does not look up is
// forgotten; an index that is corrupt, or of a meshc of another identity,
// is ignored and written anew.
func TestFacts(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir := t.TempDir()
	for _, name := range []string{"a.sql", "b.sql"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("SELECT 1;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache, err := OpenCache(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	tree := Tree{Cache: cache, Dir: dir, Index: t.TempDir()}
	open := func(tree Tree) *Facts {
		f := OpenFacts(tree)
		f.racy = -int64(time.Hour) // the files were written a moment ago
		return f
	}
	lookup := func(f *Facts, name string) (string, bool) {
		facts, known, st := f.Lookup(name)
		if !known {
			f.Remember(name, st, "facts of "+name)
		}
		return facts, known
	}

	f := open(tree)
	for _, name := range []string{"a.sql", "b.sql"} {
		if _, known := lookup(f, name); known {
			t.Errorf("%s is known to an empty index", name)
		}
	}
	f.Save()
	f = open(tree)
	if facts, known := lookup(f, "a.sql"); !known || facts != "facts of a.sql" {
		t.Errorf("a.sql: %q, %v; want what the last run remembered", facts, known)
	}
	f.Save() // without b.sql, which is forgotten
	f = open(tree)
	if _, known := lookup(f, "b.sql"); known {
		t.Error("b.sql is known, though the last run did not look it up")
	}
	f.Save()

	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("SELECT 2;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f = open(tree)
	if _, known := lookup(f, "a.sql"); known {
		t.Error("a.sql is known after it changed")
	}
	f.Save()

	other, err := OpenCache(t.TempDir(), "another meshc")
	if err != nil {
		t.Fatal(err)
	}
	foreign := tree
	foreign.Cache = other
	if _, known := lookup(open(foreign), "a.sql"); known {
		t.Error("a meshc of another identity knows a.sql")
	}

	if err := os.WriteFile(f.file, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	f = open(tree)
	if _, known := lookup(f, "a.sql"); known {
		t.Error("a.sql is known to a corrupt index")
	}
	f.Save()
	if _, _, warning := cache.Report(); !strings.Contains(warning, "ignored the corrupt facts index") {
		t.Errorf("the cache's report on a corrupt facts index is %q; want a warning", warning)
	}
	if _, known := lookup(open(tree), "a.sql"); !known {
		t.Error("the corrupt index was not written anew")
	}
}
