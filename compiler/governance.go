package compiler

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Governance: policies are rules over the objects of the mesh, evaluated
// per object against the object model (governance_model.go), with an
// enforcement level; waivers are recorded, temporary exceptions to
// soft-mandatory ones.
//
// Federation: central policies (mesh.hcl, shared folders, the standard
// library's sets the mesh opts into) apply to every domain, or to the
// domains they list; a domain's own policies see only that domain's
// objects, and can only add rules: they cannot reuse a central policy's
// name, nor select another domain, and a domain cannot waive a central
// policy, whose waivers live centrally, where the platform team reviews
// them.

// Enforcement levels, as in Sentinel.
const (
	advisory      = "advisory"
	softMandatory = "soft_mandatory"
	hardMandatory = "hard_mandatory"
)

var enforcementLevels = []string{advisory, softMandatory, hardMandatory}

// enforcementAliases are other spellings of the levels, for suggestions.
var enforcementAliases = map[string]string{
	"soft": softMandatory, "hard": hardMandatory, "soft-mandatory": softMandatory, "hard-mandatory": hardMandatory,
	"warn": advisory, "warning": advisory, "mandatory": hardMandatory,
}

// policy is a declared policy and what evaluating it found.
type policy struct {
	ast    *ast.Policy
	domain *domainScope // nil for a central policy
	level  string       // "" when the enforcement is invalid (reported)
	kind   string       // "" when on is invalid (reported)
	active bool         // central policies in a set the mesh does not opt into are not
	broken bool         // declared wrongly (reported): not evaluated
	failed bool         // an expression failed on some object: reported once
	// messageFailed: the message could not be rendered for some object,
	// reported once, as a warning.
	messageFailed bool
	// duplicate is set for a second policy of one name, or a domain's
	// policy with a central one's name: reported, checked, not evaluated.
	duplicate bool
	domains   map[string]bool

	proj     map[string]*projection // what its when and assert read, by variable
	msgProj  map[string]*projection // what its message reads as well
	when     *condition             // nil when it has none
	assert   *condition
	violated map[*govObject]string // the message, by object
	// violatedInOrder are the objects of violated in the model's order.
	violatedInOrder []*govObject
	undecided       map[*govObject]bool // objects it could not be evaluated for
	outcome         *PolicyOutcome
}

// name is how messages name the policy.
func (p *policy) name() string { return p.ast.Name }

// origin says where the policy comes from, for messages.
func (p *policy) origin() string {
	switch {
	case p.domain != nil:
		return "of domain " + p.domain.plan.Name
	case p.ast.Stdlib:
		return fmt.Sprintf("of the standard library's %s set", p.ast.Set.V)
	}
	return "of the mesh"
}

// covers reports whether the policy applies to an object of its kind.
func (p *policy) covers(o *govObject) bool { return p.coversDomain(o.domain) }

// coversDomain reports whether the policy applies to a domain's objects.
func (p *policy) coversDomain(ds *domainScope) bool {
	if p.domain != nil {
		return ds == p.domain
	}
	return p.domains == nil || p.domains[ds.plan.Name]
}

// waiver is a declared waiver.
type waiver struct {
	ast     *ast.Waiver
	domain  *domainScope // nil for a central waiver
	policy  *policy      // nil when its policy did not resolve
	expired bool
	// refused says why a waiver with errors of its own (reported) exempts
	// nothing: its name, objects, reason, approver or expires is missing
	// or wrong, or it reaches outside its domain. Each is a clause, such
	// as "its reason is empty", for the violations it names and the
	// report.
	refused []string
	valid   bool      // it exempts objects: resolved, soft-mandatory, not expired, not refused
	expires time.Time // its last valid day; zero when expires is not a date
	entries []waiverEntry
}

// waiverNoticeDays is how many days before a waiver's last valid day
// (expires) a waiver that exempts objects is a warning, so that its
// renewal or the fixes can be made before the check fails: two weeks,
// one sprint's length, so that one planning meeting sees it.
const waiverNoticeDays = 14

type waiverEntry struct {
	id   ast.String
	obj  *govObject // nil when it names no object of the policy's kind
	used bool
}

// governance declares and checks the policies and waivers, evaluates the
// active policies against the object model, and reports the violations
// that no valid waiver covers.
func (c *compiler) governance() {
	fns := c.policyFunctions()
	chosen := c.policySets()
	central := map[string]*policy{}
	var policies []*policy
	for _, a := range c.mesh.Policies {
		if a.Stdlib && !chosen[a.Set.V] {
			continue // the standard library's sets take no names until the mesh opts into them
		}
		p := c.declarePolicy(a, nil, central, nil, fns)
		policies = append(policies, p)
		if !p.duplicate {
			central[a.Name] = p
		}
	}
	perDomain := map[*domainScope]map[string]*policy{}
	for _, ds := range c.domainList {
		own := map[string]*policy{}
		perDomain[ds] = own
		for _, a := range ds.ast.Policies {
			p := c.declarePolicy(a, ds, own, central, fns)
			policies = append(policies, p)
			if !p.duplicate {
				own[a.Name] = p
			}
		}
	}
	for _, p := range policies {
		p.active = !p.ast.Set.Set || chosen[p.ast.Set.V]
		p.outcome.Active = p.active
	}

	var waivers []*waiver
	scopes := &policyScopes{central: central, perDomain: perDomain, chosen: chosen}
	centrally := waiverScope{seen: map[string]*ast.Waiver{}, policyScopes: scopes}
	for _, a := range c.mesh.Waivers {
		waivers = append(waivers, c.declareWaiver(a, centrally))
	}
	for _, ds := range c.domainList {
		inDomain := waiverScope{domain: ds, seen: map[string]*ast.Waiver{}, policyScopes: scopes}
		for _, a := range ds.ast.Waivers {
			waivers = append(waivers, c.declareWaiver(a, inDomain))
		}
	}

	var m *model
	if len(waivers) > 0 || slices.ContainsFunc(policies, func(p *policy) bool { return p.active && !p.broken }) {
		m = c.buildModel(modelKinds(policies, waivers))
	}
	if m != nil {
		m.want(waivers)
		c.evaluateAll(policies, m, fns)
	}
	for _, w := range waivers {
		c.matchWaiver(w, m)
		if w.expired {
			c.waiverExpired(w)
		} else {
			c.waiverExpiring(w)
		}
	}
	c.waivedTwice(waivers)
	for _, p := range policies {
		c.reportViolations(p, waivers)
		if !p.duplicate {
			c.policyOutcomes = append(c.policyOutcomes, p.outcome)
		}
	}
	sortPolicyOutcomes(c.policyOutcomes)
}

