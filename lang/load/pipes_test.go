package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNamedPipesInTheCache checks that a cache entry that is a named pipe
// is ignored as corrupt, not opened: opening one waits for a writer, for
// ever. (stamp's TestReadIndexOfPipe does the same for the indexes.)
func TestNamedPipesInTheCache(t *testing.T) {
	dir, caches, indexes := t.TempDir(), t.TempDir(), t.TempDir()
	for rel, text := range map[string]string{
		"mesh.hcl":          "mesh \"m\" {}\n",
		"d/domain.mesh.hcl": "domain \"d\" {\n  owner = \"a@b.c\"\n}\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := func() (warning string) {
		t.Helper()
		cache, err := OpenCache(caches, "test")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			if _, _, ds := Load(Tree{FS: os.DirFS(dir), Cache: cache, Dir: dir, Index: indexes}, Tree{}); ds.HasErrors() {
				t.Error(ds[0].Summary, ds[0].Detail)
			}
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("loading did not finish in 30 s")
		}
		_, _, warning = cache.Report()
		return warning
	}
	load()
	entries, _ := filepath.Glob(filepath.Join(caches, "??", "*"))
	if len(entries) == 0 {
		t.Fatal("no cache entries written")
	}
	for _, p := range entries {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		if err := mkfifo(p); err != nil {
			t.Skip(err)
		}
	}
	if warning := load(); !strings.Contains(warning, "corrupt cache") {
		t.Errorf("cache entries that are named pipes gave no warning: %q", warning)
	}
}
