package output

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/stamp"
)

// TestIndexIsInvisible runs random builds and random edits of an output
// folder, and checks that every comparison with the index says what the
// same comparison without it says: which files are unchanged, the changes,
// and the diff. The index trusts every stamp here (racy rule off), and
// every edit moves the modification time of what it touched, as the clock
// does between a build and an edit in life: what is tested is what the
// index does with stamps, not the clock's resolution.
func TestIndexIsInvisible(t *testing.T) {
	if !stamp.Supported {
		t.Skip("there is no index where files have no stamps")
	}
	cache, dir := t.TempDir(), t.TempDir()
	r := rand.New(rand.NewPCG(8, 14))
	paths := []string{"a.yml", "b.yml", "x/c.yml", "x/d.yml", "x/y/e.yml", "x/y/f.yml", "z/g.yml", "z/h/i.yml"}
	bodies := []string{"a: 1\n", "a: 2\n", "b: 1\n", "longer: 1\n"}
	clock := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	touched := func(rel string) { // the clock moves on past an edit
		for p := rel; ; p = path.Dir(p) {
			clock = clock.Add(time.Second)
			os.Chtimes(filepath.Join(dir, filepath.FromSlash(p)), clock, clock)
			if p == "." {
				return
			}
		}
	}
	folders := []string{".", "x", "x/y", "z", "z/h"}
	extras := []string{"notes.txt", "link", "old.yml"} // a hand-written file, a link, a stale file
	edit := func() string {
		rel := paths[r.IntN(len(paths))]
		extra := path.Join(folders[r.IntN(len(folders))], extras[r.IntN(len(extras))])
		name := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
		os.MkdirAll(filepath.Dir(name(rel)), 0o755)
		os.MkdirAll(filepath.Dir(name(extra)), 0o755)
		switch r.IntN(6) {
		case 0, 1:
			os.Remove(name(rel))
			os.WriteFile(name(rel), []byte(gen(bodies[r.IntN(len(bodies))])), 0o644)
		case 2:
			os.Remove(name(rel))
		case 3:
			rel = extra
			switch path.Base(extra) {
			case "notes.txt":
				os.WriteFile(name(extra), []byte("hand-written\n"), 0o644)
			case "link":
				os.Symlink("elsewhere", name(extra))
			default:
				os.WriteFile(name(extra), []byte(gen("old\n")), 0o644)
			}
		case 4, 5:
			rel = extra
			os.Remove(name(extra))
		}
		touched(rel)
		return rel
	}

	var unread, unlisted int // what the index vouched for, in all
	var wanted []File
	for step := range 400 {
		if step%5 == 0 { // another mesh, now and then
			wanted = nil
			for _, p := range paths {
				if r.IntN(4) > 0 {
					wanted = append(wanted, File{Path: p, Data: []byte(gen(bodies[r.IntN(len(bodies))]))})
				}
			}
		}
		var edits []string
		for range max(r.IntN(5)-2, 0) {
			edits = append(edits, edit())
		}
		what := fmt.Sprintf("step %d (edited %q, wanted %d files)", step, edits, len(wanted))

		ix, warning := OpenIndex(cache, dir, testOwner)
		if warning != "" {
			t.Fatalf("%s: OpenIndex: %s", what, warning)
		}
		ix.racy = -int64(time.Hour)
		plain, indexed := NewAllowance(0).In(dir, testOwner, nil), NewAllowance(0).In(dir, testOwner, ix)
		var files []File
		for _, f := range wanted {
			if same, got := plain.Unchanged(f.Path, f.Data), indexed.Unchanged(f.Path, f.Data); same != got {
				t.Fatalf("%s: Unchanged(%s) = %v with the index, %v without", what, f.Path, got, same)
			} else if same {
				f = File{Path: f.Path, Render: func() []byte { return slices.Clone(f.Data) }, Unchanged: true}
			}
			files = append(files, f)
		}
		wantDiff, wantChanges, wantErr := Diff(dir, testOwner, files, nil)
		gotDiff, gotChanges, gotErr := Diff(dir, testOwner, files, ix)
		if diff := cmp.Diff(fmt.Sprint(wantErr), fmt.Sprint(gotErr)); diff != "" {
			t.Fatalf("%s: Diff's error with the index (+) and without (-):\n%s", what, diff)
		}
		if diff := cmp.Diff(wantChanges, gotChanges); diff != "" {
			t.Fatalf("%s: changes with the index (+) and without (-):\n%s", what, diff)
		}
		if diff := cmp.Diff(string(wantDiff), string(gotDiff)); diff != "" {
			t.Fatalf("%s: diff with the index (+) and without (-):\n%s", what, diff)
		}
		report := ix.Report()
		unread, unlisted = unread+report.Unread, unlisted+report.Unlisted
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
		if wantErr != nil || r.IntN(2) > 0 {
			continue
		}
		// Write with the index, as a build does, and find the folder as
		// wanted.
		ix, _ = OpenIndex(cache, dir, testOwner)
		ix.racy = -int64(time.Hour)
		changes, err := Write(dir, testOwner, files, ix)
		if err != nil {
			t.Fatalf("%s: Write: %v", what, err)
		}
		for _, rel := range slices.Concat(changes.Create, changes.Update, changes.Remove) {
			touched(rel)
		}
		if err := ix.Save(); err != nil {
			t.Fatal(err)
		}
		if diff, _, err := Diff(dir, testOwner, wanted, nil); err != nil || len(diff) > 0 {
			t.Fatalf("%s: after Write: %v\n%s", what, err, diff)
		}
	}
	if unread < 100 || unlisted < 100 {
		t.Errorf("the index vouched for %d files and %d folders in all: the test does not test it", unread, unlisted)
	}
	t.Logf("the index vouched for %d files and %d folders", unread, unlisted)
}
