package compiler

import (
	"fmt"
	"github.com/meshc/meshc/internal/suggest"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// The object model that policies are evaluated against: one cty object per
// object of the mesh, of a fixed type per kind, so that a policy's
// expressions type-check the same whatever the mesh holds. An absent value
// is null; a value that failed to load (and was reported) is unknown, so
// that a policy neither passes nor fails on it and one mistake is reported
// once. docs/governance.md documents every attribute; TestGovernanceDocs
// keeps the two in step.
//
// A policy is type-checked against the whole types, but evaluated against
// projections: objects holding only the attributes its expressions read
// (all of them where it uses an object whole). Building every attribute
// of every object would cost more than evaluating the policies, and cty
// walks every value passed to a function, however deep.

// policyKinds are the kinds of object a policy can be on, in the order the
// docs list them.
var policyKinds = []string{"domain", "source", "product", "port", "column", "input", "step", "test"}

// enclosing lists, for each kind, the variables a policy on it sees besides
// the object itself: the objects it sits in, and the mesh.
var enclosing = map[string][]string{
	"domain":  {"mesh"},
	"source":  {"domain", "mesh"},
	"product": {"domain", "mesh"},
	"port":    {"product", "domain", "mesh"},
	"column":  {"port", "product", "domain", "mesh"},
	"input":   {"product", "domain", "mesh"},
	"step":    {"product", "domain", "mesh"},
	"test":    {"product", "domain", "mesh"},
}

var (
	strList = cty.List(cty.String)

	testObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "product": cty.String,
		"kind": cty.String, "severity": cty.String, "port": cty.String, "column": cty.String,
		"description": cty.String, "references": strList,
	})
	columnObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "product": cty.String,
		"port": cty.String, "type": cty.String, "type_name": cty.String,
		"nullable": cty.Bool, "classification": cty.String, "masking": cty.String,
		"description": cty.String, "tests": strList, "readers": strList,
		"reader_domains": strList, "read_cross_domain": cty.Bool,
	})
	portObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "product": cty.String,
		"layer": cty.String, "kind": cty.String, "object": cty.String, "object_name": cty.String,
		"visibility": cty.String, "description": cty.String, "columns": strList,
		"classifications": strList, "tests": strList, "consumers": strList, "consumer_domains": strList,
	})
	scheduleObject = cty.Object(map[string]cty.Type{
		"cadence": cty.String, "on_inputs": cty.Bool, "timezone": cty.String,
		"period": cty.String, "period_seconds": cty.Number,
	})
	slaObject         = cty.Object(map[string]cty.Type{"freshness": cty.String, "freshness_seconds": cty.Number})
	deprecationObject = cty.Object(map[string]cty.Type{"date": cty.String, "message": cty.String})
	productObject     = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "layer": cty.String,
		"owner": cty.String, "description": cty.String, "version": cty.String, "tags": strList,
		"inputs": strList, "ports": strList, "steps": strList, "tests": strList,
		"schedule": scheduleObject, "sla": slaObject, "deprecation": deprecationObject,
		"upstreams": strList, "downstreams": strList, "upstream_domains": strList,
		"downstream_domains": strList, "file": cty.String,
	})
	inputObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "product": cty.String,
		"source": cty.String, "port": cty.String, "producer": cty.String,
		"producer_domain": cty.String, "producer_layer": cty.String,
		"producer_visibility": cty.String, "cross_domain": cty.Bool, "columns": strList,
	})
	stepObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "product": cty.String,
		"runner": cty.String, "after": strList, "description": cty.String,
		"args": cty.Map(cty.String),
	})
	sourceObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "domain": cty.String, "description": cty.String,
		"cadence": cty.String, "period": cty.String, "period_seconds": cty.Number,
		"table": cty.String, "classification": cty.String, "columns": strList,
		"classifications": strList, "readers": strList,
	})
	domainObject = cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "owner": cty.String, "description": cty.String,
		"layer": cty.String, "schema": cty.String, "dir": cty.String,
		"products": strList, "sources": strList,
	})
	meshObject = cty.Object(map[string]cty.Type{
		"name": cty.String, "description": cty.String, "owner": cty.String, "layers": strList,
		"classifications": strList, "environment": cty.String, "policy_sets": strList,
	})
)

// objectTypes gives the type of each variable a policy may see.
var objectTypes = map[string]cty.Type{
	"domain": domainObject, "source": sourceObject, "product": productObject, "port": portObject,
	"column": columnObject, "input": inputObject, "step": stepObject, "test": testObject,
	"mesh": meshObject,
}

// variablesOf returns the names a policy on kind sees, the object first.
func variablesOf(kind string) []string { return append([]string{kind}, enclosing[kind]...) }

// attributeNames lists the attributes of a kind, sorted.
func attributeNames(kind string) []string { return sortedKeys(objectTypes[kind].AttributeTypes()) }

