// Package gitlab compiles a checked plan into GitLab CI pipelines: a parent
// pipeline (.gitlab-ci.yml) that triggers one child pipeline per product,
// or per domain, in dependency order; the child pipelines' jobs run the
// steps and the tests; and schedules.json lists the pipeline schedules to
// create, since GitLab keeps schedules outside the YAML.
//
// Build is a pure function from the plan to files. It models each pipeline
// as jobs with needs first, checks GitLab's limits on that model, and
// renders YAML only when every limit holds, so that a problem is reported
// at the mesh line that causes it rather than found by GitLab later.
package gitlab

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
)

// Name is the target's name, as in meshc build --target gitlab.
const Name = "gitlab"

// Options are the settings of one build that do not come from the mesh, or
// override it (command-line flags). Empty fields leave the mesh's settings.
type Options struct {
	// OutDir is the output folder relative to the mesh root, slash
	// separated, such as "gen/gitlab" or "../ci". Child pipelines are
	// included by their path in the repository, so it must be known.
	OutDir string
	// Out is the output folder as the user gave it, for messages; OutDir
	// when empty.
	Out string
	// OutLinks are the symbolic links on the way to the output folder
	// (output.Locate), each relative to the mesh root like OutDir. GitLab
	// does not follow links, so none may be in the repository.
	OutLinks []string
	// MeshDir is the mesh root's folder in the repository; it overrides the
	// mesh_dir setting. "." is the repository's root.
	MeshDir string
	// MeshDirFound says MeshDir was found from .git rather than given: the
	// files' headers then leave it out of the rebuild command.
	MeshDirFound    bool
	Granularity     string // product or domain
	TriggerStrategy string // depend or mirror
	JobLimit        int
	// Keep is how much of the rendered YAML and SQL the build may keep
	// until it is written; the rest is made again then. Nil keeps none.
	// An allowance for the output folder (output.Allowance.In) keeps
	// none of the files the folder already holds.
	Keep *output.Allowance
}

// settings are the options in effect, each with where it was set.
type settings struct {
	granularity         string
	triggerStrategy     string
	jobLimit            int
	jobLimitSource      string // where jobLimit comes from, for messages
	scheduleLimit       int    // how many pipeline schedules a project may have
	scheduleLimitSource string // where scheduleLimit comes from
	meshDir             string // the mesh root in the repository
	outDir              string // the output folder in the repository
	image               string
	tags                []string
	timeout             string // GitLab's timeout of step and test jobs, "" for the project's
	vaultAudience       string
	vaultEngine         string
	target              *plan.Target
}

func newSettings(p *plan.Plan, o Options) (*settings, diag.Diagnostics) {
	t := p.Targets[Name]
	if t == nil {
		t = &plan.Target{Name: Name}
	}
	s := &settings{
		granularity:     cmp.Or(o.Granularity, t.Text("granularity"), "product"),
		triggerStrategy: cmp.Or(o.TriggerStrategy, t.Text("trigger_strategy"), "depend"),
		image:           t.Text("image"),
		vaultAudience:   t.Text("vault_audience"),
		vaultEngine:     cmp.Or(t.Text("vault_engine_path"), "kv-v2"),
		target:          t,
	}
	s.meshDir, _ = MeshDir(p, o)
	s.jobLimit, s.jobLimitSource = limit(t, "job_limit", 500)
	s.scheduleLimit, s.scheduleLimitSource = limit(t, "schedule_limit", 10)
	if o.JobLimit > 0 {
		s.jobLimit, s.jobLimitSource = o.JobLimit, "from --job-limit"
	}
	if tags := t.Options["tags"]; tags != nil {
		s.tags = tags.Strings
	}
	if o := t.Options["timeout"]; o != nil {
		s.timeout = plan.FormatDuration(o.Duration)
	}
	s.outDir = path.Clean(path.Join(s.meshDir, o.OutDir))
	at := p.Range // the output folder and the mesh's place come from the command line
	if md := t.Options["mesh_dir"]; md != nil && o.MeshDir == "" {
		at = md.Range
	}
	out := cmp.Or(o.Out, o.OutDir)
	for _, l := range o.OutLinks {
		// A link outside the repository (/tmp on macOS, a path to the
		// repository itself) is none of GitLab's business.
		if link := path.Clean(path.Join(s.meshDir, l)); inRepository(link) {
			return nil, diag.Diagnostics{diag.Errorf("gitlab-out-dir", at, "Output folder through a symbolic link",
				"The output folder %s is reached through a symbolic link in the repository, at %s. GitLab does not follow symbolic links, so it would not find the child pipelines the parent includes from there. Choose an --out in the repository with no link on the way, or replace the link with a folder.", out, link)}
		}
	}
	if !inRepository(s.outDir) {
		return nil, diag.Diagnostics{diag.Errorf("gitlab-out-dir", at, "Output folder outside the repository",
			"Child pipelines are included by their path in the repository, but the output folder %s is outside the mesh's repository (the mesh root is at %q in it). Choose an --out inside the repository, or set mesh_dir in the target \"gitlab\" block (or --mesh-dir) to the mesh root's folder in the repository.", out, s.meshDir)}
	}
	return s, nil
}

