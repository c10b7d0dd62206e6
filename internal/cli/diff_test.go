package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/compiler/plan"
)

// TestIgnoredFS checks what ignoredFS hides: an ignored file, an ignored
// folder and all it holds, however deep, but not a name that only starts
// like one.
func TestIgnoredFS(t *testing.T) {
	fsys := ignoredFS{
		FS: fstest.MapFS{
			"a/dbt/models/orders.sql":      {},
			"a/dbt/target/manifest.json":   {},
			"a/dbt/target/run/x/y.sql":     {},
			"a/dbt/target2/kept.sql":       {},
			"a/dbt/run.log":                {},
			"a/dbt/run.log2":               {},
			"b/node_modules/p/index.js":    {},
			"b/node_modules_kept/index.js": {},
		},
		files:   map[string]bool{"a/dbt/run.log": true},
		folders: map[string]bool{"a/dbt/target": true, "b/node_modules": true},
	}
	for name, hidden := range map[string]bool{
		".": false, "a": false, "a/dbt": false, "a/dbt/models/orders.sql": false,
		"a/dbt/target": true, "a/dbt/target/manifest.json": true, "a/dbt/target/run/x/y.sql": true,
		"a/dbt/target2": false, "a/dbt/target2/kept.sql": false,
		"a/dbt/run.log": true, "a/dbt/run.log2": false,
		"b/node_modules": true, "b/node_modules/p/index.js": true, "b/node_modules_kept/index.js": false,
	} {
		if got := fsys.hides(name); got != hidden {
			t.Errorf("hides(%q) = %t, want %t", name, got, hidden)
		}
	}
	var seen []string
	if err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			seen = append(seen, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"a/dbt/models/orders.sql", "a/dbt/run.log2", "a/dbt/target2/kept.sql", "b/node_modules_kept/index.js"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("the walk sees %v, want %v", seen, want)
	}
	if _, err := fsys.Open("a/dbt/target/manifest.json"); err == nil {
		t.Error("an ignored folder's file opens")
	}
}

// TestIgnoredFSReadsLikeRoot checks that ignoredFS reads a file through
// the plan's Root, which reads CRLF line endings as LF as the base
// revision's files are read, and hides an ignored file from a read too.
func TestIgnoredFSReadsLikeRoot(t *testing.T) {
	fsys := ignoredFS{
		FS:      plan.ReadOnce(fstest.MapFS{"a.sql": {Data: []byte("SELECT 1;\r\n")}, "b.log": {}}),
		files:   map[string]bool{"b.log": true},
		folders: map[string]bool{},
	}
	if data, err := fs.ReadFile(fsys, "a.sql"); err != nil || string(data) != "SELECT 1;\n" {
		t.Errorf("ReadFile = %q, %v; want %q", data, err, "SELECT 1;\n")
	}
	if _, err := fs.ReadFile(fsys, "b.log"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an ignored file reads: %v", err)
	}
}

// BenchmarkIgnoredFS walks a work tree of 2,000 packages, each with an
// ignored node_modules: with each name looked up among all the ignored
// folders, it took time in the square of their number.
func BenchmarkIgnoredFS(b *testing.B) {
	root := b.TempDir()
	folders := map[string]bool{}
	for i := range 2000 {
		pkg := fmt.Sprintf("packages/p%d", i)
		for _, name := range []string{pkg + "/src/index.sql", pkg + "/node_modules/dep/index.js"} {
			if err := os.MkdirAll(filepath.Join(root, path.Dir(name)), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, name), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		folders[pkg+"/node_modules"] = true
	}
	fsys := ignoredFS{FS: os.DirFS(root), files: map[string]bool{}, folders: folders}
	for b.Loop() {
		n := 0
		_ = fs.WalkDir(fsys, ".", func(string, fs.DirEntry, error) error { n++; return nil })
		if n != 2+2000*3 {
			b.Fatalf("the walk saw %d names", n)
		}
	}
}