// modelKinds are the kinds of object the model needs: those the active
// policies are on, and those waivers name objects of.
func modelKinds(policies []*policy, waivers []*waiver) map[string]bool {
	kinds := map[string]bool{}
	for _, p := range policies {
		if p.active && !p.broken {
			kinds[p.kind] = true
		}
	}
	for _, w := range waivers {
		if w.policy != nil {
			kinds[w.policy.kind] = true
		}
	}
	return kinds
}

// declarePolicy checks a policy block. names holds the policies already
// declared in its scope; central, for a domain policy, the central ones,
// which it may not shadow.
func (c *compiler) declarePolicy(a *ast.Policy, ds *domainScope, names, central map[string]*policy, fns map[string]function.Function) *policy {
	c.checkName("policy", a.Name, a.NameRange)
	p := &policy{ast: a, domain: ds, active: true, violated: map[*govObject]string{}, undecided: map[*govObject]bool{}}
	if first, dup := names[a.Name]; dup {
		c.duplicateOf("policy", a.Name, a.NameRange, first.ast.DeclRange, first.ast.Stdlib && !a.Stdlib)
		p.duplicate = true
	}
	if first, clash := central[a.Name]; clash {
		p.duplicate = true
		c.errorf("duplicate-name", a.NameRange, "Domain policy shadows a central policy",
			"The central policy %s is declared at %s. A domain's policies add rules to the central ones and can neither replace nor weaken them, so this one needs a name of its own, such as %q.",
			a.Name, first.ast.DeclRange, ds.plan.Name+"_"+a.Name)
	}
	p.outcome = &PolicyOutcome{Name: a.Name, Description: a.Description.V, Set: a.Set.V, Stdlib: a.Stdlib, Enforcement: a.Enforcement.V, On: a.On.V, Range: a.DeclRange}
	if ds != nil {
		p.outcome.Domain = ds.plan.Name
	}
	if a.Enforcement.Set {
		if slices.Contains(enforcementLevels, a.Enforcement.V) {
			p.level = a.Enforcement.V
		} else {
			hint := suggest.DidYouMean(a.Enforcement.V, enforcementLevels)
			if meant, ok := enforcementAliases[strings.ToLower(a.Enforcement.V)]; ok {
				hint = fmt.Sprintf(" Did you mean %q?", meant)
			}
			c.errorf("invalid-value", a.Enforcement.Range, "Unknown enforcement level",
				"%q is not an enforcement level.%s A policy is \"advisory\" (a violation is a warning), \"soft_mandatory\" (an error unless a waiver covers it) or \"hard_mandatory\" (an error that no waiver lifts).", a.Enforcement.V, hint)
		}
	}
	if a.On.Set {
		if slices.Contains(policyKinds, a.On.V) {
			p.kind = a.On.V
		} else {
			c.errorf("invalid-value", a.On.Range, "Unknown kind of object",
				"A policy is on one kind of object, and there is no kind %q.%s The kinds are: %s.", a.On.V, suggest.DidYouMean(a.On.V, policyKinds), strings.Join(policyKinds, ", "))
		}
	}
	if a.Set.Set {
		c.checkName("policy set", a.Set.V, a.Set.Range)
	}
	c.policyDomains(p)
	if p.duplicate || p.level == "" || p.kind == "" || a.Assert == nil || a.Message == nil {
		p.broken = true // reported: the policy cannot be evaluated
	}
	if p.kind != "" {
		for _, e := range []struct {
			what string
			expr ast.Expr
		}{{"when", a.When}, {"assert", a.Assert}, {"message", a.Message}} {
			if e.expr != nil && !c.checkExpr(p, e.what, e.expr, fns) {
				p.broken = true
			}
		}
	}
	if !p.broken {
		p.proj = project(p.kind, a.When, a.Assert)
		p.msgProj = project(p.kind, a.When, a.Assert, a.Message)
		if a.When != nil {
			p.when = newCondition(p.kind, "when", a.When)
		}
		p.assert = newCondition(p.kind, "assert", a.Assert)
	}
	return p
}

// policyDomains checks a policy's domains: for a central policy, the
// domains it is restricted to; a domain's policy may name only its own.
func (c *compiler) policyDomains(p *policy) {
	a := p.ast
	if !a.Domains.Set {
		return
	}
	if a.Domains.Bad {
		// Reported when loading; applying the policy to no domain would
		// read as "no object of this kind".
		p.broken = true
		return
	}
	if len(a.Domains.V) == 0 {
		c.errorf("invalid-value", a.Domains.Range, "Empty list of domains",
			"domains lists the domains the policy applies to; without it, the policy applies to every domain. Remove it, or list domains.")
		p.broken = true
	}
	// A policy whose list of domains is wrong is not evaluated: applied to
	// the domains that are right, it would pass or fail objects on a scope
	// its author did not mean.
	p.domains = map[string]bool{}
	for _, d := range a.Domains.V {
		if p.domains[d.V] {
			c.warnf("duplicate-name", d.Range, "Duplicate domain", "The domain %q is already listed in domains; remove this one.", d.V)
			continue
		}
		switch {
		case p.domain != nil && d.V != p.domain.plan.Name:
			c.errorf("policy-scope", d.Range, "Domain policy reaches outside its domain",
				"The policies of domain %s apply only to its own objects, so this one cannot select domain %q. A rule for other domains is a central policy: ask the platform team to add it in mesh.hcl or a shared folder, with domains = [%q].",
				p.domain.plan.Name, d.V, d.V)
			p.broken = true
		case p.domain == nil && c.domains[d.V] == nil:
			c.unknown("domain", d.V, "in the mesh", d.Range, c.domainNames)
			p.broken = true
		}
		p.domains[d.V] = true
	}
}

