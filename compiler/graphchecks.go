package compiler

import (
	"fmt"
	"math/bits"
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

// schedules works out each product's effective period, checks freshness
// SLAs against the slowest cadence upstream, and warns about diamonds whose
// branches run on different cadences.
func (c *compiler) schedules() {
	if c.productCycle {
		return
	}
	slowest := map[*plan.Product]upstreamCadence{}
	declared := map[*plan.Product]*productScope{}
	for _, ps := range c.products {
		declared[ps.plan] = ps
	}
	for _, p := range c.plan.Products {
		if len(p.Inputs) != len(declared[p].ast.Inputs) {
			continue // an input did not resolve: its cadence is unknown
		}
		s := &p.Schedule
		switch {
		case s.Cadence != nil:
			s.Period = s.Cadence.Period
		case len(p.Inputs) == 0 && !scheduleAttempted(declared[p].ast):
			c.errorf("no-schedule", s.Range, "Product never runs",
				"%s runs only when its inputs publish, but it has no inputs. Give it a cadence: schedule { cadence = \"daily\" }.", p.ID)
		default:
			// It waits for all its inputs, so it runs as often as the slowest.
			for _, in := range p.Inputs {
				if in.Source != nil {
					s.Period = max(s.Period, in.Source.Cadence.Period)
				} else {
					s.Period = max(s.Period, in.Producer.Schedule.Period)
				}
			}
		}

		// The slowest cadence anywhere upstream, with the path it comes by.
		worst := upstreamCadence{}
		if s.Cadence != nil {
			worst = upstreamCadence{s.Cadence.Period, "a " + s.Cadence.String() + " cadence", nil}
		}
		for _, in := range p.Inputs {
			var cand upstreamCadence
			switch {
			case in.Source != nil:
				cand = upstreamCadence{in.Source.Cadence.Period, "source " + in.Source.ID + " (" + in.Source.Cadence.String() + ")", []string{in.Source.ID}}
			case in.Producer != nil:
				cand = slowest[in.Producer]
				cand.path = append(cand.path[:len(cand.path):len(cand.path)], in.Producer.ID)
				if len(cand.path) == 1 {
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
		if worst.path == nil {
			c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than the product's cadence",
				"The SLA promises data at most %s old, but %s runs on %s, which leaves up to %s between runs. Loosen the SLA to at least %s, or run the product more often.",
				plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what, plan.FormatDuration(worst.period), plan.FormatDuration(worst.period))
			continue
		}
		via := ""
		if len(worst.path) > 1 {
			via = fmt.Sprintf(" It reaches %s by way of %s -> %s.", p.ID, strings.Join(worst.path, " -> "), p.ID)
		}
		c.errorf("sla-infeasible", p.SLA.Range, "Freshness SLA tighter than an upstream cadence",
			"The SLA promises data at most %s old, but %s depends on %s, which may leave up to %s between updates.%s Loosen the SLA to at least %s, or make that upstream run more often.",
			plan.FormatDuration(p.SLA.Freshness), p.ID, worst.what, plan.FormatDuration(worst.period), via, plan.FormatDuration(worst.period))
	}
	c.diamonds()
}

// scheduleAttempted reports whether a product tried to give a schedule that
// failed to load, so that it is not also reported as having none.
func scheduleAttempted(p *ast.Product) bool {
	if s := p.Schedule; s != nil && (s.Cadence.Set || s.Cadence.Bad) {
		return true
	}
	return slices.Contains(p.Misspelt, "schedule")
}

// upstreamCadence is the slowest cadence a product depends on: its period,
// what it is, and the chain of upstream objects it reaches the product by.
type upstreamCadence struct {
	period time.Duration
	what   string
	path   []string
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
func (c *compiler) diamonds() {
	products := c.plan.Products
	index := map[*plan.Product]int{}
	for i, p := range products {
		index[p] = i
	}
	// ancestors[i] has bit j set when products[j] is upstream of products[i]
	// or is products[i] itself; products are in topological order, so each
	// set is complete before it is read.
	words := (len(products) + 63) / 64
	ancestors := make([][]uint64, len(products))
	for i, p := range products {
		set := make([]uint64, words)
		set[i/64] |= 1 << (i % 64)
		for _, u := range p.Upstreams {
			for w, bitsU := range ancestors[index[u]] {
				set[w] |= bitsU
			}
		}
		ancestors[i] = set
	}
	for _, d := range products {
		ups := d.Upstreams
		for a := 0; a < len(ups); a++ {
			for b := a + 1; b < len(ups); b++ {
				A, B := ups[a], ups[b]
				if A.Schedule.Period == B.Schedule.Period || A.Schedule.Period == 0 || B.Schedule.Period == 0 {
					continue
				}
				common := -1
				sa, sb := ancestors[index[A]], ancestors[index[B]]
				for w := words - 1; w >= 0 && common < 0; w-- {
					if both := sa[w] & sb[w]; both != 0 {
						common = w*64 + 63 - bits.LeadingZeros64(both)
					}
				}
				if common < 0 {
					continue
				}
				u := products[common]
				pathA := pathBetween(u, A, ancestors, index)
				pathB := pathBetween(u, B, ancestors, index)
				// Point at the dependency on the second branch, which is
				// where the drift comes in.
				at := d.Range
				for _, e := range c.edges[d] {
					if e.to == B {
						at = e.at
						break
					}
				}
				what := fmt.Sprintf("%s depends on %s and %s, which both derive from %s", d.ID, A.ID, B.ID, u.ID)
				if u == A {
					what = fmt.Sprintf("%s depends on %s both directly and through %s", d.ID, A.ID, B.ID)
				}
				c.warnf("cadence-drift", at, "Diamond with different cadences",
					"%s, and the two branches run on different cadences (%s: %s; %s: %s). %s may then combine two different versions of %s:\n  %s -> %s\n  %s -> %s\nRun the branches on one cadence so that they move together.",
					what, A.ID, describePeriod(A), B.ID, describePeriod(B), d.ID, u.ID,
					strings.Join(pathA, " -> "), d.ID, strings.Join(pathB, " -> "), d.ID)
			}
		}
	}
}

// pathBetween finds a path from u down to p through products that derive
// from u, preferring upstreams by ID.
func pathBetween(u, p *plan.Product, ancestors [][]uint64, index map[*plan.Product]int) []string {
	ui := index[u]
	path := []string{p.ID}
	for p != u {
		next := p
		for _, up := range p.Upstreams {
			if ancestors[index[up]][ui/64]&(1<<(ui%64)) != 0 {
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
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
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
