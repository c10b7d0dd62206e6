// Package meshtest holds what the targets' tests share: compiling the
// example mesh or a case's archive, a folder whose entries are listed in a
// random order, and generated files rendered as one txtar archive for
// golden files.
package meshtest

import (
	"bytes"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// Archive renders generated files, after the diagnostics of the build if
// any, as one txtar archive, for golden files that a reviewer reads top to
// bottom, in the order of their paths.
func Archive(files []output.File, ds diag.Diagnostics, src diag.Sources) []byte {
	files = slices.SortedFunc(slices.Values(files), func(x, y output.File) int { return strings.Compare(x.Path, y.Path) })
	ar := &txtar.Archive{}
	if len(ds) > 0 {
		var b bytes.Buffer
		diag.WriteText(&b, ds, src)
		ar.Comment = b.Bytes()
	}
	for _, f := range files {
		ar.Files = append(ar.Files, txtar.File{Name: f.Path, Data: f.Contents()})
	}
	return txtar.Format(ar)
}

// BuildCase builds a compiled case with a target's build, and renders
// the files, or the mesh's and the target's diagnostics, as an archive.
func BuildCase(res *compiler.Result, build func(*plan.Plan) ([]output.File, diag.Diagnostics)) ([]output.File, []byte) {
	ds := res.Diagnostics
	var files []output.File
	if res.Plan != nil {
		var tds diag.Diagnostics
		files, tds = build(res.Plan)
		files = output.Rendered(files)
		ds = append(ds, tds...).Sorted()
	}
	return files, Archive(files, ds, res.SourcesFor(ds))
}

// ShuffledFS lists folders in a random order, so that a test can check
// that output does not depend on the order files are read in. Like
// os.DirFS, it may be used from several goroutines: loading lists folders
// in parallel.
type ShuffledFS struct {
	fs.FS
	Rand *rand.Rand
	mu   sync.Mutex
}

// ReadDir lists a folder, shuffled.
func (s *ShuffledFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.FS, name)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Rand.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	return entries, err
}

// Today is the date the targets' tests compile against, so that
// deprecations and waivers are judged the same on every day.
var Today = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// Pharma compiles the example mesh for an environment ("" for the first).
func Pharma(t testing.TB, env string) *plan.Plan {
	t.Helper()
	res, err := compiler.CompileDir(filepath.Join(golden.Root(), "examples", "pharma"), compiler.Options{Env: env, Today: Today})
	if err != nil || res.Plan == nil {
		t.Fatalf("compiling examples/pharma: %v %v", err, res.Diagnostics)
	}
	return res.Plan
}

// CompileArchive compiles the mesh held in a txtar archive and returns the
// result with the archive's comment, where a case names its options.
func CompileArchive(t testing.TB, path string) (*compiler.Result, string) {
	t.Helper()
	fsys, comment := ArchiveFS(t, path)
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: Today})
	if err != nil {
		t.Fatal(err)
	}
	return res, comment
}

// ArchiveFS reads a txtar archive as a file system, with its comment.
func ArchiveFS(t testing.TB, path string) (fstest.MapFS, string) {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	return fsys, string(ar.Comment)
}

// Case is a mesh of a target's testdata/cases folder, compiled.
type Case struct {
	Name    string
	Result  *compiler.Result
	Comment string // the archive's comment, where a case names its options
}

// Cases compiles every archive of testdata/cases in the current package.
func Cases(t testing.TB) []Case {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	if len(paths) == 0 {
		t.Fatal("no cases under testdata/cases")
	}
	var out []Case
	for _, path := range paths {
		res, comment := CompileArchive(t, path)
		out = append(out, Case{Name: strings.TrimSuffix(filepath.Base(path), ".txtar"), Result: res, Comment: comment})
	}
	return out
}

// ShuffledPharma compiles the example mesh reading its folders in an order
// picked by seed, and under another folder name, for determinism tests.
func ShuffledPharma(t testing.TB, seed uint64) *plan.Plan {
	t.Helper()
	root := filepath.Join(golden.Root(), "examples", "pharma")
	fsys := &ShuffledFS{FS: os.DirFS(root), Rand: rand.New(rand.NewPCG(seed, 7))}
	res, err := compiler.Compile(load.Tree{FS: fsys, Prefix: "somewhere/else/"}, compiler.Options{Today: Today})
	if err != nil || res.Plan == nil {
		t.Fatalf("compile: %v %v", err, res.Diagnostics)
	}
	return res.Plan
}

