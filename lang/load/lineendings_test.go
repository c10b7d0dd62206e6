package load

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/diag"
)

// crlfMesh is a small mesh whose files end their lines in LF, or in CRLF
// as a Windows checkout has them.
func crlfMesh(crlf bool) fstest.MapFS {
	files := map[string]string{
		"mesh.hcl": "mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n",
		"d/domain.mesh.hcl": "domain \"d\" {\n  owner       = \"a@b.c\"\n  description = <<-EOT\n    Two lines\n    of a heredoc.\n  EOT\n}\n" +
			"source \"s\" {\n  cadence = \"daily\"\n  table   = \"RAW.S\"\n  column \"id\" { type = integer }\n}\n",
	}
	fsys := fstest.MapFS{}
	for name, text := range files {
		if crlf {
			text = strings.ReplaceAll(text, "\n", "\r\n")
		}
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// TestCRLFMesh checks that a mesh with CRLF line endings is read as the
// same mesh as with LF: the same heredocs, at the same lines and columns,
// and the same cache entries.
func TestCRLFMesh(t *testing.T) {
	dir := t.TempDir()
	type loaded struct {
		description string
		line, col   int32
		hits        int
	}
	var runs []loaded
	for _, crlf := range []bool{false, true} {
		cache, err := OpenCache(dir, "test")
		if err != nil {
			t.Fatal(err)
		}
		mesh, _, ds := Load(Tree{FS: crlfMesh(crlf), Cache: cache}, Tree{})
		if ds.HasErrors() || len(mesh.Domains) != 1 {
			t.Fatalf("crlf %v: %s: %s", crlf, ds[0].Summary, ds[0].Detail)
		}
		d := mesh.Domains[0].Description
		hits, _, _ := cache.Report()
		runs = append(runs, loaded{d.V, d.Range.End().Line, d.Range.End().Column, hits})
	}
	lf, crlf := runs[0], runs[1]
	if want := "Two lines\nof a heredoc.\n"; lf.description != want {
		t.Fatalf("description with LF = %q, want %q", lf.description, want)
	}
	if crlf.description != lf.description || crlf.line != lf.line || crlf.col != lf.col {
		t.Errorf("with CRLF, description = %q ending at %d:%d; want %q ending at %d:%d as with LF",
			crlf.description, crlf.line, crlf.col, lf.description, lf.line, lf.col)
	}
	if lf.hits != 0 || crlf.hits != 2 {
		t.Errorf("%d and then %d files read from the cache; want 0, then both: the text read is the same", lf.hits, crlf.hits)
	}
}

// TestReadCRLF checks that a file is read with its CRLF line endings as
// LF, its size being the text's, and that its lines know where the CRs
// were, while readBelow gives the file as it is.
func TestReadCRLF(t *testing.T) {
	fsys := fstest.MapFS{"a": {Data: []byte("x\r\ny\r\n")}}
	if data, size, _, err := readBelow(fsys, "a", 10, nil); string(data) != "x\r\ny\r\n" || size != 6 || err != nil {
		t.Errorf("readBelow = %q, %d, %v; want %q, 6, nil", data, size, err, "x\r\ny\r\n")
	}
	f := &file{name: "a", textFile: &textFile{rel: "a", tree: &Tree{FS: fsys}}}
	if !f.read(nil) || string(f.src) != "x\ny\n" || f.size != 4 {
		t.Fatalf("read gave %q of size %d; want %q of size 4", f.src, f.size, "x\ny\n")
	}
	if at := f.lines.OnDisk(2); at != 3 {
		t.Errorf("byte 2 of the text (y) is at %d on disk; want 3", at)
	}
}

// TestJSONOffsetsOnDisk checks that the JSON report's byte offsets are
// those of the file on disk, whatever its line endings, so that a tool
// that cuts the file by them cuts what is marked; and that lines, columns
// and snippets are as with LF, a CR alone being no line ending (as to
// HCL) but a character of its line.
func TestJSONOffsetsOnDisk(t *testing.T) {
	misspelt := "domain \"d\" {\n  owner = \"a@b.c\"\n}\n# a note\nsource \"s\" {\n  cadence = \"daily\"\n  table   = \"RAW.S\"\n  column \"id\" { typ = integer }\n}\n"
	syntaxError := strings.Replace(misspelt, "typ = integer }", "type = integer", 1)
	endings := map[string]func(string) string{
		"LF":   func(s string) string { return s },
		"CRLF": func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") },
		"mixed": func(s string) string { // CRLF on every other line
			lines := strings.SplitAfter(s, "\n")
			for i := 0; i < len(lines); i += 2 {
				lines[i] = strings.Replace(lines[i], "\n", "\r\n", 1)
			}
			return strings.Join(lines, "")
		},
		"CR alone": func(s string) string {
			return strings.ReplaceAll(strings.Replace(s, "a note", "a\rnote", 1), "\n", "\r\n")
		},
	}
	for _, tc := range []struct {
		text, code string
		line, col  int
		marked     func(raw string, start int) string // the text the range should cover, at start in raw
	}{
		{misspelt, "unknown-attribute", 8, 17, func(string, int) string { return "typ" }},
		// HCL marks the line's end, which is a CRLF where the file has one.
		{syntaxError, "syntax", 8, 31, func(raw string, start int) string {
			if raw[start] == '\r' {
				return "\r\n"
			}
			return "\n"
		}},
	} {
		sarif := map[string]string{} // by line endings
		for name, end := range endings {
			raw := end(tc.text)
			fsys := fstest.MapFS{
				"mesh.hcl":          {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
				"d/domain.mesh.hcl": {Data: []byte(raw)},
			}
			_, texts, ds := Load(Tree{FS: fsys}, Tree{})
			data, err := json.Marshal(diag.NewJSONReport(ds, texts.For(ds)))
			if err != nil {
				t.Fatal(err)
			}
			var report struct {
				Diagnostics []struct {
					Code  string
					Range struct {
						Start, End struct{ Line, Column, Byte int }
					}
					Snippet struct{ Lines []string }
				}
			}
			if err := json.Unmarshal(data, &report); err != nil {
				t.Fatal(err)
			}
			if len(report.Diagnostics) != 1 || report.Diagnostics[0].Code != tc.code {
				t.Fatalf("%s, %s: diagnostics %s; want one %s", name, tc.code, data, tc.code)
			}
			d := report.Diagnostics[0]
			start, stop := d.Range.Start, d.Range.End
			if got, want := raw[start.Byte:stop.Byte], tc.marked(raw, start.Byte); got != want {
				t.Errorf("%s, %s: bytes %d to %d of the file are %q; want %q", name, tc.code, start.Byte, stop.Byte, got, want)
			}
			if start.Line != tc.line || start.Column != tc.col {
				t.Errorf("%s, %s: at %d:%d; want %d:%d", name, tc.code, start.Line, start.Column, tc.line, tc.col)
			}
			if s := strings.Join(d.Snippet.Lines, "\n"); strings.ContainsAny(s, "\r␍") {
				t.Errorf("%s, %s: the snippet shows a CR: %q", name, tc.code, s)
			}
			var b strings.Builder
			if err := diag.WriteSARIF(&b, ds, texts.For(ds), "v"); err != nil {
				t.Fatal(err)
			}
			sarif[name] = b.String()
		}
		// SARIF's regions have lines and columns alone, in lines that
		// CRLF and LF end (SARIF's default newlineSequences), as meshc's.
		for name, log := range sarif {
			if log != sarif["LF"] {
				t.Errorf("%s, %s: the SARIF log differs from the one with LF:\n%s", name, tc.code, cmp.Diff(sarif["LF"], log))
			}
		}
	}
}

// TestSourceIndexLineEndings checks that the sources' index remembers a
// file whose line endings are all CRLF, and tells them from its size, but
// not a file with mixed ones, whose CRs it could not place: that one is
// read every time, for its byte offsets on disk.
func TestSourceIndexLineEndings(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir := t.TempDir()
	texts := map[string]string{"lf.mesh.hcl": "a {\n}\n", "crlf.mesh.hcl": "a {\r\n}\r\n", "mixed.mesh.hcl": "a {\r\n}\n"}
	for name, text := range texts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cache, err := OpenCache(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	indexes := t.TempDir()
	ix := openSources(indexes, dir)
	ix.racy = -int64(time.Hour) // the files were written a moment ago
	tree := &Tree{FS: os.DirFS(dir), Dir: dir, Cache: cache, sources: ix}
	for name := range texts {
		f := &file{name: name, textFile: &textFile{rel: name, tree: tree}}
		if !f.read(nil) {
			t.Fatalf("%s: %v", name, f.syntaxErrors)
		}
	}
	if err := ix.save(); err != nil {
		t.Fatal(err)
	}
	ix = openSources(indexes, dir)
	for name, want := range map[string]struct{ told, allCRLF bool }{
		"lf.mesh.hcl":    {true, false},
		"crlf.mesh.hcl":  {true, true},
		"mixed.mesh.hcl": {false, false},
	} {
		f := &file{name: name, textFile: &textFile{rel: name, tree: tree}}
		if told := ix.tell(f); told != want.told || f.allCRLF != want.allCRLF {
			t.Errorf("%s: told %v, all CRLF %v; want %v, %v", name, told, f.allCRLF, want.told, want.allCRLF)
		}
	}
}