// checkExpr checks a policy expression before it is evaluated: every
// function and variable it names must exist, every attribute it reads
// must be one the object model has, and evaluated with unknown objects
// of the right types it must give a value of the right type. It reports
// what is wrong and returns false.
func (c *compiler) checkExpr(p *policy, what string, e ast.Expr, fns map[string]function.Function) bool {
	ok := true
	for _, call := range e.Calls() {
		if _, known := fns[call.Name.Name]; !known {
			c.errorf("unresolved-reference", call.Name.Range, "Call to an unknown function",
				"There is no function %q in policy expressions.%s docs/governance.md lists the functions.", call.Name.Name, suggest.Function(call.Name.Name, functionNames(fns)))
			ok = false
		}
	}
	visible := variablesOf(p.kind)
	for _, t := range e.Traversals() {
		root := t[0]
		if !slices.Contains(visible, root.Name) {
			detail := fmt.Sprintf("A policy on %s sees %s.", p.kind, andList(visible))
			if slices.Contains(policyKinds, root.Name) {
				detail = fmt.Sprintf("A policy on %s sees only %s: an object sees the objects it sits in, not those beside or inside it.", p.kind, andList(visible))
			}
			c.errorf("unresolved-reference", root.Range, "Unknown variable", "There is no %q in a policy on %s.%s %s",
				root.Name, p.kind, suggest.DidYouMean(root.Name, visible), detail)
			ok = false
			continue
		}
		typ, path := objectTypes[root.Name], root.Name
		for _, step := range t[1:] {
			if typ.IsMapType() || typ == cty.DynamicPseudoType {
				break // any key may be there
			}
			if !typ.IsObjectType() {
				// Evaluation would find it only on the branches it takes
				// (a || b stops early), and then blame a null value.
				c.errorf("unresolved-reference", step.Range, "Attribute of a value that has none",
					"%s is %s, which has no attributes: remove .%s.", path, typ.FriendlyName(), step.Name)
				ok = false
				break
			}
			if !typ.HasAttribute(step.Name) {
				names := sortedKeys(typ.AttributeTypes())
				c.errorf("unresolved-reference", step.Range, "Unknown attribute",
					"%s has no attribute %q.%s Its attributes are: %s.", path, step.Name, suggest.DidYouMean(step.Name, names), strings.Join(names, ", "))
				ok = false
				break
			}
			typ, path = typ.AttributeType(step.Name), path+"."+step.Name
		}
	}
	if !ok {
		return false
	}
	vars := map[string]cty.Value{}
	for _, v := range visible {
		vars[v] = cty.UnknownVal(objectTypes[v])
	}
	v, ds := e.Evaluate(vars, fns)
	for _, d := range ds {
		if d.Severity == diag.Error {
			c.diags = append(c.diags, policyExprError(d, e, ""))
			return false
		}
	}
	want, t := cty.Bool, v.Type()
	fits := t == cty.Bool || t == cty.DynamicPseudoType
	if what == "message" {
		want, fits = cty.String, t.IsPrimitiveType() || t == cty.DynamicPseudoType
	}
	if !fits {
		c.errorf("policy-expression", e.Range(), fmt.Sprintf("%s is not %s", what, describeType(want)),
			"A policy's %s must give %s, but this gives %s.%s", what, describeType(want), describeType(v.Type()), exprHint(what))
		return false
	}
	return true
}

func describeType(t cty.Type) string {
	switch {
	case t == cty.Bool:
		return "true or false"
	case t == cty.String:
		return "text"
	case t == cty.Number:
		return "a number"
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "an object"
	}
	return t.FriendlyName()
}

func exprHint(what string) string {
	if what == "message" {
		return " Write text, with ${...} for values: \"port ${port.id} has no tests\"."
	}
	return " Compare it with something, as in port.visibility == \"public\" or length(port.tests) > 0."
}

// policyExprError builds the diagnostic for a problem HCL found in a
// policy expression. For a problem with one object, subject says which.
// It is reported unless loading already reported an error there.
func policyExprError(d *diag.Diagnostic, e ast.Expr, subject string) *diag.Diagnostic {
	at := e.Range()
	if d.Subject != nil {
		at = *d.Subject
	}
	detail := strings.TrimSpace(d.Detail)
	if detail != "" && !strings.HasSuffix(detail, ".") {
		detail += "."
	}
	if subject == "" {
		return diag.Errorf("policy-expression", at, d.Summary, "%s", detail)
	}
	hint := " Absent values are null: guard against them, as in port.description != null && ..., or use try(...)."
	if d.Code == load.BoundCode {
		hint = "" // no guard helps
	}
	return diag.Errorf("policy-expression", at, "Policy cannot be evaluated",
		"Evaluating it for the %s failed (%s): %s It is not applied to the objects it fails for, and this is reported once, for the first.%s",
		subject, strings.ToLower(d.Summary), detail, hint)
}

// policySets checks the mesh's policy_sets against the sets the policies
// of the mesh and the standard library belong to, and returns the sets
// chosen.
func (c *compiler) policySets() map[string]bool {
	sets := map[string]bool{}
	for _, a := range c.mesh.Policies {
		if a.Set.Set {
			sets[a.Set.V] = true
		}
	}
	for _, ds := range c.domainList {
		for _, a := range ds.ast.Policies {
			if a.Set.Set {
				sets[a.Set.V] = true
			}
		}
	}
	chosen := map[string]bool{}
	if r := c.mesh.Root; r != nil {
		for _, s := range r.PolicySets.V {
			if chosen[s.V] {
				c.errorf("duplicate-name", s.Range, "Duplicate policy set", "The policy set %q is listed twice; remove one.", s.V)
				continue
			}
			chosen[s.V] = true
			if !sets[s.V] {
				c.unknown("policy set", s.V, "among the policies of the mesh and the standard library", s.Range, sortedKeys(sets))
			}
		}
	}
	return chosen
}

