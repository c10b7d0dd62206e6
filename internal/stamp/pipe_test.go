//go:build unix

package stamp

import (
	"errors"
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
