// Package synth writes synthetic meshes of any size, for benchmarks and
// scale tests: a mesh of N products that checks with no error and no
// warning under the standard library's baseline policies, shaped like a
// real one. The same options always give the same bytes.
//
// The shape, per product: one public port of ten columns, five tests (not
// null and unique on the key, accepted values, a freshness warning, a row
// count), one to four inputs (a source of its domain, earlier products of
// its domain, products of lower domains in its layer or the one below), two
// to four SQL steps in a chain, a freshness SLA, and for about a third of
// the products a schedule of their own. Domains hold 50 products and 5
// sources each and rise through four layers.
package synth

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/meshc/meshc/lang/format"
)

// Layers are the layers of every synthetic mesh, lowest first.
var Layers = []string{"raw", "mastered", "integrated", "self_service"}

// Options shape a synthetic mesh.
type Options struct {
	Products          int    // how many products; at least 1
	ProductsPerDomain int    // 0 means 50
	SourcesPerDomain  int    // 0 means 5
	Seed              uint64 // picks inputs, steps and schedules
}

// Mesh returns a mesh of n products with the default shape and seed 1.
func Mesh(n int) fstest.MapFS { return Generate(Options{Products: n, Seed: 1}) }

// columns are the ten columns of every port and source, in order. Inputs
// read any but the last.
var columns = []struct{ name, typ, extra string }{
	{"id", "integer", ""},
	{"status", "string(12)", ""},
	{"name", "string", ""},
	{"amount", "number(12, 2)", ""},
	{"quantity", "integer", ""},
	{"email", "string", "classification = \"pii\""},
	{"country", "string(2)", ""},
	{"created_at", "timestamp_ntz", ""},
	{"updated_at", "timestamp_ntz", ""},
	{"note", "string", ""},
}

// readable are the columns inputs may read (all but note).
var readable = []string{"id", "status", "name", "amount", "quantity", "email", "country", "created_at", "updated_at"}

// Generate writes the mesh described by o: mesh.hcl, a platform file
// with the Snowflake target's settings, and one folder per domain with a
// domain.mesh.hcl (the domain and its sources) and one file per product.
//
// Every source arrives daily and every schedule is a daily cron, so every
// product's effective period is a day: no SLA is infeasible and no diamond
// drifts, however the inputs fall.
func Generate(o Options) fstest.MapFS {
	if o.Products < 1 {
		o.Products = 1
	}
	if o.ProductsPerDomain <= 0 {
		o.ProductsPerDomain = 50
	}
	if o.SourcesPerDomain <= 0 {
		o.SourcesPerDomain = 5
	}
	g := &generator{o: o, domains: (o.Products + o.ProductsPerDomain - 1) / o.ProductsPerDomain, fsys: fstest.MapFS{}}
	g.put("mesh.hcl", fmt.Sprintf(`mesh "synthetic" {
  description = "A synthetic mesh of %d products"
  policy_sets = ["baseline"]
  layers      = [%s]
}

defaults {
  timezone   = "UTC"
  retries    = 1
  start_date = "2026-01-05"
}

environment "prod" {
  database  = "SYNTH"
  warehouse = "SYNTH_WH"
}

environment "dev" {
  database      = "SYNTH_DEV"
  schema_prefix = "DEV_"
}
`, o.Products, quoteAll(Layers)))
	// One child pipeline per domain: GitLab runs at most 1000 child
	// pipelines per pipeline.
	g.put("platform/targets.mesh.hcl", `target "gitlab" {
  granularity = "domain"
}

target "snowflake" {
  dbt_project = "SYNTH.DBT.SYNTH_MESH"
}
`)
	for d := range g.domains {
		g.domain(d)
	}
	return g.fsys
}

type generator struct {
	o       Options
	domains int
	fsys    fstest.MapFS
}

// put adds a file, laid out as meshc fmt would, as real meshes are.
func (g *generator) put(name, text string) {
	src, ds := format.Source([]byte(text), name)
	if ds.HasErrors() {
		panic(fmt.Sprintf("synth wrote invalid HCL in %s: %s", name, ds[0].Summary))
	}
	g.fsys[name] = &fstest.MapFile{Data: src, Mode: 0o644}
}

