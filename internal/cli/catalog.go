package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/atomicfile"
	"github.com/meshc/meshc/internal/jsonout"
	"github.com/meshc/meshc/internal/manifest"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/targets/airflow"
	"github.com/meshc/meshc/targets/gitlab"
	"github.com/meshc/meshc/targets/snowflake"
	"github.com/spf13/pflag"
)

// outFlags are the flags --gitlab-out, --airflow-out and --snowflake-out,
// by target, of the commands that point at the files the builds generate
// (manifest, codeowners): each names a build's output folder as that
// build's --out does, from the current folder, gen/TARGET in the mesh
// folder by default.
type outFlags map[string]*string

func registerOutFlags(fs *pflag.FlagSet) outFlags {
	outs := outFlags{}
	for _, t := range targets {
		outs[t] = fs.String(t+"-out", "", "the "+t+" build's output folder, as its --out, from the current folder (default: gen/"+t+" in DIR)")
	}
	return outs
}

// outFolder is a build's output folder.
type outFolder struct {
	flag     string   // --TARGET-out, for messages
	given    string   // as given, or gen/TARGET in the mesh folder
	rel      string   // from the mesh root, slash-separated, where the system finds it (relativeTo)
	links    []string // the symbolic links on the way to it (relativeTo)
	standard bool     // it is gen/TARGET in the mesh folder, however it was written
}

// place finds each build's output folder from the mesh folder dir, by
// target, where the system finds it (relativeTo); or says why one cannot
// be found from there.
func (o outFlags) place(dir string) (map[string]outFolder, error) {
	folders := map[string]outFolder{}
	for _, t := range targets {
		f := outFolder{flag: "--" + t + "-out", given: *o[t], standard: true}
		standard := filepath.Join(dir, load.OutputFolder, t)
		if f.given == "" {
			f.given = standard
		}
		rel, links, err := relativeTo(dir, f.given, f.flag)
		if err != nil {
			return nil, err
		}
		f.rel, f.links = rel, links
		if f.given != standard {
			standardRel, _, err := relativeTo(dir, standard, f.flag)
			f.standard = err == nil && standardRel == rel
		}
		folders[t] = f
	}
	return folders, nil
}

// granularityUsage is --granularity's help in the commands that name the
// gitlab build's files.
const granularityUsage = "the gitlab build's --granularity, which names its child pipelines: product or domain (default: the granularity setting, else product)"

