package load

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// Blueprints are defaults that products and domains inherit: a blueprint
// is decoded like the object it is for, and merged into every object that
// extends it before the compiler sees the mesh. Merged values keep the
// ranges they have in the blueprint, so a diagnostic about an inherited
// value points at the blueprint's line, and meshc explain can say where
// each value came from. The merge rules are documented in
// docs/language.md, "Blueprints".

// blueprintSchema takes what both kinds of blueprint may set, and what
// neither may, so that those are explained rather than "Unsupported".
var blueprintSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "for", Required: true}, {Name: "extends"},
		{Name: "owner"}, {Name: "description"}, {Name: "tags"}, {Name: "tests"},
		{Name: "layer"}, {Name: "version"}, {Name: "schema"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "input", LabelNames: []string{"name"}},
		{Type: "port", LabelNames: []string{"name"}},
		{Type: "step", LabelNames: []string{"name"}},
		{Type: "test", LabelNames: []string{"name"}},
		{Type: "schedule"},
		{Type: "sla"},
		{Type: "deprecation"},
		{Type: "policy", LabelNames: []string{"name"}},
		{Type: "waiver", LabelNames: []string{"name"}},
	},
}

// blueprintKinds says what a blueprint for each kind of object may set.
var blueprintKinds = map[string]struct {
	attrs, blocks []string
}{
	"product": {attrs: []string{"owner", "description", "tags", "tests"}, blocks: []string{"step", "test", "schedule", "sla"}},
	"domain":  {attrs: []string{"owner", "description", "layer"}},
}

// notInBlueprint says why an attribute or block is never inherited.
var notInBlueprint = map[string]string{
	"version":     "A product's version versions its own ports, so each product gives its own.",
	"schema":      "A domain's schema is its own: two domains sharing one would publish into the same Snowflake schema.",
	"input":       "Inputs and ports are a product's contract, what it reads and what it publishes, so each product declares its own.",
	"port":        "Inputs and ports are a product's contract, what it reads and what it publishes, so each product declares its own.",
	"deprecation": "A deprecation notice retires one product, so it is written in that product.",
	// Governance blocks stand on their own: a rule or an exception that
	// came with a blueprint would be reviewed with the blueprint, not
	// where the platform team reviews policies and waivers.
	"policy": "A policy is a block of its own, in mesh.hcl, a shared folder or a domain's folder, and applies to the objects its on and when select, whatever blueprint they extend: to hold only the objects of one blueprint to it, select in when what the blueprint gives them, such as a product's tag (contains(product.tags, \"TAG\")) or a domain's layer.",
	"waiver": "A waiver is a block of its own, in mesh.hcl or a shared folder (a domain's folder for the domain's policies), and lists the objects it exempts by ID, so that each exception is approved for the objects it names: products inherit none. For a step a product inherits, name the product's, as DOMAIN.PRODUCT.STEP.",
}

func (d *decoder) blueprint(b *hcl.Block) *ast.Blueprint {
	c := d.content(b.Body, blueprintSchema)
	bp := &ast.Blueprint{DeclRange: d.rng(b.DefRange), BlockRange: d.rng(b.DefRange)}
	if body, ok := b.Body.(*hclsyntax.Body); ok {
		bp.BlockRange = d.rng(hcl.RangeBetween(b.DefRange, body.SrcRange))
	}
	bp.Name, bp.NameRange = d.label(b)
	bp.For = d.str(c, "for", b.DefRange)
	bp.Extends = d.ref(c, "extends", "a blueprint")
	_, written := c.Attributes["extends"]
	bp.ExtendsBad = written && bp.Extends == nil
	delete(c.Attributes, "for")
	delete(c.Attributes, "extends")
	kind, ok := blueprintKinds[bp.For.V]
	if !bp.For.Set || bp.For.Bad {
		return bp
	}
	if !ok {
		kinds := slices.Sorted(maps.Keys(blueprintKinds))
		d.add(diag.Diagnostics{diag.Errorf("invalid-value", bp.For.Range, "Unknown blueprint kind",
			"A blueprint is for \"product\" or for \"domain\", not %q.%s", bp.For.V, suggest.DidYouMean(bp.For.V, kinds))})
		bp.For.Bad = true
		return bp
	}
	for _, name := range slices.Sorted(maps.Keys(c.Attributes)) {
		if slices.Contains(kind.attrs, name) {
			continue
		}
		attr := c.Attributes[name]
		d.add(diag.Diagnostics{diag.Errorf("unknown-attribute", d.rng(attr.NameRange), fmt.Sprintf("%s in a %s blueprint", upperFirst(name), bp.For.V),
			"A %s blueprint sets %s. %s", bp.For.V, allowed(kind.attrs, kind.blocks), whyNot(name, bp.For.V))})
		delete(c.Attributes, name)
	}
	var blocks hcl.Blocks
	for _, cb := range c.Blocks {
		if slices.Contains(kind.blocks, cb.Type) {
			blocks = append(blocks, cb)
			continue
		}
		d.add(diag.Diagnostics{diag.Errorf("misplaced-block", d.rng(cb.DefRange), fmt.Sprintf("%s block in a %s blueprint", upperFirst(cb.Type), bp.For.V),
			"A %s blueprint sets %s. %s", bp.For.V, allowed(kind.attrs, kind.blocks), whyNot(cb.Type, bp.For.V))})
	}
	c.Blocks = blocks
	switch bp.For.V {
	case "product":
		p := &ast.Product{Name: bp.Name, NameRange: bp.NameRange, DeclRange: bp.DeclRange}
		d.productBody(p, b, c)
		bp.Product = p
	case "domain":
		dom := &ast.Domain{Name: bp.Name, NameRange: bp.NameRange, DeclRange: bp.DeclRange}
		dom.Owner = d.str(c, "owner", b.DefRange)
		dom.Description = d.prose(c, "description", b.DefRange)
		dom.Layer = d.str(c, "layer", b.DefRange)
		dom.Owner.Bad = dom.Owner.Bad || d.misspelt("owner", dom.Owner.Set)
		dom.Layer.Bad = dom.Layer.Bad || d.misspelt("layer", dom.Layer.Set)
		dom.Description.Bad = dom.Description.Bad || d.misspelt("description", dom.Description.Set)
		bp.Domain = dom
	}
	return bp
}

