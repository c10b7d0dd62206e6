package compiler

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// Evaluating policies: each policy runs over the objects of its kind in
// chunks, on every core, a round of products at a time (model.rounds).
// Before a round, its objects are built holding the attributes that some
// policy's conditions read (projections), and they are dropped after it,
// so that the attributes of a large mesh are never all live at once. A
// policy's verdict is a pure function of the attributes its conditions
// read, so each distinct set of their values is evaluated once per chunk.

// evalChunk is how many objects one task of the parallel evaluation
// checks.
const evalChunk = 1024

// evalTask is a run of one policy over some of the objects of its kind.
// Tasks run in parallel; each keeps what it found, and evaluateAll merges
// the tasks of a policy in object order, so that the result and the one
// failure reported per policy do not depend on scheduling.
type evalTask struct {
	p         *policy
	objects   []*govObject
	covered   int
	applied   int
	violated  []*govObject
	messages  []string
	undecided []*govObject
	failure   *diag.Diagnostic // the first, for the first object it failed on
	// messageFailure is the first message that could not be rendered; the
	// violation is still reported, with the policy's description.
	messageFailure *diag.Diagnostic
}

// evaluateAll runs the active policies over the objects of their kinds,
// on every core.
func (c *compiler) evaluateAll(policies []*policy, m *model, fns map[string]function.Function) {
	var active []*policy
	var projections []map[string]*projection
	for _, p := range policies {
		if p.active && !p.broken {
			p.outcome.Evaluated = true
			active = append(active, p)
			projections = append(projections, p.proj)
		}
	}
	m.prepare(union(projections), active)
	tasks := make([][]*evalTask, len(active)) // by policy, in object order
	// The rounds run even with no policy to judge, as they find the
	// objects that waivers name (matchWaiver).
	m.rounds(func(round map[string][]*govObject) {
		m.build(round)
		var run []*evalTask
		for i, p := range active {
			objs := round[p.kind]
			for k := 0; k < len(objs); k += evalChunk {
				t := &evalTask{p: p, objects: objs[k:min(k+evalChunk, len(objs))]}
				run = append(run, t)
				tasks[i] = append(tasks[i], t)
			}
		}
		parallel.ForWith(len(run), func() func(int) {
			vars := map[string]cty.Value{"mesh": m.mesh}
			return func(i int) { c.evaluate(run[i], m, vars, fns) }
		})
		// A task keeps what it found, not the round's objects, which
		// go with the round; what it found is copied out of the round's
		// room, which the next round reuses.
		for _, t := range run {
			t.objects = nil
			for j, o := range t.violated {
				t.violated[j] = m.keep(o)
			}
			for j, o := range t.undecided {
				t.undecided[j] = m.keep(o)
			}
		}
		m.drop(round)
	})
	for i, p := range active {
		m.countUnjudged(p)
		for _, t := range tasks[i] {
			p.outcome.Objects += t.covered
			p.outcome.Applied += t.applied
			for j, o := range t.violated {
				p.violated[o] = t.messages[j]
				p.violatedInOrder = append(p.violatedInOrder, o)
			}
			for _, o := range t.undecided {
				p.undecided[o] = true
			}
			p.outcome.Undecided += len(t.undecided)
			if t.failure != nil && !p.failed {
				p.failed, p.outcome.Failed = true, true
				c.diags = append(c.diags, t.failure)
			}
			if t.messageFailure != nil && !p.messageFailed {
				p.messageFailed = true
				c.diags = append(c.diags, t.messageFailure)
			}
		}
	}
}

