package load

import (
	"strings"
	"testing"
	"testing/fstest"
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

// TestReadBelowCRLF checks that readBelow gives the text with LF line
// endings, and the size of the file as it is.
func TestReadBelowCRLF(t *testing.T) {
	fsys := fstest.MapFS{"a": {Data: []byte("x\r\ny\r\n")}}
	data, size, _, err := readBelow(fsys, "a", 10, nil)
	if string(data) != "x\ny\n" || size != 6 || err != nil {
		t.Errorf("readBelow = %q, %d, %v; want %q, 6, nil", data, size, err, "x\ny\n")
	}
	if _, size, _, _ := readBelow(fsys, "a", 6, nil); size != 6 {
		t.Errorf("readBelow below 6 bytes gave size %d; want 6, too large", size)
	}
}