// govObject is one object of the mesh as policies see it: what its
// attributes are built from.
type govObject struct {
	kind   string
	domain *domainScope
	parent *govObject // the object it sits in: a column's port, a port's product, ...

	product *productScope // products, and what they hold
	port    *portScope    // ports and their columns
	// subject is the object itself, for a column, input, step, test or
	// source: a *plan.Column, *plan.Input, *plan.Step, *plan.Test or
	// *sourceSubject. It is one field rather than one of each type, as a
	// large mesh's model holds millions of objects, most of them columns
	// (144 bytes each with a field of each type, 112 with one).
	subject any
	written columnWritten // for columns
	index   int32         // a column's, in its port's

	// attrs holds the attributes that the policies read, in the order of
	// the model's need[kind], built once before they run.
	attrs []cty.Value
	// value is the object holding attrs, built by valueOf when a policy
	// first evaluates an expression on the object: policies whose
	// verdicts are remembered (see evaluate) need it for few objects.
	value atomic.Value // a cty.Value once built
}

// in returns the object of the given kind that o is or sits in, nil when
// there is none.
func (o *govObject) in(kind string) *govObject {
	for o != nil && o.kind != kind {
		o = o.parent
	}
	return o
}

// id is how policies and their reports name the object. It is worked out
// when asked for: most objects are never named.
func (o *govObject) id() string {
	id, _ := o.decl()
	return id
}

// sourceSubject is a source's subject: its plan and what was written.
type sourceSubject struct {
	plan *plan.Source
	ast  *ast.Source
}

func (o *govObject) column() *plan.Column   { return o.subject.(*plan.Column) }
func (o *govObject) input() *plan.Input     { return o.subject.(*plan.Input) }
func (o *govObject) step() *plan.Step       { return o.subject.(*plan.Step) }
func (o *govObject) test() *plan.Test       { return o.subject.(*plan.Test) }
func (o *govObject) source() *sourceSubject { return o.subject.(*sourceSubject) }

// at is where the object is declared, for violations.
func (o *govObject) at() diag.Range {
	_, at := o.decl()
	return at
}

// decl is the object's name and where it is declared.
func (o *govObject) decl() (string, diag.Range) {
	switch o.kind {
	case "domain":
		return o.domain.plan.Name, o.domain.plan.Range
	case "source":
		return o.source().plan.ID, o.source().plan.Range
	case "product":
		return o.product.plan.ID, o.product.plan.Range
	case "port":
		return o.port.plan.ID, o.port.plan.Range
	case "column":
		return o.port.plan.ID + "." + o.column().Name, o.column().Range
	case "input":
		return o.product.plan.ID + "." + o.input().Name, o.input().Range
	case "step":
		return o.product.plan.ID + "." + o.step().Name, o.step().Range
	case "test":
		return o.product.plan.ID + "." + o.test().ID, o.test().Range
	}
	panic("governance model: no kind " + o.kind)
}

// model is the objects of the mesh as policies see them, by kind, in a
// stable order: domains by name, then what each holds in declaration or
// name order. It keeps the domains and sources; the objects of the
// products are made a round at a time (rounds).
type model struct {
	c    *compiler
	mesh cty.Value
	// objects are the domains' and sources' objects; the products' are
	// made a round at a time (productObjects) and let go of after it.
	objects map[string][]*govObject
	// byID holds, by kind and ID, the objects that waivers name (wanted),
	// the first of an ID winning, found as the rounds make them.
	byID   map[string]map[string]*govObject
	wanted map[string]map[string]bool
	// kinds are the kinds of objects made; domainOf, each domain's.
	kinds    map[string]bool
	domainOf map[*domainScope]*govObject
	// meant memoizes didYouMean, by kind and ID: every waiver that names
	// a missing object looks through every ID of its kind for the one
	// meant, and a renamed object may be named by many.
	meant map[[2]string]string
	ids   map[string]*suggest.List // kind -> its IDs, sorted, for didYouMean
	// sourceReaders maps each column of a source to the products that
	// read it through an input; ports' are their scopes' (readers).
	sourceReaders map[*plan.Column][]*plan.Product
	// columnTests holds the kinds of each column's tests, in test ID
	// order, listed the first time a policy asks (testsOf).
	columnTests     map[*plan.Column][]string
	columnTestsOnce sync.Once
	// need holds, by kind, the attributes the policies read: those of
	// every object's attrs.
	need map[string]*projection
	// free is the rest of the block that domains' and sources' objects
	// are taken from (add); products' are made with each product's
	// (productObjects).
	free []govObject
	// slabs holds, by kind, the attributes of the round being judged
	// (slab).
	slabs map[string][]cty.Value
	// buf is the room of the round's products' objects (productObjects),
	// and kept the copies made of them this round (keep).
	buf  []govObject
	kept map[*govObject]*govObject
	// unjudged holds the products policies leave out, by ID.
	unjudged map[string]*productScope
	// values holds the attribute values products share (shared).
	values sync.Map
}

// roundProducts is how many products policies judge at once: enough for
// every core to have many tasks, few enough that the attributes built
// for them are a small part of the heap. A test changes it.
var roundProducts = 2048

