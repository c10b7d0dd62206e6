package load

import (
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

// hugeFS holds one file that says it is of MaxFileSize bytes and fails the
// test if it is read.
type hugeFS struct{ t *testing.T }

func (h hugeFS) Open(name string) (fs.File, error) { return hugeFile(h), nil }

type hugeFile struct{ t *testing.T }

func (h hugeFile) Stat() (fs.FileInfo, error) { return hugeFile(h), nil }
func (h hugeFile) Read([]byte) (int, error) {
	h.t.Error("the file was read")
	return 0, fs.ErrInvalid
}
func (hugeFile) Close() error       { return nil }
func (hugeFile) Name() string       { return "dump.mesh.hcl" }
func (hugeFile) Size() int64        { return MaxFileSize }
func (hugeFile) Mode() fs.FileMode  { return 0o644 }
func (hugeFile) ModTime() time.Time { return time.Time{} }
func (hugeFile) IsDir() bool        { return false }
func (hugeFile) Sys() any           { return nil }

// TestTooLargeUnread checks that a file of MaxFileSize bytes or more is
// refused without being read.
func TestTooLargeUnread(t *testing.T) {
	f := &file{name: "dump.mesh.hcl", textFile: &textFile{rel: "dump.mesh.hcl", tree: &Tree{FS: hugeFS{t}}}}
	if f.read(nil) {
		t.Fatal("read accepted the file")
	}
	if len(f.syntaxErrors) != 1 || f.syntaxErrors[0].Code != "file-too-large" {
		t.Errorf("diagnostics = %v, want one file-too-large", f.syntaxErrors)
	}
}

// TestReadBelow checks readBelow on files below, at and past the limit,
// and on a missing one, reading into no buffer, one with room that held
// another file, and one with too little.
func TestReadBelow(t *testing.T) {
	fsys := fstest.MapFS{"a": {Data: []byte("12345")}, "empty": {}}
	for _, tc := range []struct {
		name  string
		limit int64
		data  string
		size  int64
		err   string
	}{
		{"a", 10, "12345", 5, ""},
		{"a", 6, "12345", 5, ""},
		{"a", 5, "", 5, ""},
		{"empty", 5, "", 0, ""},
		{"missing", 5, "", 0, "file does not exist"},
	} {
		for _, buf := range [][]byte{nil, []byte(strings.Repeat("x", 2048)), make([]byte, 2)} {
			data, size, _, err := readBelow(fsys, tc.name, tc.limit, buf)
			if string(data) != tc.data || size != tc.size || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Errorf("readBelow(%s, %d, %d bytes) = %q, %d, %v; want %q, %d, %q", tc.name, tc.limit, len(buf), data, size, err, tc.data, tc.size, tc.err)
			}
			if cap(buf) > 1024 && len(data) > 0 && &data[0] != &buf[0] {
				t.Errorf("readBelow(%s, %d) did not read into the buffer given, which had room", tc.name, tc.limit)
			}
		}
	}
}

// countingFS counts the opens of each file; files are loaded in parallel.
type countingFS struct {
	fstest.MapFS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.MapFS.Open(name)
}

func (c *countingFS) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.opens[name]
}

// TestColumnsReadAgain checks that loading keeps no text of a file beyond
// ASCII, and that a column on such a line reads it again, once, and counts
// grapheme clusters.
func TestColumnsReadAgain(t *testing.T) {
	fsys := &countingFS{MapFS: fstest.MapFS{
		"mesh.hcl":     {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"d/a.mesh.hcl": {Data: []byte("domain \"d\" {\n  description = \"Qualität\"\n  owner = \"a@b.c\"\n}\n")},
	}, opens: map[string]int{}}
	mesh, _, ds := Load(Tree{FS: fsys}, Tree{})
	if ds.HasErrors() || len(mesh.Domains) != 1 {
		t.Fatal(ds)
	}
	d := mesh.Domains[0]
	if got := d.Owner.Range.Start(); got.Line != 3 || got.Column != 11 || fsys.count("d/a.mesh.hcl") != 1 {
		t.Errorf("owner at %d:%d after %d opens; want 3:11 after one", got.Line, got.Column, fsys.count("d/a.mesh.hcl"))
	}
	for range 2 {
		if got := d.Description.Range.End(); got.Line != 2 || got.Column != 27 {
			t.Errorf("description ends at %d:%d; want 2:27, counting ä as one", got.Line, got.Column)
		}
	}
	if n := fsys.count("d/a.mesh.hcl"); n != 2 {
		t.Errorf("the file was opened %d times; want twice: to load it, and once for its columns", n)
	}
}

// TestColumnsOfKeptText checks that a file kept for its own diagnostics'
// snippets counts their columns in the text it keeps, even once the file
// has changed on disk.
func TestColumnsOfKeptText(t *testing.T) {
	bad := "domain \"d\" {\n  description = \"Qualität\" ÿ\n}\n"
	fsys := fstest.MapFS{
		"mesh.hcl":     {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"d/a.mesh.hcl": {Data: []byte(bad)},
	}
	_, _, ds := Load(Tree{FS: fsys}, Tree{})
	if len(ds) == 0 || ds[0].Subject == nil {
		t.Fatalf("diagnostics = %v, want a syntax error", ds)
	}
	fsys["d/a.mesh.hcl"] = &fstest.MapFile{Data: []byte(strings.Repeat("x", len(bad)))}
	line := strings.Split(bad, "\n")[1]
	want := int32(utf8.RuneCountInString(line[:strings.Index(line, "ÿ")]) + 1)
	if got := ds[0].Subject.Start(); got.Line != 2 || got.Column != want {
		t.Errorf("%s at %d:%d; want 2:%d, counted in the text parsed", ds[0].Summary, got.Line, got.Column, want)
	}
}