// evaluate runs a task: its policy over its objects.
func (c *compiler) evaluate(t *evalTask, m *model, vars map[string]cty.Value, fns map[string]function.Function) {
	p := t.p
	// A condition is a pure function of the attributes it reads, and many
	// objects share those (a visibility, a classification): each distinct
	// set of values is evaluated once. The when and the assert are
	// remembered apart, since a when that reads a flag spares most objects
	// an assert that reads what each has of its own (a description).
	when, assert := newConditionMemo(p.when), newConditionMemo(p.assert)
	for _, o := range t.objects {
		if !p.covers(o) {
			continue
		}
		t.covered++
		j := judgement{c: c, t: t, o: o, m: m, vars: vars, fns: fns}
		applies, known := true, true
		if p.when != nil {
			applies, known = j.result(p.when, when)
		}
		v := verdict{known: known}
		if known && applies {
			v.applies = true
			v.holds, v.known = j.result(p.assert, assert)
		}
		if v.applies && v.known {
			t.applied++ // judged: one it could not judge counts neither way
		}
		switch {
		case !v.known:
			t.undecided = append(t.undecided, o)
		case v.applies && !v.holds:
			t.violated = append(t.violated, o)
			// Objects are built with what conditions read; a message may
			// read more (an ID, a name), needed only for a violation.
			for x := o; x != nil; x = x.parent {
				if pr := p.msgProj[x.kind]; pr != nil {
					vars[x.kind] = m.value(x, pr.attrs)
				}
			}
			t.messages = append(t.messages, c.evalMessage(t, o, vars, fns))
		}
	}
}

// memoTrial is how many objects a task's memo is tried on before it is
// dropped for missing on more than half of them.
const memoTrial = 64

// verdict is what a policy's conditions say of an object.
type verdict struct {
	applies bool // when holds (or there is no when)
	holds   bool // assert holds
	known   bool // both could be evaluated, to known values
}

// condition is one of a policy's conditions, its when or its assert, with
// the attributes it reads.
type condition struct {
	what   string // "when" or "assert"
	expr   ast.Expr
	inputs conditionInputs
	// memo is false when it reads an object whole, which makes every
	// object different.
	memo bool
	// fast is the condition compiled for objects' attributes
	// (compileFast), once the model is prepared; nil when HCL alone
	// evaluates it.
	fast fastExpr
}

// newCondition works out what a condition reads.
func newCondition(kind, what string, e ast.Expr) *condition {
	cond := &condition{what: what, expr: e, memo: true}
	proj := project(kind, e)
	for _, name := range slices.Sorted(maps.Keys(proj)) {
		pr := proj[name]
		if pr.whole {
			return &condition{what: what, expr: e}
		}
		cond.inputs = append(cond.inputs, conditionInput{variable: name, attrs: pr.attrs})
	}
	return cond
}

// conditionMemo remembers a condition's results in one task, by the values
// of what it reads. Where it reads what each object has of its own (a
// name, a description), remembering costs more than it saves, so a memo
// that mostly misses at first is dropped.
type conditionMemo struct {
	tried  int
	key    []byte
	result map[string]conditionResult // nil when it is off
}

type conditionResult struct{ value, known bool }

// remember is false in a test that checks that remembering changes nothing.
var remember = true

func newConditionMemo(cond *condition) *conditionMemo {
	if cond == nil || !cond.memo || !remember {
		return &conditionMemo{}
	}
	return &conditionMemo{result: map[string]conditionResult{}}
}

// lookup returns the result remembered for key. After memoTrial lookups,
// a memo that missed on more than half of them is turned off.
func (m *conditionMemo) lookup(key []byte) (conditionResult, bool) {
	r, ok := m.result[string(key)]
	if m.tried++; m.tried == memoTrial && len(m.result) > memoTrial/2 {
		m.result = nil
	}
	return r, ok
}

// judgement is the evaluation of a policy's conditions for one object,
// whose variables are built when a condition is first evaluated for it.
type judgement struct {
	c     *compiler
	t     *evalTask
	o     *govObject
	m     *model
	vars  map[string]cty.Value
	fns   map[string]function.Function
	built bool
}

