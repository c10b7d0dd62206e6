package compiler

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/ast"
)

// checkLayers enforces that data flows up the layers: a product may depend
// on products of its own domain's layer or lower ones, never higher ones,
// whether it reads them through an input or tests against them.
func (c *compiler) checkLayers() {
	for _, ps := range c.products {
		p := ps.plan
		for _, e := range ps.edges {
			from, to := e.to.Domain, p.Domain
			if from.LayerIndex < 0 || to.LayerIndex < 0 || from.LayerIndex <= to.LayerIndex {
				continue
			}
			c.errorf("layer-violation", e.at, "Depends on a higher layer",
				"%s is in layer %s, but %s %s from layer %s. Data flows up the layers (%s): a product may depend only on its own layer or lower ones. Move the logic into a product of layer %s or above, or use the lower-layer product that %s is built from.",
				p.ID, to.Layer, e.verb(), e.to.ID, from.Layer, strings.Join(c.plan.Layers, " -> "), from.Layer, e.to.ID)
		}
	}
}

// periods works out each product's effective period: its cadence's, or for
// a product that runs when its inputs publish, its slowest input's, since it
// waits for all of them.
func (c *compiler) periods() {
	unknown := map[*plan.Product]bool{} // an input did not resolve: its period cannot be known
	for _, ps := range c.products {
		p := ps.plan
		if len(p.Inputs) != len(ps.ast.Inputs) {
			unknown[p] = true
			continue
		}
		s := &p.Schedule
		switch {
		case s.Cadence != nil:
			s.Period = s.Cadence.Period
		case len(p.Inputs) == 0 && !scheduleAttempted(ps.ast):
			c.errorf("no-schedule", s.Range, "Product never runs",
				"%s runs only when its inputs publish, but it has no inputs. Give it a cadence: schedule { cadence = \"daily\" }.", p.ID)
		}
	}
	if c.productCycle {
		return // the order is not topological: inputs' periods are unknown
	}
	// Products are in topological order now, so every input's period is
	// known before its reader's. A period of 0 means unknown, and spreads.
	for _, p := range c.plan.Products {
		if p.Schedule.Cadence != nil || unknown[p] {
			continue
		}
		for _, in := range p.Inputs {
			var period time.Duration
			if in.Source != nil {
				period = in.Source.Cadence.Period
			} else {
				period = in.Producer.Schedule.Period
			}
			if period == 0 {
				p.Schedule.Period = 0
				break
			}
			p.Schedule.Period = max(p.Schedule.Period, period)
		}
	}
}

// slowestUpstream is the slowest cadence a product depends on, and where it
// comes from: the product's own cadence, a source it reads, or an input
// product through which it arrives (follow via to find its origin).
type slowestUpstream struct {
	period time.Duration
	what   string // the cadence, for messages: "source physician.ama (monthly)"
	own    bool
	source *plan.Source
	via    *plan.Product
}

// schedules checks freshness SLAs against the slowest cadence upstream,
// transitively, and then looks for diamonds.
func (c *compiler) schedules() {
	if c.productCycle {
		return
	}
	slowest := map[*plan.Product]slowestUpstream{}
	for _, p := range c.plan.Products {
		worst := slowestUpstream{}
		if s := p.Schedule; s.Cadence != nil {
			worst = slowestUpstream{period: s.Cadence.Period, what: "a " + s.Cadence.String() + " cadence", own: true}
		}
		for _, in := range p.Inputs {
			var cand slowestUpstream
			switch {
			case in.Source != nil:
				cand = slowestUpstream{period: in.Source.Cadence.Period, what: "source " + in.Source.ID + " (" + in.Source.Cadence.String() + ")", source: in.Source}
			case in.Producer != nil:
				up := slowest[in.Producer]
				cand = slowestUpstream{period: up.period, what: up.what, via: in.Producer}
				if up.own {
					cand.what = in.Producer.ID + " (" + describePeriod(in.Producer) + ")"
				}
			}
			if cand.period > worst.period {
				worst = cand
			}
		}
		slowest[p] = worst
		if p.SLA == nil || worst.period <= p.SLA.Freshness {
			continue
		}
		if worst.own {
			c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than the product's cadence",
				"The SLA promises data at most %s old, but %s runs on %s, which leaves up to %s between runs. Loosen the SLA to at least %s, or run the product more often.",
				plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what, plan.FormatDuration(worst.period), plan.FormatDuration(worst.period))
			continue
		}
		via := ""
		if path := upstreamPath(p, slowest); len(path) > 1 {
			via = fmt.Sprintf(" It reaches %s by way of %s -> %s.", p.ID, strings.Join(path, " -> "), p.ID)
		}
		c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than an upstream cadence",
			"The SLA promises data at most %s old, but %s depends on %s, which may leave up to %s between updates.%s Loosen the SLA to at least %s, or make that upstream run more often.",
			plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what, plan.FormatDuration(worst.period), via, plan.FormatDuration(worst.period))
	}
	c.diamonds()
}

