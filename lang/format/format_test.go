package format_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/lang/format"
	"golang.org/x/tools/txtar"
)

// TestIdempotent formats every mesh file of the examples and the broken
// corpus twice: the second pass must change nothing, and the examples must
// already be formatted.
func TestIdempotent(t *testing.T) {
	root := golden.Root()
	check := func(name string, src []byte, mustBeFormatted bool) {
		once, ds := format.Source(src, name)
		if len(ds) > 0 {
			if mustBeFormatted {
				t.Errorf("%s: %v", name, ds[0].Summary)
			}
			return
		}
		twice, _ := format.Source(once, name)
		if !bytes.Equal(once, twice) {
			t.Errorf("%s: formatting is not idempotent", name)
		}
		if mustBeFormatted && !bytes.Equal(src, once) {
			t.Errorf("%s is not formatted: run meshc fmt", name)
		}
	}
	filepath.WalkDir(filepath.Join(root, "examples"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".hcl") {
			src, _ := os.ReadFile(p)
			check(p, src, true)
		}
		return nil
	})
	archives, _ := filepath.Glob(filepath.Join(root, "testdata", "broken", "*.txtar"))
	for _, a := range archives {
		ar, err := txtar.ParseFile(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			check(a+":"+f.Name, f.Data, false)
		}
	}
}

func TestSyntaxErrorKeepsSource(t *testing.T) {
	src := []byte("domain \"d\" {\n  owner = \n")
	out, ds := format.Source(src, "x.mesh.hcl")
	if len(ds) == 0 || !bytes.Equal(out, src) {
		t.Errorf("a file with syntax errors must be returned unchanged with diagnostics; got %d diagnostics", len(ds))
	}
}
