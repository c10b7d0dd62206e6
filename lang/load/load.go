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
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/filekind"
	"github.com/meshc/meshc/internal/lf"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/ast"
	"github.com/meshc/meshc/lang/diag"
)

// RootFile is the name of the file that marks a mesh's root folder.
const RootFile = "mesh.hcl"

// FileSuffix is the suffix of every other mesh file.
const FileSuffix = ".mesh.hcl"

// MaxFileSize bounds a mesh file's size, so that every offset in it fits
// the 32 bits a range keeps (which keeps a large mesh's ranges small).
const MaxFileSize = 256 << 20

// Tree is one folder tree of mesh files: the user's mesh, or the standard
// library. Prefix is prepended to every file name in diagnostics, so that
// users see the paths they typed (examples/pharma/mesh.hcl) and stdlib files
// are recognisable (stdlib:tests.mesh.hcl).
type Tree struct {
	FS     fs.FS
	Prefix string
	Stdlib bool
	// Cache, when set, keeps the tree's decoded files between runs.
	Cache *Cache
	// Dir is the folder FS reads, and Index a folder for an index of its
	// files' stamps (sourceIndex), which spares reading the files that
	// the cache holds and that have not changed since the last run. Both
	// are needed for the index, and the cache too.
	Dir, Index string
	// Found, when set, is told how many mesh files the tree holds once
	// they are found, before any is read: meshc sizes its starting heap
	// from it (cli.ExpectFiles).
	Found func(files int)

	sources *sourceIndex
}

// file is one mesh file and where it sits. Each file is parsed and decoded
// on its own, in parallel with the others, and its syntax tree is dropped
// once decoded: only the decoded blocks stay in memory (see Texts).
type file struct {
	name string // display name
	// textFile is where the file is, and its text while it is needed:
	// shared with Texts and with lines, which read it again from there.
	*textFile
	// lines is what the file's ranges point into, set once it is read.
	lines *diag.File
	// syntaxErrors are the file's parse diagnostics; a file that has any
	// is not decoded.
	syntaxErrors diag.Diagnostics
	// diags are what decoding the file as a whole found: literal
	// credentials, unknown top-level blocks.
	diags  diag.Diagnostics
	blocks []*decoded
	// meshBlocks counts the mesh blocks written in the file, valid or not.
	meshBlocks int
	// cached is true when the decoded blocks came from the cache.
	cached bool
	// size and sum (a SHA-256) are the file's text's, which name its
	// cache entry: from the text, or from the sources' index (unread).
	size   int
	sum    [sha256.Size]byte
	unread bool
	// allCRLF is set for an unread file whose line endings the sources'
	// index knows to be all CRLF, for its lines (diag.File.OnDisk).
	allCRLF bool
}

// decoded is one top-level block, decoded without knowing where its file
// sits: where it may appear is checked when the files are assembled.
type decoded struct {
	typ   string
	def   diag.Range // the block's header, for misplaced-block
	value any        // *ast.Product, *ast.Source, ...
	diags diag.Diagnostics
	// bodyStart is where a domain block's body opens, to report a missing
	// owner there once blueprints are merged.
	bodyStart diag.Range
}

