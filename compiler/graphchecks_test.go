package compiler

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// TestDiamondReach checks the diamond check's search (branches.diamond)
// against walking both branches' whole upstreams breadth-first, keeping
// what is within reach, and intersecting them, on random graphs: the same
// common product or source, and the same paths, for every reach up to
// deeper than the graphs, whether the branches' upstreams are kept and
// intersected (a few) or searched from both (many). The pairs are taken at
// random, and as diamonds takes them: every pair of a product's branches,
// each branch's upstreams walked once and kept while the walks of the
// others reuse the marks.
func TestDiamondReach(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		products, index := randomGraph(rng, 2+rng.IntN(50), 1+rng.IntN(6))
		for _, reach := range []int{0, 1, 2, 3, diamondReach, 60} {
			for _, few := range []int{0, 4, fewUpstreams} {
				r := newReacher(products, reach) // one for every pair, as diamonds uses it
				r.fewMost = few
				check := func(near *branches, i, j int) {
					t.Helper()
					a, b := near.ups[i], near.ups[j]
					var got []string
					if common, pa, pb, ok := near.diamond(i, j); ok {
						got = []string{common, strings.Join(pa, " "), strings.Join(pb, " ")}
					}
					if diff := cmp.Diff(wholeDiamond(a, b, reach, index), got); diff != "" {
						t.Fatalf("round %d, reach %d, few %d, branches %s and %s (-whole walks +reacher):\n%s", round, reach, few, a.ID, b.ID, diff)
					}
				}
				for range 10 {
					a, b := products[rng.IntN(len(products))], products[rng.IntN(len(products))]
					if a != b {
						check(r.branches([]*plan.Product{a, b}), 0, 1)
					}
				}
				d := products[rng.IntN(len(products))]
				near := r.branches(d.Upstreams)
				for i := range d.Upstreams {
					for j := i + 1; j < len(d.Upstreams); j++ {
						check(near, i, j)
					}
				}
			}
		}
	}
}

// TestReacherStartsOver checks that when the walks' count starts over,
// the marks of the walks before are not taken for the new ones'.
func TestReacherStartsOver(t *testing.T) {
	top := &plan.Product{ID: "top"}
	a := &plan.Product{ID: "a", Upstreams: []*plan.Product{top}}
	b := &plan.Product{ID: "b", Upstreams: []*plan.Product{top}}
	for _, few := range []int{0, fewUpstreams} {
		r := newReacher([]*plan.Product{top, a, b}, diamondReach)
		r.fewMost = few
		near := r.branches([]*plan.Product{a, b})
		near.fewOf(0) // the first walk marks a and top
		r.walk = math.MaxInt32
		near.fewOf(1) // the count starts over: this walk is the first again
		common, pa, pb, ok := near.diamond(0, 1)
		if got := fmt.Sprintf("%s %v %v %v", common, pa, pb, ok); got != "top [top a] [top b] true" {
			t.Errorf("few %d: diamond = %s; want top [top a] [top b] true", few, got)
		}
		// The count starting over between a diamond's walks (the search,
		// then each branch's path) must not mix their marks either.
		r.walk = math.MaxInt32 - 2
		common, pa, pb, ok = near.diamond(0, 1)
		if got := fmt.Sprintf("%s %v %v %v", common, pa, pb, ok); got != "top [top a] [top b] true" {
			t.Errorf("few %d: diamond across the count's end = %s; want top [top a] [top b] true", few, got)
		}
	}
}

// wholeDiamond is what the diamond check finds for branches a and b, from
// whole breadth-first walks cut at reach.
func wholeDiamond(a, b *plan.Product, reach int, index map[*plan.Product]int) []string {
	wa, wb := fullWalk(a, reach), fullWalk(b, reach)
	var u *plan.Product
	for x := range wa.via {
		if _, ok := wb.via[x]; ok && (u == nil || index[x] > index[u]) {
			u = x
		}
	}
	var s *plan.Source
	if u == nil {
		for r := range wa.readers {
			if _, ok := wb.readers[r]; ok && (s == nil || r.ID < s.ID) {
				s = r
			}
		}
	}
	switch {
	case u != nil:
		return []string{u.ID, strings.Join(wa.pathFrom(u), " "), strings.Join(wb.pathFrom(u), " ")}
	case s != nil:
		return []string{"source " + s.ID, strings.Join(append([]string{s.ID}, wa.pathFrom(wa.readers[s])...), " "),
			strings.Join(append([]string{s.ID}, wb.pathFrom(wb.readers[s])...), " ")}
	}
	return nil
}

