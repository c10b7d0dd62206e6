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
	f.Add("a = [" + strings.Repeat("\"é 日本\", ", 100) + "1]\n")                            // a long line, whose columns are kept
	f.Add("tags = [\"\u0301a\", \"\u0600\", \"\u0903\", \"\ufe0f\", x]\n")                 // clusters across the quotes
	f.Add("e\u0301 = \"Caf\u0065\u0301 \u1100\u1161\u11a8\" # nai\u0308ve\nb = 1\u0301\n") // decomposed letters; a digit and a mark
	f.Add("a = \"\u00a7\u0301\" \u00a7\u0301 \u0663\u0301 -\u0301 \u0321\u0301 a\u20dd\n") // a symbol, a digit of another script, a hyphen and a mark
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
