package compiler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/topo"
	"github.com/meshc/meshc/lang/diag"
)

// order reports cycles among products and sorts them topologically with
// ties broken by name, so that every target emits them in the same stable
// order (resolve has sorted each product's steps the same way).
func (c *compiler) order() {
	products := make([]*plan.Product, len(c.products))
	for i, ps := range c.products {
		products[i] = ps.plan
	}
	// deps[i] lists the products products[i] depends on, once each, and
	// at[i][k] where the dependency on deps[i][k] is written. A product has
	// few dependencies, so a scan beats a map per product.
	deps := make([][]int, len(products))
	at := make([][]diag.Range, len(products))
	for i, p := range products {
		ps := c.products[i]
		// A port's consumers are other products, recorded here in product
		// order rather than by each product on its own in resolve.
		for _, port := range ps.reads {
			port.plan.Consumers = append(port.plan.Consumers, p)
		}
		for _, e := range ps.edges {
			j := int(e.place)
			if !slices.Contains(deps[i], j) {
				deps[i] = append(deps[i], j)
				at[i] = append(at[i], e.at)
				p.Upstreams = append(p.Upstreams, e.to)
				e.to.Downstreams = append(e.to.Downstreams, p)
			}
		}
	}
	edgeAt := func(from, to int) diag.Range { return at[from][slices.Index(deps[from], to)] }
	for _, p := range products {
		sortBy(p.Upstreams, func(u *plan.Product) string { return u.ID })
		sortBy(p.Downstreams, func(u *plan.Product) string { return u.ID })
		for _, port := range p.Ports {
			sortBy(port.Consumers, func(u *plan.Product) string { return u.ID })
			port.Consumers = slices.Compact(port.Consumers) // a product may read a port twice
		}
	}
	for _, cyc := range cycles(len(products), deps, func(a, b int) int { return declaredBefore(products[a], products[b]) }) {
		c.productCycle = true
		c.reportProductCycle(products, cyc, edgeAt)
	}
	// Products are numbered by domain and name, the order of their IDs
	// wherever names are valid ("." sorts before every character a name
	// may hold), so ties are broken by name without comparing names.
	order := topo.Sort(len(products), deps)
	c.plan.Products = make([]*plan.Product, len(order))
	c.run = make([]int32, len(order))
	for k, i := range order {
		c.plan.Products[k] = products[i]
		c.run[k] = int32(i)
	}
	for _, p := range c.plan.Products {
		p.Domain.Products = append(p.Domain.Products, p)
	}
}

// declaredBefore orders products the way data most often flows between
// them: by layer, then by place in the mesh's files, where a team writes
// a product before those built from it. Ties are broken by ID.
func declaredBefore(a, b *plan.Product) int {
	aStart, _ := a.Range.Offsets()
	bStart, _ := b.Range.Offsets()
	return cmp.Or(cmp.Compare(a.Domain.LayerIndex, b.Domain.LayerIndex),
		cmp.Compare(a.Range.Filename(), b.Range.Filename()), cmp.Compare(aStart, bStart), cmp.Compare(a.ID, b.ID))
}

// reportProductCycle reports a loop of products, cyc, each depending on
// the next and the last on the first, which comes first of them in
// declaredBefore's order. Without history, the dependency most likely
// added last is that first product's own: the others were built from it,
// so it reading one of them is what closed the loop. The error is there,
// and the message lists every dependency of the loop with its place, so
// that another can be cut instead.
func (c *compiler) reportProductCycle(products []*plan.Product, cyc []int, edgeAt func(from, to int) diag.Range) {
	// The way data flows: the first product, then its readers in turn,
	// back to it.
	flow := append([]int{cyc[0]}, cyc[1:]...)
	slices.Reverse(flow[1:])
	var lines strings.Builder
	for k, from := range flow {
		to := flow[(k+1)%len(flow)]
		fmt.Fprintf(&lines, "\n  %s -> %s at %s", products[from].ID, products[to].ID, edgeAt(to, from))
	}
	first := products[cyc[0]]
	why := "comes first of them in the mesh's files"
	if slices.ContainsFunc(cyc, func(i int) bool { return products[i].Domain.LayerIndex > first.Domain.LayerIndex }) {
		why = fmt.Sprintf("is in the loop's lowest layer, %s,", first.Domain.Layer)
	}
	c.errorf("cycle", edgeAt(cyc[0], cyc[1%len(cyc)]), "Cycle among products",
		"These products feed each other in a loop, so none of them can run first:%s\nEach arrow is an input or a relationships test of the product after it, at the place given. Remove one of them to break the loop: most likely the last, reported here, as %s %s and so more likely feeds the others than reads them.",
		lines.String(), first.ID, why)
}

