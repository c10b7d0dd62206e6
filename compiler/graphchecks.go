package compiler

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
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
	unknown := map[*plan.Product]bool{} // an input or the cadence did not resolve: its period cannot be known
	for _, ps := range c.products {
		p := ps.plan
		if ps.brokenInputs || ps.cadenceBroken {
			unknown[p] = true
			continue
		}
		s := &p.Schedule
		switch {
		case s.Cadence != nil:
			s.Period = s.Cadence.Period
		case len(p.Inputs) == 0 && !ps.written.scheduleAttempted:
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
		c.checkSourceClockChange(p)
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
	// The cadence's origin, which what names for messages: the product's
	// own cadence (own), a source's, or an upstream product's own
	// (originProduct). Kept rather than the message's words, which a
	// check without errors would build for every product and input.
	own           bool
	originSource  *plan.Source
	originProduct *plan.Product
	source        *plan.Source
	via           *plan.Product
	from          int32 // via's place in compiler.products
	// hops is the length of the path from the cadence's origin down to
	// the product's input (upstreamPath), and head its first names.
	hops int
	head [pathEnds]string
}

// what names the cadence for messages about p, whose slowest upstream
// cadence u is: "a daily cadence", "source physician.ama (monthly)",
// "d1.p2 (weekly)".
func (u slowestUpstream) what(p *plan.Product) string {
	switch {
	case u.own:
		return "a " + p.Schedule.Cadence.String() + " cadence"
	case u.originSource != nil:
		return "source " + u.originSource.ID + " (" + u.originSource.Cadence.String() + ")"
	case u.originProduct != nil:
		return u.originProduct.ID + " (" + describePeriod(u.originProduct) + ")"
	}
	return ""
}

// pathEnds is how many names of each end of a long upstream path a
// message shows: a chain of thousands of products, each reporting the
// path from the top, would print the square of its length.
const pathEnds = 4

// schedules checks freshness SLAs against the slowest cadence upstream,
// transitively, and then looks for diamonds.
func (c *compiler) schedules() {
	if c.productCycle {
		return
	}
	// By place in c.products, visited in run order: a slice rather than a
	// map keyed by product, whose lookups at 100,000 products missed the
	// caches far more often than at 10,000.
	slowest := make([]slowestUpstream, len(c.products))
	for _, i := range c.run {
		ps := c.products[i]
		p := ps.plan
		// A product one of whose inputs did not resolve (reported) is left
		// out, as its period is unknown: what it reads is not all known;
		// and so is one whose cadence did not, which would read as running
		// when its inputs publish.
		if ps.brokenInputs || ps.cadenceBroken {
			continue
		}
		worst := slowestUpstream{}
		if s := p.Schedule; s.Cadence != nil {
			worst = slowestUpstream{period: s.Cadence.Period, own: true}
		}
		for k, in := range p.Inputs {
			var cand slowestUpstream
			switch {
			case in.Source != nil:
				cand = slowestUpstream{period: in.Source.Cadence.Period, originSource: in.Source, source: in.Source,
					hops: 1, head: [pathEnds]string{in.Source.ID}}
			case in.Producer != nil:
				from := ps.producers[k]
				up := slowest[from]
				cand = slowestUpstream{period: up.period, originSource: up.originSource, originProduct: up.originProduct,
					via: in.Producer, from: from, hops: up.hops + 1, head: up.head}
				if up.own {
					cand.originProduct = in.Producer
					cand.hops, cand.head = 1, [pathEnds]string{}
				}
				if cand.hops <= pathEnds {
					cand.head[cand.hops-1] = in.Producer.ID
				}
			}
			if cand.period > worst.period {
				worst = cand
			}
		}
		slowest[i] = worst
		if p.SLA == nil || worst.period <= p.SLA.Freshness {
			continue
		}
		if worst.own {
			c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than the product's cadence",
				"The SLA promises data at most %s old, but %s runs on %s, which leaves up to %s between runs. Loosen the SLA to at least %s, or run the product more often.",
				plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what(p), plan.FormatDuration(worst.period), plan.FormatDuration(worst.period))
			continue
		}
		via := ""
		if worst.hops > 1 {
			via = fmt.Sprintf(" It reaches %s by way of %s -> %s.", p.ID, strings.Join(upstreamPath(worst, slowest), " -> "), p.ID)
		}
		c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than an upstream cadence",
			"The SLA promises data at most %s old, but %s depends on %s, which may leave up to %s between updates.%s Loosen the SLA to at least %s, or make that upstream run more often.",
			plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what(p), plan.FormatDuration(worst.period), via, plan.FormatDuration(worst.period))
	}
	c.diamonds()
}

