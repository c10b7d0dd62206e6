package compiler_test

import (
	"bytes"
	"io/fs"
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
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// render is everything a compilation shows: the diagnostics and policy
// report as check prints them, and the plan.
func render(t *testing.T, tree load.Tree, cache *load.Cache) string {
	t.Helper()
	res, err := compiler.Compile(tree, compiler.Options{Today: meshtest.Today, Cache: cache})
	if err != nil {
		return "usage error: " + err.Error()
	}
	var out bytes.Buffer
	diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	compiler.WritePolicyReport(&out, res)
	if res.Plan != nil {
		out.Write(plan.Dump(res.Plan))
	}
	return out.String()
}

// cacheMeshes are the meshes the cache tests compile: the example, a
// synthetic mesh, and every broken mesh of testdata/broken (which have
// syntax errors, misplaced blocks, policies and every other kind of
// file).
func cacheMeshes(t *testing.T) map[string]load.Tree {
	meshes := map[string]load.Tree{
		"pharma":    {FS: os.DirFS(filepath.Join(golden.Root(), "examples", "pharma")), Prefix: "examples/pharma/"},
		"synthetic": {FS: synth.Mesh(300)},
		// A string that reads like its file's name stays what it says
		// (the table is echoed by the invalid-name diagnostic). That
		// file is not cached, and the next one of its entry writes again
		// the short strings it shares with it.
		"file names": {FS: fstest.MapFS{
			"mesh.hcl": {Data: []byte("mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
			"d/d.mesh.hcl": {Data: []byte("domain \"d\" {\n  owner = \"d@example.com\"\n}\n\n" +
				"source \"s\" {\n  cadence = \"daily\"\n  table   = \"d/d.mesh.hcl\"\n  column \"id\" { type = integer }\n}\n")},
			"d/e.mesh.hcl": {Data: []byte("source \"t\" {\n  cadence = \"daily\"\n  table   = \"T\"\n  column \"id\" { type = integer }\n}\n")},
		}},
		// Columns on a line beyond ASCII count grapheme clusters, which
		// a file's line table says where to look for.
		"beyond ASCII": {FS: fstest.MapFS{
			"mesh.hcl": {Data: []byte("mesh \"m\" {}\n\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
			"d/d.mesh.hcl": {Data: []byte("# Données élaborées\ndomain \"d\" {\n  owner = \"d@example.com\"\n}\n\n" +
				"product \"p\" {\n  version = \"1.0.0\"\n  tags    = [\"été\", 42]\n}\n")},
		}},
	}
	paths, _ := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "*.txtar"))
	for _, p := range paths {
		fsys, _ := meshtest.ArchiveFS(t, p)
		meshes[strings.TrimSuffix(filepath.Base(p), ".txtar")] = load.Tree{FS: fsys}
	}
	return meshes
}

// TestCacheIsInvisible compiles each mesh without a cache, then with an
// empty cache (which fills it), then with the full one, then from another
// folder name with the full one: all four must show the same, byte for
// byte, and the last two must have read files from the cache.
func TestCacheIsInvisible(t *testing.T) {
	for name, tree := range cacheMeshes(t) {
		cache, err := load.OpenCache(t.TempDir(), "test")
		if err != nil {
			t.Fatal(err)
		}
		cold := render(t, tree, nil)
		if got := render(t, tree, cache); got != cold {
			t.Errorf("%s: filling the cache changes the result:\n%s", name, cmp.Diff(cold, got))
			continue
		}
		_, parsedCold, _ := cache.Report()
		if got := render(t, tree, cache); got != cold {
			t.Errorf("%s: a warm cache changes the result:\n%s", name, cmp.Diff(cold, got))
		}
		moved := tree
		moved.Prefix = "elsewhere/" + tree.Prefix
		if got, want := render(t, moved, cache), render(t, moved, nil); got != want {
			t.Errorf("%s: the cache changes the result in another folder:\n%s", name, cmp.Diff(want, got))
		}
		hits, _, warning := cache.Report()
		if warning != "" {
			t.Errorf("%s: %s", name, warning)
		}
		if parsedCold > 0 && hits == 0 {
			t.Errorf("%s: nothing was read from the cache", name)
		}
	}
}

// TestSourceIndexIsInvisible copies each mesh to a folder, and compiles
// it without a cache, then with a cache and an index of its files' stamps
// (load.Tree.Index) which fills both, then with both full, then after
// editing a file: each must show what compiling without them shows, byte
// for byte, and the third must have read no file, its stamps being as the
// index remembers them.
func TestSourceIndexIsInvisible(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dirs := map[string]string{}
	for name, tree := range cacheMeshes(t) {
		dir := filepath.Join(t.TempDir(), "mesh")
		if err := os.CopyFS(dir, tree.FS); err != nil {
			t.Fatal(err)
		}
		dirs[name] = dir
	}
	// Files are remembered once their stamps are older than a run's
	// start by stamp.RacyFor.
	time.Sleep(stamp.RacyFor + 100*time.Millisecond)
	for name, dir := range dirs {
		tree := load.Tree{FS: os.DirFS(dir), Prefix: "mesh/", Dir: dir}
		compile := func(cache *load.Cache, index string) string {
			tree := tree
			tree.Cache, tree.Index = cache, index
			return render(t, tree, cache)
		}
		cache, err := load.OpenCache(t.TempDir(), "test")
		if err != nil {
			t.Fatal(err)
		}
		index := t.TempDir()
		cold := compile(nil, "")
		if got := compile(cache, index); got != cold {
			t.Errorf("%s: filling the cache and the index changes the result:\n%s", name, cmp.Diff(cold, got))
			continue
		}
		hits0, _, _ := cache.Report()
		if got := compile(cache, index); got != cold {
			t.Errorf("%s: a full cache and index change the result:\n%s", name, cmp.Diff(cold, got))
		}
		hits, _, warning := cache.Report()
		if warning != "" {
			t.Errorf("%s: %s", name, warning)
		}
		if hits > hits0 && cache.Unread() != hits-hits0 {
			t.Errorf("%s: %d files came from the cache, %d of them unread; want all unread", name, hits-hits0, cache.Unread())
		}

		// An edit that leaves the file's size as it was, of the first
		// file (mesh.hcl, or another in a mesh without one).
		files, err := fs.Glob(os.DirFS(dir), "*")
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v, %v", name, files, err)
		}
		edited := filepath.Join(dir, files[0])
		text, err := os.ReadFile(edited)
		if err != nil {
			continue // a folder: the mesh is a broken one, with nothing to edit at its top
		}
		changed := bytes.Replace(text, []byte("\n"), []byte(" "), 1)
		if err := os.WriteFile(edited, changed, 0o644); err != nil {
			t.Fatal(err)
		}
		if got, want := compile(cache, index), compile(nil, ""); got != want {
			t.Errorf("%s: the index changes the result after an edit of %s:\n%s", name, edited, cmp.Diff(want, got))
		}
	}
}

// TestCacheDistrust spoils a filled cache's entries in every way (flipped
// bytes, truncation, another meshc's identity, garbage) and checks that
// each is ignored with a warning, the result unchanged, and the entry
// rewritten.
func TestCacheDistrust(t *testing.T) {
	tree := load.Tree{FS: os.DirFS(filepath.Join(golden.Root(), "examples", "pharma")), Prefix: "examples/pharma/"}
	want := render(t, tree, nil)
	spoilers := map[string]func(dir string, data []byte) []byte{
		"flipped":   func(_ string, data []byte) []byte { data[len(data)-3] ^= 0x40; return data },
		"truncated": func(_ string, data []byte) []byte { return data[:len(data)/2] },
		"garbage":   func(_ string, data []byte) []byte { return []byte("not a cache entry") },
		"empty":     func(_ string, data []byte) []byte { return nil },
		"foreign": func(dir string, data []byte) []byte {
			// The same entry written by a meshc of another identity.
			other, err := load.OpenCache(t.TempDir(), "another meshc")
			if err != nil {
				t.Fatal(err)
			}
			render(t, tree, other)
			entries, _ := filepath.Glob(filepath.Join(other.Dir(), "??", "*"))
			entry, _ := os.ReadFile(entries[0])
			return entry
		},
	}
	for name, spoil := range spoilers {
		dir := t.TempDir()
		cache, err := load.OpenCache(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		render(t, tree, cache)
		entries, _ := filepath.Glob(filepath.Join(dir, "??", "*"))
		if len(entries) == 0 {
			t.Fatal("the cache holds no entry")
		}
		for _, p := range entries {
			data, _ := os.ReadFile(p)
			os.WriteFile(p, spoil(dir, data), 0o644)
		}
		cache, _ = load.OpenCache(dir, "test")
		if got := render(t, tree, cache); got != want {
			t.Errorf("%s: a spoilt cache changes the result:\n%s", name, cmp.Diff(want, got))
		}
		if _, _, warning := cache.Report(); !strings.Contains(warning, "corrupt cache") {
			t.Errorf("%s: no warning about the spoilt entries, got %q", name, warning)
		}
		cache, _ = load.OpenCache(dir, "test")
		render(t, tree, cache)
		if hits, _, warning := cache.Report(); warning != "" || hits == 0 {
			t.Errorf("%s: the spoilt entries were not rewritten: %d hits, %q", name, hits, warning)
		}
	}
}

// TestCacheTrim checks that opening a cache a day after its last trim
// deletes the entries unused for days, and that using an entry keeps it.
func TestCacheTrim(t *testing.T) {
	dir := t.TempDir()
	tree := load.Tree{FS: synth.Mesh(60)}
	cache, err := load.OpenCache(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	render(t, tree, cache)
	entries, _ := filepath.Glob(filepath.Join(dir, "??", "*"))
	if len(entries) < 2 {
		t.Fatalf("%d entries", len(entries))
	}
	old, now := time.Now().Add(-10*24*time.Hour), time.Now()
	age := func(fresh string) {
		for _, e := range entries {
			os.Chtimes(e, old, old)
		}
		if fresh != "" {
			os.Chtimes(fresh, now, now)
		}
	}

	// A run reads every entry, which makes them young again.
	age("")
	cache, _ = load.OpenCache(dir, "test") // trimmed a moment ago: no trim
	render(t, tree, cache)
	os.Chtimes(filepath.Join(dir, "trimmed"), old, old)
	load.OpenCache(dir, "test")
	if kept, _ := filepath.Glob(filepath.Join(dir, "??", "*")); len(kept) != len(entries) {
		t.Errorf("a trim after a run keeps %d entries of %d", len(kept), len(entries))
	}

	// Entries nobody read for ten days go; files meshc did not name
	// stay, however old.
	age(entries[0])
	foreign := filepath.Join(dir, "ab", "notes.txt")
	os.MkdirAll(filepath.Dir(foreign), 0o755)
	os.WriteFile(foreign, []byte("mine"), 0o644)
	os.Chtimes(foreign, old, old)
	// So do builds' indexes of their output folders (internal/output), and
	// the files a crash left half-written, as atomicfile names them.
	index := filepath.Join(dir, "out", strings.Repeat("0f", 32))
	sources := filepath.Join(dir, "src", strings.Repeat("0d", 32))
	formatted := filepath.Join(dir, "fmt", strings.Repeat("0c", 32)) // meshc fmt's
	foreignInOut := filepath.Join(dir, "out", "notes.txt")
	tempIndex := filepath.Join(dir, "out", "."+strings.Repeat("0e", 32)+".123.tmp")
	tempEntry := filepath.Join(filepath.Dir(entries[0]), "."+filepath.Base(entries[0])+".99.tmp")
	os.MkdirAll(filepath.Dir(index), 0o755)
	os.MkdirAll(filepath.Dir(sources), 0o755)
	os.MkdirAll(filepath.Dir(formatted), 0o755)
	for _, f := range []string{index, sources, formatted, foreignInOut, tempIndex, tempEntry} {
		os.WriteFile(f, nil, 0o644)
		os.Chtimes(f, old, old)
	}
	os.Chtimes(filepath.Join(dir, "trimmed"), old, old)
	load.OpenCache(dir, "test")
	if kept, _ := filepath.Glob(filepath.Join(dir, "??", "*")); len(kept) != 2 || !slices.Contains(kept, entries[0]) || !slices.Contains(kept, foreign) {
		t.Errorf("after trimming entries unused for ten days, the cache holds %v", kept)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "out", "*")); !slices.Equal(kept, []string{foreignInOut}) {
		t.Errorf("after trimming output indexes unused for ten days, out holds %v", kept)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "src", "*")); len(kept) != 0 {
		t.Errorf("after trimming source indexes unused for ten days, src holds %v", kept)
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, "fmt", "*")); len(kept) != 0 {
		t.Errorf("after trimming lists of formatted files unused for ten days, fmt holds %v", kept)
	}
}