// orderSteps reports cycles among a product's steps and sorts them
// topologically, ties broken by name.
func (c *compiler) orderSteps(ps *productScope) {
	var steps []*plan.Step
	for _, n := range sortedKeys(ps.steps) {
		steps = append(steps, ps.steps[n])
	}
	index := map[*plan.Step]int{}
	for i, s := range steps {
		index[s] = i
	}
	deps := make([][]int, len(steps))
	for i, s := range steps {
		for _, a := range s.After {
			deps[i] = append(deps[i], index[a])
		}
	}
	byName := func(a, b int) int { return cmp.Compare(steps[a].Name, steps[b].Name) }
	for _, cyc := range cycles(len(steps), deps, byName) {
		slices.Reverse(cyc)
		// The step after the first in the printed path waits for it: point
		// at that after entry.
		waiter := ps.stepAST[steps[cyc[1%len(cyc)]]]
		at := waiter.DeclRange
		for _, ref := range waiter.After {
			if len(ref.Parts) == 2 && ref.Parts[1].Name == steps[cyc[0]].Name {
				at = ref.Range
			}
		}
		c.errorf("cycle", at, "Cycle among steps",
			"The steps of product %s wait for each other in a loop, so none of them can start:\n  %s\nEach arrow means the step after it runs after the one before it. Remove one of these after entries.",
			ps.plan.ID, loopText(cyc, func(i int) string { return "step." + steps[i].Name }))
	}
	for _, i := range topo.Sort(len(steps), deps) {
		ps.plan.Steps = append(ps.plan.Steps, steps[i])
	}
	for _, s := range steps {
		sortBy(s.After, func(a *plan.Step) string { return a.Name })
	}
}

// loopText prints a cycle as a -> b -> c -> a (diag.Loop).
func loopText(cyc []int, name func(int) string) string {
	names := make([]string, len(cyc))
	for k, i := range cyc {
		names[k] = name(i)
	}
	return diag.Loop(names)
}

// cycles returns one cycle for each strongly connected component that has
// one, as a list of nodes each depending on the next (and the last on the
// first). Each cycle starts at its component's first node in the order
// compare gives, and takes the shortest way back to it, so the report is
// stable.
func cycles(n int, deps [][]int, compare func(a, b int) int) [][]int {
	// Tarjan's algorithm, iterative so that deep graphs cannot overflow.
	idx := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range idx {
		idx[i] = -1
	}
	var stack []int
	var comps [][]int
	next := 0
	type frame struct{ v, child int }
	var work []frame
	for root := range n {
		if idx[root] >= 0 {
			continue
		}
		work = append(work[:0], frame{root, 0})
		idx[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			f := &work[len(work)-1]
			if f.child < len(deps[f.v]) {
				w := deps[f.v][f.child]
				f.child++
				if idx[w] < 0 {
					idx[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{w, 0})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], idx[w])
				}
				continue
			}
			v := f.v
			work = work[:len(work)-1]
			if len(work) > 0 {
				p := work[len(work)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] == idx[v] && stack[len(stack)-1] == v && !slices.Contains(deps[v], v) {
				// A node alone, on no cycle, as most are: no list is
				// made for it.
				stack = stack[:len(stack)-1]
				onStack[v] = false
			} else if low[v] == idx[v] {
				var comp []int
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				comps = append(comps, comp)
			}
		}
	}
	var out [][]int
	for _, comp := range comps {
		if len(comp) == 1 && !slices.Contains(deps[comp[0]], comp[0]) {
			continue
		}
		in := map[int]bool{}
		for _, v := range comp {
			in[v] = true
		}
		start := slices.MinFunc(comp, compare)
		out = append(out, cyclePath(start, deps, in, compare))
	}
	slices.SortFunc(out, func(a, b []int) int { return compare(a[0], b[0]) })
	return out
}

// cyclePath finds a shortest path from start back to start inside one
// component, visiting dependencies in the order compare gives.
func cyclePath(start int, deps [][]int, in map[int]bool, compare func(a, b int) int) []int {
	prev := map[int]int{}
	queue := []int{start}
	seen := map[int]bool{start: true}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		ds := slices.Clone(deps[v])
		slices.SortFunc(ds, compare)
		for _, w := range ds {
			if !in[w] {
				continue
			}
			if w == start {
				path := []int{v}
				for v != start {
					v = prev[v]
					path = append(path, v)
				}
				slices.Reverse(path)
				return path
			}
			if !seen[w] {
				seen[w] = true
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	panic(fmt.Sprintf("cyclePath: no cycle through node %d", start))
}

func sortBy[T any](s []T, key func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}