// includeSyntax are the characters that GitLab reads in an include:local
// path, trigger:include's included, as its own syntax, with no way to
// escape them: * and ** are wildcards ("Use include:local with wildcard
// file paths" in GitLab's documentation), and $ starts a CI/CD variable,
// which it expands in include paths ("Use variables with include"; $$
// is not read as $ there). A child pipeline whose path holds one would be
// included with other files, or not at all.
const includeSyntax = "*$"

// checkIncludable refuses a mesh root or an output folder whose path in
// the repository holds includeSyntax: the parent includes each child
// pipeline by that path. The mesh's place comes first, as the one to
// rename when both hold one.
func (s *settings) checkIncludable(p *plan.Plan, o Options) diag.Diagnostics {
	const why = "GitLab reads * in an include:local path as a wildcard and $ as the start of a CI/CD variable, and has no way to escape either, so the parent pipeline would include other files than its child pipelines, or none."
	if i := strings.IndexAny(s.meshDir, includeSyntax); i >= 0 {
		at, from, fix := p.Range, "found from .git", "Rename the folder so that its path has neither."
		switch {
		case o.MeshDir != "" && !o.MeshDirFound:
			from, fix = "from --mesh-dir", "Rename the folder so that its path has neither, and give --mesh-dir its new path."
		case o.MeshDir == "":
			at, from, fix = s.target.Options["mesh_dir"].Range, "set by mesh_dir", "Rename the folder so that its path has neither, and set mesh_dir to its new path."
		}
		return diag.Diagnostics{diag.Errorf("gitlab-out-dir", at, "Mesh folder GitLab would expand",
			"Child pipelines are included by their path in the repository, which starts with the mesh root's folder %q (%s); it holds %q. %s %s", s.meshDir, from, s.meshDir[i:i+1], why, fix)}
	}
	if i := strings.IndexAny(s.outDir, includeSyntax); i >= 0 {
		return diag.Diagnostics{diag.Errorf("gitlab-out-dir", p.Range, "Output folder GitLab would expand",
			"Child pipelines are included by their path in the repository, in the output folder %s (%q in the repository); it holds %q. %s Choose an --out whose path has neither.", cmp.Or(o.Out, o.OutDir), s.outDir, s.outDir[i:i+1], why)}
	}
	return nil
}

// CheckPaths reports what stops a build with the options o from placing
// its files in the repository where GitLab finds them, as Build reports
// it: for commands that name the build's files there (codeowners).
func CheckPaths(p *plan.Plan, o Options) diag.Diagnostics {
	s, ds := newSettings(p, o)
	if ds.HasErrors() {
		return ds
	}
	return s.checkIncludable(p, o)
}

// MeshDir returns the mesh root's folder in the repository, as a build
// with the options o takes it: o.MeshDir, else the mesh_dir setting of the
// target block, else the repository's root ("."); and whether either
// said so. Commands that name the build's files in the repository
// (codeowners) place the mesh with it, so that they name the paths the
// pipelines do.
func MeshDir(p *plan.Plan, o Options) (dir string, set bool) {
	if o.MeshDir != "" {
		return o.MeshDir, true
	}
	if t := p.Targets[Name]; t != nil && t.Text("mesh_dir") != "" {
		return t.Text("mesh_dir"), true
	}
	return ".", false
}