// Synthetic compiles a synthetic mesh of n products (internal/synth), for
// the targets' benchmarks.
func Synthetic(tb testing.TB, n int) *plan.Plan {
	tb.Helper()
	res, err := compiler.Compile(load.Tree{FS: synth.Mesh(n)}, compiler.Options{Today: Today})
	if err != nil || res.Plan == nil {
		tb.Fatalf("compiling a synthetic mesh of %d products: %v %v", n, err, res.Diagnostics)
	}
	return res.Plan
}

// A Build is a target's build, keeping rendered files as keep allows.
type Build func(p *plan.Plan, keep *output.Allowance) ([]output.File, diag.Diagnostics)

// RendersAgain checks that the files a target renders again to write
// them (output.File's Render) are those it renders to keep: with room to
// keep all, half and none of them, after the SQL files the steps name
// are gone, and when compared with an output folder as they are
// rendered. owner is the target's build, as its files name it.
func RendersAgain(t *testing.T, owner func(*plan.Plan) string, build Build) {
	t.Run("kept or not", func(t *testing.T) { sameKeptOrNot(t, build) })
	t.Run("step files gone", func(t *testing.T) { sameWhenStepFilesGo(t, build) })
	t.Run("compared with the folder", func(t *testing.T) { sameComparedWithFolder(t, owner, build) })
}

// sameComparedWithFolder writes a synthetic mesh's files into a folder,
// edits one there and removes another, and builds again with an
// allowance for that folder (output.Allowance.In) and no room: the build
// must mark every other file it renders through the allowance unchanged,
// give the same contents for all, and output.Plan must find the edit and
// the removal without rendering an unchanged file again.
func sameComparedWithFolder(t *testing.T, owner func(*plan.Plan) string, build Build) {
	t.Helper()
	p := Synthetic(t, 300)
	want, ds := build(p, nil)
	if ds.HasErrors() {
		t.Fatalf("build: %v", ds)
	}
	dir := t.TempDir()
	if _, err := output.Write(dir, owner(p), want, nil); err != nil {
		t.Fatal(err)
	}
	var through []int // the files rendered through the allowance
	for i, f := range want {
		if f.Render != nil {
			through = append(through, i)
		}
	}
	if len(through) < 2 {
		t.Fatalf("only %d of %d files are rendered through the allowance", len(through), len(want))
	}
	edited, removed := want[through[0]].Path, want[through[len(through)-1]].Path
	abs := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	if err := os.WriteFile(abs(edited), append(want[through[0]].Contents(), "\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(abs(removed)); err != nil {
		t.Fatal(err)
	}

	files, _ := build(p, output.NewAllowance(0).In(dir, owner(p), nil))
	if len(files) != len(want) {
		t.Fatalf("compared with the folder, %d files; without, %d", len(files), len(want))
	}
	unchanged := 0
	for i, f := range files {
		if f.Path != want[i].Path || !bytes.Equal(f.Contents(), want[i].Contents()) {
			t.Fatalf("compared with the folder, %s differs from the file rendered without", f.Path)
		}
		switch {
		case f.Unchanged && (f.Path == edited || f.Path == removed):
			t.Errorf("%s, edited or removed in the folder, is marked unchanged", f.Path)
		case f.Unchanged:
			unchanged++
			files[i].Render = func() []byte {
				t.Errorf("%s, marked unchanged, was rendered again to be compared", f.Path)
				return want[i].Contents()
			}
		}
	}
	if unchanged != len(through)-2 {
		t.Errorf("%d files marked unchanged; want all %d rendered through the allowance but the edited and the removed", unchanged, len(through)-2)
	}
	changes, err := output.Plan(dir, owner(p), files)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(changes.Update, []string{edited}) || !slices.Equal(changes.Create, []string{removed}) || len(changes.Unchanged) != len(want)-2 {
		t.Errorf("Plan: update %v, create %v, %d unchanged; want update [%s], create [%s], %d unchanged",
			changes.Update, changes.Create, len(changes.Unchanged), edited, removed, len(want)-2)
	}
}

// sameKeptOrNot builds a synthetic mesh with room to keep every file the
// build renders, for half of them and for none (output.Allowance), and
// fails when the files differ. A target may keep small files whatever
// the allowance.
func sameKeptOrNot(t *testing.T, buildWith Build) {
	t.Helper()
	p := Synthetic(t, 300)
	var firstDiags *string // a build's diagnostics must not depend on what it keeps
	build := func(keep *output.Allowance) []output.File {
		files, ds := buildWith(p, keep)
		if ds.HasErrors() {
			t.Fatalf("build: %v", ds)
		}
		var b strings.Builder
		diag.WriteText(&b, ds, nil)
		if got := b.String(); firstDiags == nil {
			firstDiags = &got
		} else if got != *firstDiags {
			t.Errorf("diagnostics depend on what the build keeps:\n%s\nagainst\n%s", got, *firstDiags)
		}
		return files
	}
	none := build(nil)
	size, rendered := 0, 0 // of the files rendered again without an allowance
	for _, f := range none {
		if f.Render != nil {
			size += len(f.Contents())
			rendered++
		}
	}
	if rendered == 0 {
		t.Fatalf("without an allowance, all %d files were kept", len(none))
	}
	for _, room := range []int{size, size / 2} {
		kept := 0
		files := build(output.NewAllowance(int64(room)))
		if len(files) != len(none) {
			t.Fatalf("with room for %d bytes, %d files; without, %d", room, len(files), len(none))
		}
		for i, f := range files {
			if f.Render == nil && none[i].Render != nil {
				kept++
			}
			if f.Path != none[i].Path || !bytes.Equal(f.Contents(), none[i].Contents()) {
				t.Fatalf("with room for %d bytes, %s differs from the file rendered again", room, f.Path)
			}
		}
		if room == size && kept != rendered || room < size && (kept == 0 || kept == rendered) {
			t.Errorf("with room for %d of %d bytes, %d of %d files kept", room, size, kept, rendered)
		}
	}
}

// pharmaCopy compiles a copy of the example mesh in memory, which the
// caller may then change under the plan.
func pharmaCopy(t *testing.T) (fstest.MapFS, *compiler.Result) {
	t.Helper()
	fsys := pharmaFiles(t)
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: Today})
	if err != nil || res.Plan == nil || res.Diagnostics.HasErrors() {
		t.Fatalf("compiling a copy of examples/pharma: %v %v", err, res.Diagnostics)
	}
	// The check read the steps' SQL files already (for their
	// placeholders), and its plan's Root keeps what it read: the build
	// reads the copy afresh, so that a test may change the files first.
	res.Plan.Root = plan.ReadOnce(fsys)
	return fsys, res
}

