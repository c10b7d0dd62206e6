package output

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshc/meshc/internal/stamp"
)

// TestReadRegular checks what readRegular reads and refuses, and that it
// reads into the buffer it is given when that has room.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	long := bytes.Repeat([]byte("0123456789"), 10_000)
	makeTree(t, dir, tree{"empty": "", "short": "abc", "long": string(long), "folder/": "", "link": "-> short"})
	name := func(rel string) string { return filepath.Join(dir, rel) }

	for _, c := range []struct {
		rel  string
		buf  []byte
		want []byte
	}{
		{"empty", nil, nil},
		{"short", nil, []byte("abc")},
		{"short", make([]byte, 0, 4), []byte("abc")},
		{"long", make([]byte, 0, 10), long},      // more than the buffer holds
		{"long", make([]byte, 5, 200_000), long}, // the buffer's bytes are not kept
	} {
		got, _, err := readRegular(name(c.rel), c.buf)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("readRegular(%s, cap %d) = %d bytes, %v; want %d bytes", c.rel, cap(c.buf), len(got), err, len(c.want))
		}
		if len(got) > 0 && cap(c.buf) > len(c.want) && &got[0] != &c.buf[:1][0] {
			t.Errorf("readRegular(%s) did not read into a buffer of %d bytes", c.rel, cap(c.buf))
		}
	}
	for rel, want := range map[string]error{"link": errLink, "folder": stamp.ErrNotRegular, "missing": fs.ErrNotExist} {
		if _, _, err := readRegular(name(rel), nil); !errors.Is(err, want) {
			t.Errorf("readRegular(%s) = %v, want %v", rel, err, want)
		}
	}
	if err := os.Chmod(name("short"), 0); err == nil && os.Getuid() != 0 {
		if _, _, err := readRegular(name("short"), nil); !errors.Is(err, fs.ErrPermission) {
			t.Errorf("readRegular of an unreadable file = %v, want a permission error", err)
		}
	}
}
