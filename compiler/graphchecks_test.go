package compiler

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshc/meshc/compiler/plan"
)

// TestMeet checks the diamond check's walk (meeter.diamond), which stops
// at the first product two branches share and finds the paths only among
// the products that lead to it, against walking both branches' whole upstreams
// breadth-first and intersecting them, on random graphs: the same common
// product or source, and the same paths.
func TestMeet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		products, index := randomGraph(rng, 2+rng.IntN(50), 1+rng.IntN(6))
		walker := newMeeter(products) // one for every pair, as diamonds uses it
		for range 10 {
			a, b := products[rng.IntN(len(products))], products[rng.IntN(len(products))]
			if a == b {
				continue
			}
			wa, wb := fullWalk(a), fullWalk(b)
			var want []string
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
				want = []string{u.ID, strings.Join(wa.pathFrom(u), " "), strings.Join(wb.pathFrom(u), " ")}
			case s != nil:
				want = []string{"source " + s.ID, strings.Join(append([]string{s.ID}, wa.pathFrom(wa.readers[s])...), " "),
					strings.Join(append([]string{s.ID}, wb.pathFrom(wb.readers[s])...), " ")}
			}

			var got []string
			if common, pa, pb, ok := walker.diamond(a, b); ok {
				got = []string{common, strings.Join(pa, " "), strings.Join(pb, " ")}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d, branches %s and %s (-whole walks +meet):\n%s", round, a.ID, b.ID, diff)
			}
		}
	}
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

// wholeWalk is the walk the diamond check made before: everything upstream
// of a product, breadth-first, with the way back down and the first
// product found reading each source.
type wholeWalk struct {
	via     map[*plan.Product]*plan.Product
	readers map[*plan.Source]*plan.Product
}

func fullWalk(start *plan.Product) wholeWalk {
	w := wholeWalk{via: map[*plan.Product]*plan.Product{start: nil}, readers: map[*plan.Source]*plan.Product{}}
	queue := []*plan.Product{start}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, in := range x.Inputs {
			if s := in.Source; s != nil {
				if _, seen := w.readers[s]; !seen {
					w.readers[s] = x
				}
			}
		}
		for _, up := range x.Upstreams {
			if _, seen := w.via[up]; !seen {
				w.via[up] = x
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
