package cli

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/jsonout"
	"github.com/meshc/meshc/internal/meshdiff"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

func runDiff(e *env, args []string) int {
	var cf compileFlags
	var base, baseRef, format string
	var affected, failOnBreaking bool
	fs := flagSet(e, "diff", "diff [--base DIR | --base-ref REF] [flags] [DIR]",
		`Compares the mesh in DIR (default: the current folder) with a base revision,
another folder (--base) or a git revision of DIR (--base-ref, read through
git without touching the work tree; default HEAD), and reports what was
added, removed or changed in each domain. A change is breaking when a
consumer reads what it removes or changes: the report names the consumers
and whether the producer's major version went up. With --affected it lists
the products whose pipelines must run again instead: those changed and
everything downstream of them.`)
	fs.StringVar(&base, "base", "", "the base revision's mesh folder")
	fs.StringVar(&baseRef, "base-ref", "", "the base revision as a git ref, such as origin/main, or A...B for the merge base of A and B, B being HEAD, such as origin/main...HEAD (default: HEAD)")
	fs.StringVar(&format, "format", "text", "output format: text, markdown (a merge-request comment) or json")
	fs.BoolVar(&affected, "affected", false, "list the products to run again, one per line (or a JSON list with --format json)")
	fs.BoolVar(&failOnBreaking, "fail-on-breaking", false, "exit 1 when a change breaks a consumer without a major version bump of its producer")
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	switch {
	case base != "" && baseRef != "":
		return usageError(e, "diff", "give --base or --base-ref, not both")
	case format != "text" && format != "markdown" && format != "json":
		return usageError(e, "diff", "--format must be text, markdown or json, not %q", format)
	case affected && format == "markdown":
		return usageError(e, "diff", "--affected prints text or json, not markdown")
	}
	dir, ok := oneDir(e, "diff", fs.Args())
	if !ok {
		return exitUsage
	}

	// Both revisions are compiled for one environment: --env, or the
	// mesh's first. A base that lacks --env's had nothing in it, and is
	// compared as empty (baseLacksEnv); so is a mesh that lacks it, which
	// removes it (headLacks), when the base has it. Without --env, a base
	// that lacks the mesh's first environment (one added before the others, or
	// renamed) is compiled for its own first, and the mesh too when it
	// declares that one: compiled for two environments, every port would
	// move to another table, and compared as empty, a renamed
	// environment would hide every breaking change.
	explicitEnv := cf.env != ""
	// The mesh first: a folder that does not exist is said as such, not
	// as a folder outside git.
	cf.of = dir
	var headLacks *compiler.UsageError
	headRes, code, done := cf.compileWith(e, "diff", func(opts compiler.Options) (*compiler.Result, error) {
		res, err := compiler.CompileDir(dir, opts)
		if explicitEnv && missingEnv(err) {
			// Compared as empty, but its errors still stop the
			// comparison: it is checked in its first environment.
			errors.As(err, &headLacks)
			opts.Env = ""
			return compiler.CompileDir(dir, opts)
		}
		return res, err
	})
	if done {
		return code
	}
	pointToRoot(e, headRes.Diagnostics, "diff", dir)
	if !explicitEnv && headRes.Plan != nil && headRes.Plan.Environment != nil {
		cf.env = headRes.Plan.Environment.Name
	}
	var compileBase func(compiler.Options) (*compiler.Result, error)
	if base != "" {
		cf.of = base
		compileBase = func(opts compiler.Options) (*compiler.Result, error) { return compiler.CompileDir(base, opts) }
	} else {
		tree, blobs, warning, err := gitTree(dir, baseRef)
		if err != nil {
			return usageError(e, "diff", "%v", err)
		}
		defer blobs.Close() // the report reads the steps' files too
		if warning != "" {
			fmt.Fprintf(e.stderr, "meshc diff: warning: %s\n", warning)
		}
		cf.of = cmp.Or(baseRef, "HEAD")
		compileBase = func(opts compiler.Options) (*compiler.Result, error) { return compiler.Compile(tree, opts) }
	}
	baseLacksEnv := false
	baseRes, code, done := cf.compileWith(e, "diff", func(opts compiler.Options) (*compiler.Result, error) {
		res, err := compileBase(opts)
		if !missingEnv(err) {
			return res, err
		}
		if explicitEnv {
			baseLacksEnv = true
			return nil, nil
		}
		opts.Env = ""
		return compileBase(opts)
	})
	if done {
		return code
	}
	if headLacks != nil && baseLacksEnv {
		return usageError(e, "diff", "%s, and neither has the base revision (%s)", headLacks.Msg, cf.of)
	}
	if !explicitEnv && headRes.Plan != nil && baseRes != nil && baseRes.Plan != nil && baseRes.Plan.Environment != nil {
		if env, first := baseRes.Plan.Environment.Name, cf.env; env != first {
			cf.env, cf.of = env, dir
			again, code, done := cf.compileWith(e, "diff", func(opts compiler.Options) (*compiler.Result, error) {
				res, err := compiler.CompileDir(dir, opts)
				if missingEnv(err) {
					return nil, nil
				}
				return res, err
			})
			if done {
				return code
			}
			if again != nil {
				headRes = again
				fmt.Fprintf(e.stderr, "meshc diff: the base revision has no environment %q: both are compared in %q\n", first, env)
			} else {
				fmt.Fprintf(e.stderr, "meshc diff: the base revision's first environment is %q, and the mesh's %q: each is compared in its own\n", env, first)
			}
		}
	}
	if done {
		return code
	}
	for _, r := range []struct {
		what string
		res  *compiler.Result
	}{{"the base revision", baseRes}, {"the mesh", headRes}} {
		if r.res == nil {
			continue // the base, without the environment
		}
		if r.res.Plan == nil {
			// The mesh's warnings are the user's to fix; the base
			// revision's, already merged, are not.
			errs := r.res.Diagnostics[:0:0]
			for _, d := range r.res.Diagnostics {
				if d.Severity == diag.Error || r.res == headRes {
					errs = append(errs, d)
				}
			}
			diag.WriteText(e.stderr, errs, r.res.SourcesFor(errs))
			fmt.Fprintf(e.stderr, "\nmeshc diff: %s has errors, so there is nothing to compare\n", r.what)
			return exitMesh
		}
	}
	if len(headRes.Diagnostics) > 0 { // warnings only
		ds := headRes.Diagnostics
		diag.WriteText(e.stderr, ds, headRes.SourcesFor(ds))
		fmt.Fprintln(e.stderr)
	}

	var baseRev, headRev *meshdiff.Revision
	switch {
	case baseLacksEnv:
		fmt.Fprintf(e.stderr, "meshc diff: the base revision (%s) has no environment %q, which the mesh adds: everything in it is compared as added\n", cf.of, cf.env)
		baseRev, headRev = emptyLike(headRes.Plan), revision(headRes)
	case headLacks != nil:
		fmt.Fprintf(e.stderr, "meshc diff: the mesh has no environment %q, which the base revision (%s) has: everything in it is compared as removed\n", cf.env, cf.of)
		baseRev, headRev = revision(baseRes), emptyLike(baseRes.Plan)
	default:
		baseRev, headRev = revision(baseRes), revision(headRes)
	}
	var err error
	if base == "" && headLacks == nil {
		// A commit holds no file git ignores, so neither may the work
		// tree it is compared with: dbt's target/ would change a step.
		if headRev.Files, err = withoutIgnored(dir, headRes.Plan.Root); err != nil {
			return usageError(e, "diff", "%v", err)
		}
	}
	report := meshdiff.Compare(baseRev, headRev)
	switch {
	case affected && format == "json":
		err = writeJSONList(e.stdout, report.Affected)
	case affected:
		for _, id := range report.Affected {
			fmt.Fprintln(e.stdout, id)
		}
	case format == "json":
		err = report.WriteJSON(e.stdout)
	case format == "markdown":
		report.WriteMarkdown(e.stdout, headRev.Plan)
	default:
		err = report.WriteText(e.stdout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc diff: %v\n", err)
		return exitMesh
	}
	if failOnBreaking {
		for _, c := range report.Changes {
			if c.Unexcused() {
				fmt.Fprintf(e.stderr, "meshc diff: %s breaks %s without a major version bump of %s\n", c.ID, strings.Join(c.Consumers, ", "), c.Product)
				code = exitMesh
			}
		}
	}
	return code
}

// emptyLike is a revision without the environment compared: an empty
// mesh with the other revision's defaults and targets, so that the report
// is of what the environment holds, not of settings the other
// environments' reports show.
func emptyLike(p *plan.Plan) *meshdiff.Revision {
	return &meshdiff.Revision{Plan: &plan.Plan{Defaults: p.Defaults, Targets: p.Targets}}
}

func revision(res *compiler.Result) *meshdiff.Revision {
	r := &meshdiff.Revision{Plan: res.Plan, Waivers: meshdiff.WaiversOf(res.Mesh)}
	rules := meshdiff.RulesOf(res.Mesh, res.SourceText)
	for _, p := range res.Policies {
		r.Policies = append(r.Policies, meshdiff.Policy{Name: p.Name, Domain: p.Domain, Enforcement: p.Enforcement, On: p.On, Active: p.Active,
			Rule: rules[meshdiff.PolicyKey(p.Domain, p.Name)]})
	}
	return r
}

func writeJSONList(w io.Writer, items []string) error {
	if items == nil {
		items = []string{}
	}
	data, err := jsonout.Indented(items, true)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// gitTree reads the mesh folder dir as it is at a git revision, from the
// repository's objects (git ls-tree and git cat-file, so that
// .gitattributes' export rules do not apply), without touching the work
// tree. Files are named REV:PATH in diagnostics, REV being the ref as
// given, or the merge base's abbreviated ID for A...B (baseCommit). An
// empty ref is HEAD, the default, which the messages say the user did not
// choose. Files are read when opened (gitFS), through the git process that
// the Closer ends. A warning, if any, is for standard error.
func gitTree(dir, ref string) (tree load.Tree, blobs io.Closer, warning string, err error) {
	named := ref != ""
	if !named {
		ref = "HEAD"
	}
	out, err := git(dir, "rev-parse", "--show-prefix")
	if err != nil {
		if !named {
			return load.Tree{}, nil, "", fmt.Errorf("without --base or --base-ref, %s is compared with its last commit (HEAD), but git cannot read it as a repository (%v); give --base FOLDER to compare it with another folder", dir, err)
		}
		return load.Tree{}, nil, "", fmt.Errorf("--base-ref needs %s to be in a git repository: %v", dir, err)
	}
	prefix := strings.TrimSpace(string(out))
	commit, name, warning, err := baseCommit(dir, ref)
	switch {
	case err != nil && !named:
		return load.Tree{}, nil, "", fmt.Errorf("without --base or --base-ref, %s is compared with its last commit (HEAD), but its repository has no commit yet; commit the mesh, or give --base FOLDER to compare it with another folder", dir)
	case err != nil:
		return load.Tree{}, nil, "", err
	}
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return load.Tree{}, nil, "", err
	}
	root := strings.TrimSpace(string(top))
	listing, err := git(root, "ls-tree", "-r", "-l", "-z", commit+":"+strings.TrimSuffix(prefix, "/"))
	if err != nil {
		return load.Tree{}, nil, "", fmt.Errorf("the mesh folder is not in %s (%v)", ref, err)
	}
	reader, err := startBlobReader(root, ref)
	if err != nil {
		return load.Tree{}, nil, "", err
	}
	return load.Tree{FS: newGitFS(listing, reader), Prefix: name + ":" + prefix}, reader, warning, nil
}

// baseCommit returns the commit --base-ref names, and the name its files
// go by: a revision, or A...B, the merge base of A and B (either one
// HEAD when left out), as git diff A...B takes it. With several merge
// bases, it takes the first, as git diff does, and warns.
//
// The other side of the comparison is DIR's files, not B's: so B must be
// the commit checked out, HEAD, or the comparison would be with a merge
// base of some other commit than the one DIR's files grew from.
func baseCommit(dir, ref string) (commit, name, warning string, err error) {
	a, b, isRange := strings.Cut(ref, "...")
	if !isRange {
		commit, err := commitOf(dir, ref, ref)
		return commit, ref, "", err
	}
	first, given := a, b
	a = cmp.Or(a, "HEAD")
	if a, err = commitOf(dir, a, ref); err != nil {
		return "", "", "", err
	}
	if b, err = commitOf(dir, "HEAD", ref); err != nil {
		return "", "", "", err
	}
	if given != "" && given != "HEAD" {
		other, err := commitOf(dir, given, ref)
		if err != nil {
			return "", "", "", err
		}
		if other != b {
			instead := ""
			if first != "" && first != "HEAD" {
				instead = fmt.Sprintf(", or give --base-ref %s... for the merge base of %s and HEAD", first, first)
			}
			return "", "", "", fmt.Errorf("--base-ref %q: meshc diff compares the merge base with the files in %s, which grew from the commit checked out (HEAD, %s), not from %s (%s); check out %s first (git checkout %s)%s",
				ref, dir, b[:min(len(b), 12)], given, other[:min(len(other), 12)], given, shell.Quote(given), instead)
		}
	}
	out, err := git(dir, "merge-base", "--all", a, b)
	bases := strings.Fields(string(out))
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return "", "", "", fmt.Errorf("--base-ref %q: git merge-base failed: %v", ref, err)
	}
	if len(bases) == 0 {
		// git merge-base exits 1, without a word, when there is none.
		return "", "", "", fmt.Errorf("--base-ref %q: the two revisions have no common ancestor, so they have no merge base to compare with%s", ref,
			orShallow(dir, "its history may stop before the commit where they parted", "fetch more of it (git fetch --deepen=200, or git fetch --unshallow)"))
	}
	short := bases[0][:min(len(bases[0]), 12)]
	if len(bases) > 1 {
		warning = fmt.Sprintf("--base-ref %s: the revisions have %d merge bases; comparing with the first, %s, as git diff does", ref, len(bases), short)
	}
	return bases[0], short, warning, nil
}

