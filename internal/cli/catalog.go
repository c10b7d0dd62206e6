package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/manifest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/targets/airflow"
	"github.com/meshc/meshc/targets/gitlab"
	"github.com/meshc/meshc/targets/snowflake"
	"github.com/spf13/pflag"
)

// outFolders are the targets' output folders, relative to the mesh root,
// as flags of the commands that point at generated files.
type outFolders struct{ gitlab, airflow, snowflake string }

func (o *outFolders) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.gitlab, "gitlab-out", "gen/gitlab", "the gitlab build's output folder, relative to the mesh folder")
	fs.StringVar(&o.airflow, "airflow-out", "gen/airflow", "the airflow build's output folder, relative to the mesh folder")
	fs.StringVar(&o.snowflake, "snowflake-out", "gen/snowflake", "the snowflake build's output folder, relative to the mesh folder")
}

func (o *outFolders) check(e *env, cmd string) bool {
	for _, d := range []string{o.gitlab, o.airflow, o.snowflake} {
		if !compiler.ValidRepoDir(d) {
			usageError(e, cmd, "output folders are clean relative paths inside the mesh folder, such as gen/gitlab, not %q", d)
			return false
		}
	}
	return true
}

// compileClean compiles the mesh for a command that needs it free of
// errors, printing the errors otherwise.
func compileClean(e *env, cf *compileFlags, cmd, dir string) (*compiler.Result, int, bool) {
	res, code, done := cf.compile(e, cmd, dir)
	if done {
		return nil, code, true
	}
	if res.Plan == nil {
		diag.WriteText(e.stderr, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		fmt.Fprintf(e.stderr, "\n%s; nothing was written\n", summary(res))
		return nil, exitMesh, true
	}
	return res, exitOK, false
}

// writeOut writes data to the file --out names, or to standard output.
func writeOut(e *env, cmd, out string, data []byte) int {
	if out == "" || out == "-" {
		e.stdout.Write(data)
		return exitOK
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "meshc %s: %v\n", cmd, err)
		return exitMesh
	}
	fmt.Fprintf(e.stderr, "meshc %s: wrote %s\n", cmd, out)
	return exitOK
}

func runManifest(e *env, args []string) int {
	var cf compileFlags
	var out string
	var folders outFolders
	fs := flagSet(e, "manifest", "manifest [--out FILE] [flags] [DIR]",
		`Writes a JSON catalog of the mesh in DIR (default: the current folder): its
domains, sources and products, with each product's ports and their schemas,
owners, lineage, tests, schedule, SLA and generated files, and the policies
with what they found. The format is described by docs/manifest.schema.json.`)
	fs.StringVar(&out, "out", "", "the file to write (default: standard output)")
	folders.register(fs)
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	dir, ok := oneDir(e, "manifest", fs.Args())
	if !ok || !folders.check(e, "manifest") {
		return exitUsage
	}
	res, code, done := compileClean(e, &cf, "manifest", dir)
	if done {
		return code
	}
	m := manifest.Build(res, manifest.Options{
		Version: version(),
		GitLab:  gitlab.Options{OutDir: folders.gitlab, MeshDir: "."},
		Out:     manifest.Generation{GitLab: folders.gitlab, Airflow: folders.airflow, Snowflake: folders.snowflake},
	})
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		fmt.Fprintf(e.stderr, "meshc manifest: %v\n", err)
		return exitMesh
	}
	return writeOut(e, "manifest", out, b.Bytes())
}

// codeownersOwner is what GitLab takes as an owner: @user, @group/sub or
// an email address, without spaces.
var codeownersOwner = regexp.MustCompile(`^(@[A-Za-z0-9_.\-/]+|[^\s@]+@[^\s@]+)$`)

