package perf_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/cli"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/perf"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/stdlib"
	"github.com/meshc/meshc/targets/airflow"
	"github.com/meshc/meshc/targets/gitlab"
	"github.com/meshc/meshc/targets/snowflake"
)

// root holds the synthetic meshes written for this run, one folder per
// size, removed when the benchmarks end.
var root string

func TestMain(m *testing.M) {
	cli.TuneGC()
	var err error
	if root, err = os.MkdirTemp("", "meshc-perf-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}

// sizes are the mesh sizes measured: MESHC_BENCH_SIZES, else 1k, 10k, 100k.
func sizes(b *testing.B) []int {
	env := os.Getenv("MESHC_BENCH_SIZES")
	if env == "" {
		return []int{1000, 10000, 100000}
	}
	var ns []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("MESHC_BENCH_SIZES=%q: %q is not a number of products", env, f)
		}
		ns = append(ns, n)
	}
	return ns
}

// mesh is a synthetic mesh on disk and its floor.
type mesh struct {
	dir   string
	floor time.Duration
}

var (
	meshesMu sync.Mutex
	meshes   = map[synth.Options]*mesh{}
)

// meshOf writes the synthetic mesh of o once per run and times its floor.
func meshOf(b *testing.B, o synth.Options) *mesh {
	b.Helper()
	meshesMu.Lock()
	defer meshesMu.Unlock()
	if m := meshes[o]; m != nil {
		return m
	}
	n := o.Products
	// Named by every option, so that two shapes never share a folder.
	dir := filepath.Join(root, strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return '-'
	}, fmt.Sprintf("%+v", o)))
	fsys := synth.Generate(o)
	if err := synth.Write(dir, fsys); err != nil {
		b.Fatal(err)
	}
	floor, err := perf.Floor(dir, 3)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d products: %d files, %.1f MB, floor %v (%.1f MB/s)", n, len(fsys), float64(synth.Size(fsys))/1e6, floor,
		float64(synth.Size(fsys))/1e6/floor.Seconds())
	meshes[o] = &mesh{dir: dir, floor: floor}
	return meshes[o]
}

// each runs a benchmark at every size, reporting its time per operation
// as a multiple of the floor (x-floor).
func each(b *testing.B, run func(b *testing.B, m *mesh)) { eachShape(b, synth.Options{}, run) }

// eachShape is each on synthetic meshes of another shape than the default.
func eachShape(b *testing.B, shape synth.Options, run func(b *testing.B, m *mesh)) {
	for _, n := range sizes(b) {
		b.Run(fmt.Sprintf("products=%d", n), func(b *testing.B) {
			o := shape
			o.Products, o.Seed = n, 1
			m := meshOf(b, o)
			// A larger mesh measured before may have moved the collector
			// to its large-heap pace (cli.TuneGC): start afresh.
			runtime.GC()
			cli.TuneGC()
			b.ReportAllocs()
			b.ResetTimer()
			run(b, m)
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(m.floor), "x-floor")
		})
	}
}

// asMeshc is trace, told of each stage as meshc tells the collector's
// tuning (cli.AfterStage), to measure what users run.
func asMeshc(trace func(string, time.Duration)) func(string, time.Duration) {
	return func(stage string, took time.Duration) {
		if trace != nil {
			trace(stage, took)
		}
		cli.AfterStage(stage)
	}
}

func compile(b *testing.B, dir string, trace func(string, time.Duration)) *compiler.Result {
	res, err := compiler.CompileDir(dir, compiler.Options{Today: meshtest.Today, Trace: asMeshc(trace), Found: cli.ExpectFiles})
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Diagnostics) > 0 {
		b.Fatalf("the synthetic mesh has %d diagnostics, the first: %s: %s", len(res.Diagnostics), res.Diagnostics[0].Summary, res.Diagnostics[0].Detail)
	}
	return res
}