// compileClean compiles the mesh for a command that needs it free of
// errors, printing the errors otherwise. The warnings of a mesh without
// errors are printed too, to standard error as check, build and graph
// print them, and first: whatever the command goes on to say or write
// (on standard output, which holds the command's output alone), they are
// the mesh's.
func compileClean(e *env, cf *compileFlags, cmd, dir string) (*compiler.Result, int, bool) {
	res, code, done := cf.compile(e, cmd, dir)
	if done {
		return nil, code, true
	}
	diag.WriteText(e.stderr, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	if res.Plan == nil {
		fmt.Fprintf(e.stderr, "\n%s; nothing was written\n", summary(res))
		return nil, exitMesh, true
	}
	if len(res.Diagnostics) > 0 {
		fmt.Fprintln(e.stderr) // warnings, before what the command says
	}
	return res, exitOK, false
}

// writeOut writes data to the file --out names, or to standard output.
// A file follows meshc build's discipline (docs/targets/gitlab.md, "How
// meshc build writes files"): one with the same contents, or with CRLF
// line endings where data has LF, as a checkout that converts line
// endings leaves it, is left untouched, so that its time stamp stays, and
// is written with LF line endings when it changes; one that ours does not
// recognise as this command's output, a symbolic link or anything that is
// not a regular file is refused, so that a mistyped --out cannot clobber
// mesh.hcl or a hand-written CODEOWNERS; the file is replaced
// atomically, so a reader never sees a part of it; and the folders on the
// way that are missing are made, as build makes its output folder
// (output.MakeFolder). An empty file is replaced, as build replaces one:
// nothing is lost.
func writeOut(e *env, cmd, out string, data []byte, ours func([]byte) bool) int {
	if out == "" || out == "-" {
		e.stdout.Write(data)
		return exitOK
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "meshc %s: %s\n", cmd, fmt.Sprintf(format, args...))
		return exitMesh
	}
	info, err := os.Lstat(out)
	switch {
	case err != nil:
		// The folders on the way that are missing are made, as build
		// makes its output folder; a file or a broken link on the way is
		// named.
		if err := output.MakeFolder(filepath.Dir(out)); err != nil {
			return fail("cannot write %s: %v", out, err)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fail("%v", err)
		}
		if err := atomicfile.Write(out, data, 0o644); err != nil {
			return fail("%v", err)
		}
		fmt.Fprintf(e.stderr, "meshc %s: wrote %s\n", cmd, out)
		return exitOK
	case info.Mode()&fs.ModeSymlink != 0:
		return fail("%s is a symbolic link, and meshc never writes through links; remove it or choose another --out (or --out - for standard output)", out)
	case info.IsDir():
		return fail("%s is a folder; --out names the file to write, such as %s", out, filepath.Join(out, outExample[cmd]))
	case !info.Mode().IsRegular():
		return fail("%s is not a regular file, and meshc replaces the file it writes; choose another --out (or --out - for standard output)", out)
	}
	old, err := os.ReadFile(out)
	if err != nil {
		return fail("%v", err)
	}
	switch {
	case output.SameText(old, data): // as a build finds its files, CRLF line endings and all
		fmt.Fprintf(e.stderr, "meshc %s: %s unchanged\n", cmd, out)
		return exitOK
	case len(old) > 0 && !ours(old):
		return fail("%s was not written by meshc %s (%s), and meshc never overwrites a file it did not generate; remove it or choose another --out", out, cmd, ownMark[cmd])
	}
	if err := atomicfile.Replace(out, data); err != nil {
		return fail("%v", err)
	}
	fmt.Fprintf(e.stderr, "meshc %s: wrote %s\n", cmd, out)
	return exitOK
}

// outExample is a file name each command's --out may take.
var outExample = map[string]string{"manifest": "manifest.json", "codeowners": "CODEOWNERS"}

// ownMark says how each command recognises its own output, for the
// message that refuses another file.
var ownMark = map[string]string{
	"manifest":   `it is not a JSON object with "$schema": "` + manifest.SchemaID + `" and a "generated_by" of meshc near the top`,
	"codeowners": fmt.Sprintf("it has no %q header naming meshc codeowners at the top", output.Marker),
}

// codeownersCommand is the start of the command a CODEOWNERS file's header
// names, which marks the file as codeowners' own: a file another meshc
// command generated is not replaced either.
const codeownersCommand = "meshc codeowners"

// isCodeowners reports whether existing contents are a CODEOWNERS file
// meshc codeowners wrote.
func isCodeowners(data []byte) bool { return output.OwnedBy(data, codeownersCommand) }

// isManifest reports whether existing contents are a manifest meshc wrote.
// JSON has no comments to carry output.Marker, so a manifest is known by
// the fields it starts with: a JSON object whose "$schema" is a meshc
// manifest schema and whose "generated_by" names meshc, both within the
// first 1024 bytes (where meshc writes them), as Marker must be.
func isManifest(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data[:min(len(data), 1024)]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	var schema, by bool
	for !schema || !by {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		k, ok := key.(string)
		if !ok {
			return false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return false
		}
		var s string
		switch k {
		case "$schema":
			schema = json.Unmarshal(v, &s) == nil && strings.HasPrefix(s, manifestSchemas)
		case "generated_by":
			by = json.Unmarshal(v, &s) == nil && strings.HasPrefix(s, "meshc ")
		}
	}
	return true
}

// manifestSchemas starts the $schema of every version of the manifest.
const manifestSchemas = "https://meshc.dev/schemas/manifest/"