func runCodeowners(e *env, args []string) int {
	var cf compileFlags
	var out, meshDir string
	var folders outFolders
	fs := flagSet(e, "codeowners", "codeowners [--out FILE] [flags] [DIR]",
		`Writes a GitLab CODEOWNERS file for the mesh in DIR (default: the current
folder), with a section per domain: the domain's folder and the files the
targets generate for it belong to the domain's owner, and a product's own
file and generated files to the product's owner when that is someone else.
Paths are relative to the repository's root, found from .git (or
--mesh-dir).`)
	fs.StringVar(&out, "out", "", "the file to write, such as CODEOWNERS or .gitlab/CODEOWNERS (default: standard output)")
	fs.StringVar(&meshDir, "mesh-dir", "", "the mesh folder's path in the repository (default: found from .git)")
	folders.register(fs)
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	dir, ok := oneDir(e, "codeowners", fs.Args())
	if !ok || !folders.check(e, "codeowners") {
		return exitUsage
	}
	if meshDir != "" && !compiler.ValidRepoDir(meshDir) {
		return usageError(e, "codeowners", "--mesh-dir is a relative folder inside the repository, such as analytics/mesh or ., not %q", meshDir)
	}
	if meshDir == "" {
		meshDir = repoFolder(dir)
	}
	res, code, done := compileClean(e, &cf, "codeowners", dir)
	if done {
		return code
	}
	command := "meshc codeowners"
	if out != "" && out != "-" {
		command += " --out " + shell.Quote(out)
	}
	data, ds := codeowners(res.Plan, command, meshDir, folders)
	if len(ds) > 0 {
		diag.WriteText(e.stderr, ds, res.SourcesFor(ds))
		fmt.Fprintln(e.stderr)
	}
	return writeOut(e, "codeowners", out, data)
}

// codeowners renders the CODEOWNERS file.
func codeowners(p *plan.Plan, command, meshDir string, folders outFolders) ([]byte, diag.Diagnostics) {
	var ds diag.Diagnostics
	var b strings.Builder
	sources := []string{p.Rel(p.Range.Filename())}
	for _, d := range p.Domains {
		sources = append(sources, p.Rel(d.Range.Filename()))
		for _, pr := range d.Products {
			if pr.Owner != d.Owner {
				sources = append(sources, p.Rel(pr.Range.Filename()))
			}
		}
	}
	slices.Sort(sources)
	b.Write(output.Header("# ", command, slices.Compact(sources)))
	b.WriteString("# Review rights follow the mesh's ownership: each domain's section gives its\n# folder and the files generated for it to the domain's owner.\n")
	gitlabFiles := gitlab.ProductFiles(p, gitlab.Options{OutDir: folders.gitlab, MeshDir: "."})
	pattern := func(parts ...string) string {
		// A path with a space escapes it; every path starts at the
		// repository's root.
		return "/" + strings.ReplaceAll(path.Join(append([]string{meshDir}, parts...)...), " ", `\ `)
	}
	owner := func(who string, at diag.Range, what string) string {
		if !codeownersOwner.MatchString(who) {
			ds = append(ds, diag.Warnf("codeowners-owner", at, "Owner GitLab cannot read",
				"The owner of %s is %q, which GitLab's CODEOWNERS cannot use: it takes @user, @group or an email address. Its files get no owner.", what, who))
			return ""
		}
		return who
	}
	for _, d := range p.Domains {
		o := owner(d.Owner, d.Range, "domain "+d.Name)
		fmt.Fprintf(&b, "\n[%s]\n", d.Name)
		lines := []string{pattern(d.Dir) + "/"}
		seen := map[string]bool{}
		add := func(line string) {
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
		for _, pr := range d.Products {
			dagFile, _ := airflow.DAG(pr)
			add(pattern(folders.airflow, dagFile))
			graphFile, _ := snowflake.Graph(p, pr)
			add(pattern(folders.snowflake, graphFile))
		}
		add(pattern(folders.gitlab, "sql", d.Name) + "/")
		for _, pr := range d.Products {
			if f := gitlabFiles[pr.ID]; f != "" && !strings.HasPrefix(f, "products/") {
				add(pattern(folders.gitlab, f)) // a domain's pipeline
			}
		}
		lines = append(lines, pattern(folders.gitlab, "products", d.Name)+"/")
		if o != "" {
			for _, l := range lines {
				fmt.Fprintf(&b, "%s %s\n", l, o)
			}
		}
		// Later lines of a section win: a product owned by someone else
		// than its domain gets its own files.
		for _, pr := range d.Products {
			if pr.Owner == d.Owner || pr.Owner == "" {
				continue
			}
			po := owner(pr.Owner, pr.Range, "product "+pr.ID)
			if po == "" {
				continue
			}
			fmt.Fprintf(&b, "%s %s\n", pattern(p.Rel(pr.Range.Filename())), po)
			if f := gitlabFiles[pr.ID]; strings.HasPrefix(f, "products/") {
				fmt.Fprintf(&b, "%s %s\n", pattern(folders.gitlab, f), po)
				fmt.Fprintf(&b, "%s/ %s\n", pattern(folders.gitlab, "sql", d.Name, pr.Name), po)
			}
		}
	}
	return []byte(b.String()), ds
}
