package plan

import (
	"errors"
	"io/fs"
	"testing"
	"testing/fstest"
)

// TestReadOnce checks that a file read through ReadOnce keeps its first
// contents, or its first error, whatever happens to it afterwards.
func TestReadOnce(t *testing.T) {
	files := fstest.MapFS{"a.sql": {Data: []byte("SELECT 1")}}
	root := ReadOnce(files)
	first, err := fs.ReadFile(root, "a.sql")
	if err != nil || string(first) != "SELECT 1" {
		t.Fatalf("first read = %q, %v", first, err)
	}
	first[0] = 'X' // the caller's copy
	files["a.sql"].Data = []byte("SELECT 2")
	if again, err := fs.ReadFile(root, "a.sql"); err != nil || string(again) != "SELECT 1" {
		t.Errorf("after the file changed, read = %q, %v; want the first contents", again, err)
	}
	delete(files, "a.sql")
	if again, err := fs.ReadFile(root, "a.sql"); err != nil || string(again) != "SELECT 1" {
		t.Errorf("after the file went, read = %q, %v; want the first contents", again, err)
	}

	if _, err := fs.ReadFile(root, "missing.sql"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	files["missing.sql"] = &fstest.MapFile{Data: []byte("SELECT 3")}
	if _, err := fs.ReadFile(root, "missing.sql"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file that could not be read was read later: %v", err)
	}
	if ReadOnce(nil) != nil {
		t.Errorf("ReadOnce(nil) is not nil")
	}
}

// TestReadOnceCRLF checks that a file is read with its CRLF line endings
// as LF, and any other CR kept.
func TestReadOnceCRLF(t *testing.T) {
	root := ReadOnce(fstest.MapFS{"a.sql": {Data: []byte("SELECT 1;\r\nSELECT '\r';\r\n")}})
	if data, err := fs.ReadFile(root, "a.sql"); err != nil || string(data) != "SELECT 1;\nSELECT '\r';\n" {
		t.Errorf("read = %q, %v; want the CRLFs as LF", data, err)
	}
	s := &Step{Args: []*Arg{{Name: "file", Type: "file", String: "a.sql"}}}
	if sql, ok, _, err := s.SQL(root); !ok || err != nil || sql != "SELECT 1;\nSELECT '\r';\n" {
		t.Errorf("SQL = %q, %v, %v; want the CRLFs as LF", sql, ok, err)
	}
	// Where the CRLFs were is kept, for byte offsets in the file on disk.
	if ends := LineEndings(root, "a.sql"); !ends.All {
		t.Errorf("LineEndings = %+v; want every line ending CRLF", ends)
	}
	if ends := LineEndings(root, "unread.sql"); !ends.None() {
		t.Errorf("LineEndings of a file not read = %+v; want none", ends)
	}
}