// result returns cond's result for the object: compiled, remembered, or
// evaluated by HCL. The compiled condition costs less than the memo's key,
// so the memo is for HCL's evaluations alone.
func (j *judgement) result(cond *condition, memo *conditionMemo) (value, known bool) {
	if cond.fast != nil {
		if v, ok := cond.fast.value(j.o); ok && v.kind == fastBool {
			return v.b, true
		}
	}
	if memo.result != nil {
		memo.key = cond.inputs.key(memo.key[:0], j.o)
		if r, ok := memo.lookup(memo.key); ok {
			return r.value, r.known
		}
	}
	if !j.built {
		for x := j.o; x != nil; x = x.parent {
			if j.t.p.proj[x.kind] != nil {
				j.vars[x.kind] = j.m.valueOf(x)
			}
		}
		j.built = true
	}
	value, known = j.c.evalBool(j.t, cond.what, cond.expr, j.o, j.vars, j.fns)
	if memo.result != nil {
		memo.result[string(memo.key)] = conditionResult{value, known}
	}
	return value, known
}

// evalBool evaluates when or assert for one object. known is false when
// the result is unknown (a value of the object failed to load) or the
// evaluation failed.
func (c *compiler) evalBool(t *evalTask, what string, e ast.Expr, o *govObject, vars map[string]cty.Value, fns map[string]function.Function) (value, known bool) {
	v, ds := e.Evaluate(vars, fns)
	if ds.HasErrors() {
		t.fail(e, o, ds)
		return false, false
	}
	if !v.IsWhollyKnown() {
		return false, false
	}
	if v.IsNull() {
		t.fail(e, o, diag.Diagnostics{diag.Errorf("", e.Range(), "Null result", "%s gives null", what)})
		return false, false
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil {
		t.fail(e, o, diag.Diagnostics{diag.Errorf("", e.Range(), fmt.Sprintf("%s is not true or false", what), "it gives %s", describeType(v.Type()))})
		return false, false
	}
	return b.True(), true
}

// fail keeps the task's first failure, to be reported once per policy.
func (t *evalTask) fail(e ast.Expr, o *govObject, ds diag.Diagnostics) {
	if t.failure != nil {
		return
	}
	for _, d := range ds {
		if d.Severity == diag.Error {
			t.failure = policyExprError(d, e, o.kind+" "+o.id())
			return
		}
	}
}

// evalMessage renders a policy's message for a violating object.
func (c *compiler) evalMessage(t *evalTask, o *govObject, vars map[string]cty.Value, fns map[string]function.Function) string {
	p := t.p
	v, ds := p.ast.Message.Evaluate(vars, fns)
	if ds.HasErrors() {
		if t.messageFailure == nil {
			for _, d := range ds {
				if d.Severity == diag.Error {
					t.messageFailure = messageError(d, p.ast.Message, o.kind+" "+o.id())
					break
				}
			}
		}
	} else if v.IsWhollyKnown() && !v.IsNull() {
		if s, err := convert.Convert(v, cty.String); err == nil {
			if text := strings.TrimSpace(s.AsString()); text != "" {
				return sentence(text)
			}
		}
	}
	if p.ast.Description.Set && strings.TrimSpace(p.ast.Description.V) != "" {
		return sentence(strings.TrimSpace(p.ast.Description.V))
	}
	return fmt.Sprintf("The %s %s breaks policy %s.", o.kind, o.id(), p.name())
}

// messageError reports, once per policy, a message that cannot be
// rendered for an object: the policy still applies, and its violations
// read its description instead.
func messageError(d *diag.Diagnostic, e ast.Expr, subject string) *diag.Diagnostic {
	at := e.Range()
	if d.Subject != nil {
		at = *d.Subject
	}
	return diag.Warnf("policy-expression", at, "Policy message cannot be rendered",
		"Rendering it for the %s failed (%s): %s The violation is reported with the policy's description instead; this is reported once, for the first object. Absent values are null: guard against them, as in ${port.description != null ? port.description : \"none\"}, or use try(...).",
		subject, strings.ToLower(d.Summary), sentence(strings.TrimSpace(d.Detail)))
}

// projection is the attributes of one variable that a policy reads: all
// of them when whole is set.
type projection struct {
	whole bool
	attrs []string // sorted
}

// project works out the projections of a policy's variables from the
// variables its expressions read.
func project(kind string, exprs ...ast.Expr) map[string]*projection {
	out := map[string]*projection{}
	visible := variablesOf(kind)
	for _, e := range exprs {
		if e == nil {
			continue
		}
		// has_test(port, "unique") reads only port.tests: an object passed
		// to it is not read whole.
		testedOnly := map[string]int{}
		for _, call := range e.Calls() {
			if call.Name.Name == "has_test" && len(call.Args) > 0 && len(call.Args[0]) == 1 {
				testedOnly[call.Args[0][0].Name]++
			}
		}
		for _, t := range e.Traversals() {
			name := t[0].Name
			if !slices.Contains(visible, name) || name == "mesh" {
				continue // reported; the mesh is built whole, once
			}
			pr := out[name]
			if pr == nil {
				pr = &projection{}
				out[name] = pr
			}
			attr := ""
			switch {
			case len(t) > 1:
				attr = t[1].Name
			case testedOnly[name] > 0:
				testedOnly[name]--
				attr = "tests"
			default:
				pr.whole = true
			}
			if attr != "" {
				pr.attrs = appendOnce(pr.attrs, attr)
			}
		}
	}
	for name, pr := range out {
		if pr.whole {
			pr.attrs = attributeNames(name)
		}
		slices.Sort(pr.attrs)
	}
	return out
}

// union merges the projections of the policies, by kind: each object is
// built once, with every attribute some policy reads.
func union(projections []map[string]*projection) map[string]*projection {
	out := map[string]*projection{}
	for _, ps := range projections {
		for kind, pr := range ps {
			u := out[kind]
			if u == nil {
				u = &projection{}
				out[kind] = u
			}
			u.whole = u.whole || pr.whole
			for _, a := range pr.attrs {
				u.attrs = appendOnce(u.attrs, a)
			}
		}
	}
	for _, u := range out {
		slices.Sort(u.attrs)
	}
	return out
}

// prepare readies the model for the policies, which read the attributes
// in need (by kind). A policy whose conditions read only some attributes
// is judged once per distinct set of their values, which the attributes
// alone give, so objects are built whole only when an expression is
// evaluated on them (valueOf).
func (m *model) prepare(need map[string]*projection, policies []*policy) {
	m.need = need
	// Messages may read readers too, beyond the attributes conditions
	// need, so any column or source policy gets them.
	if slices.ContainsFunc(policies, func(p *policy) bool { return p.kind == "column" || p.kind == "source" }) {
		m.sourceReaders = m.c.listReaders()
	}
	for _, p := range policies {
		for _, cond := range []*condition{p.when, p.assert} {
			if cond != nil && cond.memo {
				cond.inputs.locate(need)
			}
			if cond != nil && fastConditions {
				cond.fast = compileFast(cond.expr, p.kind, need)
			}
		}
	}
}

// fastConditions is false in a test that checks that the fast path
// changes nothing.
var fastConditions = true

// build gives the objects of a round the attributes the policies read, on
// every core, before the policies run in parallel over them.
func (m *model) build(round map[string][]*govObject) {
	var objs []*govObject
	for _, kind := range policyKinds {
		if m.need[kind] == nil {
			continue
		}
		// The attributes of a kind's objects share one allocation.
		n := len(m.need[kind].attrs)
		attrs := m.slab(kind, n*len(round[kind]))
		for i, o := range round[kind] {
			o.attrs = attrs[i*n : (i+1)*n : (i+1)*n]
		}
		objs = append(objs, round[kind]...)
	}
	parallel.For(len(objs), func(i int) {
		o := objs[i]
		for j, name := range m.need[o.kind].attrs {
			o.attrs[j] = m.attr(o, name)
		}
	})
}

// slab returns room for size attributes of a kind's objects: the room of
// the round before, which drop has let go of, when it is large enough.
// At 100,000 products a fresh allocation per round and kind was a sixth
// of governance's processor time, most of it spent helping the collector
// mark.
func (m *model) slab(kind string, size int) []cty.Value {
	s := m.slabs[kind]
	if keptAllRounds(kind) || cap(s) < size {
		s = make([]cty.Value, size)
	} else {
		s = s[:size]
		clear(s)
	}
	m.slabs[kind] = s
	return s
}

// keptAllRounds reports whether the objects of a kind keep what they were
// built with to the end: the domains, which the objects of every round
// sit in.
func keptAllRounds(kind string) bool { return kind == "domain" }

// drop lets go of what a round's objects were built with once the
// policies have judged them (but see keptAllRounds).
func (m *model) drop(round map[string][]*govObject) {
	for kind, objs := range round {
		if keptAllRounds(kind) {
			continue
		}
		for _, o := range objs {
			o.attrs, o.value = nil, atomic.Value{}
		}
	}
}

// conditionInputs are the attributes a policy's conditions read, by
// variable, sorted: what its verdict on an object depends on.
type conditionInputs []conditionInput

type conditionInput struct {
	variable string
	attrs    []string
	// at holds where each attribute is in the attrs of the variable's
	// objects (govObject.attrs), once the model is prepared.
	at []int
}

// locate finds the inputs among the attributes the model builds.
func (in conditionInputs) locate(need map[string]*projection) {
	for i := range in {
		v := &in[i]
		v.at = make([]int, len(v.attrs))
		for j, a := range v.attrs {
			k, found := slices.BinarySearch(need[v.variable].attrs, a)
			if !found {
				panic(fmt.Sprintf("governance model: %s.%s is not built", v.variable, a))
			}
			v.at[j] = k
		}
	}
}

// key encodes the values of the inputs for an object, appending to buf:
// those of the object itself and of the objects it sits in.
func (in conditionInputs) key(buf []byte, o *govObject) []byte {
	for _, v := range in {
		x := o.in(v.variable)
		for _, k := range v.at {
			buf = encodeValue(buf, x.attrs[k])
		}
	}
	return buf
}

// encodeValue appends an unambiguous encoding of a value.
func encodeValue(buf []byte, v cty.Value) []byte {
	t := v.Type()
	switch {
	case !v.IsKnown():
		return append(buf, 'u')
	case v.IsNull():
		return append(buf, 'n')
	case t == cty.String:
		s := v.AsString()
		buf = append(buf, 's')
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		return append(append(buf, ':'), s...)
	case t == cty.Bool:
		if v.True() {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case t == cty.Number:
		f := v.AsBigFloat()
		if i, exact := f.Int64(); exact == big.Exact && (i != 0 || !f.Signbit()) {
			return append(strconv.AppendInt(append(buf, 'i'), i, 10), ';')
		}
		return append(append(append(buf, 'd'), f.Text('g', -1)...), ';')
	case t.IsObjectType():
		buf = append(buf, 'o')
		var names [16]string // objects of the model have a few attributes
		sorted := names[:0]
		for a := range t.AttributeTypes() {
			sorted = append(sorted, a)
		}
		slices.Sort(sorted)
		for _, a := range sorted {
			buf = encodeValue(buf, v.GetAttr(a))
		}
		return buf
	}
	// lists, sets and maps (of strings, in this model)
	buf = append(buf, 'l')
	buf = strconv.AppendInt(buf, int64(v.LengthInt()), 10)
	buf = append(buf, ':')
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if t.IsMapType() {
			buf = encodeValue(buf, k)
		}
		buf = encodeValue(buf, e)
	}
	return buf
}
