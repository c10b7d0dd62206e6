package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestLocate checks that an output folder is found where the system finds
// it: through links, with .. stepping out of a link's target, and from a
// current folder reached through a link.
func TestLocate(t *testing.T) {
	tmp := t.TempDir()
	makeTree(t, tmp, tree{
		"repo/a/mesh.hcl": "",
		"repo/ci/":        "",
		"to-repo":         "-> repo",
		"repo/a/to-ci":    "-> ../ci",
		"repo/a/broken":   "-> nowhere",
	})
	root, err := filepath.EvalSymlinks(tmp) // as the system names it (/private/var on macOS)
	if err != nil {
		t.Fatal(err)
	}
	in := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	t.Chdir(filepath.Join(tmp, "to-repo", "a")) // as a shell that cd'd through the link
	for _, tc := range []struct {
		dir   string
		path  string
		links []string
	}{
		{dir: "gen/gitlab", path: "repo/a/gen/gitlab"},
		{dir: ".", path: "repo/a"},
		// From the current folder as the system knows it, not as
		// the shell named it.
		{dir: "../../repo/ci", path: "repo/ci"},
		{dir: "../../x", path: "x"},
		{dir: in("to-repo/a/gen"), path: "repo/a/gen", links: []string{"to-repo"}},
		// The system steps out of the link's target; as text,
		// to-ci/.. would be the current folder. A link stepped back out
		// of is not on the way; one stepped back into its target is.
		{dir: "to-ci/../a/x", path: "repo/a/x"},
		{dir: "to-ci/../ci/x", path: "repo/ci/x"},
		{dir: "to-ci/sub/../x", path: "repo/ci/x", links: []string{"repo/a/to-ci"}},
		{dir: "to-ci/sub", path: "repo/ci/sub", links: []string{"repo/a/to-ci"}},
		// What does not exist yet is made as written.
		{dir: "new/../newer/./x", path: "repo/a/newer/x"},
		{dir: "broken/sub", path: "repo/a/broken/sub", links: []string{"repo/a/broken"}},
		{dir: "mesh.hcl/sub", path: "repo/a/mesh.hcl/sub"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			got, err := Locate(filepath.FromSlash(tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			want := Location{Path: in(tc.path)}
			for _, l := range tc.links {
				want.Links = append(want.Links, in(l))
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Location{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMakeFolder checks that MakeFolder makes what is missing, as mkdir -p
// does, follows links to folders, the folder itself included, and names a
// file or a broken link on the way, from the one walk of Locate.
func TestMakeFolder(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		want      string // the error, with ROOT for the temporary folder; "" when made
	}{
		{name: "missing parents", dir: "a/b/c"},
		{name: "there already", dir: "real"},
		{name: "a link to a folder", dir: "to-real"},
		{name: "through a link to a folder", dir: "to-real/new/deeper"},
		{name: "out of a link's target", dir: "to-real/../made"},
		{
			name: "a broken link",
			dir:  "broken",
			want: "folder ROOT/broken is a symbolic link to nowhere, which does not exist; remove the link or choose another --out",
		},
		{
			name: "through a broken link",
			dir:  "broken/sub",
			want: "folder ROOT/broken/sub cannot be made: ROOT/broken on the way is a symbolic link to nowhere, which does not exist; remove the link or choose another --out",
		},
		{
			name: "a link to a file",
			dir:  "to-file",
			want: "folder ROOT/to-file is a symbolic link to file, which is not a folder; remove the link or choose another --out",
		},
		{
			name: "a file",
			dir:  "file",
			want: "folder ROOT/file is not a folder; move it away or choose another --out",
		},
		{
			name: "through a file",
			dir:  "file/sub/deeper",
			want: "folder ROOT/file/sub/deeper cannot be made: ROOT/file on the way is not a folder; move it away or choose another --out",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			makeTree(t, root, tree{"real/": "", "to-real": "-> real", "broken": "-> nowhere", "file": "x", "to-file": "-> file"})
			dir := root + string(filepath.Separator) + filepath.FromSlash(tc.dir)
			err := MakeFolder(dir)
			switch want := strings.ReplaceAll(tc.want, "ROOT/", root+string(filepath.Separator)); {
			case want == "" && err != nil:
				t.Fatal(err)
			case want == "":
				if info, err := os.Stat(dir); err != nil || !info.IsDir() {
					t.Errorf("%s was not made: %v", tc.dir, err)
				}
			case err == nil || err.Error() != want:
				t.Errorf("error:\n%v\nwant:\n%s", err, want)
			}
		})
	}
}
