package cli

import (
	"bytes"
	"os"
	"path/filepath"
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