// inRepository reports whether a clean slash path relative to the
// repository's root is inside it.
func inRepository(p string) bool {
	return p != ".." && !strings.HasPrefix(p, "../") && !path.IsAbs(p)
}

// limit returns a number option of the target block, or fallback, and
// where it comes from, for messages.
func limit(t *plan.Target, name string, fallback int) (int, string) {
	lim := t.Options[name]
	switch {
	case lim == nil:
		return fallback, "meshc's default"
	case lim.Default:
		return int(lim.Number), "the standard library's default"
	}
	return int(lim.Number), fmt.Sprintf("set at %s", lim.Range)
}

// repoPath turns a path relative to the mesh root into one relative to the
// repository's root, where jobs run.
func (s *settings) repoPath(meshPath string) string { return path.Join(s.meshDir, meshPath) }

// Build compiles the plan. It returns no files when there are errors.
func Build(p *plan.Plan, o Options) ([]output.File, diag.Diagnostics) {
	s, ds := newSettings(p, o)
	if ds.HasErrors() {
		return nil, ds
	}
	if ds := s.checkIncludable(p, o); ds.HasErrors() {
		return nil, ds
	}
	b := newBuilder(&common{plan: p, settings: s, schedules: newSchedules(p), opts: o})
	b.build()
	if b.diags.HasErrors() {
		return nil, b.diags.Sorted()
	}
	// The files stay in the order they were made, a unit's side by side,
	// in which output writes them (see remade).
	return b.files, b.diags.Sorted()
}

// builder holds one build's state: what every part of the build reads,
// and what one part makes. The parts of a build run on every core, each
// with a builder of its own (fork).
type builder struct {
	*common
	files []output.File
	diags diag.Diagnostics
	// The header of each product's SQL files, which many files share,
	// computed once per builder.
	sqlHeads map[*plan.Product][]byte
	yamlBuf  []byte // addYAML's buffer
	fileBuf  []byte // each file's contents, until add keeps them
	// rendered are the step SQL files of the unit being made whose
	// copies, placeholders filled, its jobs run: sources of its child
	// pipeline too.
	rendered []string
	// folder, when set, tells which files the output folder holds
	// already (output.Allowance.Unchanged): add marks those unchanged
	// and keeps none of their bytes. It is set while units are first
	// made, not when they are made again to be written.
	folder *output.Allowance
}

// common is what every part of a build reads, and none writes once the
// parts have started.
type common struct {
	plan      *plan.Plan
	settings  *settings
	schedules *schedules
	opts      Options // the command line's, for the rebuild command in headers
	ownerCmd  string  // owner(), which every file's header names
	retry     int     // GitLab's retry for step jobs
}

func newBuilder(c *common) *builder {
	return &builder{common: c, sqlHeads: map[*plan.Product][]byte{}}
}

// Owner names the build that writes the files, as internal/output knows
// it: the target and the environment.
func Owner(p *plan.Plan) string { return output.Owner(Name, p.Environment.Name) }

// owner is how to rebuild the files, for their headers: the owner, and
// the flags that shaped them.
func (b *builder) owner() string {
	cmd := Owner(b.plan)
	if b.opts.MeshDir != "" && !b.opts.MeshDirFound {
		cmd += " --mesh-dir " + shell.Quote(b.opts.MeshDir)
	}
	for _, f := range []struct{ flag, value string }{
		{"--granularity", b.opts.Granularity}, {"--trigger-strategy", b.opts.TriggerStrategy},
	} {
		if f.value != "" {
			cmd += " " + f.flag + " " + shell.Quote(f.value)
		}
	}
	if b.opts.JobLimit > 0 {
		cmd += fmt.Sprintf(" --job-limit %d", b.opts.JobLimit)
	}
	return cmd
}

func (b *builder) errorf(code string, at diag.Range, summary, detail string, args ...any) {
	b.diags = append(b.diags, diag.Errorf(code, at, summary, detail, args...))
}