// waiverScope is where a waiver is declared: centrally (domain nil) or in
// a domain, with the waivers of that scope declared before it, whose names
// it may not take, and the policies its reference may resolve to.
type waiverScope struct {
	domain *domainScope
	seen   map[string]*ast.Waiver
	*policyScopes
}

// policyScopes are the declared policies, central and per domain, and
// the policy sets the mesh opts into.
type policyScopes struct {
	central   map[string]*policy
	perDomain map[*domainScope]map[string]*policy
	chosen    map[string]bool
}

// declareWaiver checks a waiver block and resolves its policy. Every
// error of its own adds to refused, which makes it exempt nothing.
func (c *compiler) declareWaiver(a *ast.Waiver, s waiverScope) *waiver {
	w := &waiver{ast: a, domain: s.domain}
	c.waiverName(w, s.seen)
	c.waiverArguments(w)
	if a.Policy != nil {
		w.policy = c.waivedPolicy(a.Policy, s)
	}
	c.waiverEntries(w)
	c.waiverLevel(w)
	// A waiver with errors of its own exempts nothing, as one of a
	// hard-mandatory policy: an exception without a reason, an approver or
	// a date it ends on, or under a name that is not its own, is not one
	// anybody reviewed.
	w.valid = w.policy != nil && w.policy.level == softMandatory && !w.expired && len(w.refused) == 0
	return w
}

// waiverName checks a waiver's name, and that no waiver declared before
// it in its scope (seen) has it.
func (c *compiler) waiverName(w *waiver, seen map[string]*ast.Waiver) {
	a := w.ast
	if !c.checkName("waiver", a.Name, a.NameRange) {
		w.refused = append(w.refused, "its name is invalid")
	}
	// The second of two waivers with one name is refused, not the first:
	// which of the two the review approved cannot be told, and the first
	// was there before.
	if first, dup := seen[a.Name]; dup {
		c.duplicate("waiver", a.Name, a.NameRange, first.DeclRange)
		w.refused = append(w.refused, fmt.Sprintf("the waiver at %s has the same name", first.DeclRange))
	} else {
		seen[a.Name] = a
	}
}

// waiverArguments checks what a waiver records of its review: its reason,
// approver and expires date, its objects and description, and that it has
// no argument waivers do not take.
func (c *compiler) waiverArguments(w *waiver) {
	a := w.ast
	for _, s := range []struct {
		what string
		v    ast.String
	}{{"reason", a.Reason}, {"approver", a.Approver}} {
		if s.v.Set && strings.TrimSpace(s.v.V) == "" {
			c.errorf("invalid-value", s.v.Range, fmt.Sprintf("Empty %s", s.what),
				"A waiver records why the exception is acceptable (reason) and who approved it (approver, an address or handle), so that the review can be audited.")
		}
		// Unset is missing or of the wrong type, reported when loading.
		if why := missingOrBad(s.what, s.v); why != "" {
			w.refused = append(w.refused, why)
		} else if strings.TrimSpace(s.v.V) == "" {
			w.refused = append(w.refused, fmt.Sprintf("its %s is empty", s.what))
		}
	}
	if why := missingOrBad("expires", a.Expires); why != "" {
		w.refused = append(w.refused, why)
	}
	if a.Objects.Bad {
		w.refused = append(w.refused, "its objects are invalid")
	}
	// An argument it may go without counts too: a misspelt description,
	// or a ticket waivers do not take, was meant to say something the
	// review then read, and the waiver does not load as it was approved.
	if a.Description.Bad {
		w.refused = append(w.refused, "its description is invalid")
	}
	for _, name := range a.Unexpected {
		w.refused = append(w.refused, "waivers take no "+name)
	}
	if a.Expires.Set {
		date, ok := c.date(a.Expires)
		if !ok {
			w.refused = append(w.refused, fmt.Sprintf("its expires %q is not a date", a.Expires.V))
		} else {
			w.expires = date
		}
		w.expired = ok && c.today.After(date) // reported once its objects are judged (waiverExpired)
	}
	if a.Objects.Set && len(a.Objects.V) == 0 && !a.Objects.Bad {
		c.errorf("invalid-value", a.Objects.Range, "Waiver of nothing",
			"objects lists the IDs of the objects the waiver exempts, as the policy's violations name them, such as [\"physician.prescribers.prescribers\"].")
	}
}

// waiverEntries makes an entry of each object a waiver lists, once. Two
// entries are the same object when they meet the same one: a column's
// name in any case. Without a policy, the objects' kind is not known.
func (c *compiler) waiverEntries(w *waiver) {
	kind := ""
	if w.policy != nil {
		kind = w.policy.kind
	}
	listed := map[string]string{}
	for _, id := range w.ast.Objects.V {
		if first, dup := listed[waivedID(kind, id.V)]; dup {
			also := ""
			if first != id.V {
				also = fmt.Sprintf(" as %q (a column's name matches without regard to case)", first)
			}
			c.warnf("duplicate-name", id.Range, "Duplicate waived object", "The object %q is already listed in objects%s; remove this one.", id.V, also)
			continue
		}
		listed[waivedID(kind, id.V)] = id.V
		w.entries = append(w.entries, waiverEntry{id: id})
	}
}

// waiverLevel reports a waiver of a policy that takes none: only a
// soft-mandatory policy's violations can be waived.
func (c *compiler) waiverLevel(w *waiver) {
	p := w.policy
	if p == nil {
		return
	}
	switch p.level {
	case hardMandatory:
		c.errorf("waiver-level", w.ast.Policy.Range, "Waiver of a hard-mandatory policy",
			"The policy %s is hard-mandatory: no waiver can lift it, so this waiver exempts nothing. Fix the objects, or ask the policy's owners whether it should be soft-mandatory.", p.name())
	case advisory:
		c.warnf("waiver-level", w.ast.Policy.Range, "Waiver of an advisory policy",
			"The policy %s is advisory: its violations are warnings, which do not fail the check, and waivers are for soft-mandatory policies. This waiver exempts nothing: remove it.", p.name())
	}
}

