package gitlab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/topo"
	"github.com/meshc/meshc/lang/diag"
)

// unit is what one child pipeline runs: one product, or a domain's
// products.
type unit struct {
	name      string          // the product's ID, or the domain and its part: the trigger job's name (triggerName)
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
// keeping the given order where the dependencies leave a choice (the unit
// graph has no cycle: domainUnits splits domains so that it has none).
func topological(units []*unit) []*unit {
	index := make(map[*unit]int, len(units))
	for i, u := range units {
		index[u] = i
	}
	deps := make([][]int, len(units))
	for i, u := range units {
		for _, up := range u.upstreams {
			deps[i] = append(deps[i], index[up])
		}
	}
	out := make([]*unit, len(units))
	for k, i := range topo.Sort(len(units), deps) {
		out[k] = units[i]
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
	// The unit graph, with units by their index in units: fedBy[i] are
	// the units that unit i reads from.
	index := map[*unit]int{}
	var fedBy [][]int
	// A product may join a part of its domain unless the part already
	// feeds, through other units, a unit that the product reads from: that
	// would be a loop of pipelines. The units that do are the ancestors of
	// the product's upstreams' units, marked with the product's number by
	// one walk up the graph: trying each part in turn, with a walk down
	// from it for each upstream, took time in the cube of the parts, for
	// domains that feed each other back and forth.
	var marks, stack []int
	for n, p := range b.plan.Products { // topological
		d := p.Domain.Name
		walk := n + 1
		stack = stack[:0]
		for _, up := range p.Upstreams {
			if uu, ok := index[of[up]]; ok {
				stack = append(stack, uu)
			}
		}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, y := range fedBy[x] {
				if marks[y] != walk {
					marks[y] = walk
					stack = append(stack, y)
				}
			}
		}
		var home *unit
		for _, u := range parts[d] {
			if marks[index[u]] != walk {
				home = u
				break
			}
		}
		if home == nil {
			part := len(parts[d]) + 1
			home = &unit{name: d, file: "domains/" + d + ".yml", at: p.Domain.Range}
			home.comment = "domain " + d
			if p.Domain.Owner != "" {
				home.comment += ", owned by " + p.Domain.Owner
			}
			if part > 1 {
				home.name = fmt.Sprintf("%s.part%d", d, part)
				home.file = fmt.Sprintf("domains/%s.part%d.yml", d, part)
				home.at = p.Range
				home.comment = fmt.Sprintf("domain %s, part %d: %s reads from a pipeline that reads from %s", d, part, p.ID, parts[d][0].name)
				b.diags = append(b.diags, diag.Warnf("gitlab-split-domain", p.Range, "Domain pipeline split",
					"%s reads, through another domain, from products of its own domain %s, so with granularity = \"domain\" it runs in part %d of the domain's pipelines (%s), after the others. This is correct but costs a pipeline; granularity = \"product\" avoids it.", p.ID, d, part, home.file))
			}
			parts[d] = append(parts[d], home)
			index[home] = len(units)
			units = append(units, home)
			fedBy = append(fedBy, nil)
			marks = append(marks, 0)
		}
		home.products = append(home.products, p)
		of[p] = home
		h := index[home]
		for _, up := range p.Upstreams {
			if uu, ok := index[of[up]]; ok && uu != h && !slices.Contains(fedBy[h], uu) {
				fedBy[h] = append(fedBy[h], uu)
			}
		}
	}
	// Units are in the order of their first product; a later product can
	// make an earlier unit wait on a later one, so units() sorts them.
	return units, of
}
