package cli

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// catalogRepo makes a repository with the tiny mesh in analytics/mesh and
// returns its root.
func catalogRepo(t *testing.T) string {
	t.Helper()
	t.Setenv("MESHC_CACHE", "off")
	root := t.TempDir()
	for name, text := range map[string]string{
		"analytics/mesh/mesh.hcl":            tinyMesh,
		"analytics/mesh/d/domain.mesh.hcl":   strings.Replace(tinyDomain, `"team@example.com"`, `"@team"`, 1),
		".git/HEAD":                          "ref: refs/heads/main\n",
		".gitlab/README.md":                  "GitLab's files.\n",
		"analytics/mesh/d/notes/keep.me.txt": "\n",
	} {
		name = filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// runIn runs meshc in the folder dir, and returns its exit code and
// standard error.
func runIn(t *testing.T, dir string, args ...string) (int, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return code, stderr.String()
}

// TestCodeownersSameFromAnyFolder checks that the CODEOWNERS file of a
// mesh is the same bytes whatever folder meshc codeowners runs in, and
// that its header names a command that works from the repository's root.
func TestCodeownersSameFromAnyFolder(t *testing.T) {
	root := catalogRepo(t)
	out := filepath.Join(root, ".gitlab", "CODEOWNERS")
	runs := []struct{ dir, out, mesh string }{
		{".", ".gitlab/CODEOWNERS", "analytics/mesh"},
		{"analytics/mesh", "../../.gitlab/CODEOWNERS", "."},
		{"analytics/mesh/d", "../../../.gitlab/CODEOWNERS", ".."},
		{".gitlab", "CODEOWNERS", "../analytics/mesh"},
	}
	var want []byte
	for _, r := range runs {
		os.Remove(out)
		if code, stderr := runIn(t, filepath.Join(root, r.dir), "codeowners", "--out", r.out, r.mesh); code != 0 {
			t.Fatalf("in %s: exit %d\n%s", r.dir, code, stderr)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Errorf("in %s, codeowners wrote\n%s\nbut from the root\n%s", r.dir, got, want)
		}
	}
	const header = "# To change this file, edit its sources and run: meshc codeowners --out .gitlab/CODEOWNERS analytics/mesh.\n"
	if !bytes.Contains(want, []byte(header)) {
		t.Errorf("the header does not have %q:\n%s", header, want)
	}
}

// TestCatalogWriteOut checks how manifest and codeowners write --out, as
// meshc build writes its files: an unchanged file is not touched, a
// changed one is replaced through a rename keeping its permissions, and a
// file the command did not generate is refused and left as it was.
func TestCatalogWriteOut(t *testing.T) {
	for _, c := range []struct{ cmd, out string }{
		{"codeowners", "CODEOWNERS"},
		{"manifest", "manifest.json"},
	} {
		t.Run(c.cmd, func(t *testing.T) {
			root := catalogRepo(t)
			out := filepath.Join(root, c.out)
			run := func() (int, string) {
				t.Helper()
				return runIn(t, root, c.cmd, "--out", c.out, "analytics/mesh")
			}
			if code, stderr := run(); code != 0 || stderr != "meshc "+c.cmd+": wrote "+c.out+"\n" {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}

			// Unchanged: the time stamp stays.
			old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
			if err := os.Chtimes(out, old, old); err != nil {
				t.Fatal(err)
			}
			if code, stderr := run(); code != 0 || stderr != "meshc "+c.cmd+": "+c.out+" unchanged\n" {
				t.Fatalf("second run: exit %d\n%s", code, stderr)
			}
			if info, err := os.Stat(out); err != nil || !info.ModTime().Equal(old) {
				t.Fatalf("an unchanged %s was touched: %v, %v", c.out, info.ModTime(), err)
			}

			// Changed: replaced through a rename, which a hard link to
			// the old file shows, keeping the file's permissions.
			stale := append(append([]byte(nil), want...), "\nstale\n"...)
			if err := os.WriteFile(out, stale, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(out, 0o600); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(root, "old-"+c.out)
			if err := os.Link(out, link); err != nil {
				t.Skipf("no hard links here: %v", err)
			}
			if code, stderr := run(); code != 0 || stderr != "meshc "+c.cmd+": wrote "+c.out+"\n" {
				t.Fatalf("third run: exit %d\n%s", code, stderr)
			}
			if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
				t.Errorf("%s is not what meshc generates:\n%s", c.out, got)
			}
			if got, _ := os.ReadFile(link); !bytes.Equal(got, stale) {
				t.Errorf("%s was written in place, not replaced by a rename", c.out)
			}
			if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
				t.Errorf("%s's permissions were not kept: %v, %v", c.out, info.Mode(), err)
			}

			// Not generated: refused, with the file's name and a way on.
			for _, victim := range []string{"analytics/mesh/mesh.hcl", ".gitlab/README.md", "analytics/mesh/d/notes/keep.me.txt"} {
				before, err := os.ReadFile(filepath.Join(root, victim))
				if err != nil {
					t.Fatal(err)
				}
				code, stderr := runIn(t, root, c.cmd, "--out", victim, "analytics/mesh")
				if code != exitMesh || !strings.Contains(stderr, victim+" was not written by meshc "+c.cmd) || !strings.Contains(stderr, "remove it or choose another --out") {
					t.Errorf("--out %s: exit %d, want 1 and a refusal\n%s", victim, code, stderr)
				}
				if after, _ := os.ReadFile(filepath.Join(root, victim)); !bytes.Equal(after, before) {
					t.Errorf("--out %s overwrote it", victim)
				}
			}
			if tmp, _ := filepath.Glob(filepath.Join(root, ".*.tmp")); len(tmp) > 0 {
				t.Errorf("a temporary file was left: %s", tmp)
			}
		})
	}
}

// TestIsManifest checks which existing files meshc manifest takes for its
// own.
func TestIsManifest(t *testing.T) {
	for _, c := range []struct {
		data string
		want bool
	}{
		{`{"$schema": "https://meshc.dev/schemas/manifest/v1.json", "manifest_version": 1, "generated_by": "meshc dev", "mesh": {}}`, true},
		{"{\n  \"$schema\": \"https://meshc.dev/schemas/manifest/v2.json\",\n  \"generated_by\": \"meshc 2.0.0\"\n}\n", true},
		{`{"generated_by": "meshc 1.0", "$schema": "https://meshc.dev/schemas/manifest/v1.json"`, true},
		{`{"$schema": "https://meshc.dev/schemas/manifest/v1.json", "manifest_version": 1}`, false},
		{`{"$schema": "https://example.com/other.json", "generated_by": "meshc dev"}`, false},
		{`{"$schema": "https://meshc.dev/schemas/manifest/v1.json", "generated_by": "someone"}`, false},
		{`{"$schema": "https://meshc.dev/schemas/manifest/v1.json", "generated_by": 1}`, false},
		{`[{"$schema": "https://meshc.dev/schemas/manifest/v1.json", "generated_by": "meshc dev"}]`, false},
		{`{"big": "` + strings.Repeat("x", 1100) + `", "$schema": "https://meshc.dev/schemas/manifest/v1.json", "generated_by": "meshc dev"}`, false},
		{"mesh \"m\" {}\n", false},
		{"# Code generated by meshc. DO NOT EDIT.\n", false},
		{"", false},
	} {
		if got := isManifest([]byte(c.data)); got != c.want {
			t.Errorf("isManifest(%.80q) = %v, want %v", c.data, got, c.want)
		}
	}
}

// gitlabReads returns the pattern and the owners GitLab reads on a line of
// CODEOWNERS, as Gitlab::CodeOwners::File does: the pattern ends at the
// first white space that no \ escapes, loses the \ of a leading \#, and
// has each escaped run of white space made a space; Ruby's \s is ASCII
// white space.
func gitlabReads(line string) (pattern, owners string) {
	const space = " \t\r\n\f\v"
	pattern = line
	for i := 0; i < len(line); i++ {
		if strings.IndexByte(space, line[i]) >= 0 && (i == 0 || line[i-1] != '\\') {
			pattern, owners = line[:i], strings.TrimLeft(line[i:], space)
			break
		}
	}
	if rest, ok := strings.CutPrefix(pattern, `\#`); ok {
		pattern = "#" + rest
	}
	return regexp.MustCompile(`\\[ \t\r\n\f\v]+`).ReplaceAllString(pattern, " "), owners
}

// TestCodeownersPattern checks that GitLab reads each pattern as naming
// its path and no other: Go's path.Match reads *, ?, [ and \ as Ruby's
// File.fnmatch does with FNM_PATHNAME, which GitLab matches with.
func TestCodeownersPattern(t *testing.T) {
	for _, c := range []struct {
		name   string
		decoys []string
	}{
		{"plain/a.py", nil},
		{"a*b/x.py", []string{"ab/x.py", "aXb/x.py"}},
		{"f?g", []string{"fxg"}},
		{"h[i]", []string{"hi"}},
		{`back\slash`, []string{"backslash"}},
		{"sp ace/x.py", nil},
		{"two  spaces", []string{"two spaces"}},
		{`x\ y`, []string{"x y", `x\y`}},
		{"#hash/#x.py", nil},
		{"[section]", []string{"s"}},
		{"!bang", nil},
		{"a{b,c}$d", []string{"ab$d"}},
	} {
		line := codeownersPattern(c.name) + " @owner"
		pattern, owners := gitlabReads(line)
		if owners != "@owner" {
			t.Errorf("%q: GitLab reads the owners of %q as %q", c.name, line, owners)
			continue
		}
		if ok, err := path.Match(pattern, "/"+c.name); !ok || err != nil {
			t.Errorf("%q: %q, read as %q, does not match it (%v)", c.name, line, pattern, err)
		}
		for _, d := range c.decoys {
			if ok, _ := path.Match(pattern, "/"+d); ok {
				t.Errorf("%q: %q, read as %q, matches %q too", c.name, line, pattern, d)
			}
		}
	}
}

// TestCodeownersControlCharacters checks that a domain's folder or a
// product's file whose name holds a control character, which no line of
// CODEOWNERS can name, is an error at the block that brings it in, and
// that nothing is written. (txtar cannot name such files.)
func TestCodeownersControlCharacters(t *testing.T) {
	const product = `product "q" {
  version = "1.0.0"
  owner   = "@other"
  port "main" {
    table = "Q"
    column "id" { type = integer }
  }
  step "build" {
    run = runner.sql
    sql = "select 1"
  }
  schedule { cadence = "daily" }
}
`
	for _, c := range []struct{ file, text, want string }{
		{"analytics/mesh/d\te/domain.mesh.hcl", strings.Replace(tinyDomain, `"team@example.com"`, `"@team"`, 1),
			`The folder of domain d is "d\te" in the mesh folder, a path with a control character (U+0009)`},
		{"analytics/mesh/d\ne/domain.mesh.hcl", strings.Replace(tinyDomain, `"team@example.com"`, `"@team"`, 1),
			`The folder of domain d is "d\ne" in the mesh folder, a path with a control character (U+000A)`},
		{"analytics/mesh/d/q\x1b.mesh.hcl", product,
			`The file of product d.q is "d/q\x1b.mesh.hcl" in the mesh folder, a path with a control character (U+001B)`},
	} {
		t.Run(strconv.Quote(c.file), func(t *testing.T) {
			root := catalogRepo(t)
			if !strings.Contains(c.file, "/d/") {
				// The domain moves to the odd folder.
				if err := os.RemoveAll(filepath.Join(root, "analytics", "mesh", "d")); err != nil {
					t.Fatal(err)
				}
			}
			name := filepath.Join(root, filepath.FromSlash(c.file))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Skipf("no such names here: %v", err)
			}
			if err := os.WriteFile(name, []byte(c.text), 0o644); err != nil {
				t.Skipf("no such names here: %v", err)
			}
			code, stderr := runIn(t, root, "codeowners", "--out", "CODEOWNERS", "analytics/mesh")
			if code != exitMesh {
				t.Fatalf("exit %d, want 1\n%s", code, stderr)
			}
			for _, want := range []string{"error[codeowners-path]: Path CODEOWNERS cannot name", c.want, "Rename the", "nothing was written"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr does not have %q:\n%s", want, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(root, "CODEOWNERS")); err == nil {
				t.Error("CODEOWNERS was written")
			}
		})
	}
}
