package compiler

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/zclconf/go-cty/cty"
)

// compiler is one compilation: its state, and the diagnostics found. The
// goroutines that check parts of the mesh at once (inParallel) share the
// state and keep their diagnostics apart.
type compiler struct {
	*state
	diags diag.Diagnostics
	// meant memoizes the "did you mean" of unknown, by kind, where, name
	// and the candidate left out (unknownBut): a product renamed in a
	// domain of thousands is read under its old name by as many, each of
	// which would look through the domain again. It is this worker's own
	// (inParallel).
	meant map[[4]string]string
	// vars holds a test's template variables in turn (productTests). It
	// is this worker's own: a map made per product allocated its room at
	// its first entry, 38 MB of garbage at 100,000 products.
	vars map[string]cty.Value
}

// state is what a compilation holds: the decoded mesh, the plan being
// built, and the scopes that references are resolved in.
type state struct {
	mesh  *ast.Mesh
	tree  load.Tree
	opts  Options
	today time.Time
	plan  *plan.Plan
	// loadErrors holds the ranges where loading reported an error.
	loadErrors map[diag.Range]bool

	layers          map[string]int
	classifications map[string]bool
	domains         map[string]*domainScope
	domainList      []*domainScope // by name
	domainNames     []string       // sorted, for "did you mean"
	runners         map[string]*plan.Runner
	runnerAST       map[*plan.Runner]*ast.Runner
	kinds           map[string]*ast.TestKind
	badColumnTypes  map[*ast.TestKind]bool // kinds whose column_types has an invalid entry
	// badTemplates are the kinds whose SQL template names a variable or
	// function that does not exist (reported there): their tests are
	// bound but not rendered, which would report it again for each.
	badTemplates  map[*ast.TestKind]bool
	secrets       map[string]*plan.Secret    // mesh-wide
	sourceColumns map[*plan.Source]columnSet // for the inputs that read them
	products      []*productScope            // by ID
	// run lists the products' places in run order (plan.Products), once
	// they are ordered.
	run []int32
	// classificationNames are the classifications, sorted.
	classificationNames []string
	// productCycle is set when products depend on each other in a loop;
	// the checks that walk the dependency graph then stand down.
	productCycle bool
	// policyOutcomes are what the governance stage found, per policy.
	policyOutcomes []*PolicyOutcome

	// unwalked holds the listings of the folders loading did not walk
	// (hidden, _, gen) that steps' paths go through, each listed once, for
	// the case of the names in them (pathType).
	unwalked struct {
		sync.Mutex
		folders map[string]listing
	}

	// suggestions are the lists of candidates that unknown has been
	// given, each with its index (scopeLists).
	suggestions scopeLists

	// holders lists, by name, the domains that declare each source and
	// each product, in domain order, for references to names their own
	// domain lacks. It is made at the first of them, as a renamed product
	// may leave thousands.
	holders struct {
		once              sync.Once
		sources, products map[string][]*domainScope
	}

	// mappedTables are the tables the environment's schema prefix maps,
	// found once (mapped).
	mappedOnce   sync.Once
	mappedTables *mappedTables

	// texts finds the mesh files' text again, to point inside a step's
	// sql argument (sqlRange); stepFiles are the steps' SQL files that a
	// diagnostic points into, by name, for their snippets.
	texts     *load.Texts
	stepFiles struct {
		sync.Mutex
		files map[string]*diag.File
		texts diag.Sources
	}
}

// holdersOf returns the domains that declare a source or product (kind) of
// a name. It may be called once declare is done.
func (s *state) holdersOf(kind, name string) []*domainScope {
	h := &s.holders
	h.once.Do(func() {
		h.sources, h.products = map[string][]*domainScope{}, map[string][]*domainScope{}
		for _, o := range s.domainList {
			if s.domains[o.plan.Name] != o {
				continue // a duplicate domain, reported as such
			}
			for n := range o.sources {
				h.sources[n] = append(h.sources[n], o)
			}
			for n := range o.products {
				h.products[n] = append(h.products[n], o)
			}
		}
	})
	if kind == "source" {
		return h.sources[name]
	}
	return h.products[name]
}