// Load reads the user's mesh and the standard library into one ast.Mesh.
//
// When a file has syntax errors, or the tree has no mesh.hcl, Load reports
// only that and returns a nil mesh: checking the rest of the mesh against a
// guess would bury the real mistake in consequences.
func Load(user Tree, stdlib Tree) (*ast.Mesh, *Texts, diag.Diagnostics) {
	var ds diag.Diagnostics
	if user.Cache != nil && user.Dir != "" && user.Index != "" {
		user.sources = openSources(user.Index, user.Dir)
	}
	files, _, d := readTree(&stdlib)
	ds = append(ds, d...)
	userFiles, folders, d := readTree(&user)
	ds = append(ds, d...)
	if user.Found != nil {
		user.Found(len(userFiles))
	}
	// The standard library comes first, so that a user's runner or test
	// kind that reuses a standard name is the one reported as a duplicate.
	files = append(files, userFiles...)

	parse(files)
	src := texts(files)
	user.Cache.noteSources(user.sources)
	user.sources = nil // the files point at user, which Texts keeps

	for _, f := range files {
		ds = append(ds, f.syntaxErrors...)
	}
	if ds.HasErrors() {
		return nil, src, ds
	}

	m := &ast.Mesh{}
	if !slices.ContainsFunc(userFiles, func(f *file) bool { return f.rel == RootFile }) {
		// The range names the missing file, so that every report places
		// the problem where it is fixed: SARIF must have a file.
		ds = append(ds, &diag.Diagnostic{Severity: diag.Error, Code: "no-mesh-root",
			Summary: fmt.Sprintf("No %s in %s", RootFile, displayDir(user.Prefix)),
			Detail:  fmt.Sprintf("A mesh's root folder holds a %s file with a mesh block, such as mesh \"pharma\" {}, and at least one environment block. Point meshc at that folder, or create the file.", RootFile),
			Subject: new(diag.WholeFile(user.Prefix + RootFile))})
		// Without the root, nothing can be checked: the layers, the
		// environments and the classifications all live there.
		return nil, src, ds
	}
	l := &loader{mesh: m, prefix: user.Prefix}
	ds = append(ds, l.assemble(files)...)
	for _, f := range userFiles {
		m.Files = append(m.Files, f.lines)
	}
	m.Folders = folders
	return m, src, ds
}

// TooLarge reports a mesh file of MaxFileSize bytes or more, which meshc
// neither loads nor formats: its positions would not fit in a range.
func TooLarge(name string, size int64) *diag.Diagnostic {
	return &diag.Diagnostic{Severity: diag.Error, Code: "file-too-large", Summary: "File too large",
		Detail:  fmt.Sprintf("%s holds %d bytes; meshc reads mesh files of less than %d MiB. Split it: one file per product is the usual layout.", name, size, MaxFileSize>>20),
		Subject: new(diag.WholeFile(name))}
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
		Subject: new(diag.WholeFile(name))}
}

func displayDir(prefix string) string {
	if prefix == "" {
		return "the current folder"
	}
	return strings.TrimSuffix(prefix, "/")
}