// commitOf returns the commit ID that rev names in the repository of dir,
// or an error about the --base-ref ref that holds it.
func commitOf(dir, rev, ref string) (string, error) {
	if strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("--base-ref %q is not a git revision", ref)
	}
	out, err := git(dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	what := fmt.Sprintf(": %q names no commit of the repository", rev)
	if rev == ref {
		what = " names no commit of the repository"
	}
	hint := ""
	if a, b, ok := strings.Cut(rev, ".."); ok && a != "" && b != "" {
		hint = " (a range: --base-ref takes one revision, or A...B for the merge base of A and B, as git diff A...B takes it)"
	}
	return "", fmt.Errorf("--base-ref %q%s%s%s", ref, what, hint,
		orShallow(dir, "it may not have fetched it", "fetch it (git fetch origin BRANCH), or more of the history (git fetch --deepen=200, or git fetch --unshallow)"))
}

// orShallow is the end of a message about a revision missing from the
// repository of dir: when the repository is a shallow clone, which has
// part of the history, why (what it may not have), and what to fetch. CI
// clones shallowly by default: GitLab fetches the last 20 commits
// (GIT_DEPTH).
func orShallow(dir, missing, fetch string) string {
	out, err := git(dir, "rev-parse", "--is-shallow-repository")
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		return ""
	}
	return fmt.Sprintf("; the repository is a shallow clone, and %s: %s, or in GitLab CI set the variable GIT_DEPTH to 0 (the whole history)", missing, fetch)
}

