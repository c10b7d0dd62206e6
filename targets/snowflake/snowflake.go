// Package snowflake compiles a checked plan into SQL scripts that create
// the mesh's Snowflake task graphs: one graph per product, one script per
// domain.
//
// A product's graph starts with a root task, PRODUCT$START, which runs on
// the product's cron or, for a product that runs on its inputs, when every
// product it reads has published; before a start date to come, it returns
// a value on which the first steps are skipped. A task per step follows
// the step DAG (AFTER), a task per test runs after the steps and raises an
// error when the test's query returns rows, and PRODUCT$PUBLISH, after the
// tests of severity error, records the publication in
// PRODUCT$PUBLICATIONS. A task that would have more than Snowflake's 100
// children or predecessors (the last step before more than 100 tests,
// PUBLISH after them) gets tasks that do nothing in between, in groups of
// at most 100, which keep the order of the graph.
//
// Products trigger each other through those publication tables: a
// consumer has a stream on each of its inputs' publication tables, and its
// root runs WHEN every stream has data. A row is only written once the
// producer's tests have passed, so untested data never triggers a
// consumer, and a producer needs to know nothing of its consumers: each
// domain's script creates only its own objects and reads the tables of the
// products it reads. (A stream on an input's port table would fire as soon
// as the producer's steps wrote it, before its tests; the producer's
// finalizer running EXECUTE TASK on each consumer would give the producer
// rights over every consumer's graph and could not wait for all inputs.)
//
// Build is a pure function from the plan to files. It models each graph as
// tasks first, checks Snowflake's limits on that model, and renders SQL
// only when every limit holds. Every identifier goes through snowsql.Ident
// and every string through snowsql.String; user SQL is placed in a
// $$-quoted block only when it holds no $$.
package snowflake

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/diag"
)

// Name is the target's name, as in meshc build --target snowflake.
const Name = "snowflake"

// settings are the target block's settings in effect.
type settings struct {
	warehouse     string // "" for serverless tasks
	initialSize   string
	completion    time.Duration // TARGET_COMPLETION_INTERVAL of serverless triggered roots
	timeout       time.Duration
	suspendAfter  int64 // -1 when not set
	overlap       string
	dbtProject    string
	secretsSchema string
	target        *plan.Target
}

func newSettings(p *plan.Plan) *settings {
	t := p.Targets[Name]
	if t == nil {
		t = &plan.Target{Name: Name}
	}
	s := &settings{
		warehouse:     cmp.Or(t.Text("warehouse"), p.Environment.Warehouse),
		initialSize:   t.Text("initial_warehouse_size"),
		overlap:       t.Text("overlap_policy"),
		dbtProject:    t.Text("dbt_project"),
		secretsSchema: t.Text("secrets_schema"),
		suspendAfter:  -1,
		target:        t,
	}
	if t.Text("compute") == "serverless" {
		s.warehouse = ""
	}
	if o := t.Options["target_completion_interval"]; o != nil {
		s.completion = o.Duration
	}
	if o := t.Options["timeout"]; o != nil {
		s.timeout = o.Duration
	}
	if o := t.Options["suspend_after_failures"]; o != nil {
		s.suspendAfter = o.Number
	}
	return s
}

// Owner names the build that writes the files, as internal/output knows
// it: the target and the environment.
func Owner(p *plan.Plan) string { return output.Owner(Name, p.Environment.Name) }

// Options are the settings of one build that are not the mesh's.
type Options struct {
	// Keep is how much of the rendered SQL the build may keep until it
	// is written; the rest is modelled and rendered again then. Nil
	// keeps none. An allowance for the output folder
	// (output.Allowance.In) keeps none of the files the folder already
	// holds.
	Keep *output.Allowance
}

// Build compiles the plan. It returns no files when there are errors.
func Build(p *plan.Plan, o Options) ([]output.File, diag.Diagnostics) {
	b := &builder{plan: p, settings: newSettings(p)}
	b.retry = b.retries()
	b.roots = b.rootsBySchema()
	b.ports = portsByObject(p)
	if o := b.settings.target.Options["compute"]; o != nil && o.String == "warehouse" && b.settings.warehouse == "" {
		b.errorf("snowflake-warehouse", o.Range, "Warehouse tasks without a warehouse",
			"compute = \"warehouse\" runs every task on a warehouse, but neither the target block nor the %s environment names one. Set warehouse, or use compute = \"serverless\".", p.Environment.Name)
	}
	b.checkTaskNames(p.Products)
	byDomain := map[*plan.Domain][]*plan.Product{}
	for _, pr := range p.Products { // upstreams first
		byDomain[pr.Domain] = append(byDomain[pr.Domain], pr)
	}
	// Each domain's graphs on every core, each with a builder of its own
	// for its diagnostics: everything else they read is the plan's and
	// the settings'. The graphs hold the SQL, which outweighs the plan,
	// so they are let go of here. The script is kept while o.Keep has
	// room, and otherwise the graphs are built again and rendered when it
	// is written (see output.File).
	workers := make([]*builder, len(p.Domains))
	files := make([]output.File, len(p.Domains))
	parallel.For(len(p.Domains), func(i int) {
		d, w := p.Domains[i], b.fork()
		workers[i] = w
		products := byDomain[d]
		if len(products) == 0 {
			return
		}
		graphs := w.graphs(products)
		files[i] = o.Keep.File(d.Name+".sql", func(buf []byte) []byte { return w.render(buf, d, graphs) }, func() []byte {
			w := b.fork() // its diagnostics were reported above
			return w.render(nil, d, w.graphs(products))
		})
	})
	for _, w := range workers {
		b.diags = append(b.diags, w.diags...)
	}
	if b.diags.HasErrors() {
		return nil, b.diags.Sorted()
	}
	files = slices.DeleteFunc(files, func(f output.File) bool { return f.Path == "" })
	// Every build writes it, even of a mesh without products: it drops
	// the graphs of the domains that have no script.
	var scripted []*plan.Domain // by name, as p.Domains
	for _, d := range p.Domains {
		if len(byDomain[d]) > 0 {
			scripted = append(scripted, d)
		}
	}
	files = append(files, o.Keep.File(RetiredGraphs, func(buf []byte) []byte { return b.retiredGraphs(buf, scripted) }, func() []byte {
		return b.retiredGraphs(nil, scripted)
	}))
	slices.SortFunc(files, func(x, y output.File) int { return strings.Compare(x.Path, y.Path) })
	return files, b.diags.Sorted()
}

