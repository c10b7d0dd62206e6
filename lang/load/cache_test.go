package load

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// FuzzCacheEntry decodes arbitrary payloads as a chunk's entry: decoding
// may fail, but never panics, and fills in either every file or none; the
// generated decoders and those by reflection agree on every payload.
//
//	go test ./lang/load -run '^$' -fuzz FuzzCacheEntry -fuzztime 1m
func FuzzCacheEntry(f *testing.F) {
	fsys := fstest.MapFS{
		"d/domain.mesh.hcl": {Data: []byte("domain \"d\" {\n  owner = \"a@b.c\"\n}\nsource \"s\" {\n  cadence = \"daily\"\n  column \"id\" { type = integer }\n}\n")},
		"d/p.mesh.hcl":      {Data: []byte("# Produit élaboré\nproduct \"p\" {\n  version = \"1.0.0\"\n  input \"i\" {\n    from    = source.s\n    columns = [\"id\"]\n  }\n  step \"s\" {\n    run  = runner.sql\n    sql  = \"SELECT 1\"\n    args = [1, 2.5e300, true, { a = null }]\n  }\n}\n")},
	}
	tree := &Tree{FS: fsys}
	// The files as a run that the sources' index spared reading has them:
	// their sizes, and no text.
	newChunk := func() []*file {
		var chunk []*file
		for _, name := range []string{"d/domain.mesh.hcl", "d/p.mesh.hcl"} {
			chunk = append(chunk, &file{name: name, textFile: &textFile{rel: name, tree: tree}, size: len(fsys[name].Data)})
		}
		return chunk
	}
	chunk := newChunk()
	for _, fl := range chunk {
		fl.read(nil)
		fl.parse(new(scratch))
	}
	f.Add(encodeChunk(chunk))
	f.Add([]byte{1, 0})
	// The same files read, for decoding by both decoders into the same
	// lines (diag.File), so that what they decode compares equal.
	read := newChunk()
	for _, fl := range read {
		fl.read(nil)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		decodersAgree(t, payload, read)
		chunk := newChunk()
		ok := decodeChunk(payload, chunk)
		for _, fl := range chunk {
			if fl.cached && !ok {
				t.Fatal("a failed decode filled in a file")
			}
			if fl.cached {
				for offset := range fl.size + 1 { // the lines it gave place every offset
					fl.lines.Pos(offset)
				}
			}
		}
	})
}

