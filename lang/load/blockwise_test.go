package load

import (
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
)

// checkParseBlocks parses and decodes src a block at a time, with s, and
// whole, and checks that the two ways decode the same blocks and find
// the same mistakes. It reports whether the file was taken a block at a
// time.
func checkParseBlocks(t *testing.T, s *scratch, name string, src []byte) bool {
	t.Helper()
	read := func() *file {
		tree := &Tree{FS: fstest.MapFS{"f.mesh.hcl": {Data: src}}}
		f := &file{name: name, textFile: &textFile{rel: "f.mesh.hcl", tree: tree}}
		if !f.read(nil) {
			t.Fatalf("%s: %v", name, f.syntaxErrors)
		}
		return f
	}
	blockwise, whole := read(), read()
	whole.lines = blockwise.lines // one diag.File, which ranges point to
	if CheckNesting(blockwise.lines, src) != nil {
		return false
	}
	took, argument := blockwise.parseBlocks(s)
	if !took {
		if blockwise.blocks != nil || blockwise.diags != nil || blockwise.meshBlocks != 0 {
			t.Errorf("%s: declined, but kept what it decoded", name)
		}
		if !argument && parseFast(src, name, new(scratch)) != nil {
			t.Errorf("%s: declined a block at a time, for no top-level argument, but parseFast reads it, which parse then skips", name)
		}
		return false
	}
	// Whole, with a scratch space of its own that is never reset: what
	// the block-wise decoding kept of its scratch space, reset after each
	// block and reused for the next, would differ.
	whole.parseWhole(new(scratch), true)
	if !reflect.DeepEqual(decodedOf(blockwise), decodedOf(whole)) {
		t.Errorf("%s: decoded a block at a time\n%s\nwhole\n%s", name, dump(blockwise), dump(whole))
	}
	return true
}

// decodedFile is what a file decodes to, its diagnostics sorted: they
// come in the order of the maps of arguments HCL's bodies hold, which
// output sorts.
type decodedFile struct {
	meshBlocks   int
	diags        diag.Diagnostics
	syntaxErrors diag.Diagnostics
	blocks       []decoded
}

func decodedOf(f *file) decodedFile {
	d := decodedFile{meshBlocks: f.meshBlocks, diags: f.diags.Sorted(), syntaxErrors: f.syntaxErrors}
	for _, b := range f.blocks {
		c := *b
		c.diags = c.diags.Sorted()
		d.blocks = append(d.blocks, c)
	}
	return d
}

// TestParseBlocks checks that decoding a file a block at a time gives what
// decoding it whole does, for every mesh file of the repository (mistakes
// included), every folder's files joined into one, and a synthetic mesh's
// domains joined likewise; nearly all of these must be taken a block at a
// time, since a parser that always declined would agree everywhere.
func TestParseBlocks(t *testing.T) {
	var s scratch
	files, took := 0, 0
	check := func(name string, src []byte) {
		files++
		if checkParseBlocks(t, &s, name, src) {
			took++
		}
	}
	folders := map[string][]byte{}
	repositoryMeshFiles(t, func(name string, src []byte) {
		check(name, src)
		folders[path.Dir(name)] = append(append(folders[path.Dir(name)], src...), '\n')
	})
	mesh := synth.Mesh(300)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for name := range mesh {
			if !yield(name) {
				return
			}
		}
	}) {
		if strings.HasSuffix(name, ".hcl") {
			check(name, mesh[name].Data)
			folders["synth/"+path.Dir(name)] = append(append(folders["synth/"+path.Dir(name)], mesh[name].Data...), '\n')
		}
	}
	for dir, src := range folders {
		check(dir+"/joined.mesh.hcl", src)
	}
	t.Logf("%d of %d files taken a block at a time", took, files)
	if took < files*3/4 {
		t.Errorf("only %d of %d files taken a block at a time", took, files)
	}
}

// FuzzParseBlocks checks that decoding a file a block at a time gives
// what decoding it whole does, whatever the file.
//
//	go test ./lang/load -run '^$' -fuzz FuzzParseBlocks -fuzztime 1m -fuzzminimizetime 50x
func FuzzParseBlocks(f *testing.F) {
	for _, hand := range []bool{false, true} {
		for name, file := range synth.Generate(synth.Options{Products: 5, Seed: 1, HandWritten: hand}) {
			if strings.HasSuffix(name, ".hcl") {
				f.Add(file.Data)
			}
		}
	}
	for _, c := range parseFastEdges {
		f.Add([]byte(c.src))
	}
	f.Add([]byte("domain \"d\" {\n  owner = \"a@b.c\"\n}\nfoo \"x\" {}\nsource \"s\" \"t\" {}\nproduct {}\n"))
	f.Add([]byte("a = 1\nproduct \"p\" {\n  password = \"hunter2\"\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		checkParseBlocks(t, new(scratch), "fuzz.mesh.hcl", src)
	})
}
