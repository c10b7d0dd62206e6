package gitlab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/diag"
)

// unit is what one child pipeline runs: one product, or a domain's
// products.
type unit struct {
	name      string          // the parent's trigger job
	file      string          // the child pipeline, in the output folder
	products  []*plan.Product // in topological order
	upstreams []*unit         // units it reads from, by name
	at        diag.Range      // the product or domain block
	comment   string
}

// units groups the products into child pipelines, in dependency order.
func (b *builder) units() []*unit {
	var units []*unit
	of := map[*plan.Product]*unit{}
	if b.settings.granularity == "domain" {
		units, of = b.domainUnits()
	} else {
		for _, p := range b.plan.Products {
			u := &unit{name: p.ID, file: "products/" + p.Domain.Name + "/" + p.Name + ".yml", products: []*plan.Product{p}, at: p.Range, comment: productComment(p)}
			units = append(units, u)
			of[p] = u
		}
	}
	for _, u := range units {
		seen := map[*unit]bool{u: true}
		for _, p := range u.products {
			for _, up := range p.Upstreams {
				if uu := of[up]; !seen[uu] {
					seen[uu] = true
					u.upstreams = append(u.upstreams, uu)
				}
			}
		}
		slices.SortFunc(u.upstreams, func(x, y *unit) int { return strings.Compare(x.name, y.name) })
	}
	if b.settings.granularity == "domain" {
		return topological(units)
	}
	return units // in the plan's product order, which is topological
}

// topological orders units so that each comes after those it reads from,
// keeping the given order where the dependencies leave a choice. The unit
// graph has no cycle: domainUnits splits domains so that it has none.
func topological(units []*unit) []*unit {
	placed := map[*unit]bool{}
	var out []*unit
	for len(out) < len(units) {
		progress := false
		for _, u := range units {
			if placed[u] || slices.ContainsFunc(u.upstreams, func(up *unit) bool { return !placed[up] }) {
				continue
			}
			placed[u] = true
			out = append(out, u)
			progress = true
			break // start again from the first, to keep the given order
		}
		if !progress {
			return units // a cycle, which domainUnits rules out
		}
	}
	return out
}

func productComment(p *plan.Product) string {
	c := fmt.Sprintf("%s %s, owned by %s", p.ID, p.Version, p.Owner)
	if p.Owner == "" {
		c = fmt.Sprintf("%s %s", p.ID, p.Version)
	}
	if p.Description != "" {
		c += ": " + p.Description
	}
	if p.Deprecation != nil {
		c += fmt.Sprintf("\nDeprecated: stops on %s. %s", p.Deprecation.Date, p.Deprecation.Message)
	}
	return c
}

// domainUnits puts each domain's products in one child pipeline, splitting
// a domain into parts where the pipelines would otherwise wait on each
// other: when domain A feeds domain B and B feeds another product of A,
// that product runs in A's second part, after B. Parts are numbered in
// the order products are met, so a split is stable as the mesh grows.
func (b *builder) domainUnits() ([]*unit, map[*plan.Product]*unit) {
	of := map[*plan.Product]*unit{}
	parts := map[string][]*unit{} // domain -> its parts
	var units []*unit
	// The unit graph, with units by their index in units: feeds[i] are
	// the units that read from unit i.
	index := map[*unit]int{}
	var feeds [][]int
	// reaches reports whether there is a path of unit edges from one unit
	// to another. It runs for every product and upstream, so it works on
	// indexes, and marks the units it visits with the number of the call
	// rather than making a set per call.
	var marks, stack []int
	calls := 0
	reaches := func(from, to *unit) bool {
		target, ok := index[to]
		if !ok {
			return false
		}
		calls++
		stack = append(stack[:0], index[from])
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if x == target {
				return true
			}
			for _, y := range feeds[x] {
				if marks[y] != calls {
					marks[y] = calls
					stack = append(stack, y)
				}
			}
		}
		return false
	}
	for _, p := range b.plan.Products { // topological
		d := p.Domain.Name
		var home *unit
		for _, u := range parts[d] {
			// p may join u unless u already feeds, through other units, a
			// unit that p reads from: that would be a loop of pipelines.
			ok := true
			for _, up := range p.Upstreams {
				if uu := of[up]; uu != u && reaches(u, uu) {
					ok = false
					break
				}
			}
			if ok {
				home = u
				break
			}
		}
		if home == nil {
			n := len(parts[d]) + 1
			home = &unit{name: d, file: "domains/" + d + ".yml", at: p.Domain.Range}
			home.comment = "domain " + d
			if p.Domain.Owner != "" {
				home.comment += ", owned by " + p.Domain.Owner
			}
			if n > 1 {
				home.name = fmt.Sprintf("%s.part%d", d, n)
				home.file = fmt.Sprintf("domains/%s.part%d.yml", d, n)
				home.at = p.Range
				home.comment = fmt.Sprintf("domain %s, part %d: %s reads from a pipeline that reads from %s", d, n, p.ID, parts[d][0].name)
				b.diags = append(b.diags, diag.Warnf("gitlab-split-domain", p.Range, "Domain pipeline split",
					"%s reads, through another domain, from products of its own domain %s, so with granularity = \"domain\" it runs in part %d of the domain's pipelines (%s), after the others. This is correct but costs a pipeline; granularity = \"product\" avoids it.", p.ID, d, n, home.file))
			}
			parts[d] = append(parts[d], home)
			index[home] = len(units)
			units = append(units, home)
			feeds = append(feeds, nil)
			marks = append(marks, 0)
		}
		home.products = append(home.products, p)
		of[p] = home
		for _, up := range p.Upstreams {
			uu, ok := index[of[up]]
			if h := index[home]; ok && uu != h && !slices.Contains(feeds[uu], h) {
				feeds[uu] = append(feeds[uu], h)
			}
		}
	}
	// Units are in the order of their first product; a later product can
	// make an earlier unit wait on a later one, so units() sorts them.
	return units, of
}