// readTree finds the mesh files of a tree, in lexical order; parse reads
// them. Hidden folders (.git, .meshc) are skipped. It returns the listings
// of the folders it walked too, by path (ast.Mesh.Folders).
func readTree(t *Tree) ([]*file, map[string][]fs.DirEntry, diag.Diagnostics) {
	if t.FS == nil {
		return nil, nil, nil
	}
	var files []*file
	var ds diag.Diagnostics
	folders := listFolders(t)
	err := fs.WalkDir(folders, ".", func(p string, de fs.DirEntry, err error) error {
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
			if p == "." || t.enters(p) {
				return nil
			}
			if p == OutputFolder && !t.Stdlib {
				ds = append(ds, meshFilesIn(t, p)...)
			}
			return fs.SkipDir
		}
		if name == RootFile && p != RootFile && !t.Stdlib {
			ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "nested-mesh-root",
				Summary: "mesh.hcl in a subfolder is ignored", Subject: new(diag.WholeFile(t.Prefix + p)),
				Detail: fmt.Sprintf("%s%s is not read: a mesh has one root file, at the top of its folder tree. To make it part of this mesh, rename it to a name ending in .mesh.hcl; to check it as a mesh of its own, point meshc at its folder.", t.Prefix, p)})
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 && !t.Stdlib {
			if info, err := fs.Stat(t.FS, p); name == RootFile || strings.HasSuffix(name, FileSuffix) || (err == nil && info.IsDir()) {
				ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "symlink-ignored",
					Summary: "Symbolic link not followed", Subject: new(diag.WholeFile(t.Prefix + p)),
					Detail: fmt.Sprintf("%s%s is a symbolic link, and meshc reads only the files that are in the mesh's folder tree itself, so that what is checked is what is committed and reviewed there. Replace the link with the files, or point meshc at a folder that holds them.", t.Prefix, p)})
			}
			return nil
		}
		if (p == RootFile || strings.HasSuffix(name, FileSuffix)) && !de.Type().IsRegular() && !t.Stdlib {
			// A pipe, a socket or a device named as a mesh file: reading it
			// could block, and no checkout holds one.
			ds = append(ds, &diag.Diagnostic{Severity: diag.Error, Code: "read-error",
				Summary: "Cannot read " + t.Prefix + p, Subject: new(diag.WholeFile(t.Prefix + p)),
				Detail: fmt.Sprintf("%s%s is %s, not a file: meshc reads only regular files, which are what a checkout holds. Remove it, or give it a name that does not end in %s.", t.Prefix, p, filekind.Special(de.Type()), FileSuffix)})
			return nil
		}
		if !(p == RootFile || strings.HasSuffix(name, FileSuffix)) || !de.Type().IsRegular() {
			if strings.HasSuffix(strings.ToLower(name), FileSuffix) && !strings.HasSuffix(name, FileSuffix) && !t.Stdlib {
				ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "ignored-file",
					Summary: "Mesh file name in the wrong case", Subject: new(diag.WholeFile(t.Prefix + p)),
					Detail: fmt.Sprintf("%s%s is not read: mesh files end in %s, in lower case. Rename it if it belongs to the mesh.", t.Prefix, p, FileSuffix)})
			}
			return nil
		}
		files = append(files, &file{name: t.Prefix + p, textFile: &textFile{tree: t, rel: p}})
		return nil
	})
	if err != nil {
		d := readError(displayDir(t.Prefix), err)
		d.Subject = new(diag.WholeFile(cmp.Or(strings.TrimSuffix(t.Prefix, "/"), "."))) // a path, for SARIF's uri
		ds = append(ds, d)
	}
	return files, folders.folders, ds
}

// OutputFolder is where meshc build writes by default, at the root of the
// mesh, and which loading does not read: after a build of a large mesh it
// holds many more files than the mesh does (a file per step and per test
// for GitLab), and walking them would cost every check.
const OutputFolder = "gen"

// meshFilesIn warns about what looks like a mesh file at the top of the
// folder p, which is not read: a file ending in .mesh.hcl in any case, or
// a mesh.hcl.
func meshFilesIn(t *Tree, p string) diag.Diagnostics {
	entries, _ := fs.ReadDir(t.FS, p) // the folder is not read: a failure is no mistake
	var ds diag.Diagnostics
	for _, e := range entries {
		if !e.IsDir() && (e.Name() == RootFile || strings.HasSuffix(strings.ToLower(e.Name()), FileSuffix)) {
			name := t.Prefix + p + "/" + e.Name()
			ds = append(ds, &diag.Diagnostic{Severity: diag.Warning, Code: "ignored-file",
				Summary: "Mesh file in the output folder", Subject: new(diag.WholeFile(name)),
				Detail: fmt.Sprintf("%s is not read: %s%s/ is where meshc build writes by default, so meshc reads nothing under it. Move the file to another folder if it belongs to the mesh.", name, t.Prefix, p)})
		}
	}
	return ds
}

// parse reads, parses and decodes the files in parallel: each file on its
// own, or, for a tree with a cache, each chunk of files that shares an
// entry, taken from the cache when it has them.
func parse(files []*file) {
	var units [][]*file
	var cached []*file
	for _, f := range files {
		if f.tree.Cache != nil {
			cached = append(cached, f)
		} else {
			units = append(units, []*file{f})
		}
	}
	units = append(units, chunks(cached)...)
	parallel.ForWith(len(units), func() func(int) {
		var s scratch // each goroutine's, reused from file to file
		return func(i int) { parseUnit(units[i], &s) }
	})
}