func runManifest(e *env, args []string) int {
	var cf compileFlags
	var out, granularity string
	fs := flagSet(e, "manifest", "manifest [--out FILE] [flags] [DIR]",
		`Writes a JSON catalog of the mesh in DIR (default: the current folder): its
domains, sources and products, with each product's ports and their schemas,
owners, lineage, tests, schedule, SLA and generated files, and the policies
with what they found. The format is described by docs/manifest.schema.json.
The output folders are given as build's --out is, from the current folder,
and recorded relative to the mesh folder.`)
	fs.StringVar(&out, "out", "", "the file to write, replaced only if meshc manifest wrote it (default: standard output)")
	outs := registerOutFlags(fs)
	fs.StringVar(&granularity, "granularity", "", granularityUsage)
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	dir, ok := oneDir(e, "manifest", fs.Args())
	if !ok || !plainPaths(e, fs, "out", "gitlab-out", "airflow-out", "snowflake-out") {
		return exitUsage
	}
	if err := checkGranularity(granularity); err != nil {
		return usageError(e, "manifest", "%v", err)
	}
	// The catalog records each folder from the mesh root, as its schema
	// says, so that it is the same whatever folder meshc ran in.
	folders, err := outs.place(dir)
	if err != nil {
		return usageError(e, "manifest", "%v", err)
	}
	res, code, done := compileClean(e, &cf, "manifest", dir)
	if done {
		return code
	}
	m := manifest.Build(res, manifest.Options{
		Version:     version(),
		Granularity: granularity,
		Out:         manifest.Generation{GitLab: folders[gitlab.Name].rel, Airflow: folders[airflow.Name].rel, Snowflake: folders[snowflake.Name].rel},
	})
	data, err := jsonout.Indented(m, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "meshc manifest: %v\n", err)
		return exitMesh
	}
	return writeOut(e, "manifest", out, data, isManifest)
}

// codeownersOwner is what GitLab takes as an owner: @user, @group/sub or
// an email address, without spaces.
var codeownersOwner = regexp.MustCompile(`^(@[A-Za-z0-9_.\-/]+|[^\s@]+@[^\s@]+)$`)