// buildModel lists the domains and sources of the mesh, and readies the
// rounds that make the products' objects. It runs after every other
// stage, so that dependencies, consumers, periods and tests are all known.
// Domains, products and ports, which other objects sit in, are always
// made; sources, columns, inputs, steps and tests only when kinds holds
// them: there are many more of those, and most meshes have policies on few
// kinds.
func (c *compiler) buildModel(kinds map[string]bool) *model {
	m := &model{c: c, objects: map[string][]*govObject{}, byID: map[string]map[string]*govObject{}, wanted: map[string]map[string]bool{}, slabs: map[string][]cty.Value{},
		meant: map[[2]string]string{}, ids: map[string]*suggest.List{}, kept: map[*govObject]*govObject{}}
	m.mesh = c.meshValue()
	domainOf := map[*domainScope]*govObject{}
	for _, ds := range c.domainList {
		dom := m.add(govObject{kind: "domain", domain: ds})
		domainOf[ds] = dom
		// A domain whose blueprint is unknown (reported) has what it
		// would inherit marked unknown, so policies neither pass nor fail
		// on it; its sources and products still read it as their domain.
		if kinds["source"] {
			for _, s := range ds.ast.Sources {
				src := ds.sources[s.Name]
				if src == nil || src.Range != s.DeclRange {
					continue // a duplicate, reported
				}
				m.add(govObject{kind: "source", domain: ds, parent: dom, subject: &sourceSubject{src, s}})
			}
		}
	}
	m.kinds, m.domainOf = kinds, domainOf
	m.unjudged = map[string]*productScope{}
	for _, ps := range c.products {
		if unjudged(ps) {
			m.unjudged[ps.plan.ID] = ps
		}
	}
	return m
}

// scheduleKey is what a product's schedule object is made of, and
// slaKey its SLA's: most products share theirs (a daily cadence, the
// same time zone), so each distinct one is made once (model.shared), where
// making it for each product was 100 MB of objects and their types at
// 100,000 products.
type (
	scheduleKey struct {
		onInputs, cadenceSet, cadenceBad bool
		timezone, cadence                string
		period                           time.Duration
	}
	slaKey time.Duration
)

// shared returns the value made for key, making it the first time. Values
// are immutable, so objects may share them; it is called on every core.
func (m *model) shared(key any, build func() cty.Value) cty.Value {
	if v, ok := m.values.Load(key); ok {
		return v.(cty.Value)
	}
	v, _ := m.values.LoadOrStore(key, build())
	return v.(cty.Value)
}

// productKinds are the kinds of the objects of a product, the product's
// own first.
var productKinds = [...]string{"product", "port", "column", "input", "step", "test"}

// productObjects makes the objects of the products from lo to hi, a
// round of them (evaluateAll), by kind, in the model's order: their
// products and ports, and their objects of the other kinds that kinds
// holds. Each
// product's objects are counted first, so that they have their places in
// the lists, and then made on every core. A mesh's objects are never all
// made at once: with 18 columns a port, 100,000 products have 2.2 million,
// about 250 MB, live where a check's heap is at its height.
//
// Given room, the objects go into it, grown when it is too small: the
// rounds pass the room of the round before (m.buf), as with 20 columns a
// port, making them afresh was a collection or two of the stage's three
// or four at 100,000 products, where the memory limit leaves little room.
// What outlives the round is copied out of it (keep). Without room, they
// are made afresh.
func (m *model) productObjects(lo, hi int, kinds map[string]bool, room *[]govObject) map[string][]*govObject {
	products := m.c.products[lo:hi]
	// starts[i] is where product i's objects of each kind go in their
	// lists; starts[len(products)], how many there are.
	starts := make([][len(productKinds)]int, len(products)+1)
	for i, ps := range products {
		n := objectsOf(ps, kinds)
		for k := range n {
			starts[i+1][k] = starts[i][k] + n[k]
		}
	}
	var lists [len(productKinds)][]*govObject
	all := 0
	for k := range productKinds {
		lists[k] = make([]*govObject, starts[len(products)][k])
		all += starts[len(products)][k]
	}
	var buf []govObject
	if room != nil {
		if cap(*room) < all {
			*room = make([]govObject, all)
		}
		buf = (*room)[:all]
	}
	domainOf := m.domainOf
	parallel.For(len(products), func(i int) {
		ps, at := products[i], starts[i]
		total, before := 0, 0
		for k := range at {
			total += starts[i+1][k] - at[k]
			before += at[k]
		}
		if total == 0 {
			return // not judged
		}
		var made []govObject
		if buf != nil {
			made = buf[before : before : before+total]
		} else {
			made = make([]govObject, 0, total)
		}
		add := func(k int, o govObject) *govObject {
			made = append(made, o)
			lists[k][at[k]] = &made[len(made)-1]
			at[k]++
			return &made[len(made)-1]
		}
		p := ps.plan
		prod := add(0, govObject{kind: "product", domain: ps.domain, parent: domainOf[ps.domain], product: ps})
		for _, port := range p.Ports {
			scope := ps.ports[port.Name]
			po := add(1, govObject{kind: "port", domain: ps.domain, parent: prod, product: ps, port: scope})
			if kinds["column"] {
				for i, col := range port.Columns {
					add(2, govObject{kind: "column", domain: ps.domain, parent: po, product: ps, port: scope, subject: col, written: scope.written[i], index: int32(i)})
				}
			}
		}
		if kinds["input"] {
			for _, in := range p.Inputs {
				add(3, govObject{kind: "input", domain: ps.domain, parent: prod, product: ps, subject: in})
			}
		}
		if kinds["step"] {
			for _, st := range p.Steps {
				add(4, govObject{kind: "step", domain: ps.domain, parent: prod, product: ps, subject: st})
			}
		}
		if kinds["test"] {
			for _, t := range p.Tests {
				add(5, govObject{kind: "test", domain: ps.domain, parent: prod, product: ps, subject: t})
			}
		}
	})
	round := map[string][]*govObject{}
	for k, kind := range productKinds {
		round[kind] = lists[k]
	}
	return round
}