// parseUnit reads, parses and decodes a unit's files, or takes them from
// the cache, with s for what decoding needs only meanwhile.
func parseUnit(unit []*file, s *scratch) {
	cache, sources := unit[0].tree.Cache, unit[0].tree.sources
	readable := true
	for _, f := range unit {
		if f.unread = sources.tell(f); !f.unread {
			readable = f.read(s.source()) && readable
		}
	}
	var key string
	hit := false
	if cache != nil && readable {
		key = cache.key(unit)
		if hit = cache.load(key, unit); !hit && slices.ContainsFunc(unit, func(f *file) bool { return f.unread }) {
			// The entry is not there: the files are parsed after all,
			// and their text may have changed since the index saw it,
			// which names another entry.
			readable = readUnread(unit, s)
			if k := cache.key(unit); readable && k != key {
				key, hit = k, cache.load(k, unit)
			}
		}
	}
	if cache != nil && !readable {
		cache.countParsed(len(unit)) // counted, for Report's "of how many"
	}
	for _, f := range unit {
		if !f.cached {
			f.readIfUnread(s) // an entry need not keep every file
			f.parse(s)
			s.reset()
		}
	}
	if cache != nil && readable && !hit {
		cache.store(key, unit)
	}
	sources.countUnread(unit)
	for _, f := range unit {
		if src := f.dropText(); src != nil {
			s.sources = append(s.sources, src)
		}
	}
}

// readUnread reads the files of unit that the sources' index spared
// reading, and reports whether it could read them all.
func readUnread(unit []*file, s *scratch) bool {
	readable := true
	for _, f := range unit {
		readable = f.readIfUnread(s) && readable
	}
	return readable
}

// readIfUnread reads f if the sources' index spared reading it, and
// reports whether f has been read.
func (f *file) readIfUnread(s *scratch) bool {
	if !f.unread {
		return true
	}
	f.unread = false
	return f.read(s.source())
}

// read reads the file's bytes into buf, or into a buffer of their own if
// it has too little room, reporting whether it could. Its text is read with
// CRLF line endings as LF (lf.Read): a checkout with CRLF line endings is
// the same mesh, with the same heredocs, generated files and cache entries,
// whose key hashes the text read. Lines and columns are as in the file;
// its lines know where the CRs were, for byte offsets in the file on disk.
func (f *file) read(buf []byte) bool {
	raw, size, st, err := readBelow(f.tree.FS, f.rel, MaxFileSize, buf)
	src, ends := lf.Read(raw)
	switch {
	case err != nil:
		f.syntaxErrors = diag.Diagnostics{readError(f.name, err)}
		return false
	case size >= MaxFileSize:
		f.syntaxErrors = diag.Diagnostics{TooLarge(f.name, size)}
		return false
	}
	f.src = src
	// The text is dropped once decoded (dropText), and read again if a
	// column on a line beyond ASCII is asked for, which is once loading
	// is done; a file that kept its text for its diagnostics' snippets
	// counts their columns in the text they show, even if the file has
	// changed since.
	f.lines = diag.NewFileAgain(f.name, src, diag.Again{Read: f.textFile.read, Tokens: tokenBounds})
	f.lines.SetLineEndings(ends)
	f.size = len(src)
	if f.tree.Cache != nil {
		f.sum = sha256.Sum256(src)
		f.tree.sources.remember(f, st, size, ends)
	}
	return true
}

// readBelow reads a file of fewer than limit bytes, and returns the size
// of a larger one unread: a data dump named .mesh.hcl by mistake should not
// be read into memory to be refused. The size comes from the open file,
// where a stat and then a read would look each path up twice. The bytes go
// into buf when it has room for them, as they are in the file, CRLF line
// endings and all; the size returned is the file's, as read.
func readBelow(fsys fs.FS, name string, limit int64, buf []byte) ([]byte, int64, stamp.Stamp, error) {
	r, err := fsys.Open(name)
	if err != nil {
		return nil, 0, stamp.Stamp{}, err
	}
	defer r.Close()
	info, err := r.Stat()
	if err != nil {
		return nil, 0, stamp.Stamp{}, err
	}
	if info.Size() >= limit {
		return nil, info.Size(), stamp.Stamp{}, nil
	}
	// Room for the whole file and the read that finds its end, so that
	// the buffer is allocated once; a file that grew since is read whole
	// all the same, up to the limit.
	b := bytes.NewBuffer(buf[:0])
	b.Grow(int(max(info.Size(), 0)) + bytes.MinRead) // a size below 0 is a file system's mistake
	n, err := b.ReadFrom(io.LimitReader(r, limit))
	return b.Bytes(), n, stamp.Of(info), err
}