// BenchmarkParse is the floor itself: hclsyntax alone, one file after the
// other.
func BenchmarkParse(b *testing.B) {
	each(b, func(b *testing.B, m *mesh) {
		for b.Loop() {
			if _, err := perf.Parse(m.dir); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoad reads, parses and decodes the mesh and the standard
// library (lang/load).
func BenchmarkLoad(b *testing.B) {
	each(b, func(b *testing.B, m *mesh) {
		for b.Loop() {
			if mesh, _, ds := load.Load(load.Tree{FS: os.DirFS(m.dir)}, load.Tree{FS: stdlib.FS, Prefix: stdlib.Prefix, Stdlib: true}); mesh == nil || ds.HasErrors() {
				b.Fatalf("loading: %v", ds)
			}
		}
	})
}

// BenchmarkCheck is meshc check without printing: loading, then every
// checker stage, which builds the plan as it goes. It also reports the
// stages alone (check-ms/op) and the governance stage (governance-ms/op).
func BenchmarkCheck(b *testing.B) { each(b, check) }

// check checks m as BenchmarkCheck does.
func check(b *testing.B, m *mesh) {
	took := map[string]time.Duration{}
	trace := func(stage string, d time.Duration) { took[stage] += d }
	for b.Loop() {
		compile(b, m.dir, trace)
	}
	reportStages(b, took)
}

// BenchmarkCheckMixedCadences is BenchmarkCheck on meshes where about one
// product in 25 runs weekly: their diamonds of mixed cadences make the
// diamond check look up the graph (schedules-ms/op), which the default
// meshes never make it do.
func BenchmarkCheckMixedCadences(b *testing.B) {
	eachShape(b, synth.Options{MixedCadences: true}, func(b *testing.B, m *mesh) {
		took := map[string]time.Duration{}
		trace := func(stage string, d time.Duration) { took[stage] += d }
		for b.Loop() {
			res, err := compiler.CompileDir(m.dir, compiler.Options{Today: meshtest.Today, Trace: asMeshc(trace), Found: cli.ExpectFiles})
			if err != nil {
				b.Fatal(err)
			}
			if res.Diagnostics.HasErrors() {
				b.Fatalf("the synthetic mesh has errors, the first: %s", res.Diagnostics[0].Summary)
			}
		}
		reportStages(b, took)
		b.ReportMetric(float64(took["schedules"])/float64(time.Millisecond)/float64(b.N), "schedules-ms/op")
	})
}

// BenchmarkCheckHandWritten is BenchmarkCheck on meshes written as
// people write them (synth.Options.HandWritten): a license header in a
// block comment atop each file, heredoc descriptions beyond ASCII and
// heredoc SQL. Before the eighteenth round each such file was lexed, or
// parsed, by hclsyntax: five times the processor time of the plain mesh.
func BenchmarkCheckHandWritten(b *testing.B) {
	eachShape(b, synth.Options{HandWritten: true}, check)
}

// BenchmarkCheckSQLFiles is BenchmarkCheck on meshes whose steps keep
// their SQL in files (synth.Options.SQLFiles), three to a product on
// average: checking resolves each step's path, a part at a time, so that
// none leads through a symbolic link.
func BenchmarkCheckSQLFiles(b *testing.B) {
	eachShape(b, synth.Options{SQLFiles: true}, check)
}

// BenchmarkCheckDense is BenchmarkCheck on meshes of domains of 1,000
// products each reading 4 to 8 of the domain before, with one product in
// 25 weekly (synth.Options.Dense): diamonds of mixed cadences everywhere,
// whose common upstreams the diamond check must find near their branches
// (schedules-ms/op) rather than walk what lies above each.
func BenchmarkCheckDense(b *testing.B) {
	eachShape(b, synth.Options{Dense: true, MixedCadences: true, ProductsPerDomain: 1000}, func(b *testing.B, m *mesh) {
		took := map[string]time.Duration{}
		trace := func(stage string, d time.Duration) { took[stage] += d }
		warnings := 0
		for b.Loop() {
			res, err := compiler.CompileDir(m.dir, compiler.Options{Today: meshtest.Today, Trace: asMeshc(trace), Found: cli.ExpectFiles})
			if err != nil {
				b.Fatal(err)
			}
			if res.Diagnostics.HasErrors() {
				b.Fatalf("the dense mesh has errors, the first: %s", res.Diagnostics[0].Summary)
			}
			warnings = len(res.Diagnostics)
		}
		reportStages(b, took)
		b.ReportMetric(msPerOp(b, took["schedules"]), "schedules-ms/op")
		b.ReportMetric(float64(warnings), "diagnostics")
	})
}

// BenchmarkCheckMisspelt is BenchmarkCheck on meshes of domains of 2,000
// products where every input from a product misspells it: each of the
// unresolved-reference errors looks for the name meant among the 2,000
// (resolve-ms/op), which must cost about as much per error at every size.
func BenchmarkCheckMisspelt(b *testing.B) {
	eachShape(b, synth.Options{MisspeltInputs: true, ProductsPerDomain: 2000}, func(b *testing.B, m *mesh) {
		took := map[string]time.Duration{}
		trace := func(stage string, d time.Duration) { took[stage] += d }
		errors := 0
		for b.Loop() {
			res, err := compiler.CompileDir(m.dir, compiler.Options{Today: meshtest.Today, Trace: asMeshc(trace), Found: cli.ExpectFiles})
			if err != nil {
				b.Fatal(err)
			}
			errors = len(res.Diagnostics)
		}
		if errors == 0 {
			b.Fatal("the misspelt inputs found no error")
		}
		reportStages(b, took)
		b.ReportMetric(msPerOp(b, took["resolve"]), "resolve-ms/op")
		b.ReportMetric(float64(errors), "diagnostics")
	})
}

// reportStages reports the time of loading (load-ms/op), of the checker's
// stages (check-ms/op) and of governance, the costliest stage.
func reportStages(b *testing.B, took map[string]time.Duration) {
	var stages time.Duration
	for stage, d := range took {
		if stage != "load" {
			stages += d
		}
	}
	b.ReportMetric(msPerOp(b, took["load"]), "load-ms/op")
	b.ReportMetric(msPerOp(b, stages), "check-ms/op")
	b.ReportMetric(msPerOp(b, took["governance"]), "governance-ms/op")
}

// msPerOp is the milliseconds per run of a time taken over b.N runs.
func msPerOp(b *testing.B, d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond) / float64(b.N)
}

// builds are the three targets' emissions, as meshc build runs them,
// sharing one allowance of rendered files to keep.
var builds = []struct {
	name  string
	owner func(p *plan.Plan) string
	build func(p *plan.Plan, keep *output.Allowance) ([]output.File, error)
}{
	{gitlab.Name, gitlab.Owner, func(p *plan.Plan, keep *output.Allowance) ([]output.File, error) {
		files, ds := gitlab.Build(p, gitlab.Options{OutDir: "gen/gitlab", JobLimit: 1_000_000, Keep: keep})
		return files, errOf(ds.HasErrors(), ds)
	}},
	{airflow.Name, airflow.Owner, func(p *plan.Plan, keep *output.Allowance) ([]output.File, error) {
		files, ds := airflow.Build(p, airflow.Options{Keep: keep})
		return files, errOf(ds.HasErrors(), ds)
	}},
	{snowflake.Name, snowflake.Owner, func(p *plan.Plan, keep *output.Allowance) ([]output.File, error) {
		files, ds := snowflake.Build(p, snowflake.Options{Keep: keep})
		return files, errOf(ds.HasErrors(), ds)
	}},
}

func errOf(failed bool, ds diag.Diagnostics) error {
	if failed {
		return fmt.Errorf("%s: %s", ds[0].Summary, ds[0].Detail)
	}
	return nil
}

// BenchmarkEmit is each target's emission from a compiled plan.
func BenchmarkEmit(b *testing.B) {
	for _, t := range builds {
		b.Run("target="+t.name, func(b *testing.B) {
			each(b, func(b *testing.B, m *mesh) {
				b.StopTimer()
				p := compile(b, m.dir, nil).Plan
				b.StartTimer()
				for b.Loop() {
					files, err := t.build(p, output.NewAllowance(cli.FileAllowance()))
					if err != nil {
						b.Fatal(err)
					}
					output.Rendered(files) // as writing them does
				}
			})
		})
	}
}

// BenchmarkCI is what a merge request's pipeline runs, in one process:
// check the mesh, then build all three targets into their folders, as
// meshc build does (each file compared with its folder's as it is
// rendered). The folders hold the files already, as in a repository that
// commits them: filling empty ones is measured once, before the timer.
func BenchmarkCI(b *testing.B) {
	each(b, func(b *testing.B, m *mesh) {
		out := b.TempDir()
		ci := func() {
			p := compile(b, m.dir, nil).Plan
			keep := output.NewAllowance(cli.FileAllowance())
			for _, t := range builds {
				dir := filepath.Join(out, t.name)
				files, err := t.build(p, keep.In(dir, t.owner(p), nil))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := output.Write(dir, t.owner(p), files, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		ci() // b.Loop's first call resets the timer
		for b.Loop() {
			ci()
		}
	})
}

// BenchmarkCheckWarm is meshc check after a one-file change, with the
// cache of decoded files (load.Cache) filled by an earlier run: each
// iteration edits one product's description and checks again.
func BenchmarkCheckWarm(b *testing.B) {
	each(b, func(b *testing.B, m *mesh) {
		b.StopTimer()
		cache, err := load.OpenCache(b.TempDir(), "benchmark")
		if err != nil {
			b.Fatal(err)
		}
		var took map[string]time.Duration
		trace := func(stage string, d time.Duration) { took[stage] += d }
		check := func() {
			res, err := compiler.CompileDir(m.dir, compiler.Options{Today: meshtest.Today, Cache: cache, Trace: asMeshc(trace)})
			if err != nil || len(res.Diagnostics) > 0 {
				b.Fatalf("checking: %v %v", err, res.Diagnostics)
			}
		}
		took = map[string]time.Duration{}
		check()
		took = map[string]time.Duration{}
		hits0, parsed0, _ := cache.Report()
		b.StartTimer()
		edited := filepath.Join(m.dir, "domains", "d0", "p1.mesh.hcl")
		original, err := os.ReadFile(edited)
		if err != nil {
			b.Fatal(err)
		}
		defer os.WriteFile(edited, original, 0o644)
		for i := range b.N {
			b.StopTimer()
			changed := bytes.Replace(original, []byte("description = \""), fmt.Appendf(nil, "description = \"Edit %d. ", i), 1)
			if err := os.WriteFile(edited, changed, 0o644); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			check()
		}
		hits, parsed, warning := cache.Report()
		if warning != "" {
			b.Fatal(warning)
		}
		b.ReportMetric(float64(parsed-parsed0)/float64(hits-hits0+parsed-parsed0), "parsed/files")
		reportStages(b, took)
	})
}
