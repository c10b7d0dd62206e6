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

// TestReadRegular checks what ReadRegular reads: a regular file whole,
// empty or larger than a read's room, and nothing else, without waiting
// on a named pipe or following a link.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 1<<20+3)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	for name, data := range map[string][]byte{"empty": {}, "small": []byte("SELECT 1;\n"), "big": big} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRegular(p)
		if err != nil || string(got) != string(data) {
			t.Errorf("ReadRegular(%s) = %d bytes, %v; want its %d bytes", name, len(got), err, len(data))
		}
	}
	if err := os.Symlink("small", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "link")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegular of a link: %v; want ErrNotRegular", err)
	}
	if _, err := ReadRegular(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadRegular of a folder: %v; want ErrNotRegular", err)
	}
	if _, err := ReadRegular(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadRegular of a missing file: %v; want it not to exist", err)
	}
	pipe := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadRegular(pipe)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadRegular of a named pipe: %v; want ErrNotRegular", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ReadRegular of a named pipe did not return in 30 s")
	}
}
