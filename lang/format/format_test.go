package format

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
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