// layer is the index of domain d's layer: layers only rise with d.
func (g *generator) layer(d int) int { return d * len(Layers) / g.domains }

// products is how many products domain d holds (the last may be partial).
func (g *generator) products(d int) int {
	return min(g.o.ProductsPerDomain, g.o.Products-d*g.o.ProductsPerDomain)
}

func (g *generator) domain(d int) {
	var b strings.Builder
	fmt.Fprintf(&b, `domain %q {
  owner       = "team-%d@example.com"
  layer       = %q
  description = "Synthetic domain %d"
}
`, domainName(d), d, Layers[g.layer(d)], d)
	for s := range g.o.SourcesPerDomain {
		fmt.Fprintf(&b, `
source "s%d" {
  description = "Raw feed %d of domain %d"
  cadence     = %q
  table       = "RAW.%s.S%d"
`, s, s, d, []string{"daily", "0 2 * * *", "30 4 * * *"}[s%3], strings.ToUpper(domainName(d)), s)
		for _, c := range columns {
			b.WriteString(column("  ", c.name, c.typ, c.extra, "", ""))
		}
		b.WriteString("}\n")
	}
	g.put(fmt.Sprintf("domains/%s/domain.mesh.hcl", domainName(d)), b.String())
	for j := range g.products(d) {
		g.put(fmt.Sprintf("domains/%s/p%d.mesh.hcl", domainName(d), j), g.product(d, j))
	}
}

// described are the columns with a description: those other domains read.
var described = map[string]bool{"id": true, "amount": true, "updated_at": true}