// rounds calls judge with each round of the model's objects in order:
// roundProducts products' at a time, made for the round, the domains and
// sources in the first. There is one round at least.
func (m *model) rounds(judge func(round map[string][]*govObject)) {
	n := len(m.c.products)
	for lo := 0; lo == 0 || lo < n; lo += roundProducts {
		clear(m.kept)
		round := m.productObjects(lo, min(lo+roundProducts, n), m.kinds, &m.buf)
		if lo == 0 {
			round["domain"], round["source"] = m.objects["domain"], m.objects["source"]
		}
		m.noteWanted(round)
		judge(round)
	}
}

// want notes the objects that waivers name, which the rounds keep.
func (m *model) want(waivers []*waiver) {
	for _, w := range waivers {
		if p := w.policy; p != nil && p.kind != "" {
			for _, e := range w.entries {
				if m.wanted[p.kind] == nil {
					m.wanted[p.kind] = map[string]bool{}
				}
				m.wanted[p.kind][waivedID(p.kind, e.id.V)] = true
			}
		}
	}
}

// waivedID is the key a waiver's entry and an object meet by: the ID,
// with a column's name in lower case, as columns are matched without
// regard to case wherever they are named.
func waivedID(kind, id string) string {
	if kind != "column" {
		return id
	}
	i := strings.LastIndexByte(id, '.')
	return id[:i+1] + strings.ToLower(id[i+1:])
}

// noteWanted keeps a round's objects that waivers name, by ID.
func (m *model) noteWanted(round map[string][]*govObject) {
	for _, kind := range policyKinds {
		wanted := m.wanted[kind]
		if len(wanted) == 0 {
			continue
		}
		if m.byID[kind] == nil {
			m.byID[kind] = map[string]*govObject{}
		}
		for _, o := range round[kind] {
			if id := waivedID(kind, o.id()); wanted[id] && m.byID[kind][id] == nil {
				m.byID[kind][id] = m.keep(o)
			}
		}
	}
}

// unjudged reports whether policies leave a product and its objects out:
// its blueprint, or one of its tests, failed and was reported.
func unjudged(ps *productScope) bool {
	return ps.written.extendsBroken || ps.brokenTests
}

// ofUnjudged reports whether an ID names an object of a kind of
// productKinds in a product policies leave out (unjudged), which may
// break a policy once mended.
func (m *model) ofUnjudged(kind, id string) bool {
	if !slices.Contains(productKinds[:], kind) {
		return false
	}
	domain, rest, _ := strings.Cut(id, ".")
	product, _, _ := strings.Cut(rest, ".")
	return m.unjudged[domain+"."+product] != nil
}

// countUnjudged counts a policy's objects in the products policies leave
// out (unjudged) among the objects it could not judge, so that its report
// does not say there is no object of its kind, or that all comply.
func (m *model) countUnjudged(p *policy) {
	kind := slices.Index(productKinds[:], p.kind)
	if kind < 0 {
		return
	}
	for _, ps := range m.unjudged {
		if p.coversDomain(ps.domain) {
			n := countObjects(ps, map[string]bool{p.kind: true})[kind]
			if p.kind == "test" {
				n = ps.testUses // those that failed to bind too
			}
			p.outcome.Objects += n
			p.outcome.Undecided += n
			p.outcome.LeftOut += n
		}
	}
}

// keep returns what of a round's object may outlive the round: a copy made
// outside the round's room, which the next round reuses, sitting in copies
// of the round's objects it sits in. Domains and sources are the model's
// own, and kept as they are. An object kept twice in a round gives the
// same copy, as policies and waivers compare objects by address.
func (m *model) keep(o *govObject) *govObject {
	if o == nil || o.kind == "domain" || o.kind == "source" {
		return o
	}
	if k, ok := m.kept[o]; ok {
		return k
	}
	k := new(govObject)
	*k = *o
	k.attrs, k.value = nil, atomic.Value{} // the round's, as drop lets go of them
	k.parent = m.keep(o.parent)
	m.kept[o] = k
	return k
}

// objectsOf counts a product's objects of each of productKinds: none when
// its blueprint, or one of its tests, failed and was reported, as what it
// inherits or which tests it has is unknown, and judging it would report
// one mistake twice.
func objectsOf(ps *productScope, kinds map[string]bool) (n [len(productKinds)]int) {
	if unjudged(ps) {
		return n
	}
	return countObjects(ps, kinds)
}

// countObjects counts a product's objects of each of productKinds: its
// product and ports, and its objects of the other kinds that kinds holds.
func countObjects(ps *productScope, kinds map[string]bool) (n [len(productKinds)]int) {
	p := ps.plan
	n[0], n[1] = 1, len(p.Ports)
	if kinds["column"] {
		for _, port := range p.Ports {
			n[2] += len(port.Columns)
		}
	}
	if kinds["input"] {
		n[3] = len(p.Inputs)
	}
	if kinds["step"] {
		n[4] = len(p.Steps)
	}
	if kinds["test"] {
		n[5] = len(p.Tests)
	}
	return n
}

// add lists a domain's or a source's object, allocated with others in
// blocks.
func (m *model) add(obj govObject) *govObject {
	if len(m.free) == 0 {
		m.free = make([]govObject, 512)
	}
	o := &m.free[0]
	m.free = m.free[1:]
	*o = obj
	m.objects[o.kind] = append(m.objects[o.kind], o)
	return o
}

