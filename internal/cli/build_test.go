package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/output"
)

// closedPipe is a standard output that nothing reads any more.
type closedPipe struct{ writes int }

func (c *closedPipe) Write([]byte) (int, error) {
	c.writes++
	return 0, errors.New("write |1: broken pipe")
}

const tinyMesh = `mesh "tiny" {
  layers = ["raw"]
}

environment "prod" {
  database = "DB"
}
`

const tinyDomain = `domain "d" {
  owner = "team@example.com"
  layer = "raw"
}

source "s" {
  cadence = "daily"
  table   = "RAW.S"

  column "id" { type = integer }
}

product "p" {
  version = "1.0.0"

  input "s" {
    from    = source.s
    columns = ["id"]
  }

  port "main" {
    table = "P"

    column "id" { type = integer }
  }

  step "build" {
    run = runner.sql
    sql = "INSERT INTO P SELECT id FROM RAW.S"
  }
}
`

// TestCheckIgnoresAFailingStdout checks that build --check, as it always
// has, says which folders are out of date and exits 1 when standard
// output cannot be written, and gives up writing the diffs there: the
// first target's fails when it is flushed, the second's at its first
// write.
func TestCheckIgnoresAFailingStdout(t *testing.T) {
	t.Setenv("MESHC_CACHE", "off")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"mesh.hcl": tinyMesh, "d/domain.mesh.hcl": tinyDomain})
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"build", "--target", "airflow,snowflake", dir}, nil, &stdout, &stderr); code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, stderr.String())
	}
	writeTree(t, dir, map[string]string{"d/domain.mesh.hcl": strings.Replace(tinyDomain, "SELECT id", "SELECT DISTINCT id", 1)})

	stderr.Reset()
	pipe := &closedPipe{}
	code := Main([]string{"build", "--target", "airflow,snowflake", "--check", dir}, nil, pipe, &stderr)
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if code != exitMesh || len(lines) != 2 || !strings.Contains(lines[0], "airflow is out of date (0 created, 1 updated") || !strings.Contains(lines[1], "snowflake is out of date (0 created, 1 updated") {
		t.Errorf("build --check into a closed pipe: exit %d, standard error:\n%s", code, stderr.String())
	}
	if pipe.writes != 1 {
		t.Errorf("build --check wrote to a closed pipe %d times, want once", pipe.writes)
	}
}