// domainScope is what short names inside a domain resolve to.
type domainScope struct {
	ast     *ast.Domain
	plan    *plan.Domain
	sources map[string]*plan.Source
	// sourceColumns are the columns of each source, by name, for the
	// inputs that read them (gathered mesh-wide in state.sourceColumns).
	sourceColumns map[*plan.Source]columnSet
	// sourceTables are where each source names its table.
	sourceTables map[*plan.Source]diag.Range
	products     map[string]*productScope
	// productList holds every product declared, including duplicates, so
	// that each is checked.
	productList []*productScope
	secrets     map[string]*plan.Secret

	// sourceNames and productNames are the sorted names of its sources
	// and products, for "did you mean": a domain may hold thousands of
	// products, and a renamed one leave as many references broken.
	sourceNames, productNames []string
}

// productScope is what short names inside a product resolve to.
type productScope struct {
	// ast is the product's declaration while declareProduct reads it, nil
	// after: later stages read the plan, what written keeps of the
	// declaration, and the syntax below until they are done with it, so
	// that the rest of it is not live while a large mesh's collections
	// mark the heap.
	ast     *ast.Product
	written productWritten
	// inputs and tests are the product's own, until resolve and tests
	// have read them (nil after); blueprints, those merged into it.
	inputs     []*ast.Input
	tests      []*ast.TestUse
	blueprints []string
	plan       *plan.Product
	domain     *domainScope
	// place is the product's place in compiler.products, set once they
	// are all declared: later stages index slices by it rather than
	// looking products up in maps, which at 100,000 products cost more
	// per lookup than at 10,000 (fewer of them fit in the caches).
	place int32
	ports map[string]*portScope
	// steps holds the product's steps by name, and stepAST links each
	// back to its declaration, while declareProduct resolves them; both
	// are nil after.
	steps   map[string]*plan.Step
	stepAST map[*plan.Step]*ast.Step
	// brokenInputs is set when an input of the product failed to resolve
	// (and was reported), or was a duplicate.
	brokenInputs bool
	// cadenceBroken is set when the product's cadence failed to load (and
	// was reported): when it runs, and so its period, is not known.
	cadenceBroken bool
	// brokenTests is set when a test of the product failed to resolve
	// (and was reported): its list of tests is not known for sure.
	brokenTests bool
	// testUses counts the tests the product declares and its blueprint
	// gives it, bound or not: its tests, as far as they are known, when
	// one failed to bind (brokenTests).
	testUses int
	// edges are the product's dependencies on others, through its inputs
	// and then its tests, in the order they are written.
	edges []edge
	// reads are the ports its inputs read, for their consumers.
	reads []*portScope
	// producers are, for each of plan.Inputs, the place of the product
	// it reads, or -1 for a source.
	producers []int32
}

type portScope struct {
	plan    *plan.Port
	product *productScope // the port's own
	// ownWritten is what governance reads of the port's declaration
	// (written, below, is its columns'), which is let go of once
	// declared; tests are the port's own, until the tests stage binds
	// them (nil after).
	ownWritten portWritten
	tests      []*ast.TestUse
	// objectRange is where the port names its table or view.
	objectRange diag.Range
	// visibilityMisspelt is set when the port's visibility was written
	// under another name ("visibilty"): its readers are not told it is
	// internal, which it is only by default, as its own error says.
	visibilityMisspelt bool
	columns            columnSet
	names              atomic.Pointer[[]string] // columnNames's, once made
	// columnTests holds the tests written in those of plan.Columns that
	// have any, in the same order, until the tests stage binds them;
	// written, what governance reads of each column's declaration. The
	// declarations themselves are let go of once declared.
	columnTests []columnTestUses
	written     []columnWritten
	// table is the port's table or view as SQL, for the templates of the
	// tests that read it.
	table cty.Value
	// kindsOfTests lists the kinds of the port's tests (its own, its
	// columns', and its product's that name it), in test ID order, for
	// governance (port.tests): looking through all of a product's tests
	// for each of its ports took time in the square of its size.
	kindsOfTests []string
	// readers holds, for each of plan.Columns, the products that read it
	// through an input, each once: listed for governance (listReaders),
	// nil when no one reads the port.
	readers [][]*plan.Product
}

// columnTestUses are the tests written in one of a port's columns: most
// columns have none, and a list of every column's, empty or not, was 33
// MB of the heap live as resolve starts at 100,000 products.
type columnTestUses struct {
	column int // its index in plan.Columns
	uses   []*ast.TestUse
}

