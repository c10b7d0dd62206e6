package output

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc/meshc/internal/stamp"
)

// git runs git in dir, with no configuration but the test's.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// gitClone makes a repository holding files under out/, and returns a
// fresh clone of it, as CI checks one out.
func gitClone(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil || !stamp.Supported {
		t.Skip("needs git, and files with stamps")
	}
	// As the test's git must not look elsewhere, neither must meshc (a
	// hook's git sets these).
	for _, v := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"} {
		if was, ok := os.LookupEnv(v); ok {
			os.Unsetenv(v)
			t.Cleanup(func() { os.Setenv(v, was) })
		}
	}
	origin := t.TempDir()
	git(t, origin, "init", "-q")
	for name, data := range files {
		writeTestFile(t, filepath.Join(origin, name), data)
	}
	git(t, origin, "add", ".")
	git(t, origin, "commit", "-q", "-m", "files")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, ".", "clone", "-q", origin, clone)
	settle(t, clone)
	return clone
}

// settle has git write the index of the work tree dir again, once the
// clock has moved on: the files written in the same tick as the index
// (the file system's clock ticks every few milliseconds) are racily clean,
// and in a checkout of a few files that may be all of them.
func settle(t *testing.T, dir string) {
	t.Helper()
	time.Sleep(20 * time.Millisecond)
	git(t, dir, "update-index", "--index-version", "3")
	git(t, dir, "update-index", "--index-version", "2")
}

func writeTestFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// vouches reports whether git's index of the clone vouches that the file
// at rel in its folder out holds data.
func vouches(t *testing.T, clone, rel, data string) bool {
	t.Helper()
	g := openGitIndex(filepath.Join(clone, "out"))
	return g.holds(rel, stamp.File(filepath.Join(clone, "out", filepath.FromSlash(rel))), []byte(data))
}

func TestGitIndex(t *testing.T) {
	files := map[string]string{
		"out/a.yml":       "# generated\na: 1\n",
		"out/deep/b.sql":  "-- generated\nSELECT 1;\n",
		"mesh/x.mesh.hcl": "domain \"x\" {}\n",
	}
	clone := gitClone(t, files)
	for _, rel := range []string{"a.yml", "deep/b.sql"} {
		if !vouches(t, clone, rel, files["out/"+rel]) {
			t.Errorf("%s: a fresh clone's file is not vouched for", rel)
		}
	}
	if vouches(t, clone, "a.yml", "# generated\na: 2\n") {
		t.Error("a file is vouched for holding what it does not")
	}
	if vouches(t, clone, "x.mesh.hcl", files["mesh/x.mesh.hcl"]) || vouches(t, clone, "../mesh/x.mesh.hcl", files["mesh/x.mesh.hcl"]) {
		t.Error("a file outside the output folder is vouched for")
	}

	// An edit of the same size, its modification time put back, is
	// seen by its change time.
	name := filepath.Join(clone, "out", "a.yml")
	info, _ := os.Stat(name)
	writeTestFile(t, name, "# generated\na: 2\n")
	os.Chtimes(name, info.ModTime(), info.ModTime())
	if vouches(t, clone, "a.yml", files["out/a.yml"]) || vouches(t, clone, "a.yml", "# generated\na: 2\n") {
		t.Error("a file edited since the checkout is vouched for")
	}
	git(t, clone, "checkout", "--", "out/a.yml")
	settle(t, clone)

	// Version 4 compresses paths; version 3 has extended flags.
	for _, version := range []string{"4", "3", "2"} {
		git(t, clone, "update-index", "--index-version", version)
		if !vouches(t, clone, "deep/b.sql", files["out/deep/b.sql"]) {
			t.Errorf("index version %s: the file is not vouched for", version)
		}
	}

	// What git itself does not trust, neither does meshc.
	git(t, clone, "update-index", "--assume-unchanged", "out/a.yml")
	if vouches(t, clone, "a.yml", files["out/a.yml"]) {
		t.Error("a file assumed unchanged is vouched for")
	}
	git(t, clone, "update-index", "--no-assume-unchanged", "out/a.yml")
	git(t, clone, "update-index", "--skip-worktree", "out/a.yml")
	if vouches(t, clone, "a.yml", files["out/a.yml"]) {
		t.Error("a file git skips is vouched for")
	}
	git(t, clone, "update-index", "--no-skip-worktree", "out/a.yml")
	index := filepath.Join(clone, ".git", "index")
	past := time.Now().Add(-time.Hour)
	os.Chtimes(index, past, past)
	if vouches(t, clone, "a.yml", files["out/a.yml"]) {
		t.Error("a racily clean entry (the index no newer than the file) is vouched for")
	}
	os.Chtimes(index, time.Now(), time.Now())
	if !vouches(t, clone, "a.yml", files["out/a.yml"]) {
		t.Error("the file is not vouched for again")
	}

	// An index meshc cannot read whole is none.
	data, _ := os.ReadFile(index)
	for _, spoil := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)/2] ^= 1; return b },
		func(b []byte) []byte { return b[:len(b)-1] },
		func(b []byte) []byte { return b[:12] },
	} {
		os.WriteFile(index, spoil(bytes.Clone(data)), 0o644)
		if g := openGitIndex(filepath.Join(clone, "out")); g != nil {
			t.Errorf("a spoilt index gave %d entries", len(g.entries))
		}
	}
	os.WriteFile(index, data, 0o644)
	git(t, clone, "update-index", "--split-index")
	if openGitIndex(filepath.Join(clone, "out")) != nil {
		t.Error("a split index is read")
	}
	git(t, clone, "update-index", "--no-split-index")
	t.Setenv("GIT_DIR", filepath.Join(clone, ".git"))
	if openGitIndex(filepath.Join(clone, "out")) != nil {
		t.Error("the index is read with GIT_DIR set")
	}
}

