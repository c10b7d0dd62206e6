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
)

// Layers are the layers of every synthetic mesh, lowest first.
var Layers = []string{"raw", "mastered", "integrated", "self_service"}

// Options shape a synthetic mesh.
type Options struct {
	Products          int // how many products; at least 1
	ProductsPerDomain int // 0 means 50
	SourcesPerDomain  int // 0 means 5
	// ReadsBack, when set, lets a product read only the products of the
	// ReadsBack domains before its own, so that no GitLab job of a
	// large mesh needs more than 50 others (0: any lower domain in its
	// layer or the one below).
	ReadsBack int
	Seed      uint64 // picks inputs, steps and schedules
	// MixedCadences makes about one product in 25 run weekly instead of
	// daily, and gives the products downstream of one an SLA a week allows.
	// The mesh then has diamonds of mixed cadences (cadence-drift
	// warnings), which the checker must look up the graph for.
	MixedCadences bool
	// MisspeltInputs makes every input from a product name it with a
	// letter too many ("pq7" for "p7"), as a rename leaves its consumers:
	// one unresolved-reference error, with its "did you mean", each. The
	// mesh then has errors; with large domains it measures the search
	// for the name meant.
	MisspeltInputs bool
	// Dense makes every product outside the first domain read 4 to 8
	// products of the domain before its own, and nothing else: a mesh of
	// layers as wide as ProductsPerDomain that read each other, where any
	// two inputs of a product share upstreams a domain or two up. With
	// MixedCadences its diamonds are everywhere, which the checker must
	// find without walking all that lies above each.
	Dense bool
	// HandWritten writes files as people write them rather than as the
	// plainest HCL: a license header in a block comment atop each file,
	// and heredocs for products' descriptions (with a line beyond ASCII)
	// and for steps' SQL. The mesh is the same.
	HandWritten bool
	// SQLFiles keeps each step's SQL in a file of its own, in a sql
	// folder beside its domain's mesh files, as the steps of meshes people
	// write mostly do (file = "sql/p3_stage.sql"): checking then resolves
	// a path per step, and environments with a schema_prefix read every
	// file. The mesh is the same.
	SQLFiles bool
}

// header is what HandWritten puts atop each file.
const header = `/*
 * Synthetic mesh. Owned by the data platform team; changes need a review
 * by the domain's owners.
 */

`

// Mesh returns a mesh of n products with the default shape and seed 1.
func Mesh(n int) fstest.MapFS { return Generate(Options{Products: n, Seed: 1}) }

// columns are the ten columns of every port and source, in order. Inputs
// read any but the last.
var columns = []struct{ name, typ string }{
	{"id", "integer"},
	{"status", "string(12)"},
	{"name", "string"},
	{"amount", "number(12, 2)"},
	{"quantity", "integer"},
	{"email", "string"},
	{"country", "string(2)"},
	{"created_at", "timestamp_ntz"},
	{"updated_at", "timestamp_ntz"},
	{"note", "string"},
}

// readable are the columns inputs may read (all but note).
var readable = []string{"id", "status", "name", "amount", "quantity", "email", "country", "created_at", "updated_at"}

// Generate writes the mesh described by o: mesh.hcl, a platform file
// with the Snowflake target's settings, and one folder per domain with a
// domain.mesh.hcl (the domain and its sources) and one file per product.
//
// Every source arrives daily and, unless o.MixedCadences, every schedule is
// a daily cron, so every product's effective period is a day: no SLA is
// infeasible and no diamond drifts, however the inputs fall.
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
	g := &generator{o: o, domains: (o.Products + o.ProductsPerDomain - 1) / o.ProductsPerDomain, fsys: fstest.MapFS{}, weekly: map[string]bool{}}
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
	weekly  map[string]bool // "dD.pJ" -> the product runs weekly, or reads one that does
}

