package output

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