// checkTaskNames reports two products whose graphs would be one: a
// product's tasks, streams and publication table are named by the
// product's name in its domain's schema, and two domains may share a
// schema. Each domain's script would then replace the other's graph and
// drop its tasks as stale.
func (b *builder) checkTaskNames(products []*plan.Product) {
	first := map[string]*plan.Product{}
	for _, pr := range products {
		key := strings.ToUpper(pr.Domain.Schema + "." + pr.Name)
		if other, taken := first[key]; taken {
			schema := b.schema(pr.Domain)
			b.errorf("snowflake-name", pr.Range, "Two products' task graphs in one schema",
				"Products %s and %s (at %s) are both named %s in schema %s, which their domains share, so their tasks would have the same names (%s) and each domain's script would replace the other's graph. Give domain %s a schema of its own, or rename one product.",
				pr.ID, other.ID, other.Range, pr.Name, strings.ToUpper(schema.Database+"."+schema.Schema), taskName(pr, "START"), pr.Domain.Name)
			continue
		}
		first[key] = pr
	}
}

// graphs models the graphs of a domain's products.
func (b *builder) graphs(products []*plan.Product) []*graph {
	graphs := make([]*graph, len(products))
	for i, pr := range products {
		graphs[i] = b.graph(pr)
	}
	return graphs
}

// builder holds one build's state, or one product's or domain's part of
// it.
type builder struct {
	plan     *plan.Plan
	settings *settings
	retry    int // the roots' TASK_AUTO_RETRY_ATTEMPTS
	// roots are the names of the graphs' roots in each schema, upper-cased
	// as qualified, sorted: what each domain's dropRetired keeps.
	roots map[string][]string
	// ports are the ports that publish a table or view, by its name
	// upper-cased as qualified: checkOwnNames looks for the graphs'
	// tables and streams among them.
	ports map[string]*plan.Port
	diags diag.Diagnostics
}

// fork returns a builder for one product's or domain's part of b's build,
// sharing what b only reads, with diagnostics of its own.
func (b *builder) fork() *builder {
	return &builder{plan: b.plan, settings: b.settings, retry: b.retry, roots: b.roots, ports: b.ports}
}

func (b *builder) errorf(code string, at diag.Range, summary, detail string, args ...any) {
	b.diags = append(b.diags, diag.Errorf(code, at, summary, detail, args...))
}

func (b *builder) warnf(code string, at diag.Range, summary, detail string, args ...any) {
	b.diags = append(b.diags, diag.Warnf(code, at, summary, detail, args...))
}

// sources returns the mesh files a domain's script comes from: those of
// its products (see plan.SourceFiles), and the SQL files whose statements
// its tasks run.
func (b *builder) sources(products []*plan.Product) []string {
	inlines := func(runner string) bool {
		job := b.settings.target.Jobs[runner]
		return job != nil && job.Kind == "statements"
	}
	return b.plan.SourceFiles(b.settings.target, products, b.plan.StepFiles(products, inlines)...)
}

// schema is where a domain's tasks, streams and publication tables live:
// its schema in the environment's database.
func (b *builder) schema(d *plan.Domain) plan.ObjectName {
	return plan.ObjectName{Database: b.plan.Environment.Database, Schema: b.plan.Environment.SchemaPrefix + d.Schema}
}

// object names an object of a domain's schema.
func (b *builder) object(d *plan.Domain, name string) plan.ObjectName {
	o := b.schema(d)
	o.Name = name
	return o
}

// intervalSQL renders a duration as Snowflake's '<num> { HOURS | MINUTES |
// SECONDS }', in the largest unit that divides it.
func intervalSQL(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d HOURS", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%d MINUTES", d/time.Minute)
	}
	return fmt.Sprintf("%d SECONDS", d/time.Second)
}

// Graph returns the script that creates a product's task graph and the
// graph's root task, for catalogs and CODEOWNERS.
func Graph(p *plan.Plan, pr *plan.Product) (file, root string) {
	b := &builder{plan: p}
	return pr.Domain.Name + ".sql", qualified(b.object(pr.Domain, taskName(pr, "START")))
}
