// Package airflow compiles a checked plan into Apache Airflow DAG files:
// one DAG per product, grouped into one Python file per domain.
//
// In a product's DAG, a "steps" TaskGroup runs the steps in their order, a
// "tests" TaskGroup runs each test's query with SQLCheckOperator, and a
// last task, publish, carries the product's ports as outlets (Assets on
// Airflow 3, Datasets on Airflow 2). A product that reads other products is
// scheduled on their Assets, so it runs once all its inputs have published,
// and never on data whose tests failed: a failing test stops publish.
//
// Build is a pure function from the plan to files. It models each DAG as
// tasks and dependencies first, checks Airflow's limits on that model, and
// renders Python only when every limit holds. Every string from the mesh
// reaches Python through pyString, and every templated one through literal
// first (see python.go), so no name, description or SQL can become code.
package airflow

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/diag"
)

// Name is the target's name, as in meshc build --target airflow.
const Name = "airflow"

// Options are the settings of one build that override the mesh's
// (command-line flags). Zero fields leave the mesh's settings.
type Options struct {
	Version int // the Airflow major version: 2 or 3
	// Keep is how much of the rendered Python the build may keep until
	// it is written; the rest is modelled and rendered again then. Nil
	// keeps none. An allowance for the output folder
	// (output.Allowance.In) keeps none of the files the folder already
	// holds.
	Keep *output.Allowance
}

// settings are the options in effect.
type settings struct {
	version       int
	connID        string // the Snowflake connection of SQL tasks
	meshPath      string // the mesh root on the workers; "" when not set
	maxActiveRuns int64
	tags          []string
	timeout       time.Duration // every task's execution_timeout; 0 for none
	target        *plan.Target
}

func newSettings(p *plan.Plan, o Options) *settings {
	t := p.Targets[Name]
	if t == nil {
		t = &plan.Target{Name: Name}
	}
	s := &settings{
		version:       3,
		connID:        cmp.Or(p.Environment.Connection, t.Text("conn_id"), "snowflake_default"),
		meshPath:      t.Text("mesh_path"),
		maxActiveRuns: 1,
		target:        t,
	}
	if v := t.Options["version"]; v != nil {
		s.version = int(v.Number)
	}
	if o.Version != 0 {
		s.version = o.Version
	}
	if m := t.Options["max_active_runs"]; m != nil {
		s.maxActiveRuns = m.Number
	}
	if tags := t.Options["tags"]; tags != nil {
		s.tags = tags.Strings
	}
	if o := t.Options["timeout"]; o != nil {
		s.timeout = o.Duration
	}
	return s
}

// Owner names the build that writes the files, as internal/output knows
// it: the target and the environment.
func Owner(p *plan.Plan) string { return output.Owner(Name, p.Environment.Name) }

// Build compiles the plan. It returns no files when there are errors.
func Build(p *plan.Plan, o Options) ([]output.File, diag.Diagnostics) {
	s := newSettings(p, o)
	// Each domain's DAGs on their own core, with a builder of their own
	// for their diagnostics: everything else they read is the plan's.
	// The DAGs outweigh the Python, and the Python the plan, so they are
	// let go of here. The domain's file is kept while o.Keep has room,
	// and otherwise modelled and rendered again when it is written (see
	// output.File).
	domains := make([]*builder, len(p.Domains))
	files := make([]output.File, len(p.Domains))
	base := &builder{plan: p, settings: s, opts: o}
	base.checkVariables()
	parallel.For(len(p.Domains), func(i int) {
		d, b := p.Domains[i], base.fork()
		domains[i] = b
		if len(d.Products) == 0 {
			return
		}
		dags := b.dags(d)
		path, _ := DAG(d.Products[0])
		files[i] = o.Keep.File(path, func(buf []byte) []byte { return b.render(buf, d, dags) }, func() []byte {
			b := base.fork() // its diagnostics were reported above
			return b.render(nil, d, b.dags(d))
		})
	})
	files = slices.DeleteFunc(files, func(f output.File) bool { return f.Path == "" })
	ds := base.diags
	for _, b := range domains {
		ds = append(ds, b.diags...)
	}
	if ds.HasErrors() {
		return nil, ds.Sorted()
	}
	slices.SortFunc(files, func(x, y output.File) int { return strings.Compare(x.Path, y.Path) })
	return files, ds.Sorted()
}

// dags models a domain's DAGs, one per product.
func (b *builder) dags(d *plan.Domain) []*dag {
	dags := make([]*dag, len(d.Products))
	for i, pr := range d.Products {
		dags[i] = b.dag(pr)
	}
	return dags
}

// builder builds one domain's file, or models its DAGs for their
// diagnostics.
type builder struct {
	plan     *plan.Plan
	settings *settings
	opts     Options // the command line's, for the rebuild command in headers
	diags    diag.Diagnostics
}

// fork returns a builder for one domain's part of b's build, sharing
// what b only reads, with diagnostics of its own.
func (b *builder) fork() *builder {
	return &builder{plan: b.plan, settings: b.settings, opts: b.opts}
}

func (b *builder) errorf(code string, at diag.Range, summary, detail string, args ...any) {
	b.diags = append(b.diags, diag.Errorf(code, at, summary, detail, args...))
}

// sources returns the mesh files a domain's DAG file comes from: those
// of its products (see plan.Sources), and the SQL files whose content its
// sql tasks run.
func (b *builder) sources(products []*plan.Product) []string {
	inlines := func(runner string) bool {
		job := b.settings.target.Jobs[runner]
		return job != nil && job.Operator == "sql"
	}
	return b.plan.SourceFiles(b.settings.target, products, b.plan.StepFiles(products, inlines)...)
}

// DAG returns the file and the dag_id of a product's DAG, for catalogs
// and CODEOWNERS. The file is the domain's, DOMAIN.py, but for a domain
// named after a namespace package that Airflow's workers import
// (namespacePackages): Airflow puts the DAGs folder on sys.path, where a
// module snowflake.py would hide the Snowflake connector, and every DAG
// that imports it would fail. Such a domain's file is DOMAIN-dags.py,
// which no domain's name can give (a name holds no hyphen) and no import
// can find.
func DAG(p *plan.Product) (file, dagID string) {
	file = p.Domain.Name
	if namespacePackages[file] {
		file += "-dags"
	}
	return file + ".py", p.Domain.Name + "." + p.Name
}

// namespacePackages are the namespace packages of Airflow's providers and
// their libraries that a module of the same name hides.
var namespacePackages = map[string]bool{"azure": true, "google": true, "snowflake": true}