func (b *builder) build() {
	b.ownerCmd = b.owner()
	b.retry = b.retries()
	units := b.units()
	if len(units) > maxDownstreamPipeline {
		b.errorf("gitlab-limit", units[maxDownstreamPipeline].at, "Too many GitLab child pipelines",
			"The mesh would trigger %d child pipelines from one parent; GitLab allows %d downstream pipelines in one pipeline hierarchy. Use granularity = \"domain\" in the target \"gitlab\" block, or split the mesh.", len(units), maxDownstreamPipeline)
	}
	parent := newPipeline(".gitlab-ci.yml", "products")
	parent.at = b.plan.Range
	parent.split = "Use granularity = \"domain\" for one job per domain"
	// Each unit's child pipeline and files on every core. A goroutine has
	// a builder of its own, for its memos and buffer, whose files and
	// diagnostics are taken after each unit; the plan, the settings and
	// the schedules are only read. A unit's files are kept while
	// opts.Keep has room, and otherwise made again when they are written.
	parts := make([]builtUnit, len(units))
	again := &remade{}
	parallel.ForWith(len(units), func() func(int) {
		w := b.fork()
		w.folder = b.opts.Keep
		return func(i int) {
			u := units[i]
			w.files, w.diags = nil, nil
			w.unit(u)
			parts[i] = builtUnit{w.files, w.diags}
			b.keepOrRemake(u, parts[i].files, again)
		}
	})
	for i, u := range units {
		b.files = append(b.files, parts[i].files...)
		b.diags = append(b.diags, parts[i].diags...)
		parent.add(b.trigger(u), &b.diags)
	}
	parent.add(b.unknownSchedule(), &b.diags)
	parent.check(b.settings.jobLimit, b.settings.jobLimitSource, &b.diags)
	all := b.sources(b.plan.Products...)
	b.addYAML(parent, all, b.parentHead())
	b.schedules.check(b.settings.scheduleLimit, b.settings.scheduleLimitSource, &b.diags)
	b.files = append(b.files, b.schedules.file(b.ownerCmd, all))
}

// unit makes a unit's child pipeline, checks it, and adds its files to
// b.files.
func (b *builder) unit(u *unit) {
	b.rendered = b.rendered[:0]
	child := b.child(u)
	child.check(b.settings.jobLimit, b.settings.jobLimitSource, &b.diags)
	b.addYAML(child, b.plan.SourceFiles(b.settings.target, u.products, b.rendered...), b.childHead(u))
}

// keepOrRemake keeps a unit's files while opts.Keep has room, and
// otherwise lets their contents go, for again to make them when they are
// written. Files the output folder already holds were kept by no one
// (add): only a caller that wants their contents makes them again.
func (b *builder) keepOrRemake(u *unit, files []output.File, again *remade) {
	size, unchanged := 0, 0
	for _, f := range files {
		if f.Unchanged {
			unchanged++
		}
		size += len(f.Data)
	}
	kept := b.opts.Keep.Keep(size)
	if kept && unchanged == 0 {
		return
	}
	made := &unitFiles{make: func() []output.File {
		w := b.fork() // its diagnostics were taken the first time
		w.unit(u)
		return w.files
	}}
	for i := range files {
		if kept && !files[i].Unchanged {
			continue
		}
		path := files[i].Path
		files[i].Data, files[i].Render = nil, func() []byte { return again.file(made, path) }
	}
}

// builtUnit is what building one unit's child pipeline made.
type builtUnit struct {
	files []output.File
	diags diag.Diagnostics
}

// fork returns a builder for part of b's work, sharing what b only reads.
func (b *builder) fork() *builder { return newBuilder(b.common) }

// sources returns the mesh files that the files of products come from.
func (b *builder) sources(products ...*plan.Product) []string {
	return b.plan.SourceFiles(b.settings.target, products)
}