// productWritten is what later stages read of a product's declaration
// beyond its plan: which optional attributes were written, and which
// failed to load (and were reported).
type productWritten struct {
	owner, description, version attrState
	tagsBroken                  bool
	// cadenceWritten is set when a schedule gives a cadence, valid or
	// not, and slaWritten when an sla block is written: where the plan
	// has none, it failed to load.
	cadenceWritten, slaWritten bool
	extendsBroken              bool // its blueprint failed to load
	// misspeltStepDescriptions names, sorted, the steps whose description
	// was written under another name ("descripton"), which is reported:
	// it is not known to be absent.
	misspeltStepDescriptions []string
	// brokenTestDescriptions are the tests whose description failed to
	// load or was misspelt, which is reported: few, if any.
	brokenTestDescriptions []*plan.Test
	// scheduleAttempted: see scheduleAttempted.
	scheduleAttempted bool
}

func productWrittenOf(p *ast.Product) productWritten {
	return productWritten{
		owner:             stateOf(p.Owner),
		description:       stateOf(p.Description),
		version:           stateOf(p.Version),
		tagsBroken:        p.Tags.Bad,
		cadenceWritten:    p.Schedule != nil && (p.Schedule.Cadence.Set || p.Schedule.Cadence.Bad),
		slaWritten:        p.SLA != nil,
		extendsBroken:     slices.Contains(p.Broken, "extends"),
		scheduleAttempted: scheduleAttempted(p),
	}
}

// portWritten is what governance reads of a port's declaration beyond
// its plan, as productWritten is of a product's.
type portWritten struct {
	objectSet bool
	// visibilityUnknown is set when the visibility failed to load, or
	// was not one (and the plan holds another).
	visibilityUnknown bool
	description       attrState
}

func portWrittenOf(p *ast.Port, visibility string) portWritten {
	return portWritten{
		objectSet:         p.Object.Set,
		visibilityUnknown: p.Visibility.Bad || (p.Visibility.Set && p.Visibility.V != visibility),
		description:       stateOf(p.Description),
	}
}

// columnWritten is what governance reads of a column's declaration
// beyond its planned values: which of its optional attributes were
// written, and which failed to load (and were reported).
type columnWritten struct {
	nullableBroken                       bool
	classification, masking, description attrState
}

func writtenOf(col *ast.Column) columnWritten {
	return columnWritten{
		nullableBroken: col.Nullable.Bad,
		classification: stateOf(col.Classification()),
		masking:        stateOf(col.Masking()),
		description:    stateOf(col.Description),
	}
}

// attrState is whether an optional attribute was written, and whether it
// loaded.
type attrState uint8

const (
	attrAbsent attrState = iota
	attrWritten
	attrBroken
)

func stateOf(s ast.String) attrState {
	switch {
	case s.Bad:
		return attrBroken
	case s.Set:
		return attrWritten
	}
	return attrAbsent
}

// edge is a dependency of a product on another, with the range of the
// input or test that creates it.
type edge struct {
	to     *plan.Product
	place  int32 // to's place in compiler.products
	at     diag.Range
	byTest bool // a test compares against the other product's port
}

// verb says how an edge's product uses the other, for messages.
func (e edge) verb() string {
	if e.byTest {
		return "tests against"
	}
	return "reads"
}

func newCompiler(mesh *ast.Mesh, tree load.Tree, opts Options) *compiler {
	today := opts.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	return &compiler{state: &state{
		mesh: mesh, tree: tree, opts: opts,
		today:          time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC),
		plan:           &plan.Plan{Root: plan.ReadOnce(stepFilesOf(tree))},
		domains:        map[string]*domainScope{},
		runners:        map[string]*plan.Runner{},
		runnerAST:      map[*plan.Runner]*ast.Runner{},
		kinds:          map[string]*ast.TestKind{},
		badColumnTypes: map[*ast.TestKind]bool{},
		badTemplates:   map[*ast.TestKind]bool{},
		secrets:        map[string]*plan.Secret{},
		sourceColumns:  map[*plan.Source]columnSet{},
		loadErrors:     map[diag.Range]bool{},
	}}
}
