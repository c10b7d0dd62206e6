// Package load reads a mesh from a folder tree: it finds the .mesh.hcl
// files, parses them in parallel, checks which blocks may appear where,
// decodes every block into lang/ast, and merges blueprints into the
// products and domains that extend them (blueprint.go). It is the only part
// of meshc that imports HCL.
//
// Loading never stops at the first problem: it returns everything it could
// decode plus diagnostics, so that one run reports every mistake.
package load

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// RootFile is the name of the file that marks a mesh's root folder.
const RootFile = "mesh.hcl"

// FileSuffix is the suffix of every other mesh file.
const FileSuffix = ".mesh.hcl"

// Tree is one folder tree of mesh files: the user's mesh, or the standard
// library. Prefix is prepended to every file name in diagnostics, so that
// users see the paths they typed (examples/pharma/mesh.hcl) and stdlib files
// are recognisable (stdlib:tests.mesh.hcl).
type Tree struct {
	FS     fs.FS
	Prefix string
	Stdlib bool
}

// file is one parsed file and where it sits.
type file struct {
	name string // display name
	rel  string // slash path inside its tree
	src  []byte
	body *hclsyntax.Body
	tree *Tree
	// diags are the file's parse diagnostics, kept with the file so that
	// files can be parsed in parallel.
	diags diag.Diagnostics
}

// Load reads the user's mesh and the standard library into one ast.Mesh.
//
// When a file has syntax errors, or the tree has no mesh.hcl, Load reports
// only that and returns a nil mesh: checking the rest of the mesh against a
// guess would bury the real mistake in consequences.
func Load(user Tree, stdlib Tree) (*ast.Mesh, diag.Sources, diag.Diagnostics) {
	var ds diag.Diagnostics
	files, d := readTree(&stdlib)
	ds = append(ds, d...)
	userFiles, d := readTree(&user)
	ds = append(ds, d...)
	// The standard library comes first, so that a user's runner or test
	// kind that reuses a standard name is the one reported as a duplicate.
	files = append(files, userFiles...)

	parse(files)
	src := diag.Sources{}
	for _, f := range files {
		src[f.name] = f.src
	}

	for _, f := range files {
		ds = append(ds, f.diags...)
	}
	if ds.HasErrors() {
		return nil, src, ds
	}

	m := &ast.Mesh{}
	if !slices.ContainsFunc(userFiles, func(f *file) bool { return f.rel == RootFile }) {
		ds = append(ds, &diag.Diagnostic{Severity: diag.Error, Code: "no-mesh-root",
			Summary: fmt.Sprintf("No %s in %s", RootFile, displayDir(user.Prefix)),
			Detail:  fmt.Sprintf("A mesh's root folder holds a %s file with a mesh block, such as mesh \"pharma\" {}, and at least one environment block. Point meshc at that folder, or create the file.", RootFile)})
		// Without the root, nothing can be checked: the layers, the
		// environments and the classifications all live there.
		return nil, src, ds
	}
	l := &loader{mesh: m, prefix: user.Prefix}
	ds = append(ds, l.decode(files)...)
	for _, f := range userFiles {
		m.Files = append(m.Files, f.name)
	}
	return m, src, ds
}

// readError reports a file or folder that cannot be read. Its range names
// the file alone, so that tools reading the JSON report know which it is.
func readError(name string, err error) *diag.Diagnostic {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &diag.Diagnostic{Severity: diag.Error, Code: "read-error", Summary: "Cannot read " + name,
		Detail:  fmt.Sprintf("%s: %v. Check that the file exists and is readable by the user running meshc.", name, err),
		Subject: &diag.Range{Filename: name}}
}

func displayDir(prefix string) string {
	if prefix == "" {
		return "the current folder"
	}
	return strings.TrimSuffix(prefix, "/")
}