// upstreamPath lists the objects from the origin of p's slowest cadence
// down to p's direct input. It is built only when reported, so that
// checking stays linear in the size of the mesh.
func upstreamPath(p *plan.Product, slowest map[*plan.Product]slowestUpstream) []string {
	var path []string
	cur := slowest[p]
	for cur.via != nil {
		path = append(path, cur.via.ID)
		cur = slowest[cur.via]
	}
	if cur.source != nil {
		path = append(path, cur.source.ID)
	}
	slices.Reverse(path)
	return path
}

// scheduleAttempted reports whether a product tried to give a schedule that
// failed to load, so that it is not also reported as having none.
func scheduleAttempted(p *ast.Product) bool {
	// A schedule block with a bad cadence, or with none (reported as such).
	if s := p.Schedule; s != nil && (s.Cadence.Set || s.Cadence.Bad || !s.OnInputs.V) {
		return true
	}
	return slices.Contains(p.Broken, "schedule") || slices.Contains(p.Broken, "input")
}

func describePeriod(p *plan.Product) string {
	if p.Schedule.Cadence != nil {
		return p.Schedule.Cadence.String()
	}
	return "on its inputs, every " + plan.FormatDuration(p.Schedule.Period)
}

// diamonds warns when a product reads two products that both derive from a
// common upstream (a product, or else a source) but run on different
// cadences: the downstream then joins two versions of the same data (the
// physician/payer drift of the seeds).
//
// Each pair of branches is walked up at once, latest product first, which
// stops at the closest product they share; the paths in the message are
// then found among the products that lead to it. In a deep mesh with mixed
// cadences a branch's upstream is much of the mesh, and walking both whole
// for every pair cost about twice as much. It still grows faster than the
// mesh when the closest common product is far up, or when there is none and
// the shared source must be looked for in both upstreams whole
// (docs/performance.md).
func (c *compiler) diamonds() {
	walker := newMeeter(c.plan.Products) // in run order
	edges := make(map[*plan.Product][]edge, len(c.products))
	for _, ps := range c.products {
		edges[ps.plan] = ps.edges
	}
	for _, d := range c.plan.Products {
		ups := d.Upstreams
		if !mixedPeriods(ups) {
			continue
		}
		edgeTo := map[*plan.Product]edge{}
		for _, e := range edges[d] {
			if _, seen := edgeTo[e.to]; !seen {
				edgeTo[e.to] = e
			}
		}
		// One warning per branch at most: with three branches on three
		// cadences, the third is reported once, against the first.
		warned := map[*plan.Product]bool{}
		for a := 0; a < len(ups); a++ {
			for b := a + 1; b < len(ups); b++ {
				A, B := ups[a], ups[b]
				if warned[B] || A.Schedule.Period == B.Schedule.Period || A.Schedule.Period == 0 || B.Schedule.Period == 0 {
					continue
				}
				if common, pathA, pathB, ok := walker.diamond(A, B); ok {
					c.reportDiamond(d, A, B, common, edgeTo[B], pathA, pathB)
					warned[B] = true
				}
			}
		}
	}
}

