// Package compiler checks a decoded mesh and turns it into a plan.
//
// The work is an ordered list of named stages (see stages below). Each stage
// adds diagnostics and fills in more of the plan; later stages only look at
// what earlier ones resolved, so that one mistake (a misspelt product name,
// say) produces one diagnostic, not a cascade.
package compiler

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/suggest"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/stdlib"
)

// Options tune a compilation.
type Options struct {
	// Env names the environment to map names for; empty means the first one
	// declared in mesh.hcl.
	Env string
	// Today is the date deprecations are judged against; zero means today.
	Today time.Time
	// Cache, when set, keeps the mesh's decoded files between runs.
	Cache *load.Cache
	// Index, when set with Cache, is a folder where an index of the mesh
	// folder's files spares reading those that have not changed since the
	// last run (load.Tree.Index).
	Index string
	// Trace, when set, is told how long loading and each stage took (for
	// benchmarks and profiling).
	Trace func(stage string, took time.Duration)
	// Found, when set, is told how many mesh files loading found, before
	// it reads them (load.Tree.Found).
	Found func(files int)
	// WholeMesh keeps Result.Mesh whole. Without it, the checker lets go
	// of the syntax of the products, once each domain's are declared, and
	// of sources' columns (Result.Mesh then lacks them): most of a large
	// mesh's heap, which later stages need not keep, as the products'
	// scopes hold what they read of it.
	WholeMesh bool
	// NoTestSQL leaves the SQL of the plan's tests empty, for a caller
	// that writes no target (meshc check). Each test's SQL is still
	// rendered and checked, for its errors, but into a buffer the tests
	// share rather than kept: kept, it is 73 MB at 100,000 products, live
	// from the tests to the end, and about 120 MB allocated.
	NoTestSQL bool
}

// Result is what a compilation produced. Plan is nil when the mesh has
// errors; Diagnostics are sorted, and SourcesFor gives the text to render
// them with.
type Result struct {
	Plan        *plan.Plan
	Diagnostics diag.Diagnostics
	texts       *load.Texts
	stepFiles   diag.Sources // the steps' SQL files that diagnostics point into
	// Policies says what each policy found, whether or not the mesh has
	// errors, for the grouped report of WritePolicyReport. It is nil when
	// the mesh could not be loaded.
	Policies []*PolicyOutcome
	// Mesh is the decoded mesh, with blueprints merged into the objects
	// that extend them, for meshc explain --object: whole only with
	// Options.WholeMesh. It is nil when the mesh could not be loaded.
	Mesh *ast.Mesh
}

// SourcesFor returns the text of the files that ds refer to, for printing
// them: the compilation's own diagnostics, or a target's, which refer to
// the same files.
func (r *Result) SourcesFor(ds diag.Diagnostics) diag.Sources {
	src := r.texts.For(ds)
	for name, text := range r.stepFiles {
		src[name] = text
	}
	// A target's diagnostic may point into a step's SQL file that the
	// check reported nothing in (snowflake's BEGIN): its text is the one
	// the target read, through the plan's Root.
	for _, d := range ds {
		if d.Subject == nil || r.Plan == nil || r.Plan.Root == nil {
			continue
		}
		name := d.Subject.Filename()
		if _, known := src[name]; known || !strings.HasPrefix(name, r.Plan.Prefix) {
			continue
		}
		if text, err := fs.ReadFile(r.Plan.Root, r.Plan.Rel(name)); err == nil {
			src[name] = text
		}
	}
	return src
}

// SourceText returns the text of a range of the mesh's files, "" when it
// cannot be read: what a policy's expression says, for meshc diff.
func (r *Result) SourceText(rg diag.Range) string {
	text := r.texts.For(diag.Diagnostics{{Subject: &rg}})[rg.Filename()]
	start, end := rg.Offsets()
	if start < 0 || end > len(text) || start > end {
		return ""
	}
	return string(text[start:end])
}

// UsageError is a problem with how meshc was called rather than with the
// mesh: a folder that does not exist, an environment the mesh lacks.
type UsageError struct {
	Msg string
	// MissingEnv is the environment asked for, when the mesh does not
	// declare it: meshc diff takes a base revision without it as one that
	// had nothing in it.
	MissingEnv string
}

func (e *UsageError) Error() string { return e.Msg }

// CompileDir loads the mesh in dir (with the standard library) and compiles
// it.
func CompileDir(dir string, opts Options) (*Result, error) {
	info, err := os.Stat(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &UsageError{Msg: fmt.Sprintf("cannot read mesh folder %s: %v", dir, err)}
	}
	if !info.IsDir() {
		return nil, &UsageError{Msg: fmt.Sprintf("%s is not a folder: point meshc at the folder holding mesh.hcl", dir)}
	}
	return Compile(load.Tree{FS: os.DirFS(dir), Prefix: displayPrefix(dir), Dir: dir}, opts)
}

// displayPrefix turns the folder the user named into the prefix of file
// names in diagnostics: slash-separated, relative as typed, "" for ".".
func displayPrefix(dir string) string {
	d := filepath.ToSlash(filepath.Clean(dir))
	if d == "." {
		return ""
	}
	return strings.TrimSuffix(d, "/") + "/"
}