// readTree finds the mesh files of a tree, in lexical order. Hidden folders
// (.git, .meshc) are skipped.
func readTree(t *Tree) ([]*file, diag.Diagnostics) {
	if t.FS == nil {
		return nil, nil
	}
	var files []*file
	var ds diag.Diagnostics
	err := fs.WalkDir(t.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			ds = append(ds, readError(t.Prefix+p, err))
			return nil
		}
		name := de.Name()
		if de.IsDir() && p == RootFile {
			ds = append(ds, readError(t.Prefix+p, fmt.Errorf("it is a folder; the mesh's root file must be a file")))
			return fs.SkipDir
		}
		if de.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		if name == RootFile && p != RootFile && !t.Stdlib {
			ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "nested-mesh-root",
				Summary: "mesh.hcl in a subfolder is ignored", Subject: &diag.Range{Filename: t.Prefix + p},
				Detail: fmt.Sprintf("%s%s is not read: a mesh has one root file, at the top of its folder tree. To make it part of this mesh, rename it to a name ending in .mesh.hcl; to check it as a mesh of its own, point meshc at its folder.", t.Prefix, p)})
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 && !t.Stdlib {
			if info, err := fs.Stat(t.FS, p); name == RootFile || strings.HasSuffix(name, FileSuffix) || (err == nil && info.IsDir()) {
				ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "symlink-ignored",
					Summary: "Symbolic link not followed", Subject: &diag.Range{Filename: t.Prefix + p},
					Detail: fmt.Sprintf("%s%s is a symbolic link, and meshc reads only the files that are in the mesh's folder tree itself, so that what is checked is what is committed and reviewed there. Replace the link with the files, or point meshc at a folder that holds them.", t.Prefix, p)})
			}
			return nil
		}
		if !(p == RootFile || strings.HasSuffix(name, FileSuffix)) || !de.Type().IsRegular() {
			if strings.HasSuffix(strings.ToLower(name), FileSuffix) && !strings.HasSuffix(name, FileSuffix) && !t.Stdlib {
				ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "ignored-file",
					Summary: "Mesh file name in the wrong case", Subject: &diag.Range{Filename: t.Prefix + p},
					Detail: fmt.Sprintf("%s%s is not read: mesh files end in %s, in lower case. Rename it if it belongs to the mesh.", t.Prefix, p, FileSuffix)})
			}
			return nil
		}
		src, err := fs.ReadFile(t.FS, p)
		if err != nil {
			ds = append(ds, readError(t.Prefix+p, err))
			return nil
		}
		files = append(files, &file{name: t.Prefix + p, rel: p, src: src, tree: t})
		return nil
	})
	if err != nil {
		ds = append(ds, readError(displayDir(t.Prefix), err))
	}
	return files, ds
}

// parse parses the files in parallel; each keeps its own syntax tree.
func parse(files []*file) {
	var wg sync.WaitGroup
	work := make(chan *file)
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f.parse()
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
}

func (f *file) parse() {
	if f.diags = CheckNesting(f.src, f.name); f.diags != nil {
		return
	}
	hf, hds := hclsyntax.ParseConfig(f.src, f.name, hcl.InitialPos)
	if body, ok := hf.Body.(*hclsyntax.Body); ok {
		f.body = body
	}
	f.diags = convertDiags(hds)
}

// loader assembles the decoded files into one mesh.
type loader struct {
	mesh   *ast.Mesh
	prefix string // the user tree's display prefix
	// bodies holds where each domain block's body opens, to report a
	// missing owner there once blueprints are merged.
	bodies map[*ast.Domain]diag.Range
}

// blockPlaces says where each top-level block may appear.
const (
	inRoot   = 1 << iota // mesh.hcl
	inDomain             // a domain's folder
	inShared             // a folder outside any domain (platform, governance)
	inStdlib             // the standard library
)

var blockPlaces = map[string]int{
	"mesh":        inRoot,
	"defaults":    inRoot,
	"environment": inRoot,
	"domain":      inDomain,
	"source":      inDomain,
	"product":     inDomain,
	"secret":      inRoot | inDomain | inShared,
	"runner":      inRoot | inShared | inStdlib,
	"test_kind":   inRoot | inShared | inStdlib,
	"target":      inRoot | inShared | inStdlib,
	"policy":      inRoot | inDomain | inShared | inStdlib,
	"waiver":      inRoot | inDomain | inShared,
	"blueprint":   inRoot | inShared,
}