// meeter walks branches up for the diamond check. Its marks, by place in
// run order, are kept from one pair of branches to the next and told apart
// by the walk that set them, so that a walk costs what it visits, not the
// size of the mesh.
type meeter struct {
	index map[*plan.Product]int
	walk  int32
	stamp []int32 // by place in run order: the walk that marked the product
	marks []uint8
	below [][]*plan.Product // the products walked that read it
}

func newMeeter(products []*plan.Product) *meeter {
	m := &meeter{index: make(map[*plan.Product]int, len(products)), stamp: make([]int32, len(products)),
		marks: make([]uint8, len(products)), below: make([][]*plan.Product, len(products))}
	for i, p := range products {
		m.index[p] = i
	}
	return m
}

// diamond finds what two branches have in common upstream: the product
// upstream of both (either counting as its own upstream) that runs last,
// or else the source with the smallest ID that both upstreams read. It
// returns its name for the message and the path from it down to each
// branch, or false when the branches share nothing.
func (w *meeter) diamond(a, b *plan.Product) (common string, pathA, pathB []string, ok bool) {
	product, source, taken := w.meet(a, b)
	var found func(*plan.Product) bool
	var prefix []string
	switch {
	case product != nil:
		common = product.ID
		found = func(x *plan.Product) bool { return x == product }
	case source != nil:
		// No product in common: raw data read by both branches drifts
		// the same way.
		common, prefix = "source "+source.ID, []string{source.ID}
		found = func(x *plan.Product) bool {
			return slices.ContainsFunc(x.Inputs, func(in *plan.Input) bool { return in.Source == source })
		}
	default:
		return "", nil, nil, false
	}
	via := w.leadingTo(taken, found)
	return common, append(prefix, pathUp(a, found, via)...), append(slices.Clone(prefix), pathUp(b, found, via)...), true
}

// meet walks up from both branches at once, the latest product in run
// order first, marking each product with the branches it is upstream of.
// A product's marks are complete when it is taken, since every product
// downstream of it runs later and was taken before; so the first product
// marked by both is the latest they share, and the walk stops there. When
// none is, it has walked both upstreams whole, and looks for a source both
// read. It returns the products it took, latest first.
func (w *meeter) meet(a, b *plan.Product) (*plan.Product, *plan.Source, []*plan.Product) {
	const fromA, fromB = 1, 2
	w.walk++
	mark := func(p *plan.Product, side uint8) (int, bool) {
		i := w.index[p]
		fresh := w.stamp[i] != w.walk
		if fresh {
			w.stamp[i], w.marks[i], w.below[i] = w.walk, 0, w.below[i][:0]
		}
		w.marks[i] |= side
		return i, fresh
	}
	var taken []*plan.Product
	ia, _ := mark(a, fromA)
	ib, _ := mark(b, fromB)
	q := &latestFirst{{ia, a}, {ib, b}}
	heap.Init(q)
	for q.Len() > 0 {
		r := heap.Pop(q).(ranked)
		x, side := r.p, w.marks[r.at]
		taken = append(taken, x)
		if side == fromA|fromB {
			return x, nil, taken
		}
		for _, up := range x.Upstreams {
			i, fresh := mark(up, side)
			w.below[i] = append(w.below[i], x)
			if fresh {
				heap.Push(q, ranked{i, up})
			}
		}
	}
	read := map[*plan.Source]uint8{}
	for _, x := range taken {
		for _, in := range x.Inputs {
			if in.Source != nil {
				read[in.Source] |= w.marks[w.index[x]]
			}
		}
	}
	var first *plan.Source
	for s, side := range read {
		if side == fromA|fromB && (first == nil || s.ID < first.ID) {
			first = s
		}
	}
	return nil, first, taken
}

// leadingTo returns the products of the last walk from which some product
// that found accepts can be reached going up, found ones included.
func (w *meeter) leadingTo(taken []*plan.Product, found func(*plan.Product) bool) map[*plan.Product]bool {
	leads := map[*plan.Product]bool{}
	var queue []*plan.Product
	for _, x := range taken {
		if found(x) {
			leads[x] = true
			queue = append(queue, x)
		}
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, down := range w.below[w.index[x]] {
			if !leads[down] {
				leads[down] = true
				queue = append(queue, down)
			}
		}
	}
	return leads
}

