package gitlab_test

import (
	"strings"
	"testing"

	"github.com/meshc/meshc/targets/gitlab"
)

// TestOutDir checks where the output folder may be: inside the
// repository, with no symbolic link on the way there (GitLab follows none),
// though links outside it (/tmp on macOS, a path to the repository) are
// none of its business, and with no character GitLab expands in an include
// path in the mesh's place or in the folder; and that a refusal names the
// folder as the user gave it.
func TestOutDir(t *testing.T) {
	p := pharma(t, "")
	for _, tc := range []struct {
		name    string
		opts    gitlab.Options
		summary string // "" when the build succeeds
		detail  string // a part of the diagnostic's detail
	}{
		{
			name: "in the repository",
			opts: gitlab.Options{OutDir: "../ci", Out: "../ci", MeshDir: "analytics"},
		},
		{
			// /tmp/x/repo-link/ci, with repo-link a link to the
			// repository, from the mesh in repo/analytics.
			name: "through a link outside the repository",
			opts: gitlab.Options{OutDir: "../ci", Out: "/tmp/x/repo-link/ci", OutLinks: []string{"../../repo-link"}, MeshDir: "analytics"},
		},
		{
			name:    "outside the repository, as given",
			opts:    gitlab.Options{OutDir: "../../elsewhere", Out: "/tmp/x/elsewhere", MeshDir: "analytics"},
			summary: "Output folder outside the repository",
			detail:  "the output folder /tmp/x/elsewhere is outside the mesh's repository",
		},
		{
			// linkout in repo/analytics, a link to a folder
			// outside the repository.
			name:    "a link to outside the repository",
			opts:    gitlab.Options{OutDir: "../../outside", Out: "linkout", OutLinks: []string{"linkout"}, MeshDir: "analytics"},
			summary: "Output folder through a symbolic link",
			detail:  "The output folder linkout is reached through a symbolic link in the repository, at analytics/linkout. GitLab does not follow symbolic links",
		},
		{
			// gen2/sub, with gen2 a link to ci in the repository.
			name:    "a link to inside the repository",
			opts:    gitlab.Options{OutDir: "ci/sub", Out: "gen2/sub", OutLinks: []string{"gen2"}},
			summary: "Output folder through a symbolic link",
			detail:  "The output folder gen2/sub is reached through a symbolic link in the repository, at gen2.",
		},
		{
			// A link beside the mesh root, in the repository.
			name:    "a link above the mesh",
			opts:    gitlab.Options{OutDir: "../ci", Out: "../ci-link", OutLinks: []string{"../ci-link"}, MeshDir: "analytics"},
			summary: "Output folder through a symbolic link",
			detail:  "at ci-link.",
		},
		{
			// GitLab reads * and $ in include:local paths as a
			// wildcard and a variable, with no escape.
			name:    "a mesh folder from --mesh-dir with $",
			opts:    gitlab.Options{OutDir: "gen/gitlab", MeshDir: "data/$team/mesh"},
			summary: "Mesh folder GitLab would expand",
			detail:  `which starts with the mesh root's folder "data/$team/mesh" (from --mesh-dir); it holds "$". GitLab reads * in an include:local path as a wildcard and $ as the start of a CI/CD variable`,
		},
		{
			name:    "a mesh folder found from .git with *",
			opts:    gitlab.Options{OutDir: "gen/gitlab", MeshDir: "x*", MeshDirFound: true},
			summary: "Mesh folder GitLab would expand",
			detail:  `"x*" (found from .git); it holds "*".`,
		},
		{
			name:    "an output folder with **",
			opts:    gitlab.Options{OutDir: "../ci/**", Out: "ci/**", MeshDir: "analytics"},
			summary: "Output folder GitLab would expand",
			detail:  `in the output folder ci/** ("ci/**" in the repository); it holds "*". GitLab reads`,
		},
		{
			// Only the path in the repository is included: a $ outside
			// it is GitLab's concern no more than a link there is.
			name: "a $ above the repository",
			opts: gitlab.Options{OutDir: "ci", Out: "/tmp/$x/repo/ci", MeshDir: "."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := gitlab.Build(p, tc.opts)
			switch {
			case tc.summary == "" && ds.HasErrors():
				t.Fatalf("build: %v", ds)
			case tc.summary == "":
				return
			case len(ds) != 1:
				t.Fatalf("diagnostics: %v; want one %q", ds, tc.summary)
			}
			d := ds[0]
			if d.Code != "gitlab-out-dir" || d.Summary != tc.summary || !strings.Contains(d.Detail, tc.detail) {
				t.Errorf("diagnostic %s: %s: %s\nwant gitlab-out-dir: %s: ...%s...", d.Code, d.Summary, d.Detail, tc.summary, tc.detail)
			}
		})
	}
}