// TestGitIndexLineEndings checks that a checkout that converts line
// endings, whose files hold other bytes than their blobs, is not vouched
// for: the blob is what meshc renders, but the file is not.
func TestGitIndexLineEndings(t *testing.T) {
	data := "# generated\na: 1\nb: 2\n"
	clone := gitClone(t, map[string]string{"out/a.yml": data, ".gitattributes": "*.yml text eol=crlf\n"})
	if got, _ := os.ReadFile(filepath.Join(clone, "out", "a.yml")); !bytes.Contains(got, []byte("\r\n")) {
		t.Fatalf("the checkout did not convert line endings: %q", got)
	}
	if vouches(t, clone, "a.yml", data) {
		t.Error("a file converted on checkout is vouched for")
	}
}

// TestGitIndexWorkTrees checks a linked work tree, whose .git is a file
// naming its git folder, and a repository with SHA-256 object names,
// which meshc does not read.
func TestGitIndexWorkTrees(t *testing.T) {
	data := "# generated\na: 1\n"
	clone := gitClone(t, map[string]string{"out/a.yml": data})
	linked := filepath.Join(t.TempDir(), "linked")
	git(t, clone, "worktree", "add", "-q", linked)
	settle(t, linked)
	if !vouches(t, linked, "a.yml", data) {
		t.Error("a linked work tree's file is not vouched for")
	}

	sha256 := t.TempDir()
	if _, err := exec.Command("git", "init", "-q", "--object-format=sha256", sha256).CombinedOutput(); err != nil {
		t.Skip("this git makes no SHA-256 repositories")
	}
	writeTestFile(t, filepath.Join(sha256, "out", "a.yml"), data)
	git(t, sha256, "add", ".")
	if openGitIndex(filepath.Join(sha256, "out")) != nil {
		t.Error("a SHA-256 repository's index is read")
	}
}

// FuzzGitIndex reads arbitrary bytes as a git index: never a panic.
//
//	go test ./internal/output -run '^$' -fuzz FuzzGitIndex -fuzztime 1m
func FuzzGitIndex(f *testing.F) {
	if _, err := exec.LookPath("git"); err == nil {
		dir := f.TempDir()
		for _, version := range []string{"2", "4"} {
			cmd := exec.Command("sh", "-c", "git init -q && mkdir -p out/d && echo a > out/a && echo b > out/d/b && git add . && git update-index --index-version "+version)
			cmd.Dir = dir
			if cmd.Run() == nil {
				if data, err := os.ReadFile(filepath.Join(dir, ".git", "index")); err == nil {
					f.Add(data)
				}
			}
		}
	}
	f.Add([]byte("DIRC\x00\x00\x00\x04\x00\x00\x00\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := readGitIndex(bytes.NewReader(data), int64(len(data)), "out/", 1<<62)
		if err != nil && entries != nil {
			t.Error("entries from an index that did not read")
		}
	})
}

// TestGitIndexSparesReads builds into a fresh clone's output folder, with
// an empty index of meshc's own: git's index vouches for the files the
// build would write, and Diff finds the folder unchanged without reading
// them.
func TestGitIndexSparesReads(t *testing.T) {
	files := map[string]string{"out/a.yml": gen("a: 1\n"), "out/d/b.yml": gen("b: 2\n")}
	clone := gitClone(t, files)
	out := filepath.Join(clone, "out")
	ix, warning := OpenIndex(t.TempDir(), out, testOwner)
	if ix == nil || warning != "" {
		t.Fatalf("OpenIndex: %v, %q", ix, warning)
	}
	in := NewAllowance(0).In(out, testOwner, ix)
	var wanted []File
	for name, data := range files {
		rel := strings.TrimPrefix(name, "out/")
		wanted = append(wanted, in.File(rel, func(buf []byte) []byte { return append(buf, data...) }, func() []byte { return []byte(data) }))
	}
	diff, changes, err := Diff(out, testOwner, wanted, ix)
	if err != nil || len(diff) != 0 || len(changes.Unchanged) != 2 {
		t.Fatalf("Diff = %q, %+v, %v", diff, changes, err)
	}
	if r := ix.Report(); r.Unread != 2 || r.FromGit != 2 {
		t.Errorf("report %+v, want both files unread, by git's index", r)
	}
}
