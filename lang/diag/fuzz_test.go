package diag

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRender renders a diagnostic at any range of any text, in every
// format: ranges come from HCL, from meshc's own checks and from files
// that changed since they were loaded, so the renderers must cope with
// ranges that do not fit the text (past its end, inside a character,
// backwards) without failing, and keep each snippet line narrow.
func FuzzRender(f *testing.F) {
	f.Add("a = \"x\"\n", int32(1), int32(5), int32(1), int32(8), int32(2))
	f.Add(strings.Repeat("é\"t\", ", 1000)+"\n", int32(1), int32(3000), int32(1), int32(3006), int32(1))
	f.Add("\t日本\r\nb\n", int32(2), int32(9), int32(1), int32(2), int32(3))
	f.Add("a"+strings.Repeat("\x80", 5000), int32(1), int32(1000), int32(1), int32(1001), int32(0))
	f.Fuzz(func(t *testing.T, text string, line, start, endLine, end, context int32) {
		r := &Range{Filename: "f", Start: Pos{Line: line, Column: 1, Byte: start}, End: Pos{Line: endLine, Column: 1, Byte: end}}
		d := &Diagnostic{Code: "c", Summary: "S", Detail: "D.", Subject: r}
		if context > 0 {
			d.Context = &Range{Filename: "f", Start: Pos{Line: 1, Column: 1}, End: Pos{Line: context, Column: 1}}
		}
		src := Sources{"f": []byte(text)}
		var b bytes.Buffer
		for _, write := range []func() error{
			func() error { return WriteText(&b, Diagnostics{d}, src) },
			func() error { return WriteJSON(&b, Diagnostics{d}, src) },
			func() error { return WriteSARIF(&b, Diagnostics{d}, src, "v") },
			func() error { return WriteCodeQuality(&b, Diagnostics{d}, src) },
		} {
			if err := write(); err != nil {
				t.Fatal(err)
			}
		}
		b.Reset()
		WriteText(&b, Diagnostics{d}, src)
		for _, l := range strings.Split(b.String(), "\n") {
			if w := displayWidth(l); w > maxSnippetWidth+20 {
				t.Fatalf("a line of %d columns: %.80q", w, l)
			}
		}
	})
}