// trigger is the parent's job that runs a unit's child pipeline once the
// units it reads from have passed.
func (b *builder) trigger(u *unit) *job {
	j := &job{name: b.triggerName(u), stage: "products", at: u.at}
	keys := b.schedules.rules(u.products)
	for _, up := range u.upstreams {
		// optional: the upstream may not run in this pipeline (its
		// schedule is another); the unit then reads its last published data.
		j.needs = append(j.needs, need{job: b.triggerName(up), optional: true, at: u.at})
	}
	j.body = jobBody{
		extends: b.productTemplate(),
		comment: u.comment,
		// One run of a unit at a time, per environment: two pipelines
		// (a schedule and a manual run, say) must not write the same
		// tables at once. The lock is held until the child pipeline ends.
		resourceGroup: b.resourceGroup(u),
		// Another build's schedule may share a key ("daily") with this
		// build's, in a project that includes both parents. It is
		// another's by its MESHC_BUILD, else by its description, as
		// meshc-unknown-schedule tells them: this build's described
		// schedules run first, then the never rule keeps out the other
		// builds' ones, then the rest run by their key, as before.
		rules: slices.Concat(
			neverIf(b.schedules.ofOtherBuild()),
			runIf(b.schedules.byDescription(keys)...),
			neverIf(b.schedules.describedAsOtherBuild()),
			runIf(keys...),
		),
		trigger: &trigger{include: []string{path.Join(b.settings.outDir, u.file)}},
	}
	return j
}

// sharesProject reports whether the mesh may share its GitLab project with
// other meshes, whose parents one .gitlab-ci.yml may include beside its
// own: it does unless it is at the repository's root, as a mesh's folder
// tree holds one mesh (a mesh.hcl below the root is not read as one).
// GitLab merges the jobs of one name from several included files into
// one, so there the names of the trigger jobs, which come from domains and
// products that two meshes may share, carry the mesh. A mesh at the root
// keeps the shorter names, and its users the job names they know.
func (b *builder) sharesProject() bool { return b.settings.meshDir != "." }

// triggerName is the name of the parent's job that runs a unit: the
// unit's, after the mesh's name and ":" when the mesh may share its
// project. Mesh names hold no ":", so the mesh's part cannot be read as
// another's.
func (b *builder) triggerName(u *unit) string {
	if b.sharesProject() {
		return b.plan.Name + ":" + u.name
	}
	return u.name
}

// resourceGroup names the lock that lets one run of a unit at a time
// write its tables in an environment. GitLab's resource groups are the
// project's, so it carries the mesh where the trigger job's name does;
// GitLab allows no ":" in their names.
func (b *builder) resourceGroup(u *unit) string {
	if b.sharesProject() {
		return "meshc/" + b.schedules.build() + "/" + u.name
	}
	return "meshc/" + b.plan.Environment.Name + "/" + u.name
}

