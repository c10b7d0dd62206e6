package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// gen returns the contents of a generated file.
// testOwner is the build that the tests' files come from.
var testOwner = Owner("gitlab", "prod")

func gen(body string) string {
	return "# " + Marker + "\n# " + OwnerLine(testOwner) + "\n" + body
}

// files makes Files from path, contents pairs.
func files(pathsAndContents ...string) []File {
	var out []File
	for i := 0; i < len(pathsAndContents); i += 2 {
		out = append(out, File{Path: pathsAndContents[i], Data: []byte(pathsAndContents[i+1])})
	}
	return out
}

// rendered makes the files render their contents on demand, as a
// target's large files do.
func rendered(files []File) []File {
	out := make([]File, len(files))
	for i, f := range files {
		out[i] = File{Path: f.Path, Render: func() []byte { return slices.Clone(f.Data) }}
	}
	return out
}

// eachForm runs a test with files given whole, then rendered on demand.
func eachForm(t *testing.T, test func(t *testing.T, form func([]File) []File)) {
	t.Run("data", func(t *testing.T) { test(t, func(f []File) []File { return f }) })
	t.Run("rendered", func(t *testing.T) { test(t, rendered) })
}

// A tree describes a folder's contents by slash path: a file's contents, "->
// target" for a symbolic link, or "" under a path ending in "/" for an empty
// folder.
type tree map[string]string