// ranked is a product with its place in run order.
type ranked struct {
	at int
	p  *plan.Product
}

// latestFirst is a heap of products, the latest in run order on top.
type latestFirst []ranked

func (q latestFirst) Len() int           { return len(q) }
func (q latestFirst) Less(i, j int) bool { return q[i].at > q[j].at }
func (q latestFirst) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *latestFirst) Push(x any)        { *q = append(*q, x.(ranked)) }
func (q *latestFirst) Pop() any {
	last := (*q)[len(*q)-1]
	*q = (*q)[:len(*q)-1]
	return last
}

// pathUp walks up from start breadth-first, upstreams in ID order, to the
// first product that found accepts, and returns the products from that one
// down to start: a shortest path, the same whatever the order of the mesh's
// files. It goes only through the products in via, which must hold every
// product from which a found one can be reached: the walk then takes them
// in the same order as a walk through everything would, so the path is the
// same.
func pathUp(start *plan.Product, found func(*plan.Product) bool, via map[*plan.Product]bool) []string {
	next := map[*plan.Product]*plan.Product{start: nil} // each product -> the next one towards start
	queue := []*plan.Product{start}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if found(x) {
			var path []string
			for ; x != nil; x = next[x] {
				path = append(path, x.ID)
			}
			return path
		}
		for _, up := range x.Upstreams {
			if _, seen := next[up]; !seen && via[up] {
				next[up] = x
				queue = append(queue, up)
			}
		}
	}
	return nil
}

func (c *compiler) reportDiamond(d, A, B *plan.Product, common string, second edge, pathA, pathB []string) {
	// Point at the dependency on the second branch, which is where the
	// drift comes in.
	at := second.at
	if at.IsZero() {
		at = d.Range
	}
	what := fmt.Sprintf("%s depends on %s and %s, which both derive from %s", d.ID, A.ID, B.ID, common)
	switch common {
	case A.ID:
		what = fmt.Sprintf("%s depends on %s both directly and through %s", d.ID, A.ID, B.ID)
	case B.ID:
		what = fmt.Sprintf("%s depends on %s both directly and through %s", d.ID, B.ID, A.ID)
	}
	c.warnf("cadence-drift", at, "Diamond with different cadences",
		"%s, and the two branches run on different cadences (%s: %s; %s: %s). %s may then combine two different versions of %s:\n  %s -> %s\n  %s -> %s\nRun the branches on one cadence so that they move together.",
		what, A.ID, describePeriod(A), B.ID, describePeriod(B), d.ID, common,
		strings.Join(pathA, " -> "), d.ID, strings.Join(pathB, " -> "), d.ID)
}

// mixedPeriods reports whether products run on more than one period.
func mixedPeriods(ps []*plan.Product) bool {
	for _, p := range ps[min(1, len(ps)):] {
		if p.Schedule.Period != ps[0].Schedule.Period {
			return true
		}
	}
	return false
}

// deprecations warns about reading a product that is to be deprecated, and
// reports an error once its date has passed.
func (c *compiler) deprecations() {
	for _, ps := range c.products {
		for _, e := range ps.edges {
			dep := e.to.Deprecation
			if dep == nil {
				continue
			}
			date, err := time.Parse(time.DateOnly, dep.Date)
			if err != nil {
				continue // reported when declared
			}
			note := ""
			if dep.Message != "" {
				note = " Its owners say: " + dep.Message
			}
			if c.today.After(date) {
				c.errorf("deprecated-input", e.at, "Depends on a retired product",
					"%s %s %s, which was retired on %s and may stop publishing at any time.%s Move to its replacement before it breaks.", ps.plan.ID, e.verb(), e.to.ID, dep.Date, note)
			} else {
				c.warnf("deprecated-input", e.at, "Depends on a deprecated product",
					"%s %s %s, which is deprecated and will be retired on %s.%s Plan the move to its replacement.", ps.plan.ID, e.verb(), e.to.ID, dep.Date, note)
			}
		}
	}
}