// missingOrBad says why a waiver's attribute that loading reported (absent,
// or of the wrong type) gives it nothing, and "" when it is set.
func missingOrBad(what string, v ast.String) string {
	switch {
	case v.Bad:
		return fmt.Sprintf("its %s is invalid", what)
	case !v.Set:
		return fmt.Sprintf("it has no %s", what)
	}
	return ""
}

// waiverExpired reports an expired waiver. Renewing it is the advice only
// while an object it names still breaks its policy: one whose objects have
// all been mended since is no longer needed.
func (c *compiler) waiverExpired(w *waiver) {
	a := w.ast
	state, renew := "so it no longer exempts anything", "renew it with a new date"
	if len(w.refused) > 0 {
		// It never was an exception: renewed as it is, it still would not be.
		state = fmt.Sprintf("and exempted nothing before either, as %s (reported there)", andList(w.refused))
		renew = "mend it and renew it with a new date"
	}
	advice := fmt.Sprintf("Fix the objects it names, or ask %s to %s.", approverOr(a.Approver), renew)
	if p := w.policy; p != nil && p.active && !p.broken && !p.failed && len(w.entries) > 0 && !slices.ContainsFunc(w.entries, func(e waiverEntry) bool {
		return e.obj == nil || p.undecided[e.obj] || p.violated[e.obj] != ""
	}) {
		advice = fmt.Sprintf("None of the objects it names breaks the policy %s any more, so the exception is no longer needed: remove the waiver.", p.name())
	}
	c.errorf("waiver-expired", a.Expires.Range, "Waiver expired", "The waiver %s expired on %s (today is %s), %s. %s",
		a.Name, a.Expires.V, c.today.Format(time.DateOnly), state, advice)
}

// waiverExpiring warns of a valid waiver that exempts objects now and
// lapses within waiverNoticeDays: the day after its expires, their
// violations fail the check.
func (c *compiler) waiverExpiring(w *waiver) {
	days, soon := c.expiring(w)
	if !soon {
		return
	}
	var exempted []string
	for _, e := range w.entries {
		if e.used {
			exempted = append(exempted, e.id.V)
		}
	}
	if len(exempted) == 0 {
		return // it exempts nothing now: reported as unused, or nothing to say
	}
	when := fmt.Sprintf("in %d days", days)
	switch days {
	case 0:
		when = "today"
	case 1:
		when = "tomorrow"
	}
	a := w.ast
	c.warnf("waiver-expiring", a.Expires.Range, "Waiver expires soon",
		"The waiver %s is valid until %s, %s (today is %s): from the day after, the violations of the policy %s by %s fail the check again. Fix what it exempts, or ask %s to renew the waiver with a new date.",
		a.Name, a.Expires.V, when, c.today.Format(time.DateOnly), w.policy.name(), andList(exempted), approverOr(a.Approver))
}

// expiring returns how many days a valid waiver has left after today (0
// on its expires day), and whether that is within waiverNoticeDays, when
// the check warns of it and the report marks what it exempts.
func (c *compiler) expiring(w *waiver) (days int, soon bool) {
	days = int(w.expires.Sub(c.today).Hours() / 24)
	return days, w.valid && days <= waiverNoticeDays
}

func approverOr(s ast.String) string {
	if s.Set && strings.TrimSpace(s.V) != "" {
		return s.V
	}
	return "the policy's owners"
}

// waivedPolicy resolves a waiver's policy: policy.NAME names a policy of
// the waiver's scope (a central one for a central waiver, the domain's own
// for a domain's), domain.DOMAIN.policy.NAME a domain's policy. A domain
// may waive only its own policies.
func (c *compiler) waivedPolicy(ref *ast.Ref, s waiverScope) *policy {
	ds, central, perDomain, chosen := s.domain, s.central, s.perDomain, s.chosen
	parts := ref.Parts
	scope, where := central, "among the central policies"
	if ds != nil {
		scope, where = perDomain[ds], "in domain "+ds.plan.Name
	}
	if parts[0].Name == "domain" && len(parts) == 4 && parts[2].Name == "policy" {
		other, ok := c.domains[parts[1].Name]
		if !ok {
			c.unknown("domain", parts[1].Name, "in the mesh", parts[1].Range, c.domainNames)
			return nil
		}
		if ds != nil && other != ds {
			c.errorf("policy-scope", ref.Range, "Waiver of another domain's policy",
				"A domain may waive only its own policies, and this waiver is in domain %s. Waivers of domain %s's policies live in its folder, where its owners approve them.", ds.plan.Name, other.plan.Name)
			return nil
		}
		scope, where, parts = perDomain[other], "in domain "+other.plan.Name, parts[2:]
	}
	last := parts[len(parts)-1]
	if len(parts) != 2 || parts[0].Name != "policy" {
		if !c.waiverOfSet(ref, last.Name) {
			got := fmt.Sprintf("this reference has %d parts.%s", len(ref.Parts), didYouMeanOther(parts[0].Name, "policy"))
			if len(parts) == 2 {
				got = fmt.Sprintf("write policy.%s, not %s.%s.", last.Name, parts[0].Name, last.Name)
			}
			c.errorf("unresolved-reference", ref.Range, "Malformed reference",
				"A waiver names the policy it waives, as in policy = policy.NAME (or, in mesh.hcl or a shared folder, domain.DOMAIN.policy.NAME for a domain's policy): %s", got)
		}
		return nil
	}
	p, ok := scope[last.Name]
	if ok {
		return p
	}
	// A standard library policy of a set the mesh does not choose is
	// central all the same: a domain's waiver of it is out of place
	// whether or not the set is chosen.
	if ds != nil {
		if cp, isCentral := central[last.Name]; isCentral {
			c.centralWaivedInDomain(ref, cp.name(), cp.ast.DeclRange)
			return nil
		}
		if a := c.unchosenStdlibPolicy(last.Name, chosen); a != nil {
			c.centralWaivedInDomain(ref, a.Name, a.DeclRange)
			return nil
		}
	}
	if c.waiverOfSet(ref, last.Name) {
		return nil
	}
	if ds == nil {
		if a := c.unchosenStdlibPolicy(last.Name, chosen); a != nil {
			if c.mesh.Root != nil && c.mesh.Root.PolicySets.Bad {
				return nil // which sets the mesh chose is not known (reported)
			}
			// Turning a set off must not break the waivers written
			// for it: they just stop mattering.
			c.warnf("waiver-unused", ref.Range, "Waiver of a policy the mesh does not use",
				"%s is in the standard library's policy set %q, which the mesh block's policy_sets does not list, so the policy does not apply and this waiver exempts nothing. Remove the waiver, or add %q to policy_sets.", a.Name, a.Set.V, a.Set.V)
			return nil
		}
		if owners := c.domainsWithPolicy(last.Name, perDomain); len(owners) > 0 {
			c.errorf("unresolved-reference", last.Range, "Reference to an undeclared policy",
				"There is no central policy named %q; %s is a policy of domain %s. A waiver in mesh.hcl or a shared folder names a domain's policy as domain.%s.policy.%s; one in the domain's folder, which its owners approve, as policy.%s.",
				last.Name, last.Name, andList(owners), owners[0], last.Name, last.Name)
			return nil
		}
	}
	c.unknown("policy", last.Name, where, last.Range, sortedKeys(scope))
	return nil
}