func runCodeowners(e *env, args []string) int {
	var cf compileFlags
	var out, meshDir, granularity string
	fs := flagSet(e, "codeowners", "codeowners [--out FILE] [flags] [DIR]",
		`Writes a GitLab CODEOWNERS file for the mesh in DIR (default: the current
folder): the mesh folder, the output folders and, when the mesh is at the
repository's root, its .gitlab-ci.yml and CODEOWNERS belong to the mesh
block's owner (the platform team); each domain's folder and the files the targets generate
for it to the domain's owner; and a product's own file and generated files
to the product's owner when that is someone else (with the domain's owner,
if the file holds the domain's blocks too).
Paths are relative to the repository's root, where meshc build places the
mesh: --mesh-dir, else the mesh_dir setting of the target "gitlab" block,
else found from .git. The output folders are given as build's --out is,
from the current folder, and may be anywhere in the repository; give
--granularity too if the gitlab build has it.`)
	fs.StringVar(&out, "out", "", "the file to write, such as CODEOWNERS or .gitlab/CODEOWNERS, replaced only if meshc codeowners wrote it (default: standard output)")
	fs.StringVar(&meshDir, "mesh-dir", "", "the mesh folder's path in the repository (default: the mesh_dir setting, else found from .git)")
	outs := registerOutFlags(fs)
	fs.StringVar(&granularity, "granularity", "", granularityUsage)
	cf.register(fs)
	if code, done := parse(e, fs, args); done {
		return code
	}
	dir, ok := oneDir(e, "codeowners", fs.Args())
	if !ok || !plainPaths(e, fs, "out", "gitlab-out", "airflow-out", "snowflake-out") {
		return exitUsage
	}
	if meshDir != "" && !compiler.ValidRepoDir(meshDir) {
		return usageError(e, "codeowners", "--mesh-dir is a relative folder inside the repository, such as analytics/mesh or ., not %q", meshDir)
	}
	if err := checkGranularity(granularity); err != nil {
		return usageError(e, "codeowners", "%v", err)
	}
	given, err := outs.place(dir)
	if err != nil {
		return usageError(e, "codeowners", "%v", err)
	}
	res, code, done := compileClean(e, &cf, "codeowners", dir)
	if done {
		return code
	}
	// The mesh is where build places it, and each output folder where
	// build finds its --out, so that the file names the paths the
	// pipelines include and the builds write.
	place := placeMesh(res.Plan, meshDir, dir)
	repoDir, _ := gitlab.MeshDir(res.Plan, place)
	if r, bad := firstControl(repoDir); bad {
		// Found from .git: --mesh-dir and mesh_dir hold none.
		return usageError(e, "codeowners", "the mesh folder is at %q in its repository, a path with a control character (U+%04X), which a CODEOWNERS line cannot hold; rename the folder", repoDir, r)
	}
	head := codeownersHead{meshDir: repoDir, meshDirGiven: meshDir != "", granularity: granularity}
	folders, flags, err := placeOutFolders(repoDir, given)
	if err != nil {
		return usageError(e, "codeowners", "%v", err)
	}
	head.outs = flags
	// What stops the gitlab build placing its files stops naming them:
	// a path GitLab would expand is one CODEOWNERS would too (*).
	g := given[gitlab.Name]
	place.Out, place.OutDir, place.OutLinks, place.Granularity = g.given, g.rel, g.links, granularity
	if ds := gitlab.CheckPaths(res.Plan, place); ds.HasErrors() {
		return meshErrors(e, res, ds)
	}
	if out != "" && out != "-" {
		rel, _, err := relativeTo(dir, out, "--out")
		if err != nil {
			return usageError(e, "codeowners", "%v", err)
		}
		head.out = path.Join(repoDir, rel)
		folders.codeowners = head.out
	}
	data, ds := codeowners(res.Plan, head.command(), folders, place)
	if ds.HasErrors() {
		return meshErrors(e, res, ds)
	}
	if len(ds) > 0 {
		diag.WriteText(e.stderr, ds, res.SourcesFor(ds))
		fmt.Fprintln(e.stderr)
	}
	return writeOut(e, "codeowners", out, data, isCodeowners)
}

// meshErrors prints the diagnostics ds, which hold errors found after the
// mesh compiled, and says that nothing was written.
func meshErrors(e *env, res *compiler.Result, ds diag.Diagnostics) int {
	ds = ds.Sorted()
	res.Diagnostics = append(res.Diagnostics, ds...)
	diag.WriteText(e.stderr, ds, res.SourcesFor(ds))
	fmt.Fprintf(e.stderr, "\n%s; nothing was written\n", summary(res))
	return exitMesh
}

// placeOutFolders finds the builds' output folders (given, by target) in
// the repository, whose root the mesh root is at repoDir in. It returns
// them, and the flags that name from the repository's root those given
// that are not the default, however they were written, for the header;
// or why one cannot be named.
func placeOutFolders(repoDir string, given map[string]outFolder) (codeownersFolders, []string, error) {
	folders := codeownersFolders{mesh: repoDir}
	var flags []string
	for _, t := range targets {
		f := given[t]
		inRepo := path.Join(repoDir, f.rel)
		if inRepo == ".." || strings.HasPrefix(inRepo, "../") {
			return folders, nil, fmt.Errorf("%s %s is outside the mesh's repository (the mesh root is at %q in it), and CODEOWNERS names paths in the repository; give the folder the build writes to, inside the repository, or set --mesh-dir to the mesh root's folder in the repository", f.flag, f.given, repoDir)
		}
		if r, bad := firstControl(inRepo); bad {
			// The flag holds none (plainPaths): a link on the way does.
			return folders, nil, fmt.Errorf("%s %s is at %q in the repository, a path with a control character (U+%04X), which a CODEOWNERS line cannot hold; choose another folder", f.flag, f.given, inRepo, r)
		}
		if !f.standard {
			flags = append(flags, f.flag+" "+shell.Quote(inRepo))
		}
		switch t {
		case gitlab.Name:
			folders.gitlab = inRepo
		case airflow.Name:
			folders.airflow = inRepo
		case snowflake.Name:
			folders.snowflake = inRepo
		}
	}
	return folders, flags, nil
}