// withoutIgnored returns the mesh folder dir, read through fsys, without
// the files and folders that git ignores there, nor the submodules (and
// other repositories) that it tracks as gitlinks: a commit holds a
// gitlink's commit, not its files, which the base revision cannot read
// (gitFS), so the work tree's are left out too.
func withoutIgnored(dir string, fsys fs.FS) (fs.FS, error) {
	out, err := git(dir, "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory")
	if err != nil {
		return nil, fmt.Errorf("listing the files git ignores in %s: %v", dir, err)
	}
	ignored := ignoredFS{FS: fsys, files: map[string]bool{}, folders: map[string]bool{}}
	for _, name := range strings.Split(string(out), "\x00") {
		if folder, ok := strings.CutSuffix(name, "/"); ok {
			ignored.folders[folder] = true
		} else if name != "" {
			ignored.files[name] = true
		}
	}
	staged, err := git(dir, "ls-files", "-z", "--stage")
	if err != nil {
		return nil, fmt.Errorf("listing the files git tracks in %s: %v", dir, err)
	}
	for _, entry := range strings.Split(string(staged), "\x00") {
		// MODE OBJECT STAGE<tab>PATH, a gitlink's mode being 160000.
		if info, name, ok := strings.Cut(entry, "\t"); ok && strings.HasPrefix(info, "160000 ") {
			ignored.folders[name] = true
		}
	}
	return ignored, nil
}