// TestCodecsBuiltConcurrently checks that a codec is never handed out
// before it is complete: files are encoded on several goroutines, and the
// first files of a run ask for the same codecs at once.
func TestCodecsBuiltConcurrently(t *testing.T) {
	for i := range 50 {
		// A new type each round, so that its codec is built afresh:
		// a struct holding a list of pointers to itself.
		typ := reflect.StructOf([]reflect.StructField{
			{Name: fmt.Sprintf("Name%d", i), Type: reflect.TypeFor[string]()},
			{Name: "Tags", Type: reflect.TypeFor[[]ast.String]()},
		})
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := codecFor(typ)
				if c.enc == nil || c.dec == nil {
					t.Errorf("round %d: codecFor returned an incomplete codec", i)
					return
				}
				e := &entryWriter{}
				if err := c.enc(e, reflect.New(typ).Elem()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
}

// TestTextsReadAgain checks that the text of a file that loading dropped
// is read again for a diagnostic that names it, and kept once read (so
// that its snippet and its columns agree), and that a file gone since
// gives no text rather than an error.
func TestTextsReadAgain(t *testing.T) {
	text := []byte("domain \"d\" {\n  owner = \"a@b.c\"\n}\n")
	fsys := fstest.MapFS{
		"mesh.hcl":     {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"d/a.mesh.hcl": {Data: text},
		"e/b.mesh.hcl": {Data: []byte("domain \"e\" {\n  owner = \"a@b.c\"\n}\n")},
	}
	_, texts, ds := Load(Tree{FS: fsys, Prefix: "mesh/"}, Tree{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	at := diag.Diagnostics{{Subject: new(diag.WholeFile("mesh/d/a.mesh.hcl"))}, {Subject: new(diag.WholeFile("elsewhere"))}}
	got := texts.For(at)
	if string(got["mesh/d/a.mesh.hcl"]) != string(text) || len(got) != 1 {
		t.Errorf("texts = %q", got)
	}
	delete(fsys, "d/a.mesh.hcl")
	delete(fsys, "e/b.mesh.hcl")
	if got := texts.For(at); string(got["mesh/d/a.mesh.hcl"]) != string(text) {
		t.Errorf("texts of a file read once, then removed = %q", got)
	}
	if got := texts.For(diag.Diagnostics{{Subject: new(diag.WholeFile("mesh/e/b.mesh.hcl"))}}); len(got) != 0 {
		t.Errorf("texts of a removed file = %q", got)
	}
}

// FuzzSourceIndex decodes arbitrary bodies as a sources' index: never a
// panic, and what decodes encodes to the same bytes.
func FuzzSourceIndex(f *testing.F) {
	f.Add(encodeSources(map[string]sourceRecord{"mesh.hcl": {sum: [32]byte{1}}, "d/p.mesh.hcl": {}}, nil))
	f.Add(encodeSources(map[string]sourceRecord{"mesh.hcl": {}}, map[string]folderRecord{
		".": {stamp: stamp.Stamp{Ino: 7}, entries: []fs.DirEntry{listedEntry{"d", fs.ModeDir}, listedEntry{"mesh.hcl", 0}}},
		"d": {entries: []fs.DirEntry{listedEntry{"l", fs.ModeSymlink}, listedEntry{"p.MESH.hcl", fs.ModeIrregular}}},
		"e": {},
	}))
	f.Add([]byte{200, 1})
	f.Fuzz(func(t *testing.T, body []byte) {
		if files, folders := decodeSources(body); files != nil && !bytes.Equal(encodeSources(files, folders), body) {
			t.Errorf("decodeSources(%x) = %v, %v, which encodes as %x", body, files, folders, encodeSources(files, folders))
		}
	})
}

// TestEntryLimit checks that the entry of a file as dense as text gets is
// written and read back, within entryLimit, and that an entry above the
// bound is ignored with a warning without being read into memory.
func TestEntryLimit(t *testing.T) {
	dense := "product \"p\" {\n  version = \"1.0.0\"\n  step \"s\" {\n    run  = runner.sql\n    args = [" + strings.Repeat("1,", 100000) + "]\n  }\n}\n"
	fsys := fstest.MapFS{
		"mesh.hcl":          {Data: []byte("mesh \"m\" {}\n")},
		"d/domain.mesh.hcl": {Data: []byte("domain \"d\" {\n  owner = \"a@b.c\"\n}\n")},
		"d/p.mesh.hcl":      {Data: []byte(dense)},
	}
	dir := t.TempDir()
	for run := range 2 {
		cache, err := OpenCache(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ds := Load(Tree{FS: fsys, Cache: cache}, Tree{}); ds.HasErrors() {
			t.Fatal(ds[0].Summary, ds[0].Detail)
		}
		if hits, _, warning := cache.Report(); warning != "" || hits != 3*run {
			t.Fatalf("run %d: %d files read from the cache (%q), want %d", run+1, hits, warning, 3*run)
		}
	}

	entries, _ := filepath.Glob(filepath.Join(dir, "??", "*"))
	for _, name := range entries {
		if err := os.Truncate(name, 1<<30); err != nil { // sparse: no room taken on disk
			t.Fatal(err)
		}
	}
	cache, _ := OpenCache(dir, "test")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, ds := Load(Tree{FS: fsys, Cache: cache}, Tree{})
	runtime.ReadMemStats(&after)
	if ds.HasErrors() {
		t.Fatal(ds[0].Summary, ds[0].Detail)
	}
	if _, _, warning := cache.Report(); !strings.Contains(warning, "corrupt cache") {
		t.Errorf("entries of a gibibyte gave no warning: %q", warning)
	}
	if read := after.TotalAlloc - before.TotalAlloc; read > 256<<20 {
		t.Errorf("loading beside entries of a gibibyte allocated %d MiB", read>>20)
	}
}