// NewFile indexes a file's lines for its ranges (diag.File), keeping its
// text for the columns of lines beyond ASCII.
func NewFile(name string, src []byte) *diag.File {
	return diag.NewFileAgain(name, src, diag.Again{Read: func() ([]byte, error) { return src, nil }, Tokens: tokenBounds})
}

// tokenBounds returns where the tokens of a file's text start and end, in
// order, since HCL counts columns token by token: diag.File asks for them
// where a grapheme cluster may straddle a token bound (a string that
// starts with a combining mark, say).
func tokenBounds(src []byte) []int32 {
	tokens, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	bounds := make([]int32, 0, 2*len(tokens))
	for _, t := range tokens {
		bounds = append(bounds, int32(t.Range.Start.Byte), int32(t.Range.End.Byte))
	}
	slices.Sort(bounds)
	return slices.Compact(bounds)
}

// parse parses the file read and decodes each of its top-level blocks,
// with s for what decoding needs only meanwhile.
func (f *file) parse(s *scratch) {
	if f.src == nil && f.syntaxErrors != nil {
		return // it could not be read
	}
	if done, argument := f.parseBlocks(s); !done {
		f.parseWhole(s, argument)
	}
}

// parseWhole parses and decodes the file at once: with parseFast when fast
// is set, or where it declines, with hclsyntax, once CheckNesting has found
// the file within what its recursive parser can take (parseFast gives up
// past it on its own).
func (f *file) parseWhole(s *scratch, fast bool) {
	var body *hclsyntax.Body
	if fast {
		body = parseFast(f.src, f.name, s)
	}
	if body == nil {
		if f.syntaxErrors = CheckNesting(f.lines, f.src); f.syntaxErrors != nil {
			return
		}
		hf, hds := hclsyntax.ParseConfig(f.src, f.name, hcl.InitialPos)
		if f.syntaxErrors = SyntaxDiagnostics(f.lines, f.src, hds); f.syntaxErrors.HasErrors() {
			return
		}
		var ok bool
		if body, ok = hf.Body.(*hclsyntax.Body); !ok {
			return
		}
	}
	f.decode(body, s)
}

// parseBlocks parses and decodes the file a top-level block at a time
// (parseFastBlocks), resetting s after each. It reports false, having
// decoded nothing, for a file that parse must parse whole, and whether
// parseFast may read it then (it has a top-level argument), or would
// decline it too.
func (f *file) parseBlocks(s *scratch) (done, argument bool) {
	ok, argument := parseFastBlocks(f.src, f.name, s, func(b *hclsyntax.Block) {
		body := s.syntaxBody() // the block's alone: no schema of a file requires anything of its body
		body.Blocks = append(body.Blocks, b)
		body.SrcRange, body.EndRange = b.Range(), b.CloseBraceRange
		f.decode(body, s)
		s.reset()
	})
	if !ok {
		f.diags, f.blocks, f.meshBlocks = nil, nil, 0
		s.reset()
	}
	return ok, argument
}

