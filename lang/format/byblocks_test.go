package format

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/load"
)

// asWhole checks that formatting src a top-level block at a time gives
// what formatting it whole gives, wherever it is cut into blocks.
func asWhole(t *testing.T, name string, src []byte) (cut bool) {
	t.Helper()
	ends, ok := load.TopLevelBlocks(src)
	if !ok {
		return false
	}
	if got, want := byBlocks(src, ends), hclwrite.Format(src); !bytes.Equal(got, want) {
		t.Errorf("%s: formatted a block at a time:\n%s\nwhole:\n%s", name, got, want)
	}
	return true
}

// unformatted undoes a formatted file's layout, so that formatting it has
// work to do: no indentation, and one space around every equals sign.
func unformatted(src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		l = strings.TrimLeft(l, " ")
		if k := strings.Index(l, " = "); k > 0 && !strings.Contains(l[:k], "\"") {
			l = strings.TrimRight(l[:k], " ") + " = " + strings.TrimLeft(l[k+3:], " ")
		}
		lines[i] = l
	}
	return []byte(strings.Join(lines, "\n"))
}

var awkward = []string{
	// Comments after a closing brace and before the next block, aligned
	// across them when formatted whole.
	"a \"x\" {\n  k = 1\n} # one\nb \"y\" { # two\n  kk = 2 # three\n}\n",
	// Equals signs aligned within a block, and a block right after another.
	"a \"x\" {\nk = 1\nlonger = 2\n}\nb \"y\" {\nk = 1\n}\n",
	// Heredocs holding braces, CRLF lines, blank lines and comments between
	// blocks, and no newline at the end.
	"a \"x\" {\r\n  sql = <<-SQL\r\n    }{ x\r\n  SQL\r\n}\r\n\r\n# between\r\n\r\nb \"y\" {\r\n  v = [1,2]\r\n}",
	// Trailing spaces after a brace, a nested block and an object.
	"a \"x\" {\n  b {\n    c = { d = 1, ee = 2 }\n  }\n}   \nz \"q\" {\n}\n",
	// Badly indented braces.
	"a \"x\" {\n      b {\n  }\n        }\nb \"y\" {\n}\n",
}

// TestByBlocksAsWhole formats every mesh file of the examples, the
// standard library, the broken corpus and a synthetic mesh, as written and
// with their layout undone, both ways.
func TestByBlocksAsWhole(t *testing.T) {
	cut := 0
	check := func(name string, src []byte) {
		for _, s := range [][]byte{src, unformatted(src)} {
			if asWhole(t, name, s) {
				cut++
			}
		}
	}
	eachMeshFile(t, []string{"examples", "stdlib", "testdata/broken"}, check)
	for name, f := range synth.Mesh(200) {
		check(name, f.Data)
	}
	for i, src := range awkward {
		if !asWhole(t, "awkward", []byte(src)) {
			t.Errorf("awkward case %d is not read a block at a time", i)
		}
	}
	if cut < 500 {
		t.Errorf("only %d files were formatted a block at a time", cut)
	}
}

func FuzzByBlocks(f *testing.F) {
	for _, src := range awkward {
		f.Add([]byte(src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		asWhole(t, "fuzzed", src)
	})
}