// centralWaivedInDomain reports a domain's waiver of a central policy.
func (c *compiler) centralWaivedInDomain(ref *ast.Ref, name string, declared diag.Range) {
	c.errorf("policy-scope", ref.Range, "Waiver of a central policy in a domain",
		"%s is a central policy (%s). Its waivers are approved by the platform team and live in mesh.hcl or a shared folder, not in a domain's folder: a domain can add rules, not lift central ones. Move this waiver there and have it reviewed.",
		name, declared)
}

// unchosenStdlibPolicy finds the standard library's policy of a name in a
// set the mesh does not choose, which is not declared (governance).
func (c *compiler) unchosenStdlibPolicy(name string, chosen map[string]bool) *ast.Policy {
	for _, a := range c.mesh.Policies {
		if a.Stdlib && a.Name == name && !chosen[a.Set.V] {
			return a
		}
	}
	return nil
}

// domainsWithPolicy lists the domains that have a policy of a name.
func (c *compiler) domainsWithPolicy(name string, perDomain map[*domainScope]map[string]*policy) []string {
	var owners []string
	for _, ds := range c.domainList {
		if perDomain[ds][name] != nil {
			owners = append(owners, ds.plan.Name)
		}
	}
	return owners
}

// waiverOfSet reports a waiver whose policy reference names a policy set
// rather than a policy (policy.baseline, policy_set.baseline) and returns
// true. A set is not waived whole: each policy's exceptions are reviewed
// on their own, object by object.
func (c *compiler) waiverOfSet(ref *ast.Ref, name string) bool {
	var soft []string
	found := false
	for _, a := range c.allPolicies() {
		if a.Set.Set && a.Set.V == name {
			found = true
			if a.Enforcement.V == softMandatory && !slices.Contains(soft, a.Name) {
				soft = append(soft, a.Name)
			}
		}
	}
	if !found || c.isPolicyName(name) {
		return false
	}
	which := "It has no soft-mandatory policy, and only those take waivers."
	if len(soft) > 0 {
		slices.Sort(soft)
		which = fmt.Sprintf("Its soft-mandatory policies, the ones that take waivers, are: %s.", strings.Join(soft, ", "))
	}
	c.errorf("unresolved-reference", ref.Range, "Waiver of a policy set",
		"%s is a policy set. A waiver lifts one policy for the objects it lists, so that each exception is reviewed on its own: write a waiver for each policy, as in policy = policy.NAME. %s", name, which)
	return true
}

// allPolicies lists the policy blocks of the mesh, the standard library's
// and the domains'.
func (c *compiler) allPolicies() []*ast.Policy {
	all := slices.Clone(c.mesh.Policies)
	for _, ds := range c.domainList {
		all = append(all, ds.ast.Policies...)
	}
	return all
}

// isPolicyName reports whether any policy has the name, which a set may
// share.
func (c *compiler) isPolicyName(name string) bool {
	return slices.ContainsFunc(c.allPolicies(), func(a *ast.Policy) bool { return a.Name == name })
}

// sentence ends text with a full stop unless it ends a sentence already.
func sentence(text string) string {
	if strings.HasSuffix(text, ".") || strings.HasSuffix(text, "!") || strings.HasSuffix(text, "?") {
		return text
	}
	return text + "."
}

// waivedObjectNotFound reports a waiver's entry that names no object of
// its policy's kind, with the ID it likely meant, or else, for an ID of
// another kind's shape (a product's ID for a policy on ports), the shape
// its policy's objects have.
func (c *compiler) waivedObjectNotFound(p *policy, e waiverEntry, m *model) {
	if strings.TrimSpace(e.id.V) == "" {
		shape := ""
		if s, ok := idShapes[p.kind]; ok {
			shape = " (" + s + ")"
		}
		c.warnf("waiver-unused", e.id.Range, "Empty waived object",
			"This entry of objects is empty, so it exempts nothing: write the ID of the %s to exempt, as the violations of the policy %s name it%s, or remove the entry.", p.kind, p.name(), shape)
		return
	}
	hint := m.didYouMean(p.kind, e.id.V)
	if shape, ok := idShapes[p.kind]; ok && hint == "" && strings.Count(e.id.V, ".") != strings.Count(shape, ".") {
		hint = fmt.Sprintf(" The policy %s is on %ss, whose IDs are %s, and this one has %d parts.", p.name(), p.kind, shape, strings.Count(e.id.V, ".")+1)
	}
	c.warnf("waiver-unused", e.id.Range, "Waived object not found",
		"There is no %s %q, so this entry exempts nothing.%s Objects are named by ID, as the policy's violations name them.", p.kind, e.id.V, hint)
}