// randomGraph makes n products in run order, each reading up to three
// earlier ones and up to two of the sources.
func randomGraph(rng *rand.Rand, n, sources int) ([]*plan.Product, map[*plan.Product]int) {
	var srcs []*plan.Source
	for i := range sources {
		srcs = append(srcs, &plan.Source{ID: fmt.Sprintf("s%d", i)})
	}
	var products []*plan.Product
	index := map[*plan.Product]int{}
	for i := range n {
		p := &plan.Product{ID: fmt.Sprintf("p%02d", i)}
		for range rng.IntN(4) {
			if i > 0 {
				if up := products[rng.IntN(i)]; !slices.Contains(p.Upstreams, up) {
					p.Upstreams = append(p.Upstreams, up)
				}
			}
		}
		slices.SortFunc(p.Upstreams, func(x, y *plan.Product) int { return strings.Compare(x.ID, y.ID) })
		for range rng.IntN(3) {
			p.Inputs = append(p.Inputs, &plan.Input{Source: srcs[rng.IntN(len(srcs))]})
		}
		index[p] = i
		products = append(products, p)
	}
	return products, index
}

// wholeWalk is everything within reach upstream of a product, found
// breadth-first, with the way back down and the first product found
// reading each source (a source is one dependency above its reader).
type wholeWalk struct {
	via     map[*plan.Product]*plan.Product
	readers map[*plan.Source]*plan.Product
}

func fullWalk(start *plan.Product, reach int) wholeWalk {
	w := wholeWalk{via: map[*plan.Product]*plan.Product{start: nil}, readers: map[*plan.Source]*plan.Product{}}
	depth := map[*plan.Product]int{start: 0}
	queue := []*plan.Product{start}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if depth[x] < reach {
			for _, in := range x.Inputs {
				if s := in.Source; s != nil {
					if _, seen := w.readers[s]; !seen {
						w.readers[s] = x
					}
				}
			}
		}
		if depth[x] == reach {
			continue
		}
		for _, up := range x.Upstreams {
			if _, seen := w.via[up]; !seen {
				w.via[up] = x
				depth[up] = depth[x] + 1
				queue = append(queue, up)
			}
		}
	}
	return w
}

func (w wholeWalk) pathFrom(p *plan.Product) []string {
	var path []string
	for ; p != nil; p = w.via[p] {
		path = append(path, p.ID)
	}
	return path
}

// TestFirstPartners checks the diamond check for products of many inputs
// (branches.firstPartners) against the pair loop diamonds runs for the
// others, on random graphs under a product that reads many of them, on
// random periods (0 among them), for several reaches.
func TestFirstPartners(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	periods := []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}
	pairs := 0
	for round := range 300 {
		products, _ := randomGraph(rng, 2+rng.IntN(80), 1+rng.IntN(6))
		for _, p := range products {
			p.Schedule.Period = periods[rng.IntN(len(periods))]
		}
		var ups []*plan.Product
		for _, p := range products {
			if rng.IntN(3) > 0 {
				ups = append(ups, p)
			}
		}
		for _, reach := range []int{0, 1, 2, diamondReach} {
			r := newReacher(products, reach)
			r.fewMost = []int{0, 4, fewUpstreams}[rng.IntN(3)] // the pair loop's searches, either way
			near := r.branches(ups)
			var want [][2]int
			warned := map[int]bool{}
			for a := range ups {
				for b := a + 1; b < len(ups); b++ {
					pa, pb := ups[a].Schedule.Period, ups[b].Schedule.Period
					if warned[b] || pa == pb || pa == 0 || pb == 0 {
						continue
					}
					if _, _, _, ok := near.diamond(a, b); ok {
						want = append(want, [2]int{a, b})
						warned[b] = true
					}
				}
			}
			got := near.firstPartners()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d, reach %d, %d branches (-pair loop +firstPartners):\n%s", round, reach, len(ups), diff)
			}
			pairs += len(got)
		}
	}
	if pairs < 1000 {
		t.Errorf("only %d diamonds in all the rounds", pairs)
	}
}

