package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(name)
	if err != nil || string(got) != "new" {
		t.Errorf("read %q, %v; want new", got, err)
	}
	if info, err := os.Stat(name); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", info.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries; want the file alone", len(entries))
	}
}

func TestWriteCleansUp(t *testing.T) {
	dir := t.TempDir()
	// Renaming a file over a folder that holds something fails.
	if err := os.MkdirAll(filepath.Join(dir, "target", "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "target"), []byte("data"), 0o644); err == nil {
		t.Fatal("Write over a folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "target" {
		t.Errorf("a temporary file was left behind: %v", entries)
	}
}

// TestReplaceKeepsMode checks that Replace keeps a file's permissions,
// even those the umask would take from a new file.
func TestReplaceKeepsMode(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := Replace(name, []byte("new")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(name)
	if err != nil || info.Mode().Perm() != 0o666 {
		t.Errorf("mode %v, %v; want 0666", info.Mode(), err)
	}
	if got, _ := os.ReadFile(name); string(got) != "new" {
		t.Errorf("read %q; want new", got)
	}
}
