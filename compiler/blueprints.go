package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// blueprintFiles sets the BlueprintFiles of every domain and product of
// the plan: the files of the blueprints loading merged into it, nearest
// first, each once. Plan.SourceFiles names them in generated files'
// headers, since an owner, a description, tags or a layer that a
// blueprint gives reaches the targets with no range of its own. An
// object's blueprints are the chain of its nearest one, so the objects
// that extend one blueprint share one list, made once: at 100,000
// products, which most often extend one of a few blueprints, that is a
// map lookup each.
func (c *compiler) blueprintFiles() {
	fileOf := map[string]string{}
	for _, bp := range c.mesh.Blueprints {
		if _, dup := fileOf[bp.Name]; !dup { // a second of one name is reported; loading uses the first
			fileOf[bp.Name] = bp.DeclRange.Filename()
		}
	}
	if len(fileOf) == 0 {
		return
	}
	chains := map[string][]string{} // by the nearest blueprint's name
	filesOf := func(blueprints []string) []string {
		if len(blueprints) == 0 {
			return nil
		}
		files, done := chains[blueprints[0]]
		if !done {
			for _, name := range blueprints {
				if f := fileOf[name]; f != "" && !slices.Contains(files, f) {
					files = append(files, f)
				}
			}
			chains[blueprints[0]] = files
		}
		return files
	}
	for _, ds := range c.domainList {
		ds.plan.BlueprintFiles = filesOf(ds.ast.Blueprints)
	}
	for _, ps := range c.products {
		ps.plan.BlueprintFiles = filesOf(ps.blueprints)
	}
}

// onceInBlueprints reports each problem with a value a blueprint gives
// once, however many objects inherit the value. Loading merges the value
// into every object that extends the blueprint, and the stages check each
// object, so a problem with it is found once per object, at the same
// blueprint line. Where the diagnostics are identical, Sorted keeps one;
// but most also name the object, or something of it (its slowest
// upstream, its steps), and differ only there.
//
// The diagnostics within a blueprint's block that share a severity, a
// code, a summary and a range are one problem: the one whose detail
// sorts first is kept, which, as details mostly name the object early,
// is mostly the first object's by name, and whatever order the checks
// ran in. Its detail then says how many more objects that extend the
// blueprint have the problem, counted by their distinct details. Policy
// violations are left one per object: each object is waived on its own.
func onceInBlueprints(ds diag.Diagnostics, blueprints []*ast.Blueprint) diag.Diagnostics {
	byFile := map[string][]*ast.Blueprint{}
	for _, bp := range blueprints {
		if f := bp.BlockRange.Filename(); f != "" {
			byFile[f] = append(byFile[f], bp)
		}
	}
	if len(byFile) == 0 {
		return ds
	}
	within := func(r *diag.Range) *ast.Blueprint {
		if r == nil {
			return nil
		}
		return blueprintHolding(byFile[r.Filename()], *r)
	}
	type problem struct {
		severity      diag.Severity
		code, summary string
		at            diag.Range
	}
	type found struct {
		bp      *ast.Blueprint
		index   int // where the kept diagnostic goes in out
		first   *diag.Diagnostic
		details map[string]bool
	}
	groups := map[problem]*found{}
	var order []*found // groups in the order they started, for determinism
	out := make(diag.Diagnostics, 0, len(ds))
	for _, d := range ds {
		bp := within(d.Subject)
		if bp == nil || d.Code == "policy-violation" {
			out = append(out, d)
			continue
		}
		key := problem{d.Severity, d.Code, d.Summary, *d.Subject}
		g := groups[key]
		if g == nil {
			g = &found{bp: bp, index: len(out), first: d, details: map[string]bool{}}
			groups[key] = g
			order = append(order, g)
			out = append(out, d) // replaced below by the one kept
		} else if d.Detail < g.first.Detail {
			g.first = d
		}
		g.details[d.Detail] = true
	}
	for _, g := range order {
		kept := *g.first
		if more := len(g.details) - 1; more > 0 {
			kind := g.bp.For.V // set: only a blueprint for a kind is merged
			note := fmt.Sprintf("%d more %ss that extend blueprint.%s have this problem too.", more, kind, g.bp.Name)
			if more == 1 {
				note = fmt.Sprintf("1 more %s that extends blueprint.%s has this problem too.", kind, g.bp.Name)
			}
			kept.Detail = strings.TrimSpace(kept.Detail + " " + note)
		}
		out[g.index] = &kept
	}
	return out
}

// blueprintHolding returns the blueprint among bps whose block holds r,
// if any: a product's argument or block may be merged in from one.
func blueprintHolding(bps []*ast.Blueprint, r diag.Range) *ast.Blueprint {
	start, end := r.Offsets()
	for _, bp := range bps {
		if bs, be := bp.BlockRange.Offsets(); bp.BlockRange.Filename() == r.Filename() && start >= bs && end <= be && start >= 0 {
			return bp
		}
	}
	return nil
}