// codeownersFolders are where the mesh's files and the builds' output
// folders are in the repository, slash paths from its root.
type codeownersFolders struct {
	mesh                       string // the mesh root
	gitlab, airflow, snowflake string
	codeowners                 string // the file written, "" for standard output
}

// codeownersHead is what the command a CODEOWNERS file's header says to
// run again is made of.
type codeownersHead struct {
	out          string   // --out from the repository's root; "" for standard output
	meshDir      string   // the mesh root's folder in the repository
	meshDirGiven bool     // --mesh-dir was given
	granularity  string   // --granularity, "" when not given
	outs         []string // the --*-out flags, from the root, that are not the default
}

// command is the command a CODEOWNERS file's header says to run again:
// from the repository's root, whatever folder this run was in, so that the
// same mesh gives the same bytes from any folder. --out, the output
// folders and the mesh folder are named from that root, where the system
// finds them (relativeTo), and the flags that shape the file are kept:
// --mesh-dir when it was given, as the gitlab target's headers keep it,
// --granularity when it was given, and the output folders that are not
// the default.
func (h codeownersHead) command() string {
	args := []string{codeownersCommand}
	if h.out != "" {
		args = append(args, "--out "+shell.Quote(h.out))
	}
	if h.meshDirGiven {
		args = append(args, "--mesh-dir "+shell.Quote(h.meshDir))
	}
	if h.granularity != "" {
		args = append(args, "--granularity "+h.granularity)
	}
	args = append(args, h.outs...)
	if h.meshDir != "." {
		args = append(args, shell.Quote(h.meshDir))
	}
	return strings.Join(args, " ")
}

