//go:build unix && !solaris && !aix

package output

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNamedPipeIsAConflict checks that a named pipe where a file goes is
// refused without waiting for a writer, as opening it to read would.
func TestNamedPipeIsAConflict(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "a.yml"), 0o644); err != nil {
		t.Skip("cannot make a named pipe here:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Plan(dir, testOwner, files("a.yml", gen("a")))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "a.yml: is not a regular file") {
			t.Errorf("error = %v, want a conflict at a.yml", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Plan is waiting on the named pipe")
	}
	if info, err := os.Lstat(filepath.Join(dir, "a.yml")); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was changed: %v, %v", info, err)
	}
}