func placeName(place int) string {
	switch place {
	case inRoot:
		return "the mesh root file " + RootFile
	case inDomain:
		return "a domain's folder"
	case inStdlib:
		return "the standard library"
	}
	return "a folder outside any domain"
}

func allowedPlaces(block string) string {
	var names []string
	for _, p := range []int{inRoot, inDomain, inShared} {
		if blockPlaces[block]&p != 0 {
			names = append(names, placeName(p))
		}
	}
	return strings.Join(names, " or ")
}

func (l *loader) decode(files []*file) diag.Diagnostics {
	var ds diag.Diagnostics
	contents := make(map[*file]*hcl.BodyContent, len(files))
	domainFiles := map[string][]*hcl.Block{} // domain folder -> its domain blocks
	for _, f := range files {
		if f.body == nil {
			continue
		}
		ds = append(ds, findCredentials(f.body)...)
		c, hds := f.body.Content(fileSchema)
		ds = append(ds, convertDiags(hds)...)
		contents[f] = c
		if f.rel == RootFile && !f.tree.Stdlib {
			for _, b := range f.body.Blocks {
				if b.Type == "mesh" {
					l.mesh.RootBlocks++
				}
			}
		}
		if f.tree.Stdlib || f.rel == RootFile {
			continue
		}
		for _, b := range c.Blocks.OfType("domain") {
			domainFiles[path.Dir(f.rel)] = append(domainFiles[path.Dir(f.rel)], b)
		}
	}

	domains := map[string]*ast.Domain{} // folder -> domain
	for _, dir := range slices.Sorted(maps.Keys(domainFiles)) {
		blocks := domainFiles[dir]
		dec := &decoder{}
		dom := dec.domain(blocks[0], dir)
		ds = append(ds, dec.diags...)
		if l.bodies == nil {
			l.bodies = map[*ast.Domain]diag.Range{}
		}
		l.bodies[dom] = rng(blocks[0].Body.MissingItemRange())
		for _, extra := range blocks[1:] {
			if len(extra.Labels) > 0 {
				l.mesh.IgnoredDomains = append(l.mesh.IgnoredDomains, extra.Labels[0])
			}
			ds = append(ds, diag.Errorf("two-domains-in-folder", rng(extra.DefRange), "Second domain in one folder",
				"The folder %s already declares domain %q at %s. A domain owns its whole folder: move this domain into a folder of its own.",
				l.displayFolder(dir), dom.Name, dom.DeclRange))
		}
		if dir == "." {
			ds = append(ds, diag.Errorf("misplaced-block", rng(blocks[0].DefRange), "Domain in the mesh root folder",
				"A domain owns its folder and everything below it, so in the root folder it would own the whole mesh. Move this file into a folder of its own, such as domains/%s/.", dom.Name))
		} else if outer := domainFolderOf(path.Dir(dir), domainFiles); outer != "" && outer != "." {
			ds = append(ds, diag.Errorf("nested-domain", rng(blocks[0].DefRange), "Domain folder inside another domain's folder",
				"The folder %s belongs to the domain declared in %s. Domains own whole folder trees, so they cannot nest: move one of the two folders.",
				l.displayFolder(dir), l.displayFolder(outer)))
		}
		domains[dir] = dom
		l.mesh.Domains = append(l.mesh.Domains, dom)
	}

	for _, f := range files {
		c := contents[f]
		if c == nil {
			continue
		}
		place := inShared
		var dom *ast.Domain
		switch {
		case f.tree.Stdlib:
			place = inStdlib
		case f.rel == RootFile:
			place = inRoot
		default:
			if dir := domainFolderOf(path.Dir(f.rel), domainFiles); dir != "" {
				place, dom = inDomain, domains[dir]
			}
		}
		dec := &decoder{}
		for _, b := range c.Blocks {
			if blockPlaces[b.Type]&place == 0 {
				ds = append(ds, misplaced(b, place))
				continue
			}
			l.block(dec, b, dom, f.tree.Stdlib)
		}
		ds = append(ds, dec.diags...)
	}
	// Blueprints are merged last, when every blueprint, product and domain
	// is decoded, so that what the compiler sees is the resolved objects.
	ds = append(ds, l.applyBlueprints(ds.HasErrors())...)
	return ds
}