// allIDs lists the IDs of a kind's objects, sorted, for didYouMean. The
// rounds keep no products' objects, so those of the kind (and the
// products and ports they sit in) are made again, a round at a time: only
// for a waiver that names an object of the kind that does not exist.
func (m *model) allIDs(kind string) []string {
	ids := map[string]bool{}
	for _, o := range m.objects[kind] {
		ids[o.id()] = true
	}
	if slices.Contains(productKinds[:], kind) {
		for lo := 0; lo < len(m.c.products); lo += roundProducts {
			for _, o := range m.productObjects(lo, min(lo+roundProducts, len(m.c.products)), map[string]bool{kind: true}, nil)[kind] {
				ids[o.id()] = true
			}
		}
	}
	return sortedKeys(ids)
}

// didYouMean is suggest.DidYouMean for a waiver that names an object of
// the kind that does not exist, over the IDs of that kind.
func (m *model) didYouMean(kind, id string) string {
	key := [2]string{kind, id}
	if meant, done := m.meant[key]; done {
		return meant
	}
	ids, sorted := m.ids[kind]
	if !sorted {
		ids = suggest.NewList(m.allIDs(kind))
		m.ids[kind] = ids
	}
	meant := ids.DidYouMean(id)
	m.meant[key] = meant
	return meant
}

// value builds an object's value holding the attributes named.
func (m *model) value(o *govObject, attrs []string) cty.Value {
	vals := make([]cty.Value, len(attrs))
	for i, a := range attrs {
		vals[i] = m.attr(o, a)
	}
	return objectValue(attrs, vals)
}

// valueOf is an object's value holding the attributes the policies read,
// built once. Policies running in parallel may build it at once; they
// build the same value, and either is kept.
func (m *model) valueOf(o *govObject) cty.Value {
	if v, built := o.value.Load().(cty.Value); built {
		return v
	}
	v := objectValue(m.need[o.kind].attrs, o.attrs)
	o.value.Store(v)
	return v
}

// objectValue builds an object of the attributes named, with the values
// given in the same order.
func objectValue(names []string, vals []cty.Value) cty.Value {
	if len(names) == 0 {
		return cty.EmptyObjectVal
	}
	attrs := make(map[string]cty.Value, len(names))
	for i, name := range names {
		attrs[name] = vals[i]
	}
	return cty.ObjectVal(attrs)
}

// attr builds one attribute of an object. Every object has an id, and
// every object but a domain its domain, and those of a product its
// product; the rest depends on its kind.
func (m *model) attr(o *govObject, name string) cty.Value {
	switch {
	case name == "id":
		return str(o.id())
	case name == "domain" && o.kind != "domain":
		return str(o.domain.plan.Name)
	case name == "product" && o.product != nil && o.kind != "product":
		return str(o.product.plan.ID)
	}
	var v cty.Value
	switch o.kind {
	case "domain":
		v = m.domainAttr(o.domain, name)
	case "source":
		v = m.sourceAttr(o, name)
	case "product":
		v = m.productAttr(o.product, name)
	case "port":
		v = m.portAttr(o.product, o.port, name)
	case "column":
		v = m.columnAttr(o, name)
	case "input":
		v = inputAttr(o.product.plan, o.input(), name)
	case "step":
		v = stepAttr(o.product, o.step(), name)
	case "test":
		v = testAttr(o.product, o.test(), name)
	}
	if v == cty.NilVal {
		panic(fmt.Sprintf("governance model: no attribute %s of %s", name, o.kind))
	}
	return v
}

func str(s string) cty.Value { return cty.StringVal(s) }

var unknownText = cty.UnknownVal(cty.String)

// optional is an attribute that may be absent (null) or have failed to
// load (unknown).
func optional(s ast.String) cty.Value { return optionalValue(stateOf(s), s.V) }

