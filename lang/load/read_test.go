package load

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"
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
	f := &file{name: "dump.mesh.hcl", rel: "dump.mesh.hcl", tree: &Tree{FS: hugeFS{t}}}
	if f.read() {
		t.Fatal("read accepted the file")
	}
	if len(f.syntaxErrors) != 1 || f.syntaxErrors[0].Code != "file-too-large" {
		t.Errorf("diagnostics = %v, want one file-too-large", f.syntaxErrors)
	}
}

// TestReadBelow checks readBelow on files below, at and past the limit,
// and on a missing one.
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
		data, size, err := readBelow(fsys, tc.name, tc.limit)
		if string(data) != tc.data || size != tc.size || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("readBelow(%s, %d) = %q, %d, %v; want %q, %d, %q", tc.name, tc.limit, data, size, err, tc.data, tc.size, tc.err)
		}
	}
}