func whyNot(name, kind string) string {
	if why, ok := notInBlueprint[name]; ok {
		return why
	}
	return fmt.Sprintf("A %s has no %s: remove it.", kind, name)
}

func allowed(attrs, blocks []string) string {
	var all []string
	for _, a := range attrs {
		if a != "tests" {
			all = append(all, a)
		}
	}
	for _, b := range blocks {
		switch b {
		case "schedule": // at most one each
			all = append(all, "a schedule block")
		case "sla":
			all = append(all, "an sla block")
		default:
			all = append(all, b+" blocks")
		}
	}
	if len(all) == 1 {
		return all[0]
	}
	return strings.Join(all[:len(all)-1], ", ") + " and " + all[len(all)-1]
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// applyBlueprints resolves every extends and merges each blueprint chain
// into the products and domains that extend it; then it reports domains
// left without an owner.
//
// A blueprint that nothing extends is a warning, on a mesh without errors:
// its settings are only checked where they land.
func (l *loader) applyBlueprints(failed bool) diag.Diagnostics {
	r := &blueprintResolver{byName: map[string]*ast.Blueprint{}, parent: map[*ast.Blueprint]*ast.Blueprint{}, cut: map[*ast.Blueprint]bool{}}
	for _, bp := range l.mesh.Blueprints {
		if first, ok := r.byName[bp.Name]; ok {
			r.errorf("duplicate-name", bp.NameRange, "Duplicate blueprint",
				"A blueprint named %q is already declared at %s. Blueprint names are unique in the mesh: rename or remove one.", bp.Name, first.DeclRange)
			continue
		}
		r.byName[bp.Name] = bp
	}
	for _, bp := range l.mesh.Blueprints {
		if bp.ExtendsBad {
			r.cut[bp] = true
		}
		if bp.Extends == nil || r.byName[bp.Name] != bp || !bp.For.Set || bp.For.Bad {
			continue
		}
		if base := r.lookup(bp.Extends, bp.For.V, fmt.Sprintf("blueprint.%s, a blueprint for a %s,", bp.Name, bp.For.V)); base != nil {
			r.parent[bp] = base
		} else {
			r.cut[bp] = true
		}
	}
	r.breakCycles()
	used := map[*ast.Blueprint]bool{}
	for _, dom := range l.mesh.Domains {
		if dom.Extends != nil {
			bp := r.lookup(dom.Extends, "domain", "domain "+dom.Name)
			for _, b := range r.chain(bp) {
				mergeDomain(dom, b.Domain)
				dom.Blueprints = append(dom.Blueprints, b.Name)
				used[b] = true
			}
			if r.broken(bp) {
				unknownInheritance(dom, nil)
			}
		}
		for _, p := range dom.Products {
			if p.Extends == nil {
				continue
			}
			bp := r.lookup(p.Extends, "product", "product "+p.Name)
			chain := r.chain(bp)
			mergeProduct(p, chain)
			for _, b := range chain {
				p.Blueprints = append(p.Blueprints, b.Name)
				used[b] = true
			}
			if r.broken(bp) {
				unknownInheritance(nil, p)
			}
		}
		if !dom.Owner.Set && !dom.Owner.Bad {
			r.errorf("missing-attribute", l.bodies[dom], "Missing required argument",
				"A domain needs an owner, the team's address, such as owner = \"physician-team@example.com\": add it inside the braces, or extend a blueprint that sets one.")
		}
	}
	for _, bp := range l.mesh.Blueprints {
		if failed || r.diags.HasErrors() {
			break // the mistakes first; a blueprint may be unused because of them
		}
		if !used[bp] && r.byName[bp.Name] == bp {
			r.diags = append(r.diags, diag.Warnf("blueprint-unused", bp.NameRange, "Blueprint nothing extends",
				"No product or domain extends blueprint.%s, directly or through another blueprint, so its settings are not checked: they are checked in each object that extends it. Extend it, or remove it.", bp.Name))
		}
	}
	return r.diags
}

type blueprintResolver struct {
	byName map[string]*ast.Blueprint
	parent map[*ast.Blueprint]*ast.Blueprint // what each blueprint extends
	// cut holds the blueprints whose extends failed or closed a loop: what
	// they would have inherited is unknown.
	cut   map[*ast.Blueprint]bool
	diags diag.Diagnostics
}

// broken reports whether what extending bp gives is unknown: bp did not
// resolve, or a blueprint of its chain extends one that did not.
func (r *blueprintResolver) broken(bp *ast.Blueprint) bool {
	if bp == nil {
		return true
	}
	return slices.ContainsFunc(r.chain(bp), func(b *ast.Blueprint) bool { return r.cut[b] })
}

// unknownInheritance marks what an object may have meant to inherit from a
// blueprint that could not be resolved, so that the checker does not also
// report it missing: one mistake, one diagnostic.
func unknownInheritance(dom *ast.Domain, p *ast.Product) {
	if dom != nil {
		for _, s := range []*ast.String{&dom.Owner, &dom.Layer, &dom.Description} {
			if !s.Set {
				s.Bad = true
			}
		}
	}
	if p != nil {
		// "extends" tells later stages that what the product inherits is
		// unknown: the policies stand down on it too.
		p.Broken = append(p.Broken, "step", "schedule", "extends")
	}
}

func (r *blueprintResolver) errorf(code string, at diag.Range, summary, detail string, args ...any) {
	r.diags = append(r.diags, diag.Errorf(code, at, summary, detail, args...))
}

// lookup resolves the extends of who, which wants a blueprint for kind.
func (r *blueprintResolver) lookup(ref *ast.Ref, kind, who string) *ast.Blueprint {
	if len(ref.Parts) != 2 || ref.Parts[0].Name != "blueprint" {
		r.errorf("unresolved-reference", ref.Range, "Blueprint expected",
			"extends names a blueprint, written blueprint.NAME, not %s.", ref)
		return nil
	}
	name := ref.Parts[1]
	bp, ok := r.byName[name.Name]
	if !ok {
		names := slices.Sorted(maps.Keys(r.byName))
		r.errorf("unresolved-reference", name.Range, "Unknown blueprint",
			"No blueprint is named %q.%s Blueprints are declared in mesh.hcl or in a folder outside any domain, as blueprint \"NAME\" { for = %q ... }.",
			name.Name, suggest.DidYouMean(name.Name, names), kind)
		return nil
	}
	if bp.For.Bad || !bp.For.Set {
		return nil // reported where the blueprint is declared
	}
	if bp.For.V != kind {
		r.errorf("blueprint-kind", ref.Range, fmt.Sprintf("Blueprint for a %s", bp.For.V),
			"%s is a blueprint for a %s (for = %q at %s), and %s can extend only a blueprint whose for is %q.",
			ref, bp.For.V, bp.For.V, bp.For.Range, who, kind)
		return nil
	}
	return bp
}

// breakCycles reports each loop of extends once, at the extends of its
// first blueprint by name, and cuts it there so that chains end.
func (r *blueprintResolver) breakCycles() {
	done := map[*ast.Blueprint]bool{}
	for _, name := range slices.Sorted(maps.Keys(r.byName)) {
		start := r.byName[name]
		var path []*ast.Blueprint
		onPath := map[*ast.Blueprint]int{}
		for bp := start; bp != nil && !done[bp]; bp = r.parent[bp] {
			if i, ok := onPath[bp]; ok {
				loop := path[i:]
				first := slices.MinFunc(loop, func(a, b *ast.Blueprint) int { return strings.Compare(a.Name, b.Name) })
				k := slices.Index(loop, first)
				loop = append(loop[k:len(loop):len(loop)], loop[:k]...)
				names := make([]string, len(loop))
				for i, b := range loop {
					names[i] = "blueprint." + b.Name
				}
				r.errorf("cycle", first.Extends.Range, "Cycle among blueprints",
					"These blueprints extend each other in a loop, so none of them has values to start from:\n  %s\nEach arrow means the blueprint before it extends the one after it. Remove one of these extends.",
					diag.Loop(names))
				delete(r.parent, first)
				r.cut[first] = true
				break
			}
			onPath[bp] = len(path)
			path = append(path, bp)
		}
		for _, bp := range path {
			done[bp] = true
		}
	}
}

// chain lists bp and the blueprints it extends, nearest first. Loops are
// cut before (breakCycles), so a chain holds each blueprint once at most;
// the bound is for safety's sake.
func (r *blueprintResolver) chain(bp *ast.Blueprint) []*ast.Blueprint {
	var out []*ast.Blueprint
	for ; bp != nil && len(out) <= len(r.byName); bp = r.parent[bp] {
		out = append(out, bp)
	}
	return out
}

// inherit gives s the blueprint's value when the object did not set it.
func inherit(s *ast.String, from ast.String) {
	if !s.Set && !s.Bad && (from.Set || from.Bad) {
		*s = from
	}
}

func mergeDomain(dom, bp *ast.Domain) {
	inherit(&dom.Owner, bp.Owner)
	inherit(&dom.Description, bp.Description)
	inherit(&dom.Layer, bp.Layer)
}

// mergeProduct merges a chain of blueprints, nearest first, into a product:
// its own values win, then the nearest blueprint's. The tags, steps and
// tests that a blueprint adds go before those of the product and of the
// blueprints nearer it, so that the farthest's come first; a tag that
// several blueprints list goes where the farthest puts it. Blocks are
// copied, so that no two products share a node the compiler may annotate.
// What a product holds already is looked up in sets, so that a chain costs
// what it adds, not its square.
func mergeProduct(p *ast.Product, chain []*ast.Blueprint) {
	tags := map[string]bool{}
	for _, t := range p.Tags.V {
		tags[t.V] = true
	}
	steps, tests := map[string]bool{}, map[string]bool{}
	for _, s := range p.Steps {
		steps[s.Name] = true
	}
	for _, t := range p.Tests {
		tests[t.Written().Name.V] = true
	}
	var chainTags [][]ast.String // each blueprint's, nearest first
	var addedSteps [][]*ast.Step
	var addedTests [][]*ast.TestUse
	for _, b := range chain {
		bp := b.Product
		inherit(&p.Owner, bp.Owner)
		inherit(&p.Description, bp.Description)
		if bp.Tags.Set || bp.Tags.Bad {
			chainTags = append(chainTags, bp.Tags.V)
			if !p.Tags.Set && !p.Tags.Bad {
				p.Tags.Range = bp.Tags.Range
			}
			p.Tags.Set = p.Tags.Set || bp.Tags.Set
			p.Tags.Bad = p.Tags.Bad || bp.Tags.Bad
		}
		// A step or a test of a name the product or a nearer blueprint
		// has is theirs; one that a blueprint lists twice is reported as
		// the product's duplicate.
		var added []*ast.Step
		for _, s := range bp.Steps {
			if !steps[s.Name] {
				c := *s
				added = append(added, &c)
			}
		}
		for _, s := range added {
			steps[s.Name] = true
		}
		addedSteps = append(addedSteps, added)
		var addedT []*ast.TestUse
		for _, t := range bp.Tests {
			if !tests[t.Written().Name.V] {
				c := *t
				addedT = append(addedT, &c)
			}
		}
		for _, t := range addedT {
			tests[t.Written().Name.V] = true
		}
		addedTests = append(addedTests, addedT)
		if p.Schedule == nil && bp.Schedule != nil && !slices.Contains(p.Broken, "schedule") {
			c := *bp.Schedule
			p.Schedule = &c
		}
		if p.SLA == nil && bp.SLA != nil && !slices.Contains(p.Broken, "sla") {
			c := *bp.SLA
			p.SLA = &c
		}
	}
	// Each tag once, where the farthest blueprint that lists it puts it,
	// unless the product lists it itself.
	var added []ast.String
	for i := len(chainTags) - 1; i >= 0; i-- {
		for _, t := range chainTags[i] {
			if !tags[t.V] {
				tags[t.V] = true
				added = append(added, t)
			}
		}
	}
	p.Tags.V = append(added, p.Tags.V...)
	p.Steps = farthestFirst(addedSteps, p.Steps)
	p.Tests = farthestFirst(addedTests, p.Tests)
}

// farthestFirst joins what each blueprint of a chain added, the farthest's
// first, and the product's own.
func farthestFirst[T any](added [][]T, own []T) []T {
	var all []T
	for i := len(added) - 1; i >= 0; i-- {
		all = append(all, added[i]...)
	}
	return append(all, own...)
}