// idShapes are the shapes of the kinds' IDs (docs/governance.md, Object
// IDs); a test's has as many parts as the object it tests, and one more.
var idShapes = map[string]string{
	"domain": "DOMAIN", "source": "DOMAIN.SOURCE", "product": "DOMAIN.PRODUCT", "port": "DOMAIN.PRODUCT.PORT",
	"column": "DOMAIN.PRODUCT.PORT.COLUMN", "input": "DOMAIN.PRODUCT.INPUT", "step": "DOMAIN.PRODUCT.STEP",
}

// matchWaiver finds the objects a waiver names and reports those it names
// in vain. Waivers that are not valid have been reported already.
func (c *compiler) matchWaiver(w *waiver, m *model) {
	p := w.policy
	if p == nil || p.kind == "" || m == nil {
		return
	}
	for i := range w.entries {
		e := &w.entries[i]
		e.obj = m.byID[p.kind][waivedID(p.kind, e.id.V)]
		if e.obj != nil && w.domain != nil && e.obj.domain != w.domain {
			c.errorf("policy-scope", e.id.Range, "Waiver reaches outside its domain",
				"The %s %s belongs to domain %s, and a waiver in domain %s's folder can exempt only that domain's objects, so the waiver exempts nothing until this entry is removed.", p.kind, e.id.V, e.obj.domain.plan.Name, w.domain.plan.Name)
			e.used = true // reported
			// One that overreaches was not reviewed for what it may lift.
			w.refused = append(w.refused, fmt.Sprintf("it names %s, an object of domain %s", e.id.V, e.obj.domain.plan.Name))
			w.valid = false
		}
	}
	for i := range w.entries {
		if e := &w.entries[i]; w.valid && e.obj != nil && p.violated[e.obj] != "" {
			e.used = true
		}
	}
	if !w.valid {
		// Expired, refused, or of a policy that takes no waiver (reported):
		// a misspelt entry is still worth knowing before it is renewed.
		for _, e := range w.entries {
			if e.obj == nil && !m.ofUnjudged(p.kind, e.id.V) {
				c.waivedObjectNotFound(p, e, m)
			}
		}
		return
	}
	if !p.active {
		c.warnf("waiver-unused", w.ast.NameRange, "Waiver matches nothing",
			"The policy %s is in the policy set %q, which the mesh does not opt into (policy_sets in the mesh block), so it is not evaluated and the waiver %s exempts nothing. Remove the waiver, or add %q to policy_sets.", p.name(), p.ast.Set.V, w.ast.Name, p.ast.Set.V)
		return
	}
	if p.broken || p.failed {
		return // the policy's results are incomplete; its problem is reported
	}
	// An object the policy could not judge (what it reads has errors,
	// reported), or of a product policies leave out, may break it once
	// mended: the waiver may yet be needed, and nothing is said of it.
	unjudged := func(e waiverEntry) bool {
		return p.undecided[e.obj] || e.obj == nil && m.ofUnjudged(p.kind, e.id.V)
	}
	// A waiver all of whose objects exist and comply is no longer needed.
	// One naming an object that does not exist is not: the name is likely
	// misspelt, and the object it meant may break the policy, so the entry
	// is reported where it is written, with the name it likely meant.
	needed := slices.ContainsFunc(w.entries, func(e waiverEntry) bool { return e.used || unjudged(e) })
	allFound := !slices.ContainsFunc(w.entries, func(e waiverEntry) bool { return e.obj == nil })
	if !needed && allFound && len(w.entries) > 0 {
		c.warnf("waiver-unused", w.ast.NameRange, "Waiver matches nothing",
			"None of the objects the waiver %s names breaks the policy %s: %s. The exception is no longer needed: remove the waiver.", w.ast.Name, p.name(), c.entryStates(w, p))
		return
	}
	for _, e := range w.entries {
		switch {
		case e.used, unjudged(e):
		case e.obj == nil:
			c.waivedObjectNotFound(p, e, m)
		case !p.covers(e.obj):
			scope := andList(sortedKeys(p.domains))
			if p.domain != nil {
				scope = p.domain.plan.Name // a domain's policy sees its own domain
			}
			c.warnf("waiver-unused", e.id.Range, "Waived object outside the policy",
				"The policy %s applies only to the domains %s, so it does not apply to %s and this entry exempts nothing: remove it.", p.name(), scope, e.id.V)
		default:
			c.warnf("waiver-unused", e.id.Range, "Waived object complies",
				"The %s %s does not break the policy %s, so the waiver need not exempt it: remove it from objects.", p.kind, e.id.V, p.name())
		}
	}
}

// waivedTwice warns of an object that two valid waivers exempt from one
// policy, at the later one's entry: the report shows only the first, so
// the second, with its own approver and expiry, would lift the violation
// unseen once the first expires.
func (c *compiler) waivedTwice(waivers []*waiver) {
	type key struct {
		p *policy
		o *govObject
	}
	first := map[key]*waiver{}
	for _, w := range waivers {
		if !w.valid {
			continue
		}
		for _, e := range w.entries {
			if !e.used || e.obj == nil {
				continue
			}
			k := key{w.policy, e.obj}
			if f := first[k]; f != nil {
				c.warnf("duplicate-name", e.id.Range, "Object waived twice",
					"The waiver %s (%s) already exempts the %s %s from the policy %s, until %s. One exception is one waiver, reviewed once, with one expiry: remove this entry, or the other.",
					f.ast.Name, f.ast.DeclRange, e.obj.kind, e.id.V, w.policy.name(), f.ast.Expires.V)
				continue
			}
			first[k] = w
		}
	}
}