// sameWhenStepFilesGo builds the example mesh from a copy in memory,
// keeping no file, removes the SQL files its steps name, and fails when a
// file rendered after that differs from one rendered before: a file
// rendered again must carry the SQL the build read first (plan.ReadOnce),
// whatever happens to the files meanwhile.
func sameWhenStepFilesGo(t *testing.T, build Build) {
	t.Helper()
	fsys, res := pharmaCopy(t)
	build1 := func() []output.File {
		files, ds := build(res.Plan, nil)
		if ds.HasErrors() {
			t.Fatalf("build: %v", ds)
		}
		return files
	}
	want := output.Rendered(build1())
	files := build1()
	removed := 0
	for name := range fsys {
		if strings.HasSuffix(name, ".sql") {
			delete(fsys, name)
			removed++
		}
	}
	if removed == 0 {
		t.Fatal("the example has no SQL file to remove")
	}
	for i, f := range output.Rendered(files) {
		if !bytes.Equal(f.Data, want[i].Data) {
			t.Errorf("%s rendered after its steps' SQL files went differs from the file rendered before", f.Path)
		}
	}
}

// StepFilesUnreadable compiles a copy of the example mesh, removes the
// SQL files its steps name, and builds it: every target reads them (to
// carry their SQL, or to fill their placeholders) and must report each
// step's file as a read-error at the step's file argument, saying how to
// mend it, as the checker does (plan.Step.SQLReadError).
func StepFilesUnreadable(t *testing.T, build Build) {
	t.Helper()
	fsys, res := pharmaCopy(t)
	for name := range fsys {
		if strings.HasSuffix(name, ".sql") {
			delete(fsys, name)
		}
	}
	_, ds := build(res.Plan, nil)
	found := 0
	for _, d := range ds {
		if d.Code != "read-error" {
			t.Errorf("unexpected %s: %s", d.Code, d.Summary)
			continue
		}
		found++
		if d.Subject == nil || !strings.Contains(d.Detail, "Make it a regular file that the user running meshc can read") {
			t.Errorf("%s at %v does not say where or how to mend it: %s", d.Summary, d.Subject, d.Detail)
		}
	}
	if found == 0 {
		t.Error("no read-error for the steps' removed SQL files")
	}
}

