package cli

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestGitTree checks the mesh folder read from a commit: its regular
// files, however deep, with their committed bytes, and not a symbolic
// link, a file outside the folder, or what changed in the work tree since;
// folders listed in Go's order, where git puts sql.md before sql/.
func TestGitTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	repo := t.TempDir()
	files := map[string]string{
		"README.md":                      "outside the mesh\n",
		"mesh/mesh.hcl":                  "mesh \"m\" {}\r\n",
		"mesh/a/domain.mesh.hcl":         "domain \"a\" {}\n",
		"mesh/a/sql/x.sql":               "select 1\n",
		"mesh/a/sql.md":                  "git lists it before sql/\n",
		"mesh/a/sql/deep/er/y.sql":       "",
		"mesh/gen/gitlab/.gitlab-ci.yml": "stages: []\n",
		"mesh/run.sh":                    "#!/bin/sh\n",
	}
	for name, text := range files {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(repo, "mesh/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sql/x.sql", filepath.Join(repo, "mesh/a/link.sql")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"-c", "core.autocrlf=false", "add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", repo}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "mesh/a/sql/x.sql"), []byte("select 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tree, blobs, _, err := gitTree(filepath.Join(repo, "mesh"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer blobs.Close()
	if tree.Prefix != "HEAD:mesh/" {
		t.Errorf("prefix %q, want HEAD:mesh/", tree.Prefix)
	}
	var want []string
	for name := range files {
		if rel, ok := strings.CutPrefix(name, "mesh/"); ok {
			want = append(want, rel)
		}
	}
	if err := fstest.TestFS(tree.FS, want...); err != nil {
		t.Error(err)
	}
	for _, name := range want {
		data, err := fs.ReadFile(tree.FS, name)
		if err != nil || string(data) != files["mesh/"+name] {
			t.Errorf("%s reads %q, %v; want %q", name, data, err, files["mesh/"+name])
		}
	}
	if _, err := fs.Stat(tree.FS, "a/link.sql"); err == nil {
		t.Error("the symbolic link is in the tree")
	}
}
