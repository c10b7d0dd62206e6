package compiler

import (
	"fmt"
	"maps"
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
		for _, e := range c.edges[p] {
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
// waits for all of them. Products are in topological order, so every
// input's period is known when a product's is computed.
func (c *compiler) periods() {
	for _, ps := range c.products {
		p := ps.plan
		if len(p.Inputs) != len(ps.ast.Inputs) {
			continue // an input did not resolve: its cadence is unknown
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
	for _, p := range c.plan.Products {
		if p.Schedule.Cadence != nil {
			continue
		}
		for _, in := range p.Inputs {
			if in.Source != nil {
				p.Schedule.Period = max(p.Schedule.Period, in.Source.Cadence.Period)
			} else {
				p.Schedule.Period = max(p.Schedule.Period, in.Producer.Schedule.Period)
			}
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
// common upstream but run on different cadences: the downstream then joins
// two versions of the same data (the physician/payer drift of the seeds).
//
// Ancestries are computed only for products that have two upstreams on
// different periods, and only for the time it takes to check them, so that
// memory stays proportional to the mesh rather than to its square.
func (c *compiler) diamonds() {
	index := map[*plan.Product]int{}
	for i, p := range c.plan.Products {
		index[p] = i
	}
	for _, d := range c.plan.Products {
		ups := d.Upstreams
		if !mixedPeriods(ups) {
			continue
		}
		ancestry := map[*plan.Product]map[*plan.Product]bool{}
		ancestorsOf := func(p *plan.Product) map[*plan.Product]bool {
			if a, ok := ancestry[p]; ok {
				return a
			}
			a := ancestorsAndSelf(p)
			ancestry[p] = a
			return a
		}
		edgeTo := map[*plan.Product]edge{}
		for _, e := range c.edges[d] {
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
				// The common upstream closest to d: the latest in run order.
				var u *plan.Product
				inB := ancestorsOf(B)
				for x := range ancestorsOf(A) {
					if inB[x] && (u == nil || index[x] > index[u]) {
						u = x
					}
				}
				if u != nil {
					c.reportDiamond(d, A, B, u.ID, edgeTo[B], pathBetween(u, A, ancestorsOf), pathBetween(u, B, ancestorsOf))
					warned[B] = true
					continue
				}
				// No product in common: raw data read by both branches
				// drifts the same way.
				if s := commonSource(ancestorsOf(A), ancestorsOf(B)); s != nil {
					c.reportDiamond(d, A, B, "source "+s.ID, edgeTo[B], sourcePath(s, A, ancestorsOf), sourcePath(s, B, ancestorsOf))
					warned[B] = true
				}
			}
		}
	}
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

// commonSource returns the first source, by ID, read by a product of both
// ancestries, or nil.
func commonSource(a, b map[*plan.Product]bool) *plan.Source {
	inB := map[*plan.Source]bool{}
	for p := range b {
		for _, in := range p.Inputs {
			if in.Source != nil {
				inB[in.Source] = true
			}
		}
	}
	var first *plan.Source
	for p := range a {
		for _, in := range p.Inputs {
			if s := in.Source; s != nil && inB[s] && (first == nil || s.ID < first.ID) {
				first = s
			}
		}
	}
	return first
}

// sourcePath finds a path from source s down to p, preferring upstreams by
// ID.
func sourcePath(s *plan.Source, p *plan.Product, ancestorsOf func(*plan.Product) map[*plan.Product]bool) []string {
	reads := func(x *plan.Product) bool {
		return slices.ContainsFunc(x.Inputs, func(in *plan.Input) bool { return in.Source == s })
	}
	path := []string{p.ID}
	for !reads(p) {
		next := p
		for _, up := range p.Upstreams {
			if slices.ContainsFunc(slices.Collect(maps.Keys(ancestorsOf(up))), reads) {
				next = up
				break
			}
		}
		if next == p {
			panic("sourcePath: " + s.ID + " is not upstream of " + p.ID)
		}
		p = next
		path = append(path, p.ID)
	}
	path = append(path, s.ID)
	slices.Reverse(path)
	return path
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

// ancestorsAndSelf returns p and every product upstream of it.
func ancestorsAndSelf(p *plan.Product) map[*plan.Product]bool {
	seen := map[*plan.Product]bool{p: true}
	queue := []*plan.Product{p}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, up := range x.Upstreams {
			if !seen[up] {
				seen[up] = true
				queue = append(queue, up)
			}
		}
	}
	return seen
}

// pathBetween finds a path from u down to p through products that derive
// from u, preferring upstreams by ID.
func pathBetween(u, p *plan.Product, ancestorsOf func(*plan.Product) map[*plan.Product]bool) []string {
	path := []string{p.ID}
	for p != u {
		next := p
		for _, up := range p.Upstreams {
			if ancestorsOf(up)[u] {
				next = up
				break
			}
		}
		if next == p {
			panic("pathBetween: " + u.ID + " is not upstream of " + p.ID)
		}
		p = next
		path = append(path, p.ID)
	}
	slices.Reverse(path)
	return path
}

// deprecations warns about reading a product that is to be deprecated, and
// reports an error once its date has passed.
func (c *compiler) deprecations() {
	for _, ps := range c.products {
		for _, e := range c.edges[ps.plan] {
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