// decode decodes the top-level blocks of body, a whole file's or a part
// of it, and adds them and what they got wrong to the file's.
func (f *file) decode(body *hclsyntax.Body, s *scratch) {
	f.diags = append(f.diags, findCredentials(f.lines, f.src, body)...)
	c, hds := content(body, fileSchema, s)
	f.diags = append(f.diags, convertDiags(f.lines, hds)...)
	for _, b := range body.Blocks {
		if b.Type == "mesh" {
			f.meshBlocks++
		}
	}
	for _, b := range c.Blocks {
		dec := &decoder{file: f.lines, dir: path.Dir(f.rel), scratch: s}
		d := &decoded{typ: b.Type, def: dec.rng(b.DefRange), value: blockKinds[b.Type].decode(dec, b)}
		if b.Type == "domain" {
			d.bodyStart = dec.rng(b.Body.MissingItemRange())
		}
		d.diags = dec.diags
		f.blocks = append(f.blocks, d)
	}
}

// loader assembles the decoded files into one mesh.
type loader struct {
	mesh   *ast.Mesh
	prefix string // the user tree's display prefix
	// bodies holds where each domain block's body opens, to report a
	// missing owner there once blueprints are merged.
	bodies map[*ast.Domain]diag.Range
}

// The places where a top-level block may appear (blockKinds).
const (
	inRoot   = 1 << iota // mesh.hcl
	inDomain             // a domain's folder
	inShared             // a folder outside any domain (platform, governance)
	inStdlib             // the standard library
)

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
		if blockKinds[block].places&p != 0 {
			names = append(names, placeName(p))
		}
	}
	return strings.Join(names, " or ")
}

// assemble files the decoded blocks of every file into the mesh: domains
// by folder, then every other block in the domain whose folder holds its
// file, or mesh-wide.
func (l *loader) assemble(files []*file) diag.Diagnostics {
	var ds diag.Diagnostics
	domainBlocks := map[string][]*decoded{} // domain folder -> its domain blocks
	for _, f := range files {
		ds = append(ds, f.diags...)
		if f.rel == RootFile && !f.tree.Stdlib {
			l.mesh.RootBlocks += f.meshBlocks
		}
		if f.tree.Stdlib || f.rel == RootFile {
			continue
		}
		for _, b := range f.blocks {
			if b.typ == "domain" {
				dir := path.Dir(f.rel)
				domainBlocks[dir] = append(domainBlocks[dir], b)
			}
		}
	}

	domains := map[string]*ast.Domain{} // folder -> domain
	for _, dir := range slices.Sorted(maps.Keys(domainBlocks)) {
		blocks := domainBlocks[dir]
		dom := blocks[0].value.(*ast.Domain)
		ds = append(ds, blocks[0].diags...)
		if l.bodies == nil {
			l.bodies = map[*ast.Domain]diag.Range{}
		}
		l.bodies[dom] = blocks[0].bodyStart
		for _, extra := range blocks[1:] {
			if name := extra.value.(*ast.Domain).Name; name != "" {
				l.mesh.IgnoredDomains = append(l.mesh.IgnoredDomains, name)
			}
			ds = append(ds, diag.Errorf("two-domains-in-folder", extra.def, "Second domain in one folder",
				"The folder %s already declares domain %q at %s. A domain owns its whole folder: move this domain into a folder of its own.",
				l.displayFolder(dir), dom.Name, dom.DeclRange))
		}
		if dir == "." {
			ds = append(ds, diag.Errorf("misplaced-block", blocks[0].def, "Domain in the mesh root folder",
				"A domain owns its folder and everything below it, so in the root folder it would own the whole mesh. Move this file into a folder of its own, such as domains/%s/.", dom.Name))
		} else if outer := domainFolderOf(path.Dir(dir), domainBlocks); outer != "" && outer != "." {
			ds = append(ds, diag.Errorf("nested-domain", blocks[0].def, "Domain folder inside another domain's folder",
				"The folder %s belongs to the domain declared in %s. Domains own whole folder trees, so they cannot nest: move one of the two folders.",
				l.displayFolder(dir), l.displayFolder(outer)))
		}
		domains[dir] = dom
		l.mesh.Domains = append(l.mesh.Domains, dom)
	}

	for _, f := range files {
		place := inShared
		var dom *ast.Domain
		switch {
		case f.tree.Stdlib:
			place = inStdlib
		case f.rel == RootFile:
			place = inRoot
		default:
			if dir := domainFolderOf(path.Dir(f.rel), domainBlocks); dir != "" {
				place, dom = inDomain, domains[dir]
			}
		}
		for _, b := range f.blocks {
			if blockKinds[b.typ].places&place == 0 {
				ds = append(ds, misplaced(b.typ, b.def, place))
				continue
			}
			if b.typ != "domain" { // filed per folder, above
				ds = append(ds, b.diags...)
				ds = append(ds, l.place(b, dom, f.tree.Stdlib)...)
			}
		}
	}
	// Blueprints are merged last, when every blueprint, product and domain
	// is decoded, so that what the compiler sees is the resolved objects.
	ds = append(ds, l.applyBlueprints(ds.HasErrors())...)
	return ds
}