// TestDiamondsOfManyInputs checks the diamond check's warnings for a
// product of more inputs than manyBranches: 70 products reading one
// source, daily and weekly in turn, and a product reading them all. Each
// input after the first makes a diamond (through the source) with the
// first input before it on the other period: the first, or the second.
func TestDiamondsOfManyInputs(t *testing.T) {
	var b strings.Builder
	b.WriteString("domain \"d\" {\n  owner = \"d@example.com\"\n}\nsource \"s\" {\n  cadence = \"hourly\"\n  table   = \"RAW.X.S\"\n  column \"id\" { type = string }\n}\n")
	const n = manyBranches + 6
	for i := range n {
		cadence := []string{"daily", "weekly"}[i%2]
		fmt.Fprintf(&b, "product \"p%02d\" {\n  version = \"1.0.0\"\n  schedule { cadence = %q }\n  input \"s\" {\n    from    = source.s\n    columns = [\"id\"]\n  }\n  port \"o\" {\n    table = \"P%02d\"\n    column \"id\" { type = string }\n  }\n  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n}\n", i, cadence, i)
	}
	b.WriteString("product \"hub\" {\n  version = \"1.0.0\"\n  schedule { on_inputs = true }\n")
	for i := range n {
		fmt.Fprintf(&b, "  input \"p%02d\" {\n    from    = product.p%02d.port.o\n    columns = [\"id\"]\n  }\n", i, i)
	}
	b.WriteString("  port \"o\" {\n    table = \"HUB\"\n    column \"id\" { type = string }\n  }\n  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n}\n")
	fsys := fstest.MapFS{
		"mesh.hcl":          {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")},
		"d/domain.mesh.hcl": {Data: []byte(b.String())},
	}
	res, err := Compile(load.Tree{FS: fsys}, Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range res.Diagnostics {
		if d.Code == "cadence-drift" {
			got = append(got, d.Detail[:strings.Index(d.Detail, ", and the two branches")])
		} else if d.Severity == diag.Error {
			t.Fatalf("%s: %s", d.Summary, d.Detail)
		}
	}
	var want []string
	for i := 1; i < n; i++ {
		first := []int{1, 0}[i%2] // the first input on the other period
		want = append(want, fmt.Sprintf("d.hub depends on d.p%02d and d.p%02d, which both derive from source d.s", first, i))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cadence-drift warnings (-want +got):\n%s", diff)
	}
}

// BenchmarkDiamondsOfSharedBranches checks a mesh of marts that each read
// the roots of the same domains, on alternating cadences, whose branches
// share nothing within reach: each pair of roots is searched whole, and
// before the pairs were kept (branches.shared), once per mart, so that the
// schedules stage took 4.7 s for a thousand marts over twenty domains of
// 321 products.
func BenchmarkDiamondsOfSharedBranches(b *testing.B) {
	const domains, layers, width, marts = 12, 8, 40, 200
	fsys := fstest.MapFS{"mesh.hcl": {Data: []byte("mesh \"m\" {}\nenvironment \"prod\" {\n  database = \"DB\"\n}\n")}}
	product := func(w *strings.Builder, name, schedule string, inputs []string) {
		fmt.Fprintf(w, "product %q {\n  version = \"1.0.0\"\n%s", name, schedule)
		for i, in := range inputs {
			fmt.Fprintf(w, "  input \"i%d\" {\n    from    = %s\n    columns = [\"id\"]\n  }\n", i, in)
		}
		fmt.Fprintf(w, "  port \"o\" {\n    visibility = \"public\"\n    table      = %q\n    column \"id\" { type = string }\n  }\n  step \"build\" {\n    run = runner.sql\n    sql = \"select 1\"\n  }\n}\n", strings.ToUpper(name))
	}
	var roots []string
	for d := range domains {
		var w strings.Builder
		fmt.Fprintf(&w, "domain \"d%d\" {\n  owner = \"d@example.com\"\n}\nsource \"s\" {\n  cadence = \"hourly\"\n  table   = \"RAW.D%d.S\"\n  column \"id\" { type = string }\n}\n", d, d)
		cadence := fmt.Sprintf("  schedule { cadence = %q }\n", []string{"daily", "weekly"}[d%2])
		for l := range layers {
			for p := range width {
				inputs := []string{"source.s"}
				if l > 0 {
					inputs = []string{fmt.Sprintf("product.l%d_%d.port.o", l-1, p), fmt.Sprintf("product.l%d_%d.port.o", l-1, (p+1)%width)}
				}
				product(&w, fmt.Sprintf("l%d_%d", l, p), cadence, inputs)
			}
		}
		var last []string
		for p := range width {
			last = append(last, fmt.Sprintf("product.l%d_%d.port.o", layers-1, p))
		}
		product(&w, "root", cadence, last)
		fsys[fmt.Sprintf("d%d/domain.mesh.hcl", d)] = &fstest.MapFile{Data: []byte(w.String())}
		roots = append(roots, fmt.Sprintf("domain.d%d.product.root.port.o", d))
	}
	var w strings.Builder
	w.WriteString("domain \"marts\" {\n  owner = \"m@example.com\"\n}\n")
	for m := range marts {
		product(&w, fmt.Sprintf("mart%d", m), "  schedule { on_inputs = true }\n", roots)
	}
	fsys["marts/domain.mesh.hcl"] = &fstest.MapFile{Data: []byte(w.String())}
	opts := Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		res, err := Compile(load.Tree{FS: fsys}, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range res.Diagnostics {
			if d.Severity == diag.Error {
				b.Fatalf("%s: %s", d.Summary, d.Detail)
			}
		}
	}
}

// TestDiamondsOnAnyCores checks that the diamond check, which runs on
// every core with a reacher each, warns of the same diamonds, in the same
// order, on one core and on four.
func TestDiamondsOnAnyCores(t *testing.T) {
	fsys := synth.Generate(synth.Options{Products: 600, Seed: 1, Dense: true, MixedCadences: true})
	opts := Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	warnings := func(procs int) []string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := Compile(load.Tree{FS: fsys}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range res.Diagnostics {
			if d.Code == "cadence-drift" {
				out = append(out, d.Subject.String()+" "+d.Detail)
			}
		}
		return out
	}
	one, four := warnings(1), warnings(4)
	if len(one) < 100 {
		t.Fatalf("%d cadence-drift warnings; the mesh should have hundreds", len(one))
	}
	if diff := cmp.Diff(one, four); diff != "" {
		t.Errorf("cadence-drift warnings on four cores (-one +four):\n%s", diff)
	}
}
