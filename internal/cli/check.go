package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/spf13/pflag"
)

// compileFlags are the flags every command that compiles a mesh takes.
type compileFlags struct {
	env     string
	today   string
	timings bool
	// of names what is compiled next in the timings, for a command that
	// compiles more than one mesh (diff).
	of string
	// wholeMesh keeps the result's decoded mesh whole (explain prints it).
	wholeMesh bool
	// noTestSQL keeps no test's SQL in the plan, for a command that
	// writes no target (check).
	noTestSQL bool

	// The cache is opened once per command, whatever it compiles (diff
	// compiles two revisions), and its warning printed once.
	cache       *load.Cache
	cacheOpened bool
	cacheWarned string
}

func (f *compileFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.env, "env", "", "environment to map names for (default: the first one in mesh.hcl)")
	fs.StringVar(&f.today, "today", "", "judge deprecations and waivers' expiry as of this date, YYYY-MM-DD (default: today)")
	fs.BoolVar(&f.timings, "timings", false, "print how long loading, each checking stage and each target took, to standard error")
}

// timing prints how long one part of the command took, with --timings.
func (f *compileFlags) timing(e *env, what string, took time.Duration) {
	if f.timings {
		fmt.Fprintf(e.stderr, "  %-22s %8.3f s\n", what, took.Seconds())
	}
}

// compile compiles the mesh in dir. It returns done with an exit code when
// the command line was wrong.
func (f *compileFlags) compile(e *env, cmd, dir string) (*compiler.Result, int, bool) {
	res, code, done := f.compileWith(e, cmd, func(opts compiler.Options) (*compiler.Result, error) { return compiler.CompileDir(dir, opts) })
	if !done {
		pointToRoot(e, res.Diagnostics, cmd, dir)
	}
	return res, code, done
}