// upstreamPath lists the objects from the origin of a product's slowest
// cadence, worst, down to the product's direct input: of a path longer
// than twice pathEnds, the first and the last pathEnds, around how many
// are left out; slowest is every product's, by place. It is built
// only when reported, and walks no further than it shows, so that checking
// stays linear in the size of the mesh.
func upstreamPath(worst slowestUpstream, slowest []slowestUpstream) []string {
	if worst.hops > 2*pathEnds {
		tail := make([]string, pathEnds)
		cur := worst
		for i := range tail {
			tail[len(tail)-1-i] = cur.via.ID
			cur = slowest[cur.from]
		}
		left := fmt.Sprintf("(%d more)", worst.hops-2*pathEnds)
		return append(append(worst.head[:pathEnds:pathEnds], left), tail...)
	}
	var path []string
	cur := worst
	for cur.via != nil {
		path = append(path, cur.via.ID)
		cur = slowest[cur.from]
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
// The common upstream is looked for within diamondReach dependencies above
// each branch (docs/language.md#diamonds). Unbounded, the check grew with
// the square of a deep mesh: every pair of branches can share an upstream
// far up, or none, which takes walking both upstreams whole to know. Within
// reach, each branch costs what lies near it, whatever the mesh's size.
func (c *compiler) diamonds() {
	// The products whose inputs run on different periods, in run order
	// (c.plan.Products'), by their scopes, which hold their edges: no map
	// of every product to its edges is needed.
	var mixed []*productScope
	for _, i := range c.run {
		if ps := c.products[i]; mixedPeriods(ps.plan.Upstreams) {
			mixed = append(mixed, ps)
		}
	}
	if len(mixed) == 0 {
		return
	}
	graph := newGraph(c.plan.Products, diamondReach) // in run order
	// On every core, each with a reacher of its own, as a mesh of dense
	// layers on mixed cadences spends a fifth of its check here; the
	// warnings are merged in product order.
	found := make([]diag.Diagnostics, len(mixed))
	parallel.ForWith(len(mixed), func() func(int) {
		w := &compiler{state: c.state}
		r := graph.worker()
		return func(i int) {
			w.diags = nil
			w.diamondsOf(mixed[i].plan, r, mixed[i].edges)
			found[i] = w.diags
		}
	})
	for _, ds := range found {
		c.diags = append(c.diags, ds...)
	}
}

// diamondsOf warns of the diamonds of d, whose dependencies are edges.
func (c *compiler) diamondsOf(d *plan.Product, r *reacher, edges []edge) {
	ups := d.Upstreams
	edgeTo := map[*plan.Product]edge{}
	for _, e := range edges {
		if _, seen := edgeTo[e.to]; !seen {
			edgeTo[e.to] = e
		}
	}
	near := r.branches(ups)
	if len(ups) > manyBranches {
		for _, pair := range near.firstPartners() {
			common, pathA, pathB, _ := near.diamond(pair[0], pair[1])
			c.reportDiamond(d, ups[pair[0]], ups[pair[1]], common, edgeTo[ups[pair[1]]], pathA, pathB)
		}
		return
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
			if common, pathA, pathB, ok := near.diamond(a, b); ok {
				c.reportDiamond(d, A, B, common, edgeTo[B], pathA, pathB)
				warned[B] = true
			}
		}
	}
}

// manyBranches is how many inputs a product may have before the diamond
// check stops going through their pairs (firstPartners).
const manyBranches = 64

// firstPartners finds the pairs of branches that the pair loop of
// diamonds warns of: for each branch, the first branch before it, on
// another period (neither of them 0), that shares a product or a source
// with it within reach, as [first, branch], in the loop's order. It walks
// each branch once and keeps, for each product and source within reach,
// the first branch to reach it and the first on another period than that
// one's, which is all a later branch asks of it: so it costs what lies
// within reach of the branches, where the pairs of thousands of inputs
// cost millions of searches.
func (b *branches) firstPartners() [][2]int {
	type firsts struct{ first, other int }
	seen := map[int32]*firsts{} // by product place, and sources after the products
	sourceKey := int32(len(b.r.run))
	var pairs [][2]int
	for j, x := range b.ups {
		period := x.Schedule.Period
		if period == 0 {
			continue
		}
		u := b.r.upstreams(x)
		keys := u.products
		for _, s := range u.sources {
			keys = append(keys, sourceKey+s)
		}
		partner := -1
		for _, k := range keys {
			f := seen[k]
			if f == nil {
				seen[k] = &firsts{first: j, other: -1}
				continue
			}
			cand := f.first
			if b.ups[f.first].Schedule.Period == period {
				cand = f.other
			}
			if cand >= 0 && (partner < 0 || cand < partner) {
				partner = cand
			}
			if f.other < 0 && b.ups[f.first].Schedule.Period != period {
				f.other = j
			}
		}
		if partner >= 0 {
			pairs = append(pairs, [2]int{partner, j})
		}
	}
	slices.SortFunc(pairs, func(p, q [2]int) int { return cmp.Or(p[0]-q[0], p[1]-q[1]) })
	return pairs
}

// diamondReach is how many dependencies above each of its branches a
// diamond's common upstream may be: drift from further up is left unsaid.
// It keeps what the check reads near the branches, and the paths in its
// message short enough to follow.
const diamondReach = 8

// graph is the dependency graph of products, in run order, that the
// diamond check's reachers share.
type graph struct {
	reach   int
	fewMost int             // fewUpstreams, but for tests
	run     []*plan.Product // in run order
	index   map[*plan.Product]int
	ups     [][]int32 // by place in run order: the places of the product's upstreams, in ID order
	reads   [][]int32 // by place in run order: the places of the sources it reads
	// sources are the sources read, by place.
	sources []*plan.Source
}

// reacher finds the upstreams near a product for the diamond check, on
// one goroutine. Its marks, by place in run order (and for sources, by
// place in the mesh's list), are kept from one walk to the next and told
// apart by the walk that set them, so that a walk costs what it visits,
// not the size of the mesh.
type reacher struct {
	*graph
	walk  int32
	stamp []int32 // by place in run order: the last walk that reached the product
	next  []int32 // for pathUp: the product one step back towards where it started
	// depths are, for latestShared, how many dependencies up from each
	// branch the walk found the product.
	depths [][2]int8
	read   []int32 // by source: the last walk that found it read
	// pairs are what pairs of branches share (branches.shared), by their
	// places in run order, the earlier first.
	pairs map[[2]int32]sharing
}

// fewUpstreams is how many products within reach of a branch the diamond
// check keeps, to intersect with another branch's (latestAmong); a branch
// with more is left to the search from both (latestShared).
const fewUpstreams = 256

// newReacher returns a reacher over products, in run order, ready to walk.
func newReacher(products []*plan.Product, reach int) *reacher {
	return newGraph(products, reach).worker()
}

// newGraph lays out the graph of products, in run order, that reachers
// share.
func newGraph(products []*plan.Product, reach int) *graph {
	n := len(products)
	r := &graph{reach: reach, fewMost: fewUpstreams, run: products, index: make(map[*plan.Product]int, n),
		ups: make([][]int32, n), reads: make([][]int32, n)}
	for i, p := range products {
		r.index[p] = i
	}
	place := map[*plan.Source]int32{}
	for i, p := range products {
		for _, up := range p.Upstreams {
			r.ups[i] = append(r.ups[i], int32(r.index[up]))
		}
		for _, in := range p.Inputs {
			if s := in.Source; s != nil {
				at, ok := place[s]
				if !ok {
					at = int32(len(r.sources))
					place[s] = at
					r.sources = append(r.sources, s)
				}
				r.reads[i] = append(r.reads[i], at)
			}
		}
	}
	return r
}

// worker returns a reacher over the graph with marks and answers of its
// own, for a goroutine of its own.
func (g *graph) worker() *reacher {
	n := len(g.run)
	return &reacher{graph: g, stamp: make([]int32, n), next: make([]int32, n), depths: make([][2]int8, n),
		read: make([]int32, len(g.sources)), pairs: map[[2]int32]sharing{}}
}

// upstreams are what lies within reach above a branch, by place.
type upstreams struct {
	products []int32 // as reached: the branch itself first
	sources  []int32 // read by those products within reach
}

// upstreams walks up from x breadth-first, reach dependencies at most; a
// source counts as one dependency above the product that reads it.
func (r *reacher) upstreams(x *plan.Product) *upstreams { return r.upstreamsUpTo(x, math.MaxInt) }

// upstreamsUpTo is upstreams, or nil when more than most products lie
// within reach.
func (r *reacher) upstreamsUpTo(x *plan.Product, most int) *upstreams {
	w := r.newWalk()
	u := &upstreams{products: []int32{int32(r.index[x])}}
	r.stamp[u.products[0]] = w
	level := u.products
	for depth := 0; len(level) > 0; depth++ {
		start := len(u.products)
		for _, at := range level {
			if depth < r.reach {
				for _, s := range r.reads[at] {
					if r.read[s] != w {
						r.read[s] = w
						u.sources = append(u.sources, s)
					}
				}
			}
			if depth == r.reach {
				continue
			}
			for _, up := range r.ups[at] {
				if r.stamp[up] != w {
					r.stamp[up] = w
					u.products = append(u.products, up)
				}
			}
			if len(u.products) > most {
				return nil
			}
		}
		level = u.products[start:]
	}
	return u
}

// newWalk returns a new walk's number, for its marks.
func (r *reacher) newWalk() int32 {
	if r.walk == math.MaxInt32 {
		// Marks tell walks apart by number: start again, with none.
		clear(r.stamp)
		clear(r.read)
		r.walk = 0
	}
	r.walk++
	return r.walk
}

// branches keeps, for one product's diamond check, what lies within reach
// of each of its branches (its upstreams, by place in ups): all of it,
// walked once, when that is a few products, so that a pair of branches
// costs what the two hold, however many pairs a product of many inputs
// has; nothing when it is many, which the search from both branches
// (latestShared) spares walking whole.
type branches struct {
	r     *reacher
	ups   []*plan.Product
	few   []*upstreams // nil until walked, or when many
	many  []bool       // walked, and found to be many
	whole []*upstreams // walked whole, for a diamond of a source
}

func (r *reacher) branches(ups []*plan.Product) *branches {
	return &branches{r: r, ups: ups, few: make([]*upstreams, len(ups)), many: make([]bool, len(ups)), whole: make([]*upstreams, len(ups))}
}

// fewOf returns what lies within reach of branch i when it is a few
// products, or nil.
func (b *branches) fewOf(i int) *upstreams {
	if b.few[i] == nil && !b.many[i] {
		b.few[i] = b.r.upstreamsUpTo(b.ups[i], b.r.fewMost)
		b.many[i] = b.few[i] == nil
	}
	return b.few[i]
}

// wholeOf returns what lies within reach of branch i, however much.
func (b *branches) wholeOf(i int) *upstreams {
	if u := b.fewOf(i); u != nil {
		return u
	}
	if b.whole[i] == nil {
		b.whole[i] = b.r.upstreams(b.ups[i])
	}
	return b.whole[i]
}

// diamond finds what branches i and j have in common within reach: the
// product upstream of both (either counting as its own upstream) that runs
// last, or else the source with the smallest ID that both read. It returns
// its name for the message and the path from it down to each branch, or
// false when the branches share nothing.
func (b *branches) diamond(i, j int) (common string, pathI, pathJ []string, ok bool) {
	r, x, y := b.r, b.ups[i], b.ups[j]
	shared := b.shared(i, j)
	var found func(*plan.Product) bool
	var prefix []string
	switch p, s := shared.product, shared.source; {
	case p != nil:
		common = p.ID
		found = func(z *plan.Product) bool { return z == p }
	case s != nil:
		// No product in common: raw data read by both branches drifts
		// the same way.
		common, prefix = "source "+s.ID, []string{s.ID}
		found = func(z *plan.Product) bool {
			return slices.ContainsFunc(z.Inputs, func(in *plan.Input) bool { return in.Source == s })
		}
	default:
		return "", nil, nil, false
	}
	return common, append(prefix, r.pathUp(x, found)...), append(slices.Clone(prefix), r.pathUp(y, found)...), true
}

// sharing is what two branches have in common, for diamond: a product, or
// else a source, or neither.
type sharing struct {
	product *plan.Product
	source  *plan.Source
}

// shared finds what branches i and j have in common. What two products
// share depends on them alone, not on the product that reads both, so
// the answer is kept for the next product that reads the pair: products
// that read the same branches (marts over the same domains' roots) asked
// it again each, and a pair of branches of wide reach that share nothing
// costs walking both whole.
func (b *branches) shared(i, j int) sharing {
	r, x, y := b.r, b.ups[i], b.ups[j]
	key := [2]int32{int32(r.index[x]), int32(r.index[y])}
	if key[0] > key[1] {
		key[0], key[1] = key[1], key[0]
	}
	if s, known := r.pairs[key]; known {
		return s
	}
	var s sharing
	if ux, uy := b.fewOf(i), b.fewOf(j); ux != nil && uy != nil {
		s.product = r.latestAmong(ux, uy)
	} else {
		s.product = r.latestShared(key[0], key[1])
	}
	if s.product == nil {
		s.source = r.firstShared(b.wholeOf(i), b.wholeOf(j))
	}
	r.pairs[key] = s
	return s
}

// latestAmong returns the product within reach of both a and b, as their
// upstreams hold them, that runs last, or nil.
func (r *reacher) latestAmong(a, b *upstreams) *plan.Product {
	w := r.newWalk()
	for _, at := range a.products {
		r.stamp[at] = w
	}
	latest := int32(-1)
	for _, at := range b.products {
		if r.stamp[at] == w && at > latest {
			latest = at
		}
	}
	if latest < 0 {
		return nil
	}
	return r.run[latest]
}

// latestShared returns the product within reach of both a and b (places in
// run order) that runs last, or nil, without walking all that lies within
// reach of either. It takes products from the latest in run order down,
// from a heap: a product runs after its upstreams, so when
// it takes one, it has taken every product on a path from a or b to it,
// and knows how far up from each it is. The first it takes within reach of
// both is the one, and in a mesh of wide layers that read each other that
// is a layer or two up: walking the whole reach of both, as the check did,
// grew with the square of the layers' width.
func (r *reacher) latestShared(a, b int32) *plan.Product {
	const far = math.MaxInt8
	w := r.newWalk()
	var taken latestFirst
	reach := func(at int32, fromA, fromB int8) {
		if r.stamp[at] != w {
			r.stamp[at], r.depths[at] = w, [2]int8{far, far}
			heap.Push(&taken, at)
		}
		d := &r.depths[at]
		d[0], d[1] = min(d[0], fromA), min(d[1], fromB)
	}
	reach(a, 0, far)
	reach(b, far, 0)
	for taken.Len() > 0 {
		at := heap.Pop(&taken).(int32)
		d := r.depths[at]
		if int(d[0]) <= r.reach && int(d[1]) <= r.reach {
			return r.run[at]
		}
		up := [2]int8{far, far}
		for side, depth := range d {
			if int(depth) < r.reach {
				up[side] = depth + 1
			}
		}
		if up == [2]int8{far, far} {
			continue
		}
		for _, u := range r.ups[at] {
			reach(u, up[0], up[1])
		}
	}
	return nil
}

// latestFirst is a heap of places in run order, the latest on top.
type latestFirst []int32

func (h latestFirst) Len() int           { return len(h) }
func (h latestFirst) Less(i, j int) bool { return h[i] > h[j] }
func (h latestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *latestFirst) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *latestFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// firstShared returns the source, by ID, that both a and b read, or nil.
func (r *reacher) firstShared(a, b *upstreams) *plan.Source {
	w := r.newWalk()
	for _, s := range a.sources {
		r.read[s] = w
	}
	var first *plan.Source
	for _, s := range b.sources {
		if r.read[s] == w && (first == nil || r.sources[s].ID < first.ID) {
			first = r.sources[s]
		}
	}
	return first
}

// pathUp walks up from the branch x breadth-first, upstreams in ID order,
// to the first product that found accepts, and returns the products from
// that one down to the branch: a shortest path, the same whatever the
// order of the mesh's files. The one found is within reach, and so is
// every product the walk takes before it, being no further up.
func (r *reacher) pathUp(x *plan.Product, found func(*plan.Product) bool) []string {
	seen := r.newWalk()
	start := int32(r.index[x])
	r.stamp[start], r.next[start] = seen, -1
	queue := []int32{start}
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		if found(r.run[at]) {
			var path []string
			for ; at >= 0; at = r.next[at] {
				path = append(path, r.run[at].ID)
			}
			return path
		}
		for _, up := range r.ups[at] {
			if r.stamp[up] != seen {
				r.stamp[up], r.next[up] = seen, at
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
				note = " Its owners say: " + sentence(strings.TrimSpace(dep.Message))
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