// put adds a file. Files are written laid out as meshc fmt would, as real
// meshes are (TestMeshIsFormatted checks it).
func (g *generator) put(name, text string) {
	if g.o.HandWritten {
		text = header + text
	}
	g.fsys[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
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
			var more []string
			if c.name == "email" {
				more = []string{"classification", `"pii"`}
			}
			b.WriteString(column("  ", c.name, c.typ, more, ""))
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
// has a type; more attributes (name, value pairs) and a test block are
// optional.
func column(pad, name, typ string, more []string, testBlock string) string {
	kv := []string{"type", typ}
	if described[name] {
		kv = append(kv, "description", fmt.Sprintf("\"The %s of the entity\"", strings.ReplaceAll(name, "_", " ")))
	}
	if name == "id" {
		kv = append(kv, "nullable", "false")
	}
	kv = append(kv, more...)
	if len(kv) == 2 && testBlock == "" {
		return fmt.Sprintf("%scolumn %q { type = %s }\n", pad, name, typ)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%scolumn %q {\n", pad, name)
	attrs(&b, pad+"  ", kv...)
	b.WriteString(testBlock)
	b.WriteString(pad + "}\n")
	return b.String()
}

// attrs writes attributes (name, value pairs) indented by pad, with their
// equals signs aligned as meshc fmt aligns them.
func attrs(b *strings.Builder, pad string, kv ...string) {
	width := 0
	for i := 0; i < len(kv); i += 2 {
		width = max(width, len(kv[i]))
	}
	for i := 0; i < len(kv); i += 2 {
		fmt.Fprintf(b, "%s%-*s = %s\n", pad, width, kv[i], kv[i+1])
	}
}

// input is one input a product reads.
type input struct {
	from     string
	columns  string
	producer string // "dD.pJ", for an input from a product
}

func (g *generator) product(d, j int) string {
	rng := rand.New(rand.NewPCG(g.o.Seed, uint64(d)<<32|uint64(j)))
	var b strings.Builder
	description := fmt.Sprintf("%q", fmt.Sprintf("Synthetic product %d of domain %d", j, d))
	if g.o.HandWritten {
		description = fmt.Sprintf("<<-EOT\n    Synthetic product %d of domain %d, rebuilt each night.\n    Questions: the domain's data office in Zürich.\n  EOT", j, d)
	}
	fmt.Fprintf(&b, `product "p%d" {
  version     = "1.%d.0"
  description = %s
  tags        = ["synthetic", "layer_%d"]
`, j, j%10, description, g.layer(d))
	key := fmt.Sprintf("%s.p%d", domainName(d), j)
	for i, in := range g.inputs(rng, d, j) {
		fmt.Fprintf(&b, "\n  input \"i%d\" {\n    from    = %s\n    columns = %s\n  }\n", i, in.from, in.columns)
		g.weekly[key] = g.weekly[key] || g.weekly[in.producer]
	}

	fmt.Fprintf(&b, `
  port "main" {
    visibility  = "public"
    description = "One row per entity of product %d of domain %d"
    table       = "%s_P%d"
`, j, d, strings.ToUpper(domainName(d)), j)
	for _, c := range columns {
		var more []string
		block := ""
		switch c.name {
		case "id":
			more = []string{"tests", "[not_null(), unique()]"}
		case "status":
			more = []string{"tests", `[accepted_values(["ACTIVE", "INACTIVE", "PENDING"])]`}
		case "email":
			more = []string{"classification", `"pii"`, "masking", `"hash"`}
		case "updated_at":
			block = "\n      test \"fresh\" {\n        check    = freshness(\"2d\")\n        severity = \"warn\"\n      }\n"
		}
		b.WriteString(column("    ", c.name, c.typ, more, block))
	}
	b.WriteString("\n    tests = [row_count(1)]\n  }\n")

	steps := []string{"stage", "transform", "enrich", "publish"}[:2+rng.IntN(3)]
	table := fmt.Sprintf("%s_P%d", strings.ToUpper(domainName(d)), j)
	from := fmt.Sprintf("RAW.%s.S0", strings.ToUpper(domainName(d)))
	for i, s := range steps {
		sql := fmt.Sprintf("\"CREATE OR REPLACE TABLE %s_%s AS SELECT * FROM %s\"", table, strings.ToUpper(s), from)
		if g.o.HandWritten {
			sql = fmt.Sprintf("<<-SQL\n      CREATE OR REPLACE TABLE %s_%s AS\n      SELECT *\n      FROM %s\n    SQL", table, strings.ToUpper(s), from)
		}
		kv := []string{"run", "runner.sql", "sql", sql}
		if g.o.SQLFiles {
			name := fmt.Sprintf("sql/p%d_%s.sql", j, s)
			text := fmt.Sprintf("CREATE OR REPLACE TABLE %s_%s AS\nSELECT *\nFROM %s;\n", table, strings.ToUpper(s), from)
			g.fsys[fmt.Sprintf("domains/%s/%s", domainName(d), name)] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
			kv = []string{"run", "runner.sql", "file", fmt.Sprintf("%q", name)}
		}
		if i > 0 {
			kv = append(kv, "after", "[step."+steps[i-1]+"]")
		}
		fmt.Fprintf(&b, "\n  step %q {\n", s)
		attrs(&b, "    ", kv...)
		b.WriteString("  }\n")
		from = table + "_" + strings.ToUpper(s)
	}

	switch rng.IntN(6) {
	case 0:
		hour, days := 5+rng.IntN(4), "*"
		if g.o.MixedCadences && hour == 5 {
			days = "1" // Mondays
			g.weekly[key] = true
		}
		fmt.Fprintf(&b, "\n  schedule {\n    cadence = \"0 %d * * %s\"\n  }\n", hour, days)
	case 1:
		fmt.Fprintf(&b, "\n  schedule {\n    cadence  = \"30 %d * * *\"\n    timezone = \"Europe/Zurich\"\n  }\n", 5+rng.IntN(4))
	case 2:
		b.WriteString("\n  schedule {\n    on_inputs = true\n  }\n")
	}
	freshness := []string{"1d", "36h", "2d"}[rng.IntN(3)]
	if g.weekly[key] {
		freshness = "8d"
	}
	fmt.Fprintf(&b, "\n  sla {\n    freshness = %q\n  }\n}\n", freshness)
	return b.String()
}

// inputs picks one to four inputs for product j of domain d, all distinct:
// a source of d, earlier products of d, and products of lower domains in
// d's layer or the one below, so that the graph has no cycle and no layer
// is skipped.
func (g *generator) inputs(rng *rand.Rand, d, j int) []input {
	if g.o.Dense && d > 0 {
		return g.denseInputs(rng, d)
	}
	lowest := d
	for lowest > 0 && g.layer(lowest-1) >= g.layer(d)-1 {
		lowest--
	}
	if back := g.o.ReadsBack; back > 0 {
		lowest = max(lowest, d-back)
	}
	want := 1 + rng.IntN(4)
	seen := map[string]bool{}
	var ins []input
	for tries := 0; len(ins) < want && tries < 20; tries++ {
		var in input
		switch kind := rng.IntN(3); {
		case kind == 0 || (j == 0 && d == lowest):
			in = input{fmt.Sprintf("source.s%d", rng.IntN(g.o.SourcesPerDomain)), list(rng, 5), ""}
		case kind == 1 && j > 0 || d == lowest:
			if j == 0 {
				continue
			}
			k := rng.IntN(j)
			in = input{fmt.Sprintf("product.%s.port.main", g.productRef(k)), list(rng, 3), fmt.Sprintf("%s.p%d", domainName(d), k)}
		default:
			od := lowest + rng.IntN(d-lowest)
			k := rng.IntN(g.products(od))
			in = input{fmt.Sprintf("domain.%s.product.%s.port.main", domainName(od), g.productRef(k)),
				"{ id = integer, amount = number(38, 2), updated_at = timestamp_ntz }", fmt.Sprintf("%s.p%d", domainName(od), k)}
		}
		if !seen[in.from] {
			seen[in.from] = true
			ins = append(ins, in)
		}
	}
	return ins
}

// denseInputs picks 4 to 8 distinct products of domain d-1 (Dense).
func (g *generator) denseInputs(rng *rand.Rand, d int) []input {
	below := g.products(d - 1)
	var ins []input
	for _, k := range rng.Perm(below)[:min(below, 4+rng.IntN(5))] {
		ins = append(ins, input{fmt.Sprintf("domain.%s.product.%s.port.main", domainName(d-1), g.productRef(k)),
			"{ id = integer, amount = number(38, 2), updated_at = timestamp_ntz }", fmt.Sprintf("%s.p%d", domainName(d-1), k)})
	}
	return ins
}

// productRef is how inputs name product k of a domain.
func (g *generator) productRef(k int) string {
	if g.o.MisspeltInputs {
		return fmt.Sprintf("pq%d", k)
	}
	return fmt.Sprintf("p%d", k)
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