// entryStates says, for a waiver that matches nothing, what became of each
// object it names: each exists (matchWaiver).
func (c *compiler) entryStates(w *waiver, p *policy) string {
	var parts []string
	for _, e := range w.entries {
		switch {
		case !p.covers(e.obj):
			parts = append(parts, fmt.Sprintf("%s is outside the policy's domains", e.id.V))
		default:
			parts = append(parts, fmt.Sprintf("%s complies", e.id.V))
		}
	}
	return strings.Join(parts, "; ")
}

// reportViolations reports a policy's violations: warnings for an
// advisory policy, errors otherwise, except for objects that a valid
// waiver of a soft-mandatory policy exempts.
func (c *compiler) reportViolations(p *policy, waivers []*waiver) {
	if len(p.violated) == 0 {
		return
	}
	named := waiversByObject(waivers, p)
	for _, o := range p.violatedInOrder {
		msg := p.violated[o]
		found := PolicyObject{Kind: o.kind, ID: o.id(), Range: o.at(), Message: msg}
		var expired, refused *waiver
		if p.level == softMandatory {
			if w := waiverFor(named[o], true); w != nil {
				days, soon := c.expiring(w)
				p.outcome.Waived = append(p.outcome.Waived, WaivedObject{PolicyObject: found, Waiver: w.ast.Name, WaiverRange: w.ast.DeclRange,
					Approver: w.ast.Approver.V, Reason: w.ast.Reason.V, Expires: w.ast.Expires.V, DaysLeft: days, Expiring: soon})
				continue
			}
			if expired = waiverFor(named[o], false); expired != nil {
				found.ExpiredWaiver = expired.ast.Name
			} else if i := slices.IndexFunc(named[o], func(w *waiver) bool { return len(w.refused) > 0 }); i >= 0 {
				refused = named[o][i]
				found.refuse(refused, andList(refused.whyRefused()))
			}
		} else if len(named[o]) > 0 {
			// Its advice says the policy takes no waiver; the report says
			// which one was written in vain.
			why := "no waiver lifts a hard-mandatory policy"
			if p.level == advisory {
				why = "an advisory policy takes no waiver"
			}
			found.refuse(named[o][0], why)
		}
		p.outcome.Violations = append(p.outcome.Violations, found)
		detail := fmt.Sprintf("%s This breaks the %s policy %s %s (%s). %s",
			msg, strings.ReplaceAll(p.level, "_", "-"), p.name(), p.origin(), p.ast.DeclRange, c.advice(p, o, expired, refused))
		if p.level == advisory {
			c.warnf("policy-violation", o.at(), fmt.Sprintf("Policy %s violated", p.name()), "%s", detail)
		} else {
			c.errorf("policy-violation", o.at(), fmt.Sprintf("Policy %s violated", p.name()), "%s", detail)
		}
	}
}

// refuse notes, for the report, a waiver that names the object and is not
// applied, and why.
func (o *PolicyObject) refuse(w *waiver, why string) {
	o.RefusedWaiver, o.RefusedRange, o.RefusedWhy = w.ast.Name, w.ast.DeclRange, why
}

// waiversByObject lists, for each object, the waivers of a policy that
// name it, in order.
func waiversByObject(waivers []*waiver, p *policy) map[*govObject][]*waiver {
	named := map[*govObject][]*waiver{}
	for _, w := range waivers {
		if w.policy != p {
			continue
		}
		for _, e := range w.entries {
			if e.obj != nil && !slices.Contains(named[e.obj], w) {
				named[e.obj] = append(named[e.obj], w)
			}
		}
	}
	return named
}

// waiverFor finds, among the waivers naming an object, the one exempting
// it: a valid one, or (valid false) an expired one, for the message.
// An expired waiver that is also refused never exempted it, and is not
// one: it is told as refused (whyRefused).
func waiverFor(naming []*waiver, valid bool) *waiver {
	for _, w := range naming {
		if w.valid && valid || !valid && w.expired && len(w.refused) == 0 {
			return w
		}
	}
	return nil
}

// whyRefused says why a refused waiver exempts nothing: its errors, and
// its expiry once past.
func (w *waiver) whyRefused() []string {
	if w.expired {
		return append(slices.Clip(w.refused), "it expired on "+w.ast.Expires.V)
	}
	return w.refused
}

// advice says what to do about a violation; expired or refused is a
// waiver that names the object but does not exempt it.
func (c *compiler) advice(p *policy, o *govObject, expired, refused *waiver) string {
	switch p.level {
	case advisory:
		return "Advisory policies warn without failing the check."
	case hardMandatory:
		return fmt.Sprintf("Hard-mandatory policies cannot be waived: fix the %s.", o.kind)
	}
	if expired != nil {
		return fmt.Sprintf("The waiver %s exempted it until %s: fix the %s, or have the waiver renewed.", expired.ast.Name, expired.ast.Expires.V, o.kind)
	}
	if refused != nil {
		return fmt.Sprintf("The waiver %s (%s) names it but exempts nothing, as %s (reported there): fix the %s, or the waiver.", refused.ast.Name, refused.ast.DeclRange, andList(refused.whyRefused()), o.kind)
	}
	if p.domain != nil {
		return fmt.Sprintf("Fix the %s, or have domain %s's owners approve a waiver in its folder, with policy = policy.%s and objects = [%q].", o.kind, p.domain.plan.Name, p.name(), o.id())
	}
	return fmt.Sprintf("Fix the %s, or have the platform team approve a waiver in mesh.hcl or a shared folder, with policy = policy.%s and objects = [%q].", o.kind, p.name(), o.id())
}

func andList(names []string) string { return joinList(names, "and") }

// didYouMeanOther suggests want for a misspelling of it, and nothing when
// the user wrote it already.
func didYouMeanOther(name, want string) string {
	if name == want {
		return ""
	}
	return suggest.DidYouMean(name, []string{want})
}
