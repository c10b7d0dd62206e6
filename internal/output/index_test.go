package output

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestIndex follows an output folder through builds: the index learns the
// files a build reads and finds unchanged, tells the next build their
// contents without a read, and tells nothing of a file written since.
func TestIndex(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("files have stamps on Linux and macOS only")
	}
	cache, dir := t.TempDir(), t.TempDir()
	makeTree(t, dir, tree{"a.yml": gen("a: 1\n"), "sub/b.yml": gen("b: 2\n"), "c.yml": gen("c: 3\n")})
	a, b, c := []byte(gen("a: 1\n")), []byte(gen("b: 2\n")), []byte(gen("c: 3\n"))

	// build opens the index as a build does, with files written before
	// the build began counting as old (the test's files are all new),
	// asks about each file, and saves what it found.
	build := func(racy time.Duration, files map[string][]byte) (unchanged map[string]bool, known, unread int) {
		t.Helper()
		ix, warning := OpenIndex(cache, dir, testOwner)
		if warning != "" {
			t.Fatalf("OpenIndex: %s", warning)
		}
		ix.racy = int64(racy)
		in := NewAllowance(0).In(dir, testOwner, ix)
		unchanged = map[string]bool{}
		for rel, data := range files {
			unchanged[rel] = in.Unchanged(rel, data)
		}
		known, unread = ix.Report()
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
		return unchanged, known, unread
	}
	want := func(got map[string]bool, known, unread int, wantSame map[string]bool, wantKnown, wantUnread int) {
		t.Helper()
		for rel, same := range wantSame {
			if got[rel] != same {
				t.Errorf("Unchanged(%s) = %v, want %v", rel, got[rel], same)
			}
		}
		if known != wantKnown || unread != wantUnread {
			t.Errorf("the index told %d files' contents, %d unchanged; want %d and %d", known, unread, wantKnown, wantUnread)
		}
	}

	// Files as new as the build are not remembered: a write in the same
	// tick of the clock would not change their stamps.
	got, known, unread := build(racyFor, map[string][]byte{"a.yml": a, "sub/b.yml": b})
	want(got, known, unread, map[string]bool{"a.yml": true, "sub/b.yml": true}, 0, 0)
	got, known, unread = build(-time.Hour, map[string][]byte{"a.yml": a, "sub/b.yml": b, "c.yml": []byte(gen("c: 4\n"))})
	want(got, known, unread, map[string]bool{"a.yml": true, "sub/b.yml": true, "c.yml": false}, 0, 0)

	// Now they are: the next build reads neither, and would find a
	// change in what it renders without a read. c.yml, which differed,
	// was not remembered, and is read.
	got, known, unread = build(-time.Hour, map[string][]byte{"a.yml": a, "sub/b.yml": []byte(gen("b: 3\n")), "c.yml": c})
	want(got, known, unread, map[string]bool{"a.yml": true, "sub/b.yml": false, "c.yml": true}, 2, 1)

	// A file edited by hand has another stamp: it is read, and the edit
	// found. The index forgot sub/b.yml, which the last build did not
	// find unchanged.
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(gen("a: 2\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	got, known, unread = build(-time.Hour, map[string][]byte{"a.yml": a, "sub/b.yml": b, "c.yml": c})
	want(got, known, unread, map[string]bool{"a.yml": false, "sub/b.yml": true, "c.yml": true}, 1, 1)

	// A file replaced by a link is never vouched for by its old stamp.
	os.Remove(filepath.Join(dir, "c.yml"))
	if err := os.Symlink("sub/b.yml", filepath.Join(dir, "c.yml")); err != nil {
		t.Fatal(err)
	}
	got, known, unread = build(-time.Hour, map[string][]byte{"sub/b.yml": b, "c.yml": b})
	want(got, known, unread, map[string]bool{"sub/b.yml": true, "c.yml": false}, 1, 1)

	// A build that found what the index held does not write it again.
	ix, _ := OpenIndex(cache, dir, testOwner)
	in := NewAllowance(0).In(dir, testOwner, ix)
	if !in.Unchanged("sub/b.yml", b) {
		t.Fatal("sub/b.yml is not found unchanged")
	}
	if err := os.Remove(ix.file); err != nil {
		t.Fatal(err)
	}
	if err := ix.Save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ix.file); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Save rewrote an index that held what the build found: %v", err)
	}

	// Another folder, or another build of the same folder, has an index
	// of its own.
	for _, other := range []struct{ dir, owner string }{{t.TempDir(), testOwner}, {dir, Owner("gitlab", "dev")}} {
		if o, _ := OpenIndex(cache, other.dir, other.owner); o.file == ix.file || len(o.old) > 0 {
			t.Errorf("OpenIndex(%s, %s) opened %s, with %d records: another build's", other.dir, other.owner, o.file, len(o.old))
		}
	}
}

// TestIndexDistrust checks that an index that is not as meshc wrote it is
// ignored with a warning, and rewritten.
func TestIndexDistrust(t *testing.T) {
	cache, dir := t.TempDir(), t.TempDir()
	ix, _ := OpenIndex(cache, dir, testOwner)
	good := encodeIndex([]record{{path: 1, stamp: stamp{ino: 2, size: 3}}, {path: 9, stamp: stamp{ino: 4}}})
	if rs := decodeIndex(good); len(rs) != 2 || rs[1].stamp.ino != 4 {
		t.Fatalf("decodeIndex(encodeIndex(...)) = %v", rs)
	}
	if rs := decodeIndex(encodeIndex(nil)); rs == nil || len(rs) != 0 {
		t.Errorf("an empty index decodes as %v, want no records", rs)
	}
	flipped := bytes.Clone(good)
	flipped[len(indexFormat)+20] ^= 1
	unsorted := encodeIndex([]record{{path: 9}, {path: 1}})
	for name, data := range map[string][]byte{
		"garbage":   []byte("not an index"),
		"truncated": good[:len(good)-10],
		"flipped":   flipped,
		"unsorted":  unsorted,
		"another":   append([]byte("meshc output index 0\n"), good[len(indexFormat):]...),
	} {
		if err := os.MkdirAll(filepath.Dir(ix.file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ix.file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, warning := OpenIndex(cache, dir, testOwner)
		if !strings.Contains(warning, "ignored the corrupt output index") || len(got.old) != 0 {
			t.Errorf("%s: OpenIndex kept %d records, warning %q", name, len(got.old), warning)
		}
		if err := got.Save(); err != nil {
			t.Fatal(err)
		}
		if rewritten, _ := os.ReadFile(ix.file); decodeIndex(rewritten) == nil {
			t.Errorf("%s: the index was not rewritten", name)
		}
	}
}

// FuzzIndex decodes arbitrary bytes: never a panic, and what decodes
// encodes to the same bytes.
func FuzzIndex(f *testing.F) {
	f.Add(encodeIndex([]record{{path: 1, stamp: stamp{ino: 2}}}))
	f.Add(encodeIndex(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		if rs := decodeIndex(data); rs != nil && !bytes.Equal(encodeIndex(rs), data) {
			t.Errorf("decodeIndex(%x) = %v, which encodes as %x", data, rs, encodeIndex(rs))
		}
	})
}