func misplaced(typ string, def diag.Range, place int) *diag.Diagnostic {
	detail := fmt.Sprintf("%s %s block belongs in %s, not in %s.", diag.Article(typ, true), typ, allowedPlaces(typ), placeName(place))
	if place == inShared && blockKinds[typ].places&inDomain != 0 {
		detail += " This file is in no domain's folder: add a domain block to its folder, or move the file into the folder of the domain that owns it."
	}
	return diag.Errorf("misplaced-block", def, fmt.Sprintf("Misplaced %s block", typ), "%s", detail)
}

// place files one decoded top-level block in the mesh: in dom when it is
// in a domain's folder, else mesh-wide.
func (l *loader) place(b *decoded, dom *ast.Domain, stdlib bool) diag.Diagnostics {
	m := l.mesh
	switch v := b.value.(type) {
	case *ast.MeshBlock:
		if m.Root != nil {
			return diag.Diagnostics{diag.Errorf("duplicate-block", v.DeclRange, "Second mesh block",
				"A mesh has one mesh block, already declared at %s. Remove this one.", m.Root.DeclRange)}
		}
		m.Root = v
	case *ast.Defaults:
		if m.Defaults != nil {
			return diag.Diagnostics{diag.Errorf("duplicate-block", v.DeclRange, "Second defaults block",
				"A mesh has one defaults block, already declared at %s. Merge the two.", m.Defaults.DeclRange)}
		}
		m.Defaults = v
	case *ast.Environment:
		m.Environments = append(m.Environments, v)
	case *ast.Source:
		dom.Sources = append(dom.Sources, v)
	case *ast.Product:
		dom.Products = append(dom.Products, v)
	case *ast.Secret:
		if dom != nil {
			dom.Secrets = append(dom.Secrets, v)
		} else {
			m.Secrets = append(m.Secrets, v)
		}
	case *ast.Runner:
		v.Stdlib = stdlib
		m.Runners = append(m.Runners, v)
	case *ast.Target:
		if v != nil {
			v.Stdlib = stdlib
			m.Targets = append(m.Targets, v)
		}
	case *ast.TestKind:
		v.Stdlib = stdlib
		m.TestKinds = append(m.TestKinds, v)
	case *ast.Policy:
		v.Stdlib = stdlib
		if dom != nil {
			dom.Policies = append(dom.Policies, v)
		} else {
			m.Policies = append(m.Policies, v)
		}
	case *ast.Blueprint:
		m.Blueprints = append(m.Blueprints, v)
	case *ast.Waiver:
		if dom != nil {
			dom.Waivers = append(dom.Waivers, v)
		} else {
			m.Waivers = append(m.Waivers, v)
		}
	default: // domain blocks are filed per folder, before place is called
		panic(fmt.Sprintf("load: %T is in blockKinds but has no place in the mesh", v))
	}
	return nil
}

// domainFolderOf returns the domain folder that dir is in (dir itself or its
// nearest ancestor holding a domain block), or "" when there is none.
func domainFolderOf(dir string, domainBlocks map[string][]*decoded) string {
	for {
		if _, ok := domainBlocks[dir]; ok {
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