// optionalValue is optional for an attribute whose syntax is gone: its
// state, and its value when written.
func optionalValue(state attrState, v string) cty.Value {
	switch state {
	case attrBroken:
		return unknownText
	case attrAbsent:
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(v)
}

// orNull is a string that may be empty, which policies see as null.
func orNull(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

func textList(ss []string) cty.Value {
	if len(ss) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// sortedSet returns the distinct strings, sorted.
func sortedSet(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func productID(p *plan.Product) string     { return p.ID }
func productDomain(p *plan.Product) string { return p.Domain.Name }

// duration is a duration as policies see it: text ("7d") and seconds.
func duration(d time.Duration) (cty.Value, cty.Value) {
	if d <= 0 {
		return unknownText, cty.UnknownVal(cty.Number)
	}
	return cty.StringVal(plan.FormatDuration(d)), cty.NumberIntVal(int64(d / time.Second))
}

func (c *compiler) meshValue() cty.Value {
	attrs := map[string]cty.Value{
		"name":            str(c.plan.Name),
		"description":     orNull(c.plan.Description),
		"owner":           cty.NullVal(cty.String),
		"layers":          textList(c.plan.Layers),
		"classifications": textList(c.classificationNames),
		"environment":     cty.NullVal(cty.String),
		"policy_sets":     cty.ListValEmpty(cty.String),
	}
	if c.plan.Environment != nil {
		attrs["environment"] = str(c.plan.Environment.Name)
	}
	if r := c.mesh.Root; r != nil {
		attrs["policy_sets"] = textList(r.PolicySets.Values())
		if r.Description.Bad {
			attrs["description"] = unknownText
		}
		if r.Owner.Set && strings.TrimSpace(r.Owner.V) == "" {
			attrs["owner"] = unknownText // reported as an empty owner
		} else {
			attrs["owner"] = optional(r.Owner)
		}
	}
	return cty.ObjectVal(attrs)
}

// layerValue is a domain's layer: null without one, unknown when it is not
// one of the mesh's layers (reported).
func layerValue(ds *domainScope) cty.Value {
	s := ds.ast.Layer
	switch {
	case s.Bad || (s.Set && ds.plan.LayerIndex < 0):
		return unknownText
	case !s.Set:
		return cty.NullVal(cty.String)
	}
	return str(ds.plan.Layer)
}

func (m *model) domainAttr(ds *domainScope, name string) cty.Value {
	d, a := ds.plan, ds.ast
	switch name {
	case "id", "name":
		return str(d.Name)
	case "owner":
		if a.Owner.Set && strings.TrimSpace(a.Owner.V) == "" {
			return unknownText // reported as an empty owner
		}
		return optional(a.Owner)
	case "description":
		return optional(a.Description)
	case "layer":
		return layerValue(ds)
	case "schema":
		return str(d.Schema)
	case "dir":
		return str(d.Dir)
	case "products":
		return textList(sortedSet(ids(a.Products, func(p *ast.Product) string { return p.Name })))
	case "sources":
		return textList(sortedKeys(ds.sources))
	}
	return cty.NilVal
}

// readers returns the products that read a column object's column.
func (o *govObject) readers() []*plan.Product {
	if o.port.readers == nil {
		return nil
	}
	return o.port.readers[o.index]
}

// listReaders lists the products that read each column, through an input:
// a source's columns in a map, a port's in its scope (portScope.readers),
// on every core. A large mesh's columns are a million, which one map of
// them made slow to fill and to read.
func (c *compiler) listReaders() map[*plan.Column][]*plan.Product {
	sources := map[*plan.Column][]*plan.Product{}
	reads := map[*plan.Port][]portRead{}
	for _, ps := range c.products {
		for _, in := range ps.plan.Inputs {
			switch {
			case in.Source != nil:
				for _, col := range in.Columns {
					sources[col] = addReader(sources[col], ps.plan)
				}
			case in.Port != nil:
				reads[in.Port] = append(reads[in.Port], portRead{ps.plan, in})
			}
		}
	}
	parallel.For(len(c.products), func(i int) {
		for _, scope := range c.products[i].ports {
			scope.readers = portReaders(scope.plan, reads[scope.plan])
		}
	})
	return sources
}

// portRead is an input that reads a port, and the product it is of.
type portRead struct {
	by *plan.Product
	in *plan.Input
}

// portReaders lists, for each of a port's columns, the products that read
// it through the inputs reads, each once (addReader: a product's inputs
// come together), in no order that matters: the policies see them as sets.
// It is nil when no one reads the port. The inputs are listed for all
// ports at once: looking through each consumer's inputs for each port took
// time in the square of a product's inputs, for a product reading
// thousands of ports.
func portReaders(port *plan.Port, reads []portRead) [][]*plan.Product {
	if len(reads) == 0 {
		return nil
	}
	readers := make([][]*plan.Product, len(port.Columns))
	at := columnIndex(port.Columns)
	for _, r := range reads {
		for _, col := range r.in.Columns {
			if i := at(col); i >= 0 {
				readers[i] = addReader(readers[i], r.by)
			}
		}
	}
	return readers
}

// columnIndex returns where a column is among cols, -1 if not there: by
// looking through a narrow port's, by a map for a wide one's.
func columnIndex(cols []*plan.Column) func(*plan.Column) int {
	if len(cols) <= 16 {
		return func(col *plan.Column) int { return slices.Index(cols, col) }
	}
	index := make(map[*plan.Column]int, len(cols))
	for i, col := range cols {
		index[col] = i
	}
	return func(col *plan.Column) int {
		if i, ok := index[col]; ok {
			return i
		}
		return -1
	}
}

// addReader adds a product to a column's readers, once: if it reads the
// column already, it is the last listed, its inputs coming together.
func addReader(readers []*plan.Product, p *plan.Product) []*plan.Product {
	if len(readers) > 0 && readers[len(readers)-1] == p {
		return readers
	}
	return append(readers, p)
}

// testsOf lists the kinds of a column's tests, in test ID order. All
// columns' are listed at once, the first time: a product's tests are not
// indexed by column, and looking through them for each column would take
// time in the square of a product's size.
func (m *model) testsOf(col *plan.Column) []string {
	m.columnTestsOnce.Do(func() {
		m.columnTests = map[*plan.Column][]string{}
		// A test of a column is one of the column's product, on the
		// column's port.
		for _, ps := range m.c.products {
			for _, t := range ps.plan.Tests {
				if t.Column != nil {
					m.columnTests[t.Column] = append(m.columnTests[t.Column], t.Kind)
				}
			}
		}
	})
	return m.columnTests[col]
}

func (m *model) sourceAttr(o *govObject, name string) cty.Value {
	src, a := o.source().plan, o.source().ast
	switch name {
	case "name":
		return str(src.Name)
	case "description":
		return optional(a.Description)
	case "classification":
		return optional(a.Classification)
	case "cadence":
		if src.Cadence.Period > 0 {
			return str(cadenceText(src.Cadence))
		}
		return unknownText
	case "period", "period_seconds":
		text, seconds := duration(src.Cadence.Period)
		if name == "period" {
			return text
		}
		return seconds
	case "table":
		if src.Table.Name != "" && a.Table.Set {
			return str(src.Table.String())
		}
		return unknownText
	case "columns":
		return textList(ids(src.Columns, columnName))
	case "classifications":
		return classifications(src.Columns)
	case "readers":
		var readBy []string
		for _, col := range src.Columns {
			readBy = append(readBy, ids(m.sourceReaders[col], productID)...)
		}
		return textList(sortedSet(readBy))
	}
	return cty.NilVal
}

func columnName(col *plan.Column) string { return col.Name }

// classifications lists the distinct classifications of columns, sorted.
func classifications(cols []*plan.Column) cty.Value {
	var out []string
	for _, col := range cols {
		if col.Classification() != "" {
			out = append(out, col.Classification())
		}
	}
	return textList(sortedSet(out))
}

// testKinds lists the kinds of tests, one entry per test, in test ID order.
func testKinds(tests []*plan.Test, keep func(*plan.Test) bool) cty.Value {
	var out []string
	for _, t := range tests {
		if keep(t) {
			out = append(out, t.Kind)
		}
	}
	return textList(out)
}

// cadenceText is a cadence as written: a keyword or a cron expression.
func cadenceText(cd plan.Cadence) string {
	if cd.Keyword != "" {
		return cd.Keyword
	}
	return cd.Cron
}

func (m *model) columnAttr(o *govObject, name string) cty.Value {
	port, col := o.port.plan, o.column()
	switch name {
	case "port":
		return str(port.ID)
	case "tests":
		return textList(m.testsOf(col))
	case "name":
		return str(col.Name)
	case "type":
		if col.Type.Name != "" {
			return str(col.Type.String())
		}
		return unknownText
	case "type_name":
		if col.Type.Name != "" {
			return str(col.Type.Name)
		}
		return unknownText
	case "nullable":
		if o.written.nullableBroken {
			return cty.UnknownVal(cty.Bool)
		}
		return cty.BoolVal(col.Nullable)
	case "classification":
		return optionalValue(o.written.classification, col.Classification())
	case "masking":
		return optionalValue(o.written.masking, col.Masking())
	case "description":
		return optionalValue(o.written.description, col.Description)
	case "readers":
		return textList(sortedSet(ids(o.readers(), productID)))
	case "reader_domains":
		return textList(sortedSet(ids(o.readers(), productDomain)))
	case "read_cross_domain":
		domain := port.Product.Domain.Name
		return cty.BoolVal(slices.ContainsFunc(o.readers(), func(p *plan.Product) bool { return p.Domain.Name != domain }))
	}
	return cty.NilVal
}

func (m *model) portAttr(ps *productScope, scope *portScope, name string) cty.Value {
	port := scope.plan
	switch name {
	case "name":
		return str(port.Name)
	case "layer":
		return layerValue(ps.domain)
	case "kind":
		if port.Kind != "" {
			return str(port.Kind)
		}
		return unknownText
	case "object", "object_name":
		if !scope.ownWritten.objectSet || port.Object.Database == "" {
			return unknownText
		}
		if name == "object" {
			return str(port.Object.String())
		}
		return str(port.Object.Name)
	case "visibility":
		if scope.ownWritten.visibilityUnknown {
			return unknownText
		}
		return str(port.Visibility)
	case "description":
		return optionalValue(scope.ownWritten.description, port.Description)
	case "columns":
		return textList(ids(port.Columns, columnName))
	case "classifications":
		return classifications(port.Columns)
	case "tests":
		return textList(scope.kindsOfTests)
	case "consumers":
		return textList(sortedSet(ids(port.Consumers, productID)))
	case "consumer_domains":
		return textList(sortedSet(ids(port.Consumers, productDomain)))
	}
	return cty.NilVal
}

func testAttr(ps *productScope, t *plan.Test, name string) cty.Value {
	switch name {
	case "name":
		return str(t.Name)
	case "kind":
		return str(t.Kind)
	case "severity":
		return str(t.Severity)
	case "description":
		if slices.Contains(ps.written.brokenTestDescriptions, t) {
			return unknownText
		}
		return orNull(t.Description)
	case "references":
		return textList(ids(t.References, func(port *plan.Port) string { return port.ID }))
	case "port":
		if t.Port != nil {
			return str(t.Port.ID)
		}
		return cty.NullVal(cty.String)
	case "column":
		if t.Column != nil {
			return str(t.Column.Name)
		}
		return cty.NullVal(cty.String)
	}
	return cty.NilVal
}

func (m *model) productAttr(ps *productScope, name string) cty.Value {
	p, a := ps.plan, ps.written
	switch name {
	case "name":
		return str(p.Name)
	case "layer":
		return layerValue(ps.domain)
	case "owner":
		if a.owner == attrBroken || strings.TrimSpace(p.Owner) == "" || a.owner == attrAbsent && ps.domain.ast.Owner.Bad {
			return unknownText // failed to load, or empty, or the domain's owner is missing or empty: reported
		}
		return str(p.Owner)
	case "description":
		return optionalValue(a.description, p.Description)
	case "version":
		return optionalValue(a.version, p.Version)
	case "tags":
		if a.tagsBroken {
			return cty.UnknownVal(strList)
		}
		return textList(p.Tags)
	case "inputs":
		return textList(ids(p.Inputs, func(i *plan.Input) string { return i.Name }))
	case "ports":
		return textList(ids(p.Ports, func(x *plan.Port) string { return x.Name }))
	case "steps":
		return textList(sortedSet(ids(p.Steps, func(s *plan.Step) string { return s.Name })))
	case "tests":
		return testKinds(p.Tests, func(*plan.Test) bool { return true })
	case "schedule":
		key := scheduleKey{onInputs: p.Schedule.OnInputs, timezone: p.Schedule.Timezone, period: p.Schedule.Period}
		if p.Schedule.Cadence != nil {
			key.cadence, key.cadenceSet = cadenceText(*p.Schedule.Cadence), true
		} else {
			key.cadenceBad = a.cadenceWritten // failed to load
		}
		return m.shared(key, func() cty.Value {
			sched := map[string]cty.Value{
				"on_inputs": cty.BoolVal(key.onInputs), "timezone": str(key.timezone), "cadence": cty.NullVal(cty.String),
			}
			if key.cadenceSet {
				sched["cadence"] = str(key.cadence)
			} else if key.cadenceBad {
				sched["cadence"] = unknownText
			}
			sched["period"], sched["period_seconds"] = duration(key.period)
			return cty.ObjectVal(sched)
		})
	case "sla":
		switch {
		case p.SLA != nil:
			return m.shared(slaKey(p.SLA.Freshness), func() cty.Value {
				f, s := duration(p.SLA.Freshness)
				return cty.ObjectVal(map[string]cty.Value{"freshness": f, "freshness_seconds": s})
			})
		case a.slaWritten:
			return cty.UnknownVal(slaObject) // its freshness failed to load
		}
		return cty.NullVal(slaObject)
	case "deprecation":
		if p.Deprecation != nil {
			return cty.ObjectVal(map[string]cty.Value{"date": str(p.Deprecation.Date), "message": orNull(p.Deprecation.Message)})
		}
		return cty.NullVal(deprecationObject)
	case "upstreams":
		return textList(ids(p.Upstreams, productID))
	case "downstreams":
		return textList(ids(p.Downstreams, productID))
	case "upstream_domains":
		return textList(sortedSet(ids(p.Upstreams, productDomain)))
	case "downstream_domains":
		return textList(sortedSet(ids(p.Downstreams, productDomain)))
	case "file":
		// Relative to the mesh root, as a domain's dir and a step's files
		// are: ranges name files as the user named the mesh's folder, and
		// a policy must judge alike from wherever meshc is run.
		return str(m.c.plan.Rel(p.Range.Filename()))
	}
	return cty.NilVal
}

func inputAttr(p *plan.Product, in *plan.Input, name string) cty.Value {
	null := cty.NullVal(cty.String)
	switch name {
	case "name":
		return str(in.Name)
	case "columns":
		return textList(ids(in.Columns, func(col *plan.Column) string { return col.Name }))
	case "source":
		if in.Source != nil {
			return str(in.Source.ID)
		}
		return null
	case "port":
		if in.Port != nil {
			return str(in.Port.ID)
		}
		return null
	case "producer":
		if in.Producer != nil {
			return str(in.Producer.ID)
		}
		return null
	case "producer_domain":
		switch {
		case in.Source != nil:
			return str(in.Source.Domain.Name)
		case in.Producer != nil:
			return str(in.Producer.Domain.Name)
		}
		return null
	case "producer_layer":
		if in.Producer == nil || in.Producer.Domain.Layer == "" {
			return null
		}
		if in.Producer.Domain.LayerIndex < 0 {
			return unknownText
		}
		return str(in.Producer.Domain.Layer)
	case "producer_visibility":
		if in.Port != nil {
			return str(in.Port.Visibility)
		}
		return null
	case "cross_domain":
		return cty.BoolVal(in.Producer != nil && in.Producer.Domain != p.Domain)
	}
	return cty.NilVal
}

func stepAttr(ps *productScope, st *plan.Step, name string) cty.Value {
	switch name {
	case "name":
		return str(st.Name)
	case "after":
		return textList(sortedSet(ids(st.After, func(s *plan.Step) string { return s.Name })))
	case "description":
		if _, misspelt := slices.BinarySearch(ps.written.misspeltStepDescriptions, st.Name); misspelt {
			return unknownText
		}
		return orNull(st.Description)
	case "runner":
		if st.Runner != nil {
			return str(st.Runner.Name)
		}
		return unknownText
	case "args":
		if len(st.Args) == 0 {
			return cty.MapValEmpty(cty.String)
		}
		args := map[string]cty.Value{}
		for _, a := range st.Args {
			args[a.Name] = str(argText(a))
		}
		return cty.MapVal(args)
	}
	return cty.NilVal
}

// argText renders a runner argument as text, for policies.
func argText(a *plan.Arg) string {
	switch a.Type {
	case "number":
		return big.NewFloat(a.Number).Text('f', -1)
	case "bool":
		return fmt.Sprint(a.Bool)
	case "list(string)":
		return strings.Join(a.List, " ")
	case "secret":
		if a.Secret != nil {
			return a.Secret.ID
		}
	}
	return a.String
}