// codeownersPattern is the CODEOWNERS pattern that matches the file or
// folder (with a trailing /) at the slash path p from the repository's
// root, and nothing else. GitLab reads a pattern up to the first white
// space that no \ escapes, turns each escaped white space into a space,
// and matches the rest with Ruby's File.fnmatch (docs.gitlab.com, "Syntax
// of CODEOWNERS file" and "Advanced CODEOWNERS configuration"), where \
// makes the next character a plain one: so a space and fnmatch's
// wildcards, * ? and [, are escaped, and so is \ itself. The pattern
// starts with / (from the root), so it is never read as a comment (#),
// an exclusion (!) or a section ([), and # needs no escape: GitLab has no
// comments after a pattern. A control character cannot be escaped: GitLab
// ends the line at a line break, and reads a tab, a carriage return or
// other white space escaped with \ as a space, so that the pattern would
// name another path, or none (firstControl finds them).
func codeownersPattern(p string) string {
	var b strings.Builder
	b.WriteByte('/')
	for _, r := range p {
		if strings.ContainsRune(codeownersSyntax, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeownersSyntax are the characters of a path that codeownersPattern
// escapes.
const codeownersSyntax = " *?[\\"

// folderPattern is the CODEOWNERS pattern that matches everything in the
// folder at the slash path dir from the repository's root: * for the root
// itself, which GitLab reads as every file.
func folderPattern(dir string) string {
	if dir == "." {
		return "*"
	}
	return codeownersPattern(dir) + "/"
}

// inFolder reports whether the slash path p from the repository's root
// is the folder dir or inside it.
func inFolder(p, dir string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

// codeownersFiles are the places, from the repository's root, where
// GitLab looks for CODEOWNERS, in its order: it reads the first it finds.
var codeownersFiles = []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// codeowners renders the CODEOWNERS file, the gitlab build's files placed
// by gitlabOpts. A path in the mesh that no line can name is an error at
// the block that brings it in.
//
// The file is one section, so that GitLab's rule applies across all of
// it: of the lines that match a path, only the last counts. Lines run
// from the widest to the narrowest. The mesh's owner comes first, with
// the mesh folder (at the repository's root, everything, the files that
// say who reviews and what the pipelines run included) and the output
// folders; then each domain's owner, with the domain's folder and the
// files generated for it; then the owners of the products that have their own,
// with those products' files. So a path no domain holds, such as a shared
// folder's central waiver or a file added in a new folder, is the mesh
// owner's, and a domain's files are its owner's alone. Sections of their
// own would not do: GitLab applies the last matching line of every
// section, and a path that two sections match needs an approval from each.
func codeowners(p *plan.Plan, command string, folders codeownersFolders, gitlabOpts gitlab.Options) ([]byte, diag.Diagnostics) {
	var ds diag.Diagnostics
	var b strings.Builder
	sources := []string{p.Rel(p.Range.Filename())}
	for _, d := range p.Domains {
		sources = append(sources, p.Rel(d.Range.Filename()))
		for _, pr := range d.Products {
			if pr.Owner != d.Owner {
				sources = append(sources, p.Rel(pr.Range.Filename()))
			}
		}
	}
	slices.Sort(sources)
	b.Write(output.Header("# ", command, slices.Compact(sources)))
	b.WriteString(`# Review rights follow the mesh's ownership. GitLab applies to each path the
# last line of this one section that matches it: the mesh's owner's lines
# come first, then each domain's owner's, then those of the products that
# have owners of their own.
`)
	fmt.Fprintf(&b, "\n[%s]\n", p.Name)
	gitlabFiles := gitlab.ProductFiles(p, gitlabOpts)
	pattern := func(parts ...string) string { return codeownersPattern(path.Join(parts...)) }
	// writable reports whether the path in the mesh of a domain's folder
	// or a product's file can be named, and reports it at the block
	// otherwise.
	writable := func(rel, what, fix string, at diag.Range) bool {
		r, bad := firstControl(rel)
		if bad {
			ds = append(ds, diag.Errorf("codeowners-path", at, "Path CODEOWNERS cannot name",
				"%s is %q in the mesh folder, a path with a control character (U+%04X), which no CODEOWNERS line can name: GitLab ends a line at a line break and reads an escaped tab as a space, and meshc names no path with a control character. %s", what, rel, r, fix))
		}
		return !bad
	}
	owner := func(who string, at diag.Range, what, instead string) string {
		if !codeownersOwner.MatchString(who) {
			ds = append(ds, diag.Warnf("codeowners-owner", at, "Owner GitLab cannot read",
				"The owner of %s is %q, which GitLab's CODEOWNERS cannot use: it takes @user, @group or an email address. %s", what, who, instead))
			return ""
		}
		return who
	}

	meshOwner := ""
	if p.Owner == "" {
		ds = append(ds, diag.Warnf("codeowners-unowned", p.Range, "Shared files without an owner",
			"The mesh block has no owner, so mesh.hcl, the shared folders (central policies and waivers, blueprints, runners, test kinds), the files generated for the whole mesh and CODEOWNERS itself get none: with \"Require approval from code owners\", anyone may change them, adding a central waiver included. Add owner to the mesh block: the platform team's address or handle, such as owner = \"@data-platform\"."))
	} else {
		meshOwner = owner(p.Owner, p.OwnerRange, "the mesh", "The shared files get no owner.")
	}
	if meshOwner != "" {
		var wide []string // the folders written whole
		give := func(line string) { fmt.Fprintf(&b, "%s %s\n", line, meshOwner) }
		for _, dir := range []string{folders.mesh, folders.gitlab, folders.airflow, folders.snowflake} {
			if !slices.ContainsFunc(wide, func(w string) bool { return inFolder(dir, w) }) {
				wide = append(wide, dir)
				give(folderPattern(dir))
			}
		}
		// The repository's own files, its .gitlab-ci.yml and the
		// CODEOWNERS GitLab reads, are the mesh owner's only through the
		// mesh folder: all of them for a mesh at the root (*), none for one
		// below it, as other meshes may share them (docs/ci.md says what
		// to do then). A file written where GitLab does not look is the
		// mesh's output, as its output folders are.
		f := folders.codeowners
		if f != "" && !slices.Contains(codeownersFiles, f) && !slices.ContainsFunc(wide, func(w string) bool { return inFolder(f, w) }) {
			give(pattern(f))
		}
	}

	for _, d := range p.Domains {
		o := owner(d.Owner, d.OwnerRange, "domain "+d.Name, "Its folder and generated files get the mesh's owner, if the mesh block has one.")
		fmt.Fprintf(&b, "\n# domain %s\n", d.Name)
		// A folder refused is refused once: its products' files are in it.
		dirRefused := o != "" && !writable(d.Dir, "The folder of domain "+d.Name, "Rename the folder.", d.Range)
		if dirRefused {
			o = ""
		}
		lines := []string{pattern(folders.mesh, d.Dir) + "/"}
		seen := map[string]bool{}
		add := func(line string) {
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
		for _, pr := range d.Products {
			dagFile, _ := airflow.DAG(pr)
			add(pattern(folders.airflow, dagFile))
			graphFile, _ := snowflake.Graph(p, pr)
			add(pattern(folders.snowflake, graphFile))
		}
		add(pattern(folders.gitlab, "sql", d.Name) + "/")
		perProduct := false // pipelines in products/DOMAIN/, not one for the domain
		for _, pr := range d.Products {
			switch f := gitlabFiles[pr.ID]; {
			case strings.HasPrefix(f, "products/"):
				perProduct = true
			case f != "":
				add(pattern(folders.gitlab, f)) // a domain's pipeline
			}
		}
		if perProduct {
			lines = append(lines, pattern(folders.gitlab, "products", d.Name)+"/")
		}
		if o != "" {
			for _, l := range lines {
				fmt.Fprintf(&b, "%s %s\n", l, o)
			}
		}
		if dirRefused {
			continue
		}
		// A product owned by someone else than its domain gets its own
		// files: later lines win. Each path is written once, with all its
		// owners, since only the last line that matches it counts: a file
		// holding products of two owners names both, and one that holds
		// the domain block, a source, a secret, a policy, a waiver or a
		// product of the domain's owner names that owner too (whoever
		// stands for the domain in this file, the mesh's owner if the
		// domain's cannot be read).
		domainWho := o
		if domainWho == "" {
			domainWho = meshOwner
		}
		var own []string                // patterns, in the order first given
		owners := map[string][]string{} // their owners
		give := func(pattern, who string) {
			if owners[pattern] == nil {
				own = append(own, pattern)
			}
			owners[pattern] = append(owners[pattern], who)
		}
		ownFile := map[string]bool{}           // files holding a product with an owner of its own
		ownOwner := map[*plan.Product]string{} // those products' owners
		for _, pr := range d.Products {
			if pr.Owner == d.Owner || pr.Owner == "" {
				continue
			}
			po := owner(pr.Owner, pr.OwnerRange, "product "+pr.ID, "Its files stay with its domain's owner.")
			file := pr.Range.Filename()
			if po == "" || !writable(p.Rel(file), "The file of product "+pr.ID, "Rename the file, or the folder whose name holds it.", pr.Range) {
				continue
			}
			ownFile[file], ownOwner[pr] = true, po
			give(pattern(folders.mesh, p.Rel(file)), po)
			if f := gitlabFiles[pr.ID]; strings.HasPrefix(f, "products/") {
				give(pattern(folders.gitlab, f), po)
				give(pattern(folders.gitlab, "sql", d.Name, pr.Name)+"/", po)
			}
		}
		if domainWho != "" {
			for _, pr := range d.Products {
				if file := pr.Range.Filename(); ownFile[file] && ownOwner[pr] == "" {
					give(pattern(folders.mesh, p.Rel(file)), domainWho)
				}
			}
			for _, file := range d.Files {
				if ownFile[file] {
					give(pattern(folders.mesh, p.Rel(file)), domainWho)
				}
			}
		}
		for _, l := range own {
			who := owners[l]
			slices.Sort(who)
			fmt.Fprintf(&b, "%s %s\n", l, strings.Join(slices.Compact(who), " "))
		}
	}
	return []byte(b.String()), ds
}