// column writes a column block indented by pad, on one line when it only
// has a type; tests and the test block are optional.
func column(pad, name, typ, extra, tests, testBlock string) string {
	var attrs []string
	if described[name] {
		attrs = append(attrs, fmt.Sprintf("description = \"The %s of the entity\"", strings.ReplaceAll(name, "_", " ")))
	}
	if extra != "" {
		attrs = append(attrs, extra)
	}
	if name == "id" {
		attrs = append(attrs, "nullable = false")
	}
	if tests != "" {
		attrs = append(attrs, "tests = "+tests)
	}
	if len(attrs) == 0 && testBlock == "" {
		return fmt.Sprintf("%scolumn %q { type = %s }\n", pad, name, typ)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%scolumn %q {\n%s  type = %s\n", pad, name, pad, typ)
	for _, a := range attrs {
		fmt.Fprintf(&b, "%s  %s\n", pad, a)
	}
	b.WriteString(testBlock)
	b.WriteString(pad + "}\n")
	return b.String()
}

// input is one input a product reads.
type input struct {
	from    string
	columns string
}

func (g *generator) product(d, j int) string {
	rng := rand.New(rand.NewPCG(g.o.Seed, uint64(d)<<32|uint64(j)))
	var b strings.Builder
	fmt.Fprintf(&b, `product "p%d" {
  version     = "1.%d.0"
  description = "Synthetic product %d of domain %d"
  tags        = ["synthetic", "layer_%d"]
`, j, j%10, j, d, g.layer(d))
	for i, in := range g.inputs(rng, d, j) {
		fmt.Fprintf(&b, "\n  input \"i%d\" {\n    from    = %s\n    columns = %s\n  }\n", i, in.from, in.columns)
	}

	fmt.Fprintf(&b, `
  port "main" {
    visibility  = "public"
    description = "One row per entity of product %d of domain %d"
    table       = "%s_P%d"
`, j, d, strings.ToUpper(domainName(d)), j)
	for _, c := range columns {
		tests, block := "", ""
		switch c.name {
		case "id":
			tests = "[not_null(), unique()]"
		case "status":
			tests = `[accepted_values(["ACTIVE", "INACTIVE", "PENDING"])]`
		case "email":
			block = "      masking = \"hash\"\n"
		case "updated_at":
			block = "\n      test \"fresh\" {\n        check    = freshness(\"2d\")\n        severity = \"warn\"\n      }\n"
		}
		b.WriteString(column("    ", c.name, c.typ, c.extra, tests, block))
	}
	b.WriteString("\n    tests = [row_count(1)]\n  }\n")

	steps := []string{"stage", "transform", "enrich", "publish"}[:2+rng.IntN(3)]
	table := fmt.Sprintf("%s_P%d", strings.ToUpper(domainName(d)), j)
	from := fmt.Sprintf("RAW.%s.S0", strings.ToUpper(domainName(d)))
	for i, s := range steps {
		fmt.Fprintf(&b, "\n  step %q {\n    run = runner.sql\n    sql = \"CREATE OR REPLACE TABLE %s_%s AS SELECT * FROM %s\"\n", s, table, strings.ToUpper(s), from)
		if i > 0 {
			fmt.Fprintf(&b, "    after = [step.%s]\n", steps[i-1])
		}
		b.WriteString("  }\n")
		from = table + "_" + strings.ToUpper(s)
	}

	switch rng.IntN(6) {
	case 0:
		fmt.Fprintf(&b, "\n  schedule {\n    cadence = \"0 %d * * *\"\n  }\n", 5+rng.IntN(4))
	case 1:
		fmt.Fprintf(&b, "\n  schedule {\n    cadence  = \"30 %d * * *\"\n    timezone = \"Europe/Zurich\"\n  }\n", 5+rng.IntN(4))
	case 2:
		b.WriteString("\n  schedule {\n    on_inputs = true\n  }\n")
	}
	fmt.Fprintf(&b, "\n  sla {\n    freshness = %q\n  }\n}\n", []string{"1d", "36h", "2d"}[rng.IntN(3)])
	return b.String()
}

// inputs picks one to four inputs for product j of domain d, all distinct:
// a source of d, earlier products of d, and products of lower domains in
// d's layer or the one below, so that the graph has no cycle and no layer
// is skipped.
func (g *generator) inputs(rng *rand.Rand, d, j int) []input {
	lowest := d
	for lowest > 0 && g.layer(lowest-1) >= g.layer(d)-1 {
		lowest--
	}
	want := 1 + rng.IntN(4)
	seen := map[string]bool{}
	var ins []input
	for tries := 0; len(ins) < want && tries < 20; tries++ {
		var in input
		switch kind := rng.IntN(3); {
		case kind == 0 || (j == 0 && d == lowest):
			in = input{fmt.Sprintf("source.s%d", rng.IntN(g.o.SourcesPerDomain)), list(rng, 5)}
		case kind == 1 && j > 0 || d == lowest:
			if j == 0 {
				continue
			}
			in = input{fmt.Sprintf("product.p%d.port.main", rng.IntN(j)), list(rng, 3)}
		default:
			od := lowest + rng.IntN(d-lowest)
			in = input{fmt.Sprintf("domain.%s.product.p%d.port.main", domainName(od), rng.IntN(g.products(od))),
				"{ id = integer, amount = number(38, 2), updated_at = timestamp_ntz }"}
		}
		if !seen[in.from] {
			seen[in.from] = true
			ins = append(ins, in)
		}
	}
	return ins
}

// list is a list of n of the readable columns, id first.
func list(rng *rand.Rand, n int) string {
	cols := []string{`"id"`}
	for _, i := range rng.Perm(len(readable) - 1)[:n-1] {
		cols = append(cols, fmt.Sprintf("%q", readable[i+1]))
	}
	return "[" + strings.Join(cols, ", ") + "]"
}

func domainName(d int) string { return fmt.Sprintf("d%d", d) }

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Size returns the total size of a mesh's files, in bytes.
func Size(fsys fstest.MapFS) int {
	n := 0
	for _, f := range fsys {
		n += len(f.Data)
	}
	return n
}

// Write writes a mesh's files under dir, creating folders as needed.
func Write(dir string, fsys fstest.MapFS) error {
	return fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, fsys[name].Data, 0o644)
	})
}
