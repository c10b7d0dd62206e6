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

// catalogRepo makes a repository with the tiny mesh in analytics/mesh,
// owned by @platform, and returns its root.
func catalogRepo(t *testing.T) string {
	t.Helper()
	t.Setenv("MESHC_CACHE", "off")
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"analytics/mesh/mesh.hcl":            strings.Replace(tinyMesh, "  layers", "  owner  = \"@platform\"\n  layers", 1),
		"analytics/mesh/d/domain.mesh.hcl":   strings.Replace(tinyDomain, `"team@example.com"`, `"@team"`, 1),
		".git/HEAD":                          "ref: refs/heads/main\n",
		".gitlab/README.md":                  "GitLab's files.\n",
		"analytics/mesh/d/notes/keep.me.txt": "\n",
	})
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

// TestCodeownersOwnership checks whose approval GitLab requires for each
// file of a repository, reading the CODEOWNERS file that meshc codeowners
// writes as GitLab does: the mesh's owner approves mesh.hcl, the shared
// folders, the files generated for the whole mesh and CODEOWNERS; a
// domain's owner its folder and generated files, and no one else; a
// product's owner its file and child pipeline, with the domain's owner
// when the file holds the domain's blocks or products too; and no path
// needs two approvals.
func TestCodeownersOwnership(t *testing.T) {
	root := catalogRepo(t)
	const product = `
product "NAME" {
  version = "1.0.0"
  owner   = "@other"

  input "s" {
    from    = source.s
    columns = ["id"]
  }

  port "main" {
    table = "NAME"

    column "id" { type = integer }
  }

  step "build" {
    run = runner.sql
    sql = "INSERT INTO NAME SELECT id FROM RAW.S"
  }
}
`
	domain := strings.Replace(tinyDomain, `"team@example.com"`, `"@team"`, 1) + strings.ReplaceAll(product, "NAME", "q")
	writeTree(t, root, map[string]string{
		"analytics/mesh/d/domain.mesh.hcl": domain,
		"analytics/mesh/d/r.mesh.hcl":      strings.ReplaceAll(product, "NAME", "r"),
		"analytics/mesh/d/mixed.mesh.hcl": strings.ReplaceAll(product, "NAME", "u") +
			strings.ReplaceAll(strings.Replace(product, "  owner   = \"@other\"\n", "", 1), "NAME", "v"),
		"analytics/mesh/platform/waivers.mesh.hcl": "# Central waivers go here.\n",
		"analytics/mesh/platform/notes/readme.txt": "\n",
		"analytics/README.md":                      "Not the mesh's.\n",
		".gitlab-ci.yml":                           "include: analytics/mesh/gen/gitlab/.gitlab-ci.yml\n",
	})
	for _, target := range []string{"gitlab", "airflow", "snowflake"} {
		if code, stderr := runIn(t, root, "build", "--target", target, "analytics/mesh"); code != 0 {
			t.Fatalf("build --target %s: exit %d\n%s", target, code, stderr)
		}
	}
	if code, stderr := runIn(t, root, "codeowners", "--out", ".gitlab/CODEOWNERS", "analytics/mesh"); code != 0 {
		t.Fatalf("codeowners: exit %d\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(root, ".gitlab", "CODEOWNERS"))
	if err != nil {
		t.Fatal(err)
	}
	want := func(p string) string {
		switch {
		case p == "analytics/mesh/d/domain.mesh.hcl", p == "analytics/mesh/d/mixed.mesh.hcl":
			return "@other @team" // the domain block or product v, and product q or u
		case p == "analytics/mesh/d/r.mesh.hcl",
			regexp.MustCompile(`^analytics/mesh/gen/gitlab/(products/d/[qru]\.yml|sql/d/[qru]/)`).MatchString(p):
			return "@other"
		case strings.HasPrefix(p, "analytics/mesh/d/"),
			regexp.MustCompile(`^analytics/mesh/gen/(airflow/d\.py|snowflake/d\.sql|gitlab/(products|sql)/d/)`).MatchString(p):
			return "@team"
		case strings.HasPrefix(p, "analytics/mesh/"):
			return "@platform"
		}
		return "" // the repository's .gitlab-ci.yml and CODEOWNERS too: other meshes may share them
	}
	var mustSee = map[string]bool{
		"analytics/mesh/mesh.hcl": false, "analytics/mesh/platform/waivers.mesh.hcl": false,
		"analytics/mesh/gen/gitlab/.gitlab-ci.yml": false, "analytics/mesh/gen/gitlab/schedules.json": false,
		"analytics/mesh/gen/snowflake/last/retired-graphs.sql": false, "analytics/mesh/gen/gitlab/products/d/q.yml": false,
		"analytics/mesh/gen/airflow/d.py": false, ".gitlab/README.md": false,
		".gitlab/CODEOWNERS": false, ".gitlab-ci.yml": false,
	}
	err = filepath.WalkDir(root, func(name string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			if e != nil && e.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		rel, _ := filepath.Rel(root, name)
		p := filepath.ToSlash(rel)
		if _, ok := mustSee[p]; ok {
			mustSee[p] = true
		}
		sections := gitlabOwners(t, string(data), p)
		var got []string
		for _, owners := range sections {
			got = append(got, owners)
		}
		if len(got) > 1 || strings.Join(got, "") != want(p) {
			t.Errorf("%s: owners by section %v, want %q alone", p, sections, want(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, seen := range mustSee {
		if !seen {
			t.Errorf("the repository has no %s", p)
		}
	}
	if t.Failed() {
		t.Logf("CODEOWNERS:\n%s", data)
	}
}

// TestCodeownersRepositoryFiles checks that the repository's pipeline and
// the CODEOWNERS files GitLab reads are the platform team's when the mesh
// is at the repository's root, and no one's when it is below: other
// meshes may share the repository, and one CODEOWNERS. A file written
// where GitLab does not look is the mesh's output either way.
func TestCodeownersRepositoryFiles(t *testing.T) {
	root := catalogRepo(t)
	repoFiles := []string{".gitlab-ci.yml", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}
	for _, c := range []struct {
		meshDir, want string
	}{{".", "@platform"}, {"analytics/mesh", ""}} {
		if code, stderr := runIn(t, root, "codeowners", "--mesh-dir", c.meshDir, "--out", "owners/CODEOWNERS", "analytics/mesh"); code != 0 {
			t.Fatalf("--mesh-dir %s: exit %d\n%s", c.meshDir, code, stderr)
		}
		data, err := os.ReadFile(filepath.Join(root, "owners", "CODEOWNERS"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range repoFiles {
			if got := gitlabOwners(t, string(data), p)["tiny"]; got != c.want {
				t.Errorf("--mesh-dir %s: %s is owned by %q, want %q", c.meshDir, p, got, c.want)
			}
		}
		written := path.Join(c.meshDir, "owners/CODEOWNERS")
		if got := gitlabOwners(t, string(data), written)["tiny"]; got != "@platform" {
			t.Errorf("--mesh-dir %s: the file written, %s, is owned by %q, want @platform", c.meshDir, written, got)
		}
		if t.Failed() {
			t.Logf("CODEOWNERS:\n%s", data)
		}
	}
}

// gitlabOwners returns, by section, the owners GitLab's CODEOWNERS gives
// the file at the slash path p from the repository's root: in each
// section, those of the last line whose pattern matches it. Sections are
// weighed apart, and each that matches needs an approval ("Syntax of
// CODEOWNERS file", docs.gitlab.com); their names are not case-sensitive,
// and the lines before the first are a section too. It reads the lines
// meshc writes: section headers, and patterns from the root, of a file,
// of a folder (ending in /, which GitLab reads as every file under it),
// or * (every file).
func gitlabOwners(t *testing.T, codeowners, p string) map[string]string {
	t.Helper()
	owners := map[string]string{}
	section := ""
	for _, line := range strings.Split(codeowners, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			section = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(line, "["), "]"))
			continue
		}
		pattern, who := gitlabReads(line)
		if gitlabMatches(t, pattern, "/"+p) {
			owners[section] = who
		}
	}
	return owners
}

// gitlabMatches reports whether a pattern meshc writes matches the path p
// (with a leading /), as GitLab matches it with Ruby's File.fnmatch and
// FNM_PATHNAME, which path.Match follows.
func gitlabMatches(t *testing.T, pattern, p string) bool {
	t.Helper()
	if pattern == "*" {
		return true
	}
	if !strings.HasPrefix(pattern, "/") {
		t.Fatalf("meshc wrote the pattern %q, not from the root", pattern)
	}
	folder, ok := strings.CutSuffix(pattern, "/")
	if !ok {
		matched, err := path.Match(pattern, p)
		return matched && err == nil
	}
	n := strings.Count(folder, "/")
	parts := strings.Split(p, "/")
	if len(parts) <= n+1 {
		return false
	}
	matched, err := path.Match(folder, strings.Join(parts[:n+1], "/"))
	return matched && err == nil
}

// TestCodeownersOwnerFromBlueprint checks that an owner GitLab cannot read
// that a product inherits from a blueprint is warned of where it is
// written, at the blueprint's owner, not at the product.
func TestCodeownersOwnerFromBlueprint(t *testing.T) {
	root := catalogRepo(t)
	for name, text := range map[string]string{
		"analytics/mesh/shared/blueprints.mesh.hcl": `blueprint "reporting" {
  for   = "product"
  owner = "Reporting Team"
}
`,
		"analytics/mesh/d/q.mesh.hcl": `product "q" {
  extends = blueprint.reporting
  version = "1.0.0"
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
`,
	} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stderr := runIn(t, root, "codeowners", "analytics/mesh")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, stderr)
	}
	for _, want := range []string{"warning[codeowners-owner]: Owner GitLab cannot read", "--> analytics/mesh/shared/blueprints.mesh.hcl:3:11\n", `The owner of product d.q is "Reporting Team"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not have %q:\n%s", want, stderr)
		}
	}
}