func makeTree(t *testing.T, root string, tr tree) {
	t.Helper()
	for rel, contents := range tr {
		name := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(rel, "/"):
			err = os.MkdirAll(name, 0o755)
		case strings.HasPrefix(contents, "-> "):
			err = os.Symlink(filepath.FromSlash(strings.TrimPrefix(contents, "-> ")), name)
			if err != nil && runtime.GOOS == "windows" {
				t.Skipf("cannot make symbolic links: %v", err)
			}
		default:
			err = os.WriteFile(name, []byte(contents), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns the files, links and empty folders under root, without
// following links.
func readTree(t *testing.T, root string) tree {
	t.Helper()
	tr := tree{}
	err := filepath.WalkDir(root, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, name)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(name)
			tr[rel] = "-> " + filepath.ToSlash(target)
			return err
		case d.IsDir():
			entries, err := os.ReadDir(name)
			if len(entries) == 0 && rel != "." {
				tr[rel+"/"] = ""
			}
			return err
		default:
			data, err := os.ReadFile(name)
			tr[rel] = string(data)
			return err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestWrite(t *testing.T) {
	// Trees are relative to a temporary folder; the output folder is its
	// subfolder out, so that cases can also show what lies outside it.
	for _, tc := range []struct {
		name   string
		before tree
		files  []File
		want   Changes
		after  tree
	}{
		{
			name:   "creates nested folders",
			before: tree{"out/": ""},
			files:  files("ci/a.yml", gen("a"), "dags/x/b.py", gen("b")),
			want:   Changes{Create: []string{"ci/a.yml", "dags/x/b.py"}},
			after:  tree{"out/ci/a.yml": gen("a"), "out/dags/x/b.py": gen("b")},
		},
		{
			name:   "creates the output folder",
			before: tree{},
			files:  files("a.yml", gen("a")),
			want:   Changes{Create: []string{"a.yml"}},
			after:  tree{"out/a.yml": gen("a")},
		},
		{
			name: "creates, updates, keeps and removes",
			before: tree{
				"out/same.yml":    gen("same"),
				"out/changed.yml": gen("v1"),
				"out/old.yml":     gen("old"),
			},
			files: files("same.yml", gen("same"), "changed.yml", gen("v2"), "new.yml", gen("new")),
			want: Changes{
				Create:    []string{"new.yml"},
				Update:    []string{"changed.yml"},
				Remove:    []string{"old.yml"},
				Unchanged: []string{"same.yml"},
			},
			after: tree{
				"out/same.yml":    gen("same"),
				"out/changed.yml": gen("v2"),
				"out/new.yml":     gen("new"),
			},
		},
		{
			name: "removing stale files removes the folders they leave empty",
			before: tree{
				"out/keep.yml":            gen("keep"),
				"out/a/x.yml":             gen("x"),
				"out/a/b/c/stale.yml":     gen("stale"),
				"out/a/b/other/stale.yml": gen("stale"),
			},
			files: files("keep.yml", gen("keep"), "a/x.yml", gen("x")),
			want: Changes{
				Remove:    []string{"a/b/c/stale.yml", "a/b/other/stale.yml"},
				Unchanged: []string{"a/x.yml", "keep.yml"},
			},
			after: tree{"out/keep.yml": gen("keep"), "out/a/x.yml": gen("x")},
		},
		{
			name: "folders that hold anything else stay",
			before: tree{
				"out/a/stale.yml":  gen("stale"),
				"out/a/notes.txt":  "mine",
				"out/b/stale.yml":  gen("stale"),
				"out/b/empty/":     "",
				"out/c/stale.yml":  gen("stale"),
				"out/c/.gitignore": "",
			},
			want: Changes{Remove: []string{"a/stale.yml", "b/stale.yml", "c/stale.yml"}},
			after: tree{
				"out/a/notes.txt":  "mine",
				"out/b/empty/":     "",
				"out/c/.gitignore": "",
			},
		},
		{
			name:   "the output folder stays when emptied",
			before: tree{"out/only.yml": gen("only"), "out/sub/s.yml": gen("s")},
			want:   Changes{Remove: []string{"only.yml", "sub/s.yml"}},
			after:  tree{"out/": ""},
		},
		{
			name:   "hand-written files that are not in the way stay",
			before: tree{"out/README.md": "# Generated pipelines\n", "out/ci/local.yml": "stages: [test]\n"},
			files:  files("ci/mesh.yml", gen("mesh")),
			want:   Changes{Create: []string{"ci/mesh.yml"}},
			after: tree{
				"out/README.md":    "# Generated pipelines\n",
				"out/ci/local.yml": "stages: [test]\n",
				"out/ci/mesh.yml":  gen("mesh"),
			},
		},
		{
			name:   ".git folders are skipped",
			before: tree{"out/.git/x.yml": gen("x"), "out/sub/.git/y.yml": gen("y")},
			want:   Changes{},
			after:  tree{"out/.git/x.yml": gen("x"), "out/sub/.git/y.yml": gen("y")},
		},
		{
			name: "links are not followed in search of stale files",
			before: tree{
				"elsewhere/g.yml": gen("g"),
				"out/dir-link":    "-> ../elsewhere",
				"out/file-link":   "-> ../elsewhere/g.yml",
			},
			want: Changes{},
			after: tree{
				"elsewhere/g.yml": gen("g"),
				"out/dir-link":    "-> ../elsewhere",
				"out/file-link":   "-> ../elsewhere/g.yml",
			},
		},
		{
			name:   "a temporary file left by a crash is stale",
			before: tree{"out/.a.yml.12345.tmp": gen("a")},
			files:  files("a.yml", gen("a")),
			want:   Changes{Create: []string{"a.yml"}, Remove: []string{".a.yml.12345.tmp"}},
			after:  tree{"out/a.yml": gen("a")},
		},
		{
			name:   "JSON files carry the marker in a field",
			before: tree{"out/old.json": `{"comment": "` + Marker + ` ` + OwnerLine(testOwner) + `"}`},
			files:  files("new.json", `{"comment": "`+Marker+` `+OwnerLine(testOwner)+`"}`),
			want:   Changes{Create: []string{"new.json"}, Remove: []string{"old.json"}},
			after:  tree{"out/new.json": `{"comment": "` + Marker + ` ` + OwnerLine(testOwner) + `"}`},
		},
	} {
		eachForm(t, func(t *testing.T, form func([]File) []File) {
			t.Run(tc.name, func(t *testing.T) {
				root := t.TempDir()
				makeTree(t, root, tc.before)
				dir := filepath.Join(root, "out")
				given := form(tc.files)

				planned, err := Plan(dir, testOwner, given)
				if err != nil {
					t.Fatalf("Plan: %v", err)
				}
				if diff := cmp.Diff(readTree(t, root), tc.before); diff != "" && len(tc.before) > 0 {
					t.Errorf("Plan changed the folder (-before +after):\n%s", diff)
				}
				got, err := Write(dir, testOwner, given, nil)
				if err != nil {
					t.Fatalf("Write: %v", err)
				}
				if diff := cmp.Diff(&tc.want, got); diff != "" {
					t.Errorf("Write changes (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(planned, got); diff != "" {
					t.Errorf("Plan and Write differ (-Plan +Write):\n%s", diff)
				}
				if diff := cmp.Diff(tc.after, readTree(t, root)); diff != "" {
					t.Errorf("folder after Write (-want +got):\n%s", diff)
				}

				// Writing the same files again changes nothing.
				again, err := Write(dir, testOwner, given, nil)
				if err != nil {
					t.Fatalf("second Write: %v", err)
				}
				want := Changes{Unchanged: slices.Concat(tc.want.Create, tc.want.Update, tc.want.Unchanged)}
				slices.Sort(want.Unchanged)
				if diff := cmp.Diff(&want, again); diff != "" {
					t.Errorf("second Write changes (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		before    tree
		files     []File
		conflicts []string // paths
	}{
		{
			name:      "hand-written file",
			before:    tree{"out/ci.yml": "stages: [test]\n", "out/old.yml": gen("old")},
			files:     files("ci.yml", gen("ci"), "new.yml", gen("new")),
			conflicts: []string{"ci.yml"},
		},
		{
			name:      "marker too far down",
			before:    tree{"out/ci.yml": strings.Repeat("\n", 1024) + gen("")},
			files:     files("ci.yml", gen("ci")),
			conflicts: []string{"ci.yml"},
		},
		{
			name: "linked folder",
			before: tree{
				"elsewhere/a.yml": gen("a"),
				"out/ci":          "-> ../elsewhere",
			},
			files:     files("ci/a.yml", gen("new a"), "ci/b.yml", gen("b")),
			conflicts: []string{"ci"},
		},
		{
			name: "linked file, even a generated one",
			before: tree{
				"elsewhere/a.yml": gen("a"),
				"out/a.yml":       "-> ../elsewhere/a.yml",
			},
			files:     files("a.yml", gen("new a")),
			conflicts: []string{"a.yml"},
		},
		{
			name:      "link deeper down",
			before:    tree{"elsewhere/": "", "out/a/b": "-> ../../elsewhere"},
			files:     files("a/b/c/d.yml", gen("d")),
			conflicts: []string{"a/b"},
		},
		{
			name:      "file where a folder is needed",
			before:    tree{"out/ci": gen("ci")},
			files:     files("ci/a.yml", gen("a")),
			conflicts: []string{"ci"},
		},
		{
			name:      "folder where a file is needed",
			before:    tree{"out/ci.yml/": ""},
			files:     files("ci.yml", gen("ci")),
			conflicts: []string{"ci.yml"},
		},
		{
			name: "every conflict, sorted",
			before: tree{
				"out/z.yml":       "hand-written",
				"out/m/n.yml":     "hand-written",
				"out/a":           "-> .",
				"out/stale.yml":   gen("stale"),
				"out/changed.yml": gen("v1"),
			},
			files: files(
				"z.yml", gen("z"),
				"m/n.yml", gen("n"),
				"a/x.yml", gen("x"),
				"a/y.yml", gen("y"),
				"changed.yml", gen("v2"),
				"new.yml", gen("new"),
			),
			conflicts: []string{"a", "m/n.yml", "z.yml"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			makeTree(t, root, tc.before)
			dir := filepath.Join(root, "out")
			before := readTree(t, root)

			_, planErr := Plan(dir, testOwner, tc.files)
			_, diffChanges, diffErr := Diff(dir, testOwner, tc.files, nil)
			changes, err := Write(dir, testOwner, tc.files, nil)
			if changes != nil || diffChanges != nil {
				t.Errorf("got Changes despite the error")
			}
			var conflictErr *ConflictError
			if !errors.As(err, &conflictErr) {
				t.Fatalf("Write error = %v, want a *ConflictError", err)
			}
			var got []string
			for _, c := range conflictErr.Conflicts {
				got = append(got, c.Path)
			}
			if diff := cmp.Diff(tc.conflicts, got); diff != "" {
				t.Errorf("conflicts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(err.Error(), planErr.Error()); diff != "" {
				t.Errorf("Plan and Write errors differ:\n%s", diff)
			}
			if diff := cmp.Diff(err.Error(), diffErr.Error()); diff != "" {
				t.Errorf("Diff and Write errors differ:\n%s", diff)
			}
			if diff := cmp.Diff(before, readTree(t, root)); diff != "" {
				t.Errorf("Write changed the folder (-before +after):\n%s", diff)
			}
		})
	}
}

func TestConflictErrorText(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, tree{"out/ci.yml": "stages: [test]\n", "elsewhere/": "", "out/dags": "-> ../elsewhere"})
	dir := filepath.Join(root, "out")
	_, err := Write(dir, testOwner, files("ci.yml", gen("ci"), "dags/a.py", gen("a")), nil)
	want := "cannot write generated files to " + dir + ", so nothing was written:\n" +
		"\tci.yml: was not written by meshc (it has no \"Code generated by meshc. DO NOT EDIT.\" line at the top); move it away or choose another --out\n" +
		"\tdags: is a symbolic link, and meshc never writes through links, so that it cannot write outside the output folder; move it away or choose another --out"
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestOutputFolder(t *testing.T) {
	// Each case's tree has the output folder at out or below it, and
	// what lies around it, which no build may change.
	for _, tc := range []struct {
		name, out string
		before    tree
		want      string // the error, with ROOT for the temporary folder
	}{
		{
			// Its stale files would be removed from wherever the
			// link points.
			name:   "may not be a link",
			out:    "out",
			before: tree{"elsewhere/old.yml": gen("old"), "out": "-> elsewhere"},
			want:   "output folder ROOT/out is a symbolic link (to elsewhere), and meshc never writes through links, so that it cannot write or remove files outside the folder it is given; choose as --out the folder the link points to, or replace the link with a folder",
		},
		{
			name:   "may not be a broken link",
			out:    "out",
			before: tree{"out": "-> nowhere"},
			want:   "output folder ROOT/out is a symbolic link (to nowhere), and meshc never writes through links, so that it cannot write or remove files outside the folder it is given; choose as --out the folder the link points to, or replace the link with a folder",
		},
		{
			name:   "may not be a link with a slash after it",
			out:    "out/",
			before: tree{"elsewhere/old.yml": gen("old"), "out": "-> elsewhere"},
			want:   "output folder ROOT/out/ is a symbolic link (to elsewhere), and meshc never writes through links, so that it cannot write or remove files outside the folder it is given; choose as --out the folder the link points to, or replace the link with a folder",
		},
		{
			name:   "must be a folder",
			out:    "out",
			before: tree{"out": "a file"},
			want:   "output folder ROOT/out is not a folder; move it away or choose another --out",
		},
		{
			name:   "cannot be made through a broken link",
			out:    "gen/sub",
			before: tree{"gen": "-> nowhere"},
			want:   "output folder ROOT/gen/sub cannot be made: ROOT/gen on the way is a symbolic link to nowhere, which does not exist; remove the link or choose another --out",
		},
		{
			name:   "cannot be made through a link to a file",
			out:    "gen/sub",
			before: tree{"file": "x", "gen": "-> file"},
			want:   "output folder ROOT/gen/sub cannot be made: ROOT/gen on the way is a symbolic link to file, which is not a folder; remove the link or choose another --out",
		},
		{
			name:   "cannot be made in a file",
			out:    "afile/sub/deeper",
			before: tree{"afile": "x"},
			want:   "output folder ROOT/afile/sub/deeper cannot be made: ROOT/afile on the way is not a folder; move it away or choose another --out",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			makeTree(t, root, tc.before)
			dir := root + string(filepath.Separator) + filepath.FromSlash(tc.out)
			want := strings.ReplaceAll(tc.want, "ROOT/", root+string(filepath.Separator))
			_, planErr := Plan(dir, testOwner, files("a.yml", gen("a")))
			_, _, diffErr := Diff(dir, testOwner, files("a.yml", gen("a")), nil)
			_, err := Write(dir, testOwner, files("a.yml", gen("a")), nil)
			for _, err := range []error{planErr, diffErr, err} {
				if err == nil || err.Error() != want {
					t.Errorf("error:\n%v\nwant:\n%s", err, want)
				}
			}
			if diff := cmp.Diff(tc.before, readTree(t, root)); diff != "" {
				t.Errorf("the build changed the tree (-before +after):\n%s", diff)
			}
		})
	}
	t.Run("may be reached through a link", func(t *testing.T) {
		root := t.TempDir()
		makeTree(t, root, tree{"real/out/old.yml": gen("old"), "link": "-> real"})
		changes, err := Write(filepath.Join(root, "link", "out"), testOwner, files("a.yml", gen("a")), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&Changes{Create: []string{"a.yml"}, Remove: []string{"old.yml"}}, changes); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(tree{"real/out/a.yml": gen("a"), "link": "-> real"}, readTree(t, root)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("is created by Write, not Plan", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "out", "deeper")
		changes, err := Plan(dir, testOwner, files("a.yml", gen("a")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Plan made the output folder, or: %v", err)
		}
		if diff := cmp.Diff(&Changes{Create: []string{"a.yml"}}, changes); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if _, err := Write(dir, testOwner, files("a.yml", gen("a")), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "a.yml")); err != nil {
			t.Error(err)
		}
	})
}

func TestUnchangedFilesKeepTheirTime(t *testing.T) {
	dir := t.TempDir()
	v1 := files("same.yml", gen("same"), "changed.yml", gen("v1"))
	if _, err := Write(dir, testOwner, v1, nil); err != nil {
		t.Fatal(err)
	}
	past := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	for _, f := range v1 {
		if err := os.Chtimes(filepath.Join(dir, f.Path), past, past); err != nil {
			t.Fatal(err)
		}
	}
	v2 := files("same.yml", gen("same"), "changed.yml", gen("v2"))
	if _, err := Write(dir, testOwner, v2, nil); err != nil {
		t.Fatal(err)
	}
	same, err := os.Stat(filepath.Join(dir, "same.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !same.ModTime().Equal(past) {
		t.Errorf("unchanged file's time = %v, want %v", same.ModTime(), past)
	}
	changed, err := os.Stat(filepath.Join(dir, "changed.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if changed.ModTime().Equal(past) {
		t.Error("changed file kept its old time")
	}
	if runtime.GOOS != "windows" && changed.Mode().Perm() != 0o644 {
		t.Errorf("changed file's mode = %v, want 0644", changed.Mode().Perm())
	}
}

// TestSameFileByAnotherCase checks that a wanted file that the file system
// finds under a name differing in case is not also removed as stale. A hard
// link stands in for a case-insensitive file system.
func TestSameFileByAnotherCase(t *testing.T) {
	root := t.TempDir()
	makeTree(t, root, tree{"out/ci/a.yml": gen("a")})
	dir := filepath.Join(root, "out")
	if err := os.Mkdir(filepath.Join(dir, "CI"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "ci", "a.yml"), filepath.Join(dir, "CI", "a.yml")); err != nil {
		t.Skipf("cannot make hard links: %v", err)
	}
	changes, err := Plan(dir, testOwner, files("ci/a.yml", gen("a")))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Changes{Unchanged: []string{"ci/a.yml"}}, changes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestOtherFileByAnotherCase checks that a generated file whose name
// differs only in case from a wanted one, and is another file, is stale:
// whether the wanted file is unchanged or updated.
func TestOtherFileByAnotherCase(t *testing.T) {
	for _, want := range []string{gen("a"), gen("changed")} {
		root := t.TempDir()
		makeTree(t, root, tree{"out/ci/a.yml": gen("a"), "out/CI/a.yml": gen("a")})
		changes, err := Plan(filepath.Join(root, "out"), testOwner, files("ci/a.yml", want))
		if err != nil {
			t.Fatal(err)
		}
		wantChanges := &Changes{Unchanged: []string{"ci/a.yml"}, Remove: []string{"CI/a.yml"}}
		if want != gen("a") {
			wantChanges = &Changes{Update: []string{"ci/a.yml"}, Remove: []string{"CI/a.yml"}}
		}
		if diff := cmp.Diff(wantChanges, changes); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}

// TestComparesInReusedBuffers checks Plan on more files than it compares
// at once, each read into the buffer of one before it: files longer and
// shorter than the one before, one whose wanted contents are the start of
// what is there, and one whose are what is there and more.
func TestComparesInReusedBuffers(t *testing.T) {
	root := t.TempDir()
	there, want := tree{}, []string{}
	var changed []string
	for i := range 5 * FilesAtOnce() {
		rel := fmt.Sprintf("f%03d.sql", i)
		body := strings.Repeat("x", (i*37)%101)
		there["out/"+rel] = gen(body)
		switch i % 10 {
		case 3:
			body = body[:len(body)/2]
			changed = append(changed, rel)
		case 7:
			body += "y"
			changed = append(changed, rel)
		}
		want = append(want, rel, gen(body))
	}
	makeTree(t, root, there)
	changes, err := Plan(filepath.Join(root, "out"), testOwner, files(want...))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(changed, changes.Update); diff != "" {
		t.Errorf("updated (-want +got):\n%s", diff)
	}
	if got, wantN := len(changes.Unchanged), len(want)/2-len(changed); got != wantN {
		t.Errorf("%d unchanged, want %d", got, wantN)
	}
}

func TestBadPaths(t *testing.T) {
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{""}, `"" is empty`},
		{[]string{"/etc/passwd"}, `"/etc/passwd" is absolute`},
		{[]string{"../x.yml"}, `"../x.yml" has a .. element`},
		{[]string{"a/../b.yml"}, `"a/../b.yml" has a .. element`},
		{[]string{".."}, `".." has a .. element`},
		{[]string{"./a.yml"}, `"./a.yml" is not clean`},
		{[]string{"a//b.yml"}, `"a//b.yml" is not clean`},
		{[]string{"a/"}, `"a/" is not clean`},
		{[]string{"."}, `"." is not clean`},
		{[]string{`ci\a.yml`}, `"ci\\a.yml" contains a backslash`},
		{[]string{"a\x00.yml"}, `"a\x00.yml" contains a NUL byte`},
		{[]string{"C:/x.yml"}, `"C:/x.yml" contains a colon`},
		{[]string{".git/hooks/pre-commit"}, `".git/hooks/pre-commit" is inside a .git folder`},
		{[]string{"sub/.GIT/x"}, `"sub/.GIT/x" is inside a .git folder`},
		{[]string{"a.yml", "a.yml"}, `"a.yml" is listed twice`},
		{[]string{"a.yml", "A.yml"}, `"A.yml" and "a.yml" differ only in letter case`},
		{[]string{"ci", "ci/a.yml"}, `"ci" is a file, but "ci/a.yml" needs it to be a folder`},
		{[]string{"CI", "ci/a/b.yml"}, `"CI" is a file, but "ci/a/b.yml" needs it to be a folder`},
	} {
		t.Run(strings.Join(tc.paths, ","), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			var bad []File
			for _, p := range append(tc.paths, "fine.yml") {
				bad = append(bad, File{Path: p, Data: []byte(gen(p))})
			}
			_, err := Write(dir, testOwner, bad, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one containing %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "fine.yml") {
				t.Errorf("error names a good path: %v", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Write made the output folder despite a bad path")
			}
		})
	}
}

func TestFilesMustCarryMarker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, err := Write(dir, testOwner, files("fine.yml", gen("fine"), "empty.txt", "", "bare.yml", "stages: []\n"), nil)
	want := `invalid generated files (a bug in the target):
	"bare.yml" does not carry "Code generated by meshc. DO NOT EDIT." and "To change this file, edit its sources and run: meshc build --target gitlab --env prod." in its first 1024 bytes
	"empty.txt" does not carry "Code generated by meshc. DO NOT EDIT." and "To change this file, edit its sources and run: meshc build --target gitlab --env prod." in its first 1024 bytes`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Write made the output folder despite a bad file")
	}
}

// TestRenderedFilesMustCarryMarker checks that a rendered file without
// its header, found only when it is rendered, still fails the build.
func TestRenderedFilesMustCarryMarker(t *testing.T) {
	want := `invalid generated file (a bug in the target): "bare.yml" does not carry "Code generated by meshc. DO NOT EDIT." and "To change this file, edit its sources and run: meshc build --target gitlab --env prod." in its first 1024 bytes`
	dir := filepath.Join(t.TempDir(), "out")
	bad := rendered(files("fine.yml", gen("fine"), "bare.yml", "stages: []\n"))
	// Into a new folder, it is found while writing, as a full disk would be.
	if _, err := Write(dir, testOwner, bad, nil); err == nil || err.Error() != want {
		t.Errorf("Write into a new folder: error\n%v\nwant:\n%s", err, want)
	}
	// Into a folder where it exists, it is found while comparing, before
	// anything is written.
	makeTree(t, dir, tree{"bare.yml": gen("old"), "fine.yml": gen("old")})
	for name, do := range map[string]func() error{
		"Plan":  func() error { _, err := Plan(dir, testOwner, bad); return err },
		"Write": func() error { _, err := Write(dir, testOwner, bad, nil); return err },
		"Diff":  func() error { _, _, err := Diff(dir, testOwner, bad, nil); return err },
	} {
		if err := do(); err == nil || err.Error() != want {
			t.Errorf("%s: error\n%v\nwant:\n%s", name, err, want)
		}
	}
	if got := readTree(t, dir); got["fine.yml"] != gen("old") {
		t.Errorf("Write wrote fine.yml although bare.yml had no header")
	}
}

// TestRendersOnDemand checks that a rendered file is rendered only to be
// compared or written, and that unchanged files are rendered once.
func TestRendersOnDemand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var calls atomic.Int64
	counted := func(body string) File {
		return File{Path: body + ".yml", Render: func() []byte { calls.Add(1); return []byte(gen(body)) }}
	}
	fs := []File{counted("a"), counted("b")}
	if _, err := Write(dir, testOwner, fs, nil); err != nil {
		t.Fatal(err)
	}
	if got := calls.Swap(0); got != 2 {
		t.Errorf("first Write rendered %d times, want 2: once each, to write", got)
	}
	if _, err := Write(dir, testOwner, fs, nil); err != nil {
		t.Fatal(err)
	}
	if got := calls.Swap(0); got != 2 {
		t.Errorf("unchanged Write rendered %d times, want 2: once each, to compare", got)
	}
}

func TestDiff(t *testing.T) { eachForm(t, testDiff) }

func testDiff(t *testing.T, form func([]File) []File) {
	root := t.TempDir()
	makeTree(t, root, tree{
		"out/same.yml":        gen("same\n"),
		"out/changed.yml":     gen("a\nb\nc\n"),
		"out/gone/stale.yml":  gen("x\n"),
		"out/hand-written.md": "mine\n",
	})
	dir := filepath.Join(root, "out")
	before := readTree(t, root)
	// Not in the order of their paths, by which the diff is printed.
	wanted := form(files(
		"new/file.yml", gen("n"),
		"same.yml", gen("same\n"),
		"changed.yml", gen("a\nB\nc\n"),
	))

	got, changes, err := Diff(dir, testOwner, wanted, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `diff a/changed.yml b/changed.yml
--- a/changed.yml
+++ b/changed.yml
@@ -1,5 +1,5 @@
 # Code generated by meshc. DO NOT EDIT.
 # To change this file, edit its sources and run: meshc build --target gitlab --env prod.
 a
-b
+B
 c
diff a/gone/stale.yml /dev/null
--- a/gone/stale.yml
+++ /dev/null
@@ -1,3 +0,0 @@
-# Code generated by meshc. DO NOT EDIT.
-# To change this file, edit its sources and run: meshc build --target gitlab --env prod.
-x
diff /dev/null b/new/file.yml
--- /dev/null
+++ b/new/file.yml
@@ -0,0 +1,3 @@
+# Code generated by meshc. DO NOT EDIT.
+# To change this file, edit its sources and run: meshc build --target gitlab --env prod.
+n
\ No newline at end of file
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("diff text (-want +got):\n%s", diff)
	}
	wantChanges := &Changes{
		Create:    []string{"new/file.yml"},
		Update:    []string{"changed.yml"},
		Remove:    []string{"gone/stale.yml"},
		Unchanged: []string{"same.yml"},
	}
	if diff := cmp.Diff(wantChanges, changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, readTree(t, root)); diff != "" {
		t.Errorf("Diff changed the folder (-before +after):\n%s", diff)
	}

	if _, err := Write(dir, testOwner, wanted, nil); err != nil {
		t.Fatal(err)
	}
	if got, _, err := Diff(dir, testOwner, wanted, nil); err != nil || len(got) != 0 {
		t.Errorf("Diff after Write = %q, %v; want nothing", got, err)
	}
}

// TestWriteNewNeverReplaces checks that a file or link that appears where
// Plan found nothing, between planning and writing, is left alone: a new
// file is written in place, so it must not write through a link.
func TestWriteNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside")
	makeTree(t, dir, tree{"file": "mine"})
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skip("cannot make links here:", err)
	}
	for _, name := range []string{"file", "link"} {
		if err := writeNew(filepath.Join(dir, name), []byte("generated")); err == nil {
			t.Errorf("writeNew over %s succeeded", name)
		}
	}
	if _, err := os.Lstat(outside); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("writeNew wrote through the link: %v", err)
	}
	if err := writeNew(filepath.Join(dir, "new"), []byte("generated")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "new")); string(got) != "generated" {
		t.Errorf("new file holds %q", got)
	}
}

// TestEmptyFilesReplaced checks that an empty file where meshc writes, as
// a build killed between creating and writing a file leaves, is replaced,
// while a short file without meshc's header is still refused.
func TestEmptyFilesReplaced(t *testing.T) {
	dir := t.TempDir()
	full := gen("jobs: {}\n")
	makeTree(t, dir, tree{"empty.yml": "", "short.yml": full[:5]})
	if _, err := Write(dir, testOwner, files("empty.yml", full), nil); err != nil {
		t.Fatal(err)
	}
	want := tree{"empty.yml": full, "short.yml": full[:5]}
	if diff := cmp.Diff(want, readTree(t, dir)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Write(dir, testOwner, files("short.yml", full), nil); err == nil {
		t.Error("a file without the header was replaced")
	}
}

// TestMakeFolderRefusesLinks checks that a link or file that appears where
// a folder is to be made, after Plan looked, stops the build.
func TestMakeFolderRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	makeTree(t, dir, tree{"file": "x", "folder/": ""})
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "link")); err != nil {
		t.Skip("cannot make links here:", err)
	}
	p := &plan{dir: dir}
	for _, rel := range []string{"file", "link"} {
		if err := p.makeFolder(rel); err == nil {
			t.Errorf("makeFolder(%s) succeeded", rel)
		}
	}
	for _, rel := range []string{"folder", "new"} {
		if err := p.makeFolder(rel); err != nil {
			t.Errorf("makeFolder(%s): %v", rel, err)
		}
	}
}

// TestOtherBuilds checks that a build leaves the files of other builds
// (another target or environment) alone, and refuses to replace one.
func TestOtherBuilds(t *testing.T) {
	other := "# " + Marker + "\n# " + OwnerLine(Owner("gitlab", "dev")) + "\n"
	root := t.TempDir()
	makeTree(t, root, tree{"out/dev/.gitlab-ci.yml": other, "out/old.yml": gen("old")})
	changes, err := Write(filepath.Join(root, "out"), testOwner, files("a.yml", gen("a")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"old.yml"}; !slices.Equal(changes.Remove, want) {
		t.Errorf("removed %v, want %v: another build's file is not stale", changes.Remove, want)
	}
	_, err = Write(filepath.Join(root, "out"), testOwner, files("dev/.gitlab-ci.yml", gen("mine")), nil)
	if err == nil || !strings.Contains(err.Error(), "was generated by meshc build --target gitlab --env dev (another target or environment)") {
		t.Errorf("error = %v, want one about another build's file", err)
	}
	if got := readTree(t, root)["out/dev/.gitlab-ci.yml"]; got != other {
		t.Errorf("another build's file was changed to %q", got)
	}
}

// TestOtherBuildsGrouped checks that the files of another build in the
// way are told once per build, with a few of their paths, between the
// other conflicts in path order.
func TestOtherBuildsGrouped(t *testing.T) {
	byOwner := func(target, env string) string {
		return "# " + Marker + "\n# " + OwnerLine(Owner(target, env)) + "\n"
	}
	in := tree{"out/b.txt": "mine, by hand\n", "out/z.yml": byOwner("airflow", "dev")}
	var want []File
	for _, name := range []string{"a1.yml", "a2.yml", "c1.yml", "c2.yml", "c3.yml", "c4.yml", "z.yml"} {
		if name != "z.yml" {
			in["out/"+name] = byOwner("gitlab", "dev")
		}
		want = append(want, files(name, gen(name))...)
	}
	want = append(want, files("b.txt", gen("b"))...)
	root := t.TempDir()
	makeTree(t, root, in)
	for range 2 {
		_, err := Plan(filepath.Join(root, "out"), testOwner, want)
		if err == nil {
			t.Fatal("no error for the files of other builds")
		}
		wantErr := "cannot write generated files to " + filepath.Join(root, "out") + ", so nothing was written:" +
			"\n\t6 files (a1.yml, a2.yml, c1.yml and 3 more) were generated by meshc build --target gitlab --env dev (another target or environment); give each build an --out folder of its own" +
			"\n\tb.txt: was not written by meshc (it has no \"" + Marker + "\" line at the top); move it away or choose another --out" +
			"\n\tz.yml: was generated by meshc build --target airflow --env dev (another target or environment); give each build an --out folder of its own"
		if got := err.Error(); got != wantErr {
			t.Errorf("error =\n%s\nwant\n%s", got, wantErr)
		}
	}
}
