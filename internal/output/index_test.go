package output

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshc/meshc/internal/stamp"
)

// TestIndex follows an output folder through builds: the index learns the
// files a build reads and finds unchanged, tells the next build their
// contents without a read, and tells nothing of a file written since.
func TestIndex(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
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
		r := ix.Report()
		known, unread = r.Known, r.Unread
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
	got, known, unread := build(stamp.RacyFor, map[string][]byte{"a.yml": a, "sub/b.yml": b})
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
	before, err := os.Stat(filepath.Join(dir, "a.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(gen("a: 2\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	// Of the same size, with its modification time put back: its change
	// time tells.
	if err := os.Chtimes(filepath.Join(dir, "a.yml"), before.ModTime(), before.ModTime()); err != nil {
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

// TestIndexFolders follows an output folder's folders through builds: the
// index learns those a build lists and finds holding just the wanted files
// and folders, and the next build lists only the folders whose names
// changed since, or whose wanted names did.
func TestIndexFolders(t *testing.T) {
	if !stamp.Supported {
		t.Skip("folders have no stamps here")
	}
	cache, dir := t.TempDir(), t.TempDir()
	makeTree(t, dir, tree{"a.yml": gen("a"), "sub/b.yml": gen("b"), "sub/deep/c.yml": gen("c"), "odd/x.yml": gen("x"), "odd/link": "-> x.yml"})
	wanted := files("a.yml", gen("a"), "sub/b.yml", gen("b"), "sub/deep/c.yml", gen("c"), "odd/x.yml", gen("x"))

	// writeRacy compares (or writes) the wanted files with an index, and
	// says which files were stale and how many folders were not listed;
	// write does so with the test's new files and folders taken for old.
	writeRacy := func(wanted []File, check bool, racy time.Duration) (stale []string, unlisted int) {
		t.Helper()
		ix, warning := OpenIndex(cache, dir, testOwner)
		if warning != "" {
			t.Fatalf("OpenIndex: %s", warning)
		}
		ix.racy = int64(racy)
		var changes *Changes
		var err error
		if check {
			_, changes, err = Diff(dir, testOwner, wanted, ix)
		} else {
			changes, err = Write(dir, testOwner, wanted, ix)
		}
		if err != nil {
			t.Fatal(err)
		}
		unlisted = ix.Report().Unlisted
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
		return changes.Remove, unlisted
	}
	check := func(what string, gotStale []string, gotUnlisted int, wantStale []string, wantUnlisted int) {
		t.Helper()
		if !slices.Equal(gotStale, wantStale) || gotUnlisted != wantUnlisted {
			t.Errorf("%s: stale %q, %d folders not listed; want %q and %d", what, gotStale, gotUnlisted, wantStale, wantUnlisted)
		}
	}

	// Folders as new as the build are not remembered.
	write := func(wanted []File, check bool) ([]string, int) { return writeRacy(wanted, check, -time.Hour) }
	for range 2 {
		stale, unlisted := writeRacy(wanted, true, stamp.RacyFor)
		check("new folders", stale, unlisted, nil, 0)
	}
	stale, unlisted := write(wanted, true)
	check("first build", stale, unlisted, nil, 0)
	// ".", sub, sub/deep and odd hold just what is wanted, and a link,
	// which the walk skips.
	stale, unlisted = write(wanted, true)
	check("second build", stale, unlisted, nil, 4)

	// A generated file added since moves its folder's stamp.
	makeTree(t, dir, tree{"sub/deep/old.yml": gen("old")})
	stale, unlisted = write(wanted, true)
	check("a file added", stale, unlisted, []string{"sub/deep/old.yml"}, 3)

	// Files no longer wanted change the names a folder should hold, even
	// when the folder itself is as it was.
	stale, unlisted = write(wanted[:1], false)
	check("files no longer wanted", stale, unlisted, []string{"odd/x.yml", "sub/b.yml", "sub/deep/c.yml", "sub/deep/old.yml"}, 0)
	// Write removed sub, which it emptied, but not odd, which holds the
	// link: "." is listed while it holds odd.
	stale, unlisted = write(wanted[:1], true)
	check("after removing them", stale, unlisted, nil, 0)
	if err := os.RemoveAll(filepath.Join(dir, "odd")); err != nil {
		t.Fatal(err)
	}
	stale, unlisted = write(wanted[:1], true)
	check("without odd", stale, unlisted, nil, 0)
	stale, unlisted = write(wanted[:1], true)
	check("without odd, again", stale, unlisted, nil, 1)
}

// TestIndexFind looks up keys of every prefix, and keys that are not
// there.
func TestIndexFind(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := map[uint64]bool{0: true, math.MaxUint64: true, 1 << 63: true}
	for len(keys) < 5000 {
		keys[r.Uint64()>>r.IntN(64)] = true // small keys too, in the first prefixes
	}
	sorted := slices.Sorted(maps.Keys(keys))
	var ix Index
	for i, k := range sorted {
		if i%2 == 0 {
			ix.old = append(ix.old, record{path: k})
		}
	}
	ix.hold(ix.old)
	for i, k := range sorted {
		j, found := ix.find(k)
		if found != (i%2 == 0) || found && ix.old[j].path != k {
			t.Errorf("find(%#x) = %d, %v; want it found: %v", k, j, found, i%2 == 0)
		}
	}
}

// TestIndexDistrust checks that an index that is not as meshc wrote it is
// ignored with a warning, and rewritten.
func TestIndexDistrust(t *testing.T) {
	if !stamp.Supported {
		t.Skip("there is no index where files have no stamps")
	}
	cache, dir := t.TempDir(), t.TempDir()
	ix, _ := OpenIndex(cache, dir, testOwner)
	good := encodeIndex([]record{{path: 1, stamp: stamp.Stamp{Ino: 2, Size: 3}}, {path: 9, stamp: stamp.Stamp{Ino: 4}}})
	if rs := decodeIndex(good); len(rs) != 2 || rs[1].stamp.Ino != 4 {
		t.Fatalf("decodeIndex(encodeIndex(...)) = %v", rs)
	}
	if rs := decodeIndex(encodeIndex(nil)); rs == nil || len(rs) != 0 {
		t.Errorf("an empty index decodes as %v, want no records", rs)
	}
	// framed is an index file as stamp.WriteIndex writes it.
	framed := func(format string, body []byte) []byte {
		name := filepath.Join(t.TempDir(), "index")
		if err := stamp.WriteIndex(name, format, body); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(name)
		return data
	}
	whole := framed(indexFormat, good)
	flipped := bytes.Clone(whole)
	flipped[len(indexFormat)+20] ^= 1
	for name, data := range map[string][]byte{
		// A count so large that count times a record's size wraps around.
		"huge count": framed(indexFormat, append(binary.LittleEndian.AppendUint64(nil, 1<<58+1), make([]byte, recordSize)...)),
		"garbage":    []byte("not an index"),
		"truncated":  whole[:len(whole)-10],
		"flipped":    flipped,
		"unsorted":   framed(indexFormat, encodeIndex([]record{{path: 9}, {path: 1}})),
		"another":    framed("meshc output index 0\n", good),
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
		if body, _, err := stamp.ReadIndex(ix.file, indexFormat); err != nil || decodeIndex(body) == nil {
			t.Errorf("%s: the index was not rewritten", name)
		}
	}
}

// FuzzIndex decodes arbitrary bodies: never a panic, and what decodes
// encodes to the same bytes.
func FuzzIndex(f *testing.F) {
	f.Add(encodeIndex([]record{{path: 1, stamp: stamp.Stamp{Ino: 2}}}))
	f.Add(encodeIndex(nil))
	f.Add(binary.LittleEndian.AppendUint64(nil, 1<<58+1))
	f.Fuzz(func(t *testing.T, data []byte) {
		if rs := decodeIndex(data); rs != nil && !bytes.Equal(encodeIndex(rs), data) {
			t.Errorf("decodeIndex(%x) = %v, which encodes as %x", data, rs, encodeIndex(rs))
		}
	})
}

// TestWantedTree checks that the folders on the way to the wanted files
// are found whatever the order of the files.
func TestWantedTree(t *testing.T) {
	paths := []string{"a/b/c.yml", "a/d.yml", "e.yml", "a/b/f/g.yml"}
	want := newWantedTree(paths)
	if !slices.Equal(want.folders["."], []string{"a"}) || !slices.Equal(want.folders["a"], []string{"a/b"}) || !slices.Equal(want.folders["a/b"], []string{"a/b/f"}) {
		t.Fatalf("folders %v", want.folders)
	}
	var root nameSet
	root.add("a", true)
	root.add("e.yml", false)
	if want.names["."] != root {
		t.Errorf("the root holds %v, want %v", want.names["."], root)
	}
	for range 10 {
		rand.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
		if got := newWantedTree(paths); !maps.Equal(got.names, want.names) || !maps.EqualFunc(got.folders, want.folders, slices.Equal) {
			t.Errorf("in the order %q: %v, %v; want %v, %v", paths, got.names, got.folders, want.names, want.folders)
		}
	}
}

// TestIndexFolder checks that a folder in the index's place, which no
// index can be renamed over, is removed when empty, and otherwise left,
// with no index and a warning that says so and how to fix it rather than
// promise a rewrite that cannot happen.
func TestIndexFolder(t *testing.T) {
	if !stamp.Supported {
		t.Skip("there is no index where files have no stamps")
	}
	cache, dir := t.TempDir(), t.TempDir()
	ix, _ := OpenIndex(cache, dir, testOwner)
	if err := os.MkdirAll(ix.file, 0o755); err != nil {
		t.Fatal(err)
	}
	got, warning := OpenIndex(cache, dir, testOwner)
	if got == nil || warning != "" {
		t.Fatalf("an empty folder: index %v, warning %q", got, warning)
	}
	if info, err := os.Lstat(ix.file); err == nil && info.IsDir() {
		t.Fatal("the empty folder is left where the index goes")
	}

	if err := os.MkdirAll(filepath.Join(ix.file, "kept"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, warning = OpenIndex(cache, dir, testOwner)
	if got != nil || !strings.Contains(warning, "is a folder, where meshc keeps a file, so every build reads all the folder's files; remove the folder (rm -r ") {
		t.Errorf("a folder holding something: index %v, warning %q", got, warning)
	}
}