// ignoredFS hides some files and folders of a file system, and what the
// folders hold.
type ignoredFS struct {
	fs.FS
	files, folders map[string]bool
}

// hides reports whether name is hidden: an ignored file or folder, or in
// one. It looks up name and its parents, not each ignored folder: a work
// tree can ignore thousands (a node_modules per package), and hides is
// asked of every file opened and every entry of every folder read.
func (f ignoredFS) hides(name string) bool {
	if f.files[name] || f.folders[name] {
		return true
	}
	for dir := path.Dir(name); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if f.folders[dir] {
			return true
		}
	}
	return false
}

func (f ignoredFS) Open(name string) (fs.File, error) {
	if f.hides(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return f.FS.Open(name)
}

// ReadFile reads through the file system's own ReadFile, if it has one:
// a plan's Root reads CRLF line endings as LF (plan.ReadOnce), as the
// base revision's files are read, so that a checkout with CRLF line
// endings changes no step's file.
func (f ignoredFS) ReadFile(name string) ([]byte, error) {
	if f.hides(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return fs.ReadFile(f.FS, name)
}

func (f ignoredFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.hides(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	entries, err := fs.ReadDir(f.FS, name)
	return slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return f.hides(path.Join(name, e.Name())) }), err
}

// git runs git in dir and returns its standard output.
func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return out, nil
}

// missingEnv reports whether a compilation failed because the mesh does
// not declare the environment asked for.
func missingEnv(err error) bool {
	var ue *compiler.UsageError
	return errors.As(err, &ue) && ue.MissingEnv != ""
}