// Compile compiles the mesh in a tree.
func Compile(tree load.Tree, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Cache != nil {
		tree.Cache = opts.Cache
	}
	if opts.Index != "" {
		tree.Index = opts.Index
	}
	if opts.Found != nil {
		tree.Found = opts.Found
	}
	mesh, src, ds := load.Load(tree, load.Tree{FS: stdlib.FS, Prefix: stdlib.Prefix, Stdlib: true})
	if opts.Trace != nil {
		opts.Trace("load", time.Since(start))
	}
	if mesh == nil {
		return &Result{Diagnostics: ds.Sorted(), texts: src}, nil
	}
	c := newCompiler(mesh, tree, opts)
	c.texts = src
	c.diags = ds
	for _, d := range ds {
		if d.Severity == diag.Error && d.Subject != nil {
			c.loadErrors[*d.Subject] = true
		}
		// A credential is reported where it is written in its string:
		// the string, its Context, is the value that failed.
		if d.Code == "literal-credential" && d.Context != nil {
			c.loadErrors[*d.Context] = true
		}
	}
	if err := c.pickEnvironment(); err != nil {
		return nil, err
	}
	for _, s := range stages {
		start := time.Now()
		s.run(c)
		if opts.Trace != nil {
			opts.Trace(s.name, time.Since(start))
		}
	}
	// Last, a problem with a value that a blueprint gives, found in each
	// object that inherits it, becomes one.
	ds = onceInBlueprints(c.diags, mesh.Blueprints)
	res := &Result{Diagnostics: ds.Sorted(), texts: src, stepFiles: c.stepFiles.texts, Policies: c.policyOutcomes, Mesh: mesh}
	if !res.Diagnostics.HasErrors() {
		res.Plan = c.plan
	}
	return res, nil
}

// stages run in this order, each relying on the ones before it.
// Loading (lang/load) comes before them all and has already merged
// blueprints into the products and domains that extend them, so every
// stage checks resolved objects, and inherited values carry their
// blueprint's ranges.
var stages = []struct {
	name string
	run  func(*compiler)
}{
	// settings reads mesh.hcl first: layers, classifications and the
	// environment are needed to check and name everything else.
	{"settings", (*compiler).settings},
	// declare puts every named object in its scope, so that references can
	// be resolved whatever the order of files and blocks. It also links
	// each product's steps to their runners, secrets and predecessors, and
	// sorts them: all they refer to is declared before the product.
	{"declare", (*compiler).declare},
	// blueprints notes the files of each object's blueprints, from which
	// loading merged values that keep no range in the plan (an owner, a
	// description, tags, a layer), for the headers of generated files.
	{"blueprints", (*compiler).blueprintFiles},
	// targets checks the target blocks, whose job templates name runners.
	{"targets", (*compiler).targets},
	// resolve links the inputs to the ports and sources they read, and
	// checks the consumer contracts they imply.
	{"resolve", (*compiler).resolve},
	// tests binds each test to its kind and renders its SQL; relationships
	// tests add dependencies, so this comes before ordering.
	{"tests", (*compiler).tests},
	// order finds cycles among products and sorts them topologically.
	{"order", (*compiler).order},
	// layers, schedules and deprecations check the dependency graph, which
	// is complete and acyclic only now.
	{"layers", (*compiler).checkLayers},
	// periods fills in each product's effective period, which schedules
	// then checks SLAs and diamonds against.
	{"periods", (*compiler).periods},
	{"schedules", (*compiler).schedules},
	{"deprecations", (*compiler).deprecations},
	// stepsql reads the steps' SQL, which only it and the targets do:
	// after resolve, which links steps to their runners and inputs to
	// the tables they read.
	{"stepsql", (*compiler).stepSQL},
	// governance comes last: its object model holds what every other stage
	// found (consumers, layers, effective periods, tests), and a policy
	// reads facts, never repairs them.
	{"governance", (*compiler).governance},
}

// releaseBound lets go of the syntax of a product's tests, once bound.
func releaseBound(ps *productScope) {
	ps.tests = nil
	for _, port := range ps.ports {
		port.tests, port.columnTests = nil, nil
	}
}

// errorf and warnf report a problem, unless loading already reported an
// error at the very same range: a value that failed to load is not checked
// again, so that one mistake reads as one problem.
func (c *compiler) errorf(code string, subject diag.Range, summary, detail string, args ...any) {
	if !c.loadErrors[subject] {
		c.diags = append(c.diags, diag.Errorf(code, subject, summary, detail, args...))
	}
}

func (c *compiler) warnf(code string, subject diag.Range, summary, detail string, args ...any) {
	if !c.loadErrors[subject] {
		c.diags = append(c.diags, diag.Warnf(code, subject, summary, detail, args...))
	}
}

func (c *compiler) pickEnvironment() error {
	envs := c.mesh.Environments
	if c.opts.Env == "" {
		return nil
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.Name
		if e.Name == c.opts.Env {
			return nil
		}
	}
	if len(envs) == 0 {
		return nil // reported as a mesh error by settings
	}
	// In mesh.hcl's order, the first being the one meshc takes without
	// --env.
	listed := slices.Clone(names)
	listed[0] += " (the default)"
	return &UsageError{Msg: fmt.Sprintf("the mesh has no environment %q.%s It has %s", c.opts.Env, suggest.DidYouMean(c.opts.Env, names), strings.Join(listed, ", ")), MissingEnv: c.opts.Env}
}
