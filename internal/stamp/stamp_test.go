package stamp

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStamps checks that a file's stamp moves when it is written, and
// stays while it is not; that nothing vouches for a file that is gone; and
// what the racy rule lets a run remember.
func TestStamps(t *testing.T) {
	if !Supported {
		t.Skip("files have no stamps here")
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	if err := os.WriteFile(name, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := File(name)
	if !before.Known() || !before.Same(File(name)) || Folder(name).Known() || File(dir).Known() || !Folder(dir).Known() {
		t.Fatalf("stamps of a file and a folder: %+v", before)
	}
	time.Sleep(20 * time.Millisecond) // past a tick of the kernel's coarse clock
	if err := os.WriteFile(name, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(name, time.Unix(0, before.Mtime), time.Unix(0, before.Mtime)); err != nil {
		t.Fatal(err)
	}
	if File(name).Same(before) {
		t.Error("a file written with its size and modification time put back keeps its stamp")
	}
	os.Remove(name)
	if gone := File(name); gone.Same(Stamp{}) || gone.Known() {
		t.Errorf("a file that is gone has the stamp %+v", gone)
	}
	now := time.Now().UnixNano()
	if s := (Stamp{Ino: 1, Mtime: now, Ctime: now}); s.Settled(now, int64(RacyFor)) || !s.Settled(now+int64(RacyFor), int64(RacyFor)) {
		t.Error("the racy rule lets a run remember a stamp of its own tick, or not one RacyFor old")
	}
}

// TestIndexFiles writes an index file and reads it back, and refuses one
// spoilt in any way.
func TestIndexFiles(t *testing.T) {
	name := filepath.Join(t.TempDir(), "index", "i")
	if body, found, err := ReadIndex(name, "f 1\n"); found || err != nil {
		t.Fatalf("no index: %q, %v", body, err)
	}
	if err := WriteIndex(name, "f 1\n", []byte("body")); err != nil {
		t.Fatal(err)
	}
	if body, found, err := ReadIndex(name, "f 1\n"); string(body) != "body" || !found || err != nil {
		t.Fatalf("ReadIndex = %q, %v", body, err)
	}
	if _, _, err := ReadIndex(name, "f 2\n"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("an index of another format: %v", err)
	}
	data, _ := os.ReadFile(name)
	for what, spoilt := range map[string][]byte{"flipped": append([]byte("f 1\nbodz"), data[len(data)-4:]...), "short": data[:3]} {
		os.WriteFile(name, spoilt, 0o644)
		if _, _, err := ReadIndex(name, "f 1\n"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// TestEncoding checks that Decode reads what Append wrote, every field
// in its place, negative times too.
func TestEncoding(t *testing.T) {
	s := Stamp{Dev: 1, Ino: 2, Size: 3, Mtime: -4, Ctime: 1 << 62}
	b := s.Append([]byte("x"))
	if len(b) != 1+EncodedLen || Decode(b[1:]) != s {
		t.Errorf("Append then Decode of %+v: %d bytes, %+v", s, len(b), Decode(b[1:]))
	}
}