// pointToRoot tells a folder without a mesh.hcl that is inside a mesh,
// such as a domain's folder, where the mesh's root is and how to run
// the command there, with the flags it was given: meshc reads a mesh
// from its root folder alone.
func pointToRoot(e *env, ds diag.Diagnostics, cmd, dir string) {
	i := slices.IndexFunc(ds, func(d *diag.Diagnostic) bool { return d.Code == "no-mesh-root" })
	if i < 0 {
		return
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	// Up through dir/.., as the command given it would read it, at most
	// as far as the root.
	up := dir
	for parent := filepath.Dir(abs); parent != abs; abs, parent = parent, filepath.Dir(parent) {
		up = filepath.Join(up, "..")
		if info, err := os.Lstat(filepath.Join(up, load.RootFile)); err == nil && info.Mode().IsRegular() {
			d := *ds[i] // the loader's, which a cache may keep
			where := shell.Quote(dir)
			if filepath.Clean(dir) == "." {
				where = "the current folder"
			}
			d.Detail = fmt.Sprintf("meshc reads a mesh from its root folder, and %s is inside the mesh whose %s is in %s: run %s instead.",
				where, load.RootFile, shell.Quote(up), e.asGiven(cmd, up))
			ds[i] = &d
			return
		}
	}
}

// compileWith runs compile with the flags' options, for a mesh that is not
// a folder (a git revision, say).
func (f *compileFlags) compileWith(e *env, cmd string, compile func(compiler.Options) (*compiler.Result, error)) (*compiler.Result, int, bool) {
	opts := compiler.Options{Env: f.env, WholeMesh: f.wholeMesh, NoTestSQL: f.noTestSQL}
	if f.today != "" {
		t, err := time.Parse(time.DateOnly, f.today)
		if err != nil {
			return nil, usageError(e, cmd, "--today %q is not a valid date; write YYYY-MM-DD, such as 2027-01-31", f.today), true
		}
		opts.Today = t
	}
	if !f.cacheOpened {
		f.cache, f.cacheOpened = openCache(e), true
	}
	opts.Cache, opts.Index = f.cache, indexFolder()
	start := time.Now()
	if f.timings {
		if f.of != "" {
			fmt.Fprintf(e.stderr, "timings of %s:\n", f.of)
		} else {
			fmt.Fprintln(e.stderr, "timings:")
		}
	}
	opts.Trace = func(stage string, took time.Duration) {
		f.timing(e, stage, took)
		AfterStage(stage)
	}
	opts.Found = ExpectFiles
	var hits0, parsed0, unread0, steps0, stepsUnread0 int
	if opts.Cache != nil {
		hits0, parsed0, _ = opts.Cache.Report()
		unread0 = opts.Cache.Unread()
		steps0, stepsUnread0 = opts.Cache.StepFiles()
	}
	gc0 := readCollector()
	res, err := compile(opts)
	f.timing(e, "compile, in all", time.Since(start))
	if f.timings {
		// A large share means the heap had little room: a container with
		// little memory, or a mesh near meshc's memory budget.
		gc := readCollector().since(gc0)
		fmt.Fprintf(e.stderr, "  %-22s %d, %.0f%% of processor time\n", "garbage collections", gc.cycles, 100*gc.share())
	}
	if f.timings && opts.Cache != nil {
		// Whether CI's cache came back is the first thing to know of a
		// slow check there. The cache counts for the whole command, and
		// a command's compiles run one after the other.
		hits, parsed, _ := opts.Cache.Report()
		hits, parsed = hits-hits0, parsed-parsed0
		fmt.Fprintf(e.stderr, "  %-22s %d of %d files, %d unread\n", "read from the cache", hits, hits+parsed, opts.Cache.Unread()-unread0)
		if files, unread := opts.Cache.StepFiles(); files > steps0 {
			fmt.Fprintf(e.stderr, "  %-22s %d of %d unread\n", "steps' SQL files", unread-stepsUnread0, files-steps0)
		}
	}
	if warning := cacheWarning(opts.Cache); warning != "" && warning != f.cacheWarned {
		fmt.Fprintf(e.stderr, "meshc: warning: %s\n", warning)
		f.cacheWarned = warning
	}
	var ue *compiler.UsageError
	if errors.As(err, &ue) {
		return nil, usageError(e, cmd, "%s", ue.Msg), true
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc %s: %v\n", cmd, err)
		return nil, exitMesh, true
	}
	return res, exitOK, false
}

func runCheck(e *env, args []string) int {
	var cf compileFlags
	var format string
	fs := flagSet(e, "check", "check [flags] [DIR]",
		"Loads the mesh in DIR (default: the current folder), type-checks it, and prints\nevery problem found, sorted by file and position, then a summary.\n\n"+
			"--format gitlab and --format sarif print a GitLab code quality report and a\nSARIF 2.1.0 log, for CI to show the problems in merge requests and code\nscanning; the summary then goes to standard error. Run them at the repository\nroot, so that file names are relative to it.")
	fs.StringVar(&format, "format", "text", "output format: text, json, gitlab (code quality report) or sarif")
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	switch format {
	case "text", "json", "gitlab", "sarif":
	default:
		return usageError(e, "check", "--format must be text, json, gitlab or sarif, not %q", format)
	}
	dir, ok := oneDir(e, "check", fs.Args())
	if !ok {
		return exitUsage
	}
	cf.noTestSQL = true // check writes no target
	res, code, done := cf.compile(e, "check", dir)
	if done {
		return code
	}
	var err error
	src := res.SourcesFor(res.Diagnostics)
	switch format {
	case "json":
		err = diag.WriteJSON(e.stdout, res.Diagnostics, src)
	// The CI reports are the whole of standard output, which CI saves as
	// a file; the summary goes to the job's log.
	case "gitlab":
		err = diag.WriteCodeQuality(e.stdout, res.Diagnostics, src)
		fmt.Fprintln(e.stderr, summary(res))
	case "sarif":
		err = diag.WriteSARIF(e.stdout, res.Diagnostics, src, version())
		fmt.Fprintln(e.stderr, summary(res))
	default:
		diag.WriteText(e.stdout, res.Diagnostics, src)
		if len(res.Diagnostics) > 0 {
			fmt.Fprintln(e.stdout)
		}
		var report bytes.Buffer
		err = compiler.WritePolicyReport(&report, res)
		if report.Len() > 0 {
			e.stdout.Write(report.Bytes())
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintln(e.stdout, summary(res))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc check: %v\n", err)
	}
	if res.Diagnostics.HasErrors() {
		return exitMesh
	}
	return exitOK
}

// summary is check's last line.
func summary(res *compiler.Result) string {
	errs, warns := res.Diagnostics.Count()
	counts := fmt.Sprintf("%s, %s", plural(errs, "error"), plural(warns, "warning"))
	if res.Plan == nil {
		return "meshc: " + counts
	}
	p := res.Plan
	tests := 0
	for _, pr := range p.Products {
		tests += len(pr.Tests)
	}
	return fmt.Sprintf("meshc: %s: %s, %s, %s, %s; %s",
		p.Name, plural(len(p.Domains), "domain"), plural(len(p.Sources), "source"), plural(len(p.Products), "product"), plural(tests, "test"), counts)
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printPlan is the body of the commands that compile the mesh in the one
// folder of args and print something of its plan: diagnostics go to
// stderr, what render makes of the plan to stdout, and nothing at all when
// the mesh has errors.
func (f *compileFlags) printPlan(e *env, cmd string, args []string, render func(*plan.Plan) []byte) int {
	dir, ok := oneDir(e, cmd, args)
	if !ok {
		return exitUsage
	}
	res, code, done := f.compile(e, cmd, dir)
	if done {
		return code
	}
	diag.WriteText(e.stderr, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	if res.Plan == nil {
		fmt.Fprintf(e.stderr, "\n%s\n", summary(res))
		return exitMesh
	}
	if len(res.Diagnostics) > 0 {
		fmt.Fprintln(e.stderr) // warnings, before the output
	}
	e.stdout.Write(render(res.Plan))
	return exitOK
}
