//go:build unix

package stamp

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadIndexOfPipe checks that an index that is a named pipe is
// corrupt, not opened: opening one waits for a writer, for ever.
func TestReadIndexOfPipe(t *testing.T) {
	name := filepath.Join(t.TempDir(), "index")
	if err := syscall.Mkfifo(name, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := ReadIndex(name, "format 1\n")
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("ReadIndex of a named pipe: %v; want ErrCorrupt", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ReadIndex of a named pipe did not return in 30 s")
	}
}

// TestOpenRegular checks what OpenRegular opens: a regular file, and
// nothing else, without following a link to one.
func TestOpenRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("text"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(file, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, info, err := OpenRegular(file)
	if err != nil || info.Size() != 4 {
		t.Fatalf("OpenRegular of a file: %v, %v", info, err)
	}
	f.Close()
	for _, name := range []string{"link", "pipe", "."} {
		if _, _, err := OpenRegular(filepath.Join(dir, name)); !errors.Is(err, ErrNotRegular) {
			t.Errorf("OpenRegular of %s: %v; want ErrNotRegular", name, err)
		}
	}
	if _, _, err := OpenRegular(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenRegular of nothing: %v; want it not to exist", err)
	}
}
