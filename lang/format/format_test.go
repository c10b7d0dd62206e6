package format

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/lang/load"
	"golang.org/x/tools/txtar"
)

// TestIdempotent formats every mesh file of the examples and the broken
// corpus twice: the second pass must change nothing, and the examples must
// already be formatted.
func TestIdempotent(t *testing.T) {
	check := func(name string, src []byte, mustBeFormatted bool) {
		once, ds := Source(src, name)
		if len(ds) > 0 {
			if mustBeFormatted {
				t.Errorf("%s: %v", name, ds[0].Summary)
			}
			return
		}
		twice, _ := Source(once, name)
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: formatting is not idempotent", name)
		}
		if mustBeFormatted && !bytes.Equal(src, once) {
			t.Errorf("%s is not formatted: run meshc fmt", name)
		}
	}
	eachMeshFile(t, []string{"examples"}, func(name string, src []byte) { check(name, src, true) })
	eachMeshFile(t, []string{"testdata/broken"}, func(name string, src []byte) { check(name, src, false) })
}

// eachMeshFile calls fn with each mesh file under the repository's
// folders dirs, and of the txtar archives there.
func eachMeshFile(t *testing.T, dirs []string, fn func(name string, src []byte)) {
	t.Helper()
	for _, dir := range dirs {
		filepath.WalkDir(filepath.Join(golden.Root(), dir), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil || d.IsDir():
			case strings.HasSuffix(p, ".hcl"):
				src, _ := os.ReadFile(p)
				fn(p, src)
			case strings.HasSuffix(p, ".txtar"):
				ar, err := txtar.ParseFile(p)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range ar.Files {
					fn(p+":"+f.Name, f.Data)
				}
			}
			return nil
		})
	}
}

func TestSyntaxErrorKeepsSource(t *testing.T) {
	src := []byte("domain \"d\" {\n  owner = \n")
	out, ds := Source(src, "x.mesh.hcl")
	if len(ds) == 0 || !bytes.Equal(out, src) {
		t.Errorf("a file with syntax errors must be returned unchanged with diagnostics; got %d diagnostics", len(ds))
	}
}

// wholeSource is Source as it was before files were formatted a block at a
// time: the oracle for FuzzSourceAsWhole.
func wholeSource(src []byte, filename string) ([]byte, bool) {
	if !load.Plain(src) {
		if load.CheckNesting(load.NewFile(filename, src), src) != nil {
			return src, false
		}
		if _, hds := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); hds.HasErrors() {
			return src, false
		}
	}
	bom := []byte("\ufeff")
	body, hasBOM := bytes.CutPrefix(src, bom)
	out := endFile(hclwrite.Format(body))
	if hasBOM {
		out = append(bom, out...)
	}
	return out, true
}

// FuzzSourceAsWhole checks that Source formats as it did whole, and finds
// the same files to have syntax errors: byte order marks are the parser's
// to read, one of them.
func FuzzSourceAsWhole(f *testing.F) {
	for _, src := range awkward {
		f.Add([]byte(src))
		f.Add([]byte("\ufeff" + src))
		f.Add([]byte("\ufeff\ufeff" + src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, ds := Source(src, "f.mesh.hcl")
		want, ok := wholeSource(src, "f.mesh.hcl")
		if (len(ds) == 0) != ok || !bytes.Equal(got, want) {
			t.Errorf("Source(%q) = %q with %d diagnostics; whole, %q (well formed: %v)", src, got, len(ds), want, ok)
		}
	})
}

// TestFileEnd checks that a file ends in one line ending, its own, whatever
// blank lines were after its last block.
func TestFileEnd(t *testing.T) {
	for src, want := range map[string]string{
		"a {\n  b = 1\n}\n\n\n":             "a {\n  b = 1\n}\n",
		"a {\r\n  b = 1\r\n}\r\n\r\n\r\n":   "a {\r\n  b = 1\r\n}\r\n",
		"a {\r\n  b = 1\r\n}":               "a {\r\n  b = 1\r\n}\r\n",
		"a {}":                              "a {}\n",
		"\ufeffa {\r\n  b = 1\r\n}\r\n\r\n": "\ufeffa {\r\n  b = 1\r\n}\r\n",
		"\n\n":                              "",
		// Mixed line endings: each line keeps its own, and the last
		// ends as the first.
		"a {\r\n  b   = 1\n  c = 2\r\n}\n": "a {\r\n  b = 1\n  c = 2\r\n}\r\n",
		"a {\n  b = 1\r\n}\r\n":            "a {\n  b = 1\r\n}\n",
	} {
		got, ds := Source([]byte(src), "x.mesh.hcl")
		if len(ds) > 0 || string(got) != want {
			t.Errorf("Source(%q) = %q, %v; want %q", src, got, ds, want)
		}
	}
}