// StepFilesNotStatements builds the example mesh with its steps' SQL
// files holding what a target that carries their SQL cannot run as
// written, and fails unless each step is reported with code: text that
// is not UTF-8 (a file saved as Windows-1252), a NUL byte, and only
// comments. A file of UTF-8 text is built without a problem.
func StepFilesNotStatements(t *testing.T, build Build, code string) {
	t.Helper()
	for data, want := range map[string]string{
		"SELECT 'caf\xe9' AS x;\n":          "not UTF-8 text",
		"SELECT 1;\x00\n":                   "not UTF-8 text",
		"-- to do\n;\n/* later */\n":        "no statement",
		"SELECT 'café' AS x; -- fine too\n": "",
	} {
		fsys, res := pharmaCopy(t)
		for name, f := range fsys {
			if strings.HasSuffix(name, ".sql") {
				f.Data = []byte(data)
			}
		}
		_, ds := build(res.Plan, nil)
		if want == "" {
			if len(ds) > 0 {
				t.Errorf("files holding %q: %v", data, ds)
			}
			continue
		}
		if len(ds) == 0 {
			t.Errorf("files holding %q built without a diagnostic", data)
		}
		for _, d := range ds {
			if d.Code != code || d.Summary != "Step SQL cannot run" || !strings.Contains(d.Detail, want) || d.Subject == nil {
				t.Errorf("files holding %q: %s %q at %v: %s; want %s saying %q", data, d.Code, d.Summary, d.Subject, d.Detail, code, want)
			}
		}
	}
}

// SameOnAnyCores builds with one core and with four, and fails when the
// files or the diagnostics differ: an emitter that works on every core
// must give what it gives on one.
func SameOnAnyCores(t *testing.T, build func() ([]output.File, diag.Diagnostics)) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, oneDiags := build()
	runtime.GOMAXPROCS(4)
	four, fourDiags := build()
	if len(one) != len(four) {
		t.Fatalf("%d files on one core, %d on four", len(one), len(four))
	}
	for i := range one {
		if one[i].Path != four[i].Path || !bytes.Equal(one[i].Contents(), four[i].Contents()) {
			t.Fatalf("on four cores, %s differs from what one core writes", four[i].Path)
		}
	}
	var a, b bytes.Buffer
	diag.WriteText(&a, oneDiags.Sorted(), nil)
	diag.WriteText(&b, fourDiags.Sorted(), nil)
	if a.String() != b.String() {
		t.Fatalf("on four cores the diagnostics differ:\n%s\non one core:\n%s", b.String(), a.String())
	}
}

// FuzzSeeds adds a target's fuzz seeds: each archive of testdata/cases,
// and the example mesh as one archive.
func FuzzSeeds(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	for _, c := range cases {
		if data, err := os.ReadFile(c); err == nil {
			f.Add(data)
		}
	}
	fsys := pharmaFiles(f)
	ar := &txtar.Archive{}
	for _, name := range slices.Sorted(maps.Keys(fsys)) {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: fsys[name].Data})
	}
	f.Add(txtar.Format(ar))
}

// pharmaFiles reads the example mesh into memory, by slash path.
func pharmaFiles(tb testing.TB) fstest.MapFS {
	tb.Helper()
	fsys := fstest.MapFS{}
	root := filepath.Join(golden.Root(), "examples", "pharma")
	err := fs.WalkDir(os.DirFS(root), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		fsys[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fsys
}

// FuzzPlan compiles a fuzzed txtar archive of mesh files; nil when it does
// not check.
func FuzzPlan(data []byte) *plan.Plan {
	fsys := fstest.MapFS{}
	for _, file := range txtar.Parse(data).Files {
		if fs.ValidPath(file.Name) && file.Name != "." {
			fsys[file.Name] = &fstest.MapFile{Data: file.Data, Mode: 0o644}
		}
	}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: Today})
	if err != nil {
		return nil
	}
	return res.Plan
}

// CheckBuild checks what every target's build promises, whatever the
// mesh: the same files twice, clean relative paths, each file owned by the
// build, and every diagnostic placed in a file.
func CheckBuild(t *testing.T, owner string, build func() ([]output.File, diag.Diagnostics)) []output.File {
	t.Helper()
	files, ds := build()
	again, _ := build()
	if len(files) != len(again) {
		t.Fatalf("two builds wrote %d and %d files", len(files), len(again))
	}
	for i, f := range files {
		if f.Path != again[i].Path || !bytes.Equal(f.Contents(), again[i].Contents()) {
			t.Fatalf("two builds differ in %s", f.Path)
		}
		if !output.OwnedBy(f.Contents(), owner) || !fs.ValidPath(f.Path) || strings.Contains(f.Path, "..") {
			t.Fatalf("bad file %q", f.Path)
		}
	}
	for _, d := range ds {
		if d.Subject == nil || d.Subject.Filename() == "" {
			t.Errorf("diagnostic without a place: %s: %s", d.Summary, d.Detail)
		}
	}
	return files
}