// TestRepoFolderThroughLink checks that a mesh folder that is a symbolic
// link inside its repository is placed where the link leads: GitLab reads
// the repository's files and does not follow links, so includes through
// the link would not be found.
func TestRepoFolderThroughLink(t *testing.T) {
	repo := t.TempDir()
	for _, d := range []string{".git", "real/m"} {
		if err := os.MkdirAll(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("real/m", filepath.Join(repo, "m")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if got := repoFolder(filepath.Join(repo, "m")); got != "real/m" {
		t.Errorf("repoFolder(m -> real/m) = %q, want real/m", got)
	}
	if got := repoFolder(filepath.Join(repo, "real/m")); got != "real/m" {
		t.Errorf("repoFolder(real/m) = %q, want real/m", got)
	}
}

// TestLineBreakInOut checks that a path with a line break, which the
// testscript tests cannot pass, is a usage error for every command that
// writes it, and that nothing is written: CODEOWNERS's header names --out,
// and a line break would end its comment.
func TestLineBreakInOut(t *testing.T) {
	t.Setenv("MESHC_CACHE", "off")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"mesh.hcl": tinyMesh, "d/domain.mesh.hcl": tinyDomain})
	bad := filepath.Join(dir, "CO\nstages: [injected]")
	for _, args := range [][]string{
		{"build", "--target", "gitlab", "--out", bad},
		{"build", "--target", "snowflake", "--out", bad},
		{"manifest", "--out", bad},
		{"codeowners", "--out", bad},
		{"codeowners", "--gitlab-out", bad},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(append(args, dir), nil, &stdout, &stderr)
		first, _, _ := strings.Cut(stderr.String(), "\n")
		if code != exitUsage || !strings.Contains(first, `\nstages: [injected]" holds a control character (U+000A)`) {
			t.Errorf("%s: exit %d, standard error:\n%s", strings.Join(args, " "), code, stderr.String())
		}
		if _, err := os.Lstat(bad); err == nil {
			t.Fatalf("%s wrote %q", strings.Join(args, " "), bad)
		}
	}
}

// TestConcurrentBuilds checks that two builds into the same folders at
// once, as two CI jobs sharing a work tree might run them, take turns:
// both succeed, one creates each folder's files and the other finds them
// unchanged, and the folders end up as a build leaves them, with no lock
// file or temporary file behind. They run as processes of their own, as
// builds do, each given the targets in another order: locked in the order
// given, each would hold a folder the other waits for.
func TestConcurrentBuilds(t *testing.T) {
	dir := t.TempDir()
	var domain strings.Builder
	domain.WriteString(tinyDomain)
	for i := range 300 {
		// Enough files that the two builds' writes would overlap.
		fmt.Fprintf(&domain, "\nproduct \"p%d\" {\n  version = \"1.0.0\"\n\n  input \"s\" {\n    from    = source.s\n    columns = [\"id\"]\n  }\n\n  port \"main\" {\n    table = \"P%d\"\n\n    column \"id\" { type = integer }\n  }\n\n  step \"build\" {\n    run = runner.sql\n    sql = \"INSERT INTO P%d SELECT id FROM RAW.S\"\n  }\n}\n", i, i, i)
	}
	writeTree(t, dir, map[string]string{"mesh.hcl": tinyMesh, "d/domain.mesh.hcl": domain.String()})
	meshc := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestBuildProcess$", "--"}, args...)...)
		cmd.Env = append(os.Environ(), "MESHC_TEST_PROCESS=1", "MESHC_CACHE=off")
		return cmd
	}
	for round := range 2 {
		if err := os.RemoveAll(filepath.Join(dir, "gen")); err != nil {
			t.Fatal(err)
		}
		builds := []*exec.Cmd{meshc("build", "--target", "gitlab,airflow", dir), meshc("build", "--target", "airflow,gitlab", dir)}
		stderr := make([]bytes.Buffer, len(builds))
		for i, b := range builds {
			b.Stderr = &stderr[i]
			if err := b.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, b := range builds {
			if err := b.Wait(); err != nil {
				t.Errorf("round %d: build %d: %v\n%s", round, i, err, stderr[i].String())
			}
		}
		for _, target := range []string{"gitlab", "airflow"} {
			// Each build says what it did to the folder, and one of them
			// found the other's files there.
			var created, unchanged int
			line := regexp.MustCompile(regexp.QuoteMeta(filepath.Join(dir, "gen", target)) + `: (\d+) created, 0 updated, 0 removed, (\d+) unchanged\n`)
			for i := range builds {
				m := line.FindStringSubmatch(stderr[i].String())
				switch {
				case m == nil:
					t.Errorf("round %d: build %d says nothing of gen/%s:\n%s", round, i, target, stderr[i].String())
				case m[1] != "0" && m[2] == "0":
					created++
				case m[1] == "0" && m[2] != "0":
					unchanged++
				}
			}
			if created != 1 || unchanged != 1 {
				t.Errorf("round %d: gen/%s created by %d builds, found unchanged by %d, want one each:\n%s\n%s", round, target, created, unchanged, stderr[0].String(), stderr[1].String())
			}
			entries, err := os.ReadDir(filepath.Join(dir, "gen", target))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() == output.LockName || strings.HasSuffix(e.Name(), ".tmp") {
					t.Errorf("round %d: gen/%s holds %s after the builds", round, target, e.Name())
				}
			}
		}
		check := meshc("build", "--target", "gitlab,airflow", "--check", dir)
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("round %d: the folders are not as a build leaves them: %v\n%s", round, err, out)
		}
	}
}

// TestBuildProcess is meshc, for TestConcurrentBuilds to run as a process
// of its own: the arguments after -- are meshc's.
func TestBuildProcess(t *testing.T) {
	if os.Getenv("MESHC_TEST_PROCESS") == "" {
		t.Skip("run by TestConcurrentBuilds")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Main(args, os.Stdin, os.Stdout, os.Stderr))
}

// writeTree writes files, named by slash-separated paths, under root,
// making their folders.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		name = filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
