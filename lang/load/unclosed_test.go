package load

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestUnclosedBracket checks which of HCL's "Missing ... separator" errors
// become "Unclosed [" or "Unclosed (", at the opener, and which are kept:
// those where a comma may be all that is missing.
func TestUnclosedBracket(t *testing.T) {
	for _, c := range []struct{ src, summary, at string }{
		{"b {\n  columns = [\"id\"\n}\n", "Unclosed [", "2:13"},
		{"b {\n  columns = [\"id\",\n    \"name\"\n}\n", "Unclosed [", "2:13"},
		{"b {\n  columns = [\"a]\", [\"b\"]\n}\n", "Unclosed [", "2:13"}, // a ] in a string, and a list closed within
		{"b {\n  columns = [\"id\"\n  table = \"T\"\n}\n", "Unclosed [", "2:13"},
		{"b {\n  columns = [\"id\"\n  table= \"T\"\n}\n", "Unclosed [", "2:13"},
		{"b {\n  c = {a = [1\n}\n}\n", "Unclosed [", "2:12"},
		{"b {\n  n = max(1, 2\n}\n", "Unclosed (", "2:10"},
		{"b {\n  c = [\"a\", f(1\n  ]\n}\n", "Unclosed (", "2:14"},
		{"b {\n  n = std::max (1, 2\n}\n", "Unclosed (", "2:16"},
		// A comma missing between items, on one line or two.
		{"b {\n  columns = [\"id\" \"name\"]\n}\n", "Missing item separator", "2:19"},
		{"b {\n  n = [max(1, 2]\n}\n", "Missing argument separator", "2:16"}, // what closes the ( is on its line, if mistyped
		{"b {\n  columns = [\"id\"\n    \"name\"]\n}\n", "Missing item separator", "3:5"},
		{"b {\n  columns = [\"id\"\n    name]\n}\n", "Missing item separator", "3:5"},
		{"b {\n  columns = [\"id\"\n    a == b]\n}\n", "Missing item separator", "3:5"},
		{"b {\n  n = max(1\n    2)\n}\n", "Missing argument separator", "3:5"},
	} {
		_, hds := hclsyntax.ParseConfig([]byte(c.src), "f", hcl.InitialPos)
		ds := SyntaxDiagnostics(NewFile("f", []byte(c.src)), []byte(c.src), hds)
		if len(ds) == 0 {
			t.Errorf("%q: no diagnostics", c.src)
			continue
		}
		d := ds[0]
		at := d.Subject.Start()
		if got := fmt.Sprintf("%d:%d", at.Line, at.Column); d.Summary != c.summary || got != c.at {
			t.Errorf("%q: %s at %s (%s), want %s at %s", c.src, d.Summary, got, d.Detail, c.summary, c.at)
		}
	}
}

// FuzzUnclosedBracket checks that explaining HCL's syntax errors never
// panics, and that an "Unclosed" diagnostic points at its opener.
func FuzzUnclosedBracket(f *testing.F) {
	f.Add("b {\n  columns = [\"id\"\n}\n")
	f.Add("b {\n  n = max(1, 2\n  t = 1\n}\n")
	f.Add("b {\n  n = f::g (\n)\n")
	f.Add("a = [\"${x]\"\n]\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, hds := hclsyntax.ParseConfig([]byte(src), "f", hcl.InitialPos)
		for _, d := range SyntaxDiagnostics(NewFile("f", []byte(src)), []byte(src), hds) {
			if opener, ok := strings.CutPrefix(d.Summary, "Unclosed "); ok && (opener == "[" || opener == "(") {
				start, _ := d.Subject.Offsets()
				if src[start:start+1] != opener {
					t.Errorf("%q: %s at byte %d, which is %q", src, d.Summary, start, src[start:start+1])
				}
			}
		}
	})
}
