package load

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FuzzPositions checks that a range's lines and columns, worked out from
// its byte offsets when printed, are those HCL's scanner gives every token
// of any text. Texts that are not UTF-8 are skipped: HCL's count there
// depends on how it splits the bad bytes into tokens.
func FuzzPositions(f *testing.F) {
	f.Add("product \"p\" {\n  tags = [\"a\", \"b\"]\n}\n")
	f.Add("a = \"Ärzte 日本😀\"\r\nb = <<EOT\n  e\u0301\n\tEOT\n# c\n")
	f.Add("\ufeffa = 1\rb = 2\n")
	f.Add("a = [" + strings.Repeat("\"é 日本\", ", 100) + "1]\n")            // a long line, whose columns are kept
	f.Add("tags = [\"\u0301a\", \"\u0600\", \"\u0903\", \"\ufe0f\", x]\n") // clusters across the quotes
	f.Fuzz(func(t *testing.T, src string) {
		if !utf8.ValidString(src) {
			t.Skip("not UTF-8")
		}
		file := NewFile("f", []byte(src))
		tokens, _ := hclsyntax.LexConfig([]byte(src), "f", hcl.InitialPos)
		for _, tok := range tokens {
			for _, want := range []hcl.Pos{tok.Range.Start, tok.Range.End} {
				got := file.Pos(want.Byte)
				if int(got.Line) != want.Line || int(got.Column) != want.Column {
					t.Fatalf("byte %d of %q: line %d, column %d; HCL says line %d, column %d", want.Byte, src, got.Line, got.Column, want.Line, want.Column)
				}
			}
		}
	})
}