// unknownSchedule is the parent's job that fails a run of one of this
// build's schedules whose MESHC_SCHEDULE is none of the keys of
// schedules.json, nor "all": one started by a pipeline schedule that an
// earlier schedules.json listed, which GitLab keeps until someone deletes
// it. No trigger job's rules would match it, and GitLab would start
// nothing and tell no one. A schedule is this build's when its
// MESHC_BUILD names the build. One without MESHC_BUILD (made before meshc
// wrote the variable, or by hand) that sets MESHC_SCHEDULE is judged too,
// unless its description is another build's: a project whose file
// includes several builds' parents cannot tell whose it is, so every
// build that lacks its key fails it, saying to give the schedule its
// MESHC_BUILD. A schedule that sets neither runs the project's other jobs,
// and is none of meshc's business.
//
// Its name holds the build, as GitLab merges the jobs of one name from
// two included files into one. It is also the job that makes the parent
// of a mesh with no products a file GitLab accepts, as GitLab refuses one
// whose jobs are all hidden ("jobs config should contain at least one
// visible job"); a push, which sets no MESHC_BUILD and is no schedule,
// runs it no more than the trigger jobs.
func (b *builder) unknownSchedule() *job {
	s := b.settings
	sc := b.schedules
	stale := `meshc: MESHC_SCHEDULE is "%s", which is neither "all" nor the key of a schedule in %s (the %s mesh, environment %s), so this pipeline runs no product of that build.\n`
	// Then why, as the run sets MESHC_BUILD or not; the messages are
	// printed with %s, so they need no escaping for printf.
	withBuild := `A pipeline schedule that set it, and MESHC_BUILD to ` + sc.build() + `, is left from an earlier version of that file: delete the schedule, as the comment in that file says. To run products by hand, set MESHC_SCHEDULE to "all" or to a key of the file.`
	noBuild := `The pipeline schedule that started it sets no MESHC_BUILD, which names the build whose schedule it is. If it is a schedule of another mesh or environment whose parent pipeline this project includes too, set its variable MESHC_BUILD to that build (MESH/ENVIRONMENT), and this job leaves it alone. If it is a schedule of this build, left from an earlier version of that file, delete it. The sync script in the GitLab target documentation of meshc deletes the stale schedules of a build and sets MESHC_BUILD on the others.`
	return &job{name: "meshc-unknown-schedule:" + sc.build(), stage: "products", at: b.plan.Range, body: jobBody{
		comment: "Fails a run of a schedule of this build (MESHC_BUILD) whose MESHC_SCHEDULE is none of the keys of\nschedules.json, nor \"all\": one that an earlier schedules.json listed, which would otherwise run nothing, unseen.\n" +
			"A schedule that sets MESHC_SCHEDULE but no MESHC_BUILD is judged too, unless its description is another build's.",
		image: s.image,
		tags:  s.tags,
		rules: slices.Concat(
			neverIf(sc.conditions(sc.keys())...),
			runIf(sc.ofThisBuild()),
			neverIf("$"+buildVariable), // another build's, which its own job judges
			runIf(sc.describedAsThisBuild()),
			neverIf(describedAsABuild),
			runIf(`$CI_PIPELINE_SOURCE == "schedule" && $`+scheduleVariable),
		),
		script: []string{
			"printf " + shell.Quote(stale) + ` "$` + scheduleVariable + `" ` + shell.Quote(path.Join(s.outDir, "schedules.json")) + " " + shell.Quote(b.plan.Name) + " " + shell.Quote(b.plan.Environment.Name) + " >&2",
			`if [ -n "$` + buildVariable + `" ]; then why=` + shell.Quote(withBuild) + `; else why=` + shell.Quote(noBuild) + `; fi`,
			`printf '%s\n' "$why" >&2`,
			"exit 1",
		},
	}}
}

// productTemplate names the hidden job that the trigger jobs extend. Its
// name holds the build, as GitLab merges the jobs of one name from two
// included parents into one, and the builds' trigger strategies may differ.
func (b *builder) productTemplate() string { return ".meshc-product:" + b.schedules.build() }

func (b *builder) parentHead() *head {
	comment := fmt.Sprintf("The %s mesh, environment %s.", b.plan.Name, b.plan.Environment.Name)
	if b.plan.Description != "" {
		comment += " " + b.plan.Description
	}
	comment += "\nEach job triggers a child pipeline once those of the products it reads that run in the same pipeline have passed.\n" +
		"MESHC_SCHEDULE picks the jobs of a run: the pipeline schedules in schedules.json set it,\n" +
		"and MESHC_BUILD to " + b.schedules.build() + ", which keeps other builds' jobs out; set MESHC_SCHEDULE to \"all\" to run\n" +
		"everything. Any other value in a schedule of this build fails the run (meshc-unknown-schedule:" + b.schedules.build() + ")."
	return &head{
		comment: comment,
		// The trigger settings every child pipeline shares; each job adds
		// the file it includes (extends merges the two trigger maps).
		// The trigger jobs inherit no global variables: those of a file
		// that includes the parent would reach the child as trigger
		// variables, which outrank the environment's there
		// (SNOWFLAKE_DATABASE, say).
		templates: []*template{{name: b.productTemplate(), body: jobBody{trigger: &trigger{strategy: b.settings.triggerStrategy}, noGlobalVariables: true}}},
	}
}

// ProductFiles returns the child pipeline file of each product, by product
// ID, relative to the output folder: for catalogs and CODEOWNERS, which
// point at a product's generated files.
func ProductFiles(p *plan.Plan, o Options) map[string]string {
	s, ds := newSettings(p, o)
	if ds.HasErrors() {
		return nil
	}
	b := newBuilder(&common{plan: p, settings: s})
	out := map[string]string{}
	for _, u := range b.units() {
		for _, pr := range u.products {
			out[pr.ID] = u.file
		}
	}
	return out
}
