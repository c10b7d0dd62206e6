package diag

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzRender renders a diagnostic at any range of any text, in every
// format: ranges come from HCL, from meshc's own checks and from files
// that changed since they were loaded (loaded is the text the range's
// lines come from), so the renderers must cope with ranges that do not
// fit the text (past its end, inside a character, backwards) without
// failing, and keep each snippet line narrow.
func FuzzRender(f *testing.F) {
	f.Add("a = \"x\"\n", "a = \"x\"\n", int32(4), int32(7), int32(2))
	long := strings.Repeat("é\"t\", ", 1000) + "\n"
	f.Add(long, long, int32(3000), int32(3006), int32(1))
	f.Add("\t日本\r\nb\n", "\t日本\r\nb\n", int32(9), int32(2), int32(3))
	bad := "a" + strings.Repeat("\x80", 5000)
	f.Add(bad, bad, int32(1000), int32(1001), int32(0))
	f.Add("a\nb\n", "a\nbbbbbbbb\ncc\n", int32(10), int32(12), int32(0))
	f.Fuzz(func(t *testing.T, text, loaded string, start, end, context int32) {
		file := NewFile("f", []byte(loaded))
		d := &Diagnostic{Code: "c", Summary: "S", Detail: "D.", Subject: new(file.Range(int(start), int(end)))}
		if context > 0 {
			d.Context = new(file.Range(0, int(context)))
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