func misplaced(b *hcl.Block, place int) *diag.Diagnostic {
	detail := fmt.Sprintf("%s %s block belongs in %s, not in %s.", diag.Article(b.Type, true), b.Type, allowedPlaces(b.Type), placeName(place))
	if place == inShared && blockPlaces[b.Type]&inDomain != 0 {
		detail += " This file is in no domain's folder: add a domain block to its folder, or move the file into the folder of the domain that owns it."
	}
	return diag.Errorf("misplaced-block", rng(b.DefRange), fmt.Sprintf("Misplaced %s block", b.Type), "%s", detail)
}

// block decodes one top-level block and files it in the mesh.
func (l *loader) block(dec *decoder, b *hcl.Block, dom *ast.Domain, stdlib bool) {
	m := l.mesh
	switch b.Type {
	case "mesh":
		mb := dec.meshBlock(b)
		if m.Root != nil {
			dec.add(diag.Diagnostics{diag.Errorf("duplicate-block", mb.DeclRange, "Second mesh block",
				"A mesh has one mesh block, already declared at %s. Remove this one.", m.Root.DeclRange)})
			return
		}
		m.Root = mb
	case "defaults":
		df := dec.defaults(b)
		if m.Defaults != nil {
			dec.add(diag.Diagnostics{diag.Errorf("duplicate-block", df.DeclRange, "Second defaults block",
				"A mesh has one defaults block, already declared at %s. Merge the two.", m.Defaults.DeclRange)})
			return
		}
		m.Defaults = df
	case "environment":
		m.Environments = append(m.Environments, dec.environment(b))
	case "domain":
		// decoded per folder, above
	case "source":
		dom.Sources = append(dom.Sources, dec.source(b))
	case "product":
		dom.Products = append(dom.Products, dec.product(b))
	case "secret":
		if dom != nil {
			dom.Secrets = append(dom.Secrets, dec.secret(b))
		} else {
			m.Secrets = append(m.Secrets, dec.secret(b))
		}
	case "runner":
		r := dec.runner(b)
		r.Stdlib = stdlib
		m.Runners = append(m.Runners, r)
	case "target":
		if t := dec.target(b); t != nil {
			t.Stdlib = stdlib
			m.Targets = append(m.Targets, t)
		}
	case "test_kind":
		k := dec.testKind(b)
		k.Stdlib = stdlib
		m.TestKinds = append(m.TestKinds, k)
	case "policy":
		p := dec.policy(b)
		p.Stdlib = stdlib
		if dom != nil {
			dom.Policies = append(dom.Policies, p)
		} else {
			m.Policies = append(m.Policies, p)
		}
	case "blueprint":
		m.Blueprints = append(m.Blueprints, dec.blueprint(b))
	case "waiver":
		if dom != nil {
			dom.Waivers = append(dom.Waivers, dec.waiver(b))
		} else {
			m.Waivers = append(m.Waivers, dec.waiver(b))
		}
	}
}

// domainFolderOf returns the domain folder that dir is in (dir itself or its
// nearest ancestor holding a domain block), or "" when there is none.
func domainFolderOf(dir string, domainFiles map[string][]*hcl.Block) string {
	for {
		if _, ok := domainFiles[dir]; ok {
			return dir
		}
		if dir == "." || dir == "/" || dir == "" {
			return ""
		}
		dir = path.Dir(dir)
	}
}

// displayFolder names a folder of the user's mesh as the user sees it.
func (l *loader) displayFolder(dir string) string {
	if dir == "." {
		return "the mesh root"
	}
	return l.prefix + trimDot(dir) + "/"
}
