package output

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/meshc/meshc/internal/atomicfile"
	"github.com/meshc/meshc/internal/parallel"
	"github.com/meshc/meshc/internal/stamp"
)

// Changes is what writing a set of files into a folder would do. Each list
// holds slash paths relative to the folder, sorted.
type Changes struct {
	Create    []string // files that do not exist yet
	Update    []string // generated files whose contents change
	Remove    []string // generated files that are no longer generated (stale)
	Unchanged []string // generated files that already have the right contents
}

// A Conflict is an existing path in the output folder that stops meshc from
// writing there.
type Conflict struct {
	Path    string // slash path relative to the output folder
	Problem string // what is wrong and how to fix it
	// Owner is, for a file that another meshc build generated, that
	// build (OwnerOf), for the caller to say more of it: the mesh may no
	// longer declare its environment.
	Owner string
}

// ConflictError is every conflict that Plan found, sorted by path, so that
// the user can fix them all before building again.
type ConflictError struct {
	Dir       string // the output folder, as given
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot write generated files to %s, so nothing was written:", e.Dir)
	for _, c := range e.Conflicts {
		fmt.Fprintf(&b, "\n\t%s: %s", c.Path, c.Problem)
	}
	return b.String()
}

const moveAway = "; move it away or choose another --out"

// Plan reports what Write would do with files in dir, reading only. It
// returns an error, and no Changes, for a File with a bad Path or without
// Marker, and a *ConflictError for existing paths that meshc may not
// replace.
func Plan(dir, owner string, files []File) (*Changes, error) {
	p, err := makePlan(dir, owner, files, nil)
	if err != nil {
		return nil, err
	}
	return &p.changes, nil
}

// Write writes files into dir, creating it if it is missing, and removes
// the stale generated files there. It checks everything first (see Plan) and
// writes nothing if anything is wrong, but for the header of a rendered
// file that is not in dir yet, which is checked as it is written
// (File.Render). The index, which may be nil, spares listing the folders
// it knows hold nothing stale.
func Write(dir, owner string, files []File, index *Index) (*Changes, error) {
	p, err := makePlan(dir, owner, files, index)
	if err != nil {
		return nil, err
	}
	if err := p.apply(); err != nil {
		return nil, err
	}
	return &p.changes, nil
}

// A plan is Changes plus what applying or showing them needs. It holds no
// file's contents: those are read and rendered when they are compared or
// written, so that a large output is never in memory whole.
type plan struct {
	dir     string
	owner   string
	changes Changes
	files   map[string]File // every wanted file by path
	// order is the wanted paths in the order the target gave them, in
	// which they are compared and written: a target that renders
	// several files at once gives them side by side.
	order []string
	// index knows which of dir's folders hold only wanted files; nil
	// for none.
	index *Index
	// folded maps the folded path of every wanted file found in the
	// output folder to its path, for stale: made the first time a file
	// there is not a wanted one, which is seldom.
	folded     map[string]string
	foldedOnce sync.Once
}

func (p *plan) abs(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }

// contents returns a wanted file's contents, and checks the header of
// one it renders (checkFiles checks the others').
func (p *plan) contents(rel string) ([]byte, error) {
	f := p.files[rel]
	if f.Render == nil {
		return f.Data, nil
	}
	data := f.Render()
	if !OwnedBy(data, p.owner) {
		return nil, fmt.Errorf("invalid generated file (a bug in the target): %s", unowned(rel, p.owner))
	}
	return data, nil
}

// makePlan checks files, then compares them with what dir holds.
func makePlan(dir, owner string, files []File, index *Index) (*plan, error) {
	if err := checkFiles(owner, files); err != nil {
		return nil, err
	}
	p := &plan{dir: dir, owner: owner, files: make(map[string]File, len(files)), index: index}
	for _, f := range files {
		p.files[f.Path] = f
		p.order = append(p.order, f.Path)
	}

	// The output folder may be reached through a link, but may not be
	// one (checkFolder); what lies inside it is checked for links below.
	exists, err := checkFolder(dir)
	if err != nil {
		return nil, err
	}
	if !exists {
		p.changes.Create = slices.Sorted(slices.Values(p.order))
		return p, nil
	}

	folders, err := p.folders(p.order)
	if err != nil {
		return nil, err
	}
	type state struct {
		found    bool // a file is there
		same     bool // and it has the wanted contents
		conflict *Conflict
		err      error
	}
	states := make([]state, len(p.order))
	parallel.BlockingWith(len(p.order), FilesAtOnce(), func() func(int) {
		// Each file is read into the buffer of the one compared before
		// it, whose bytes are not kept: at 100,000 products GitLab's
		// 800,000 files were gigabytes of garbage.
		var buf []byte
		return func(i int) {
			s := &states[i]
			if f := folders[path.Dir(p.order[i])]; p.files[p.order[i]].Unchanged && !f.missing && f.conflict == nil {
				// Compared when it was rendered, and the folders on
				// its way are still folders: existing would read it
				// again for nothing.
				s.found, s.same = true, true
				return
			}
			found, old, conflict, err := p.existing(p.order[i], folders, buf)
			s.found, s.conflict, s.err = found, conflict, err
			if s.found && s.conflict == nil && s.err == nil {
				var data []byte
				data, s.err = p.contents(p.order[i])
				s.same = SameText(old, data)
			}
			if old != nil {
				buf = old
			}
		}
	})
	var conflicts []Conflict
	for i, rel := range p.order {
		s := &states[i]
		switch {
		case s.err != nil:
			return nil, s.err
		case s.conflict != nil:
			conflicts = append(conflicts, *s.conflict)
		case !s.found:
			p.changes.Create = append(p.changes.Create, rel)
		case s.same:
			p.changes.Unchanged = append(p.changes.Unchanged, rel)
		default:
			p.changes.Update = append(p.changes.Update, rel)
		}
	}
	if len(conflicts) > 0 {
		// One symbolic link or file in the way of a folder is met by
		// every file below it, but is reported once.
		slices.SortFunc(conflicts, func(a, b Conflict) int {
			return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Problem, b.Problem))
		})
		return nil, &ConflictError{Dir: dir, Conflicts: slices.Compact(conflicts)}
	}

	slices.Sort(p.changes.Create)
	slices.Sort(p.changes.Update)
	slices.Sort(p.changes.Unchanged)
	stale, err := p.stale()
	if err != nil {
		return nil, err
	}
	p.changes.Remove = stale
	return p, nil
}

// folder is what a folder on the way to a wanted file is: missing, in
// the way (a conflict), or a folder meshc may write in.
type folder struct {
	missing  bool
	conflict *Conflict
}

// folders checks, once each, every folder on the way to the wanted files,
// with Lstat, so that no link inside the output folder is followed. A
// large mesh's files share a few thousand folders.
func (p *plan) folders(wanted []string) (map[string]folder, error) {
	folders := map[string]folder{".": {}}
	var check func(dir string) (folder, error)
	check = func(dir string) (folder, error) {
		if f, ok := folders[dir]; ok {
			return f, nil
		}
		f, err := check(path.Dir(dir))
		if err != nil {
			return f, err
		}
		if f.missing || f.conflict != nil {
			folders[dir] = f // below a missing folder, or one in the way
			return f, nil
		}
		info, err := os.Lstat(p.abs(dir))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			f.missing = true
		case err != nil:
			return f, err
		case info.Mode()&fs.ModeSymlink != 0:
			f.conflict = &Conflict{Path: dir, Problem: "is a symbolic link, and meshc never writes through links, so that it cannot write outside the output folder" + moveAway}
		case !info.IsDir():
			f.conflict = &Conflict{Path: dir, Problem: "is a file where meshc needs a folder" + moveAway}
		}
		folders[dir] = f
		return f, nil
	}
	for _, rel := range wanted {
		if _, err := check(path.Dir(rel)); err != nil {
			return nil, err
		}
	}
	return folders, nil
}

// existing returns the file now at rel, if there is one, or the conflict
// that stops meshc from writing it, given the state of the folders on the
// way.
func (p *plan) existing(rel string, folders map[string]folder, buf []byte) (bool, []byte, *Conflict, error) {
	if f := folders[path.Dir(rel)]; f.missing || f.conflict != nil {
		return false, nil, f.conflict, nil
	}
	data, _, err := readRegular(p.abs(rel), buf)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil, nil, nil
	case errors.Is(err, errLink):
		return false, nil, &Conflict{Path: rel, Problem: "is a symbolic link, and meshc never writes through links, so that it cannot write outside the output folder" + moveAway}, nil
	case errors.Is(err, stamp.ErrNotRegular):
		return false, nil, &Conflict{Path: rel, Problem: "is not a regular file, and meshc needs to write a file there" + moveAway}, nil
	case err != nil:
		return false, nil, nil, err
	}
	if len(data) == 0 {
		// What a build killed between creating a new file and writing
		// it leaves (see writeNew): replacing it loses nothing.
		return true, data, nil, nil
	}
	if !IsGenerated(data) {
		return false, nil, &Conflict{Path: rel, Problem: fmt.Sprintf("was not written by meshc (it has no %q line at the top)", Marker) + moveAway}, nil
	}
	if !OwnedBy(data, p.owner) {
		return false, nil, &Conflict{Path: rel, Problem: "was generated by another meshc build (another target or environment); give each build an --out folder of its own", Owner: OwnerOf(data)}, nil
	}
	return true, data, nil, nil
}

// ioGoroutines is how many files or folders are read or written at once:
// file system calls block, so more of them than processors keep the disk
// busy.
const ioGoroutines = 8

// FilesAtOnce is how many files Write, Diff and Plan compare or write at
// once, in the order they are given: ioGoroutines, or one per core when
// there are more, as rendering a file on demand (File.Render) is
// processor work.
func FilesAtOnce() int { return max(ioGoroutines, runtime.GOMAXPROCS(0)) }

// stale returns the generated files in the output folder that are not
// wanted any more, sorted. It does not follow links and skips .git folders,
// which are never meshc's. It reads the folders of each depth on
// ioGoroutines goroutines: a large GitLab output has 200,000 of them. A
// folder the index knows to hold just the wanted files and folders is not
// read, and one found so is remembered.
func (p *plan) stale() ([]string, error) {
	type inFolder struct {
		folders, stale []string
		err            error
	}
	var want wantedTree
	if p.index != nil {
		want = newWantedTree(p.order)
	}
	var stale []string
	fsys := os.DirFS(p.dir)
	for level := []string{"."}; len(level) > 0; { // the folders at one depth
		read := make([]inFolder, len(level))
		parallel.Blocking(len(level), ioGoroutines, func(i int) {
			r, dir := &read[i], level[i]
			var st stamp.Stamp
			if p.index != nil {
				if p.index.tellFolder(dir, p.abs(dir), want.names[dir]) {
					r.folders = want.folders[dir]
					return
				}
				st = stamp.Folder(p.abs(dir)) // before the listing it vouches for
			}
			entries, err := fs.ReadDir(fsys, dir)
			if err != nil {
				r.err = err
				return
			}
			// The names of the files and folders the walk looks at: it
			// skips links and the like (and .git), which a folder's
			// stamp shows replaced.
			var seen nameSet
			for _, d := range entries {
				rel := path.Join(dir, d.Name())
				switch {
				case d.IsDir() && d.Name() != ".git":
					r.folders = append(r.folders, rel)
					seen.add(d.Name(), true)
				case d.Type().IsRegular():
					gone, err := p.isStale(rel, d)
					if err != nil {
						r.err = err
						return
					}
					if gone {
						r.stale = append(r.stale, rel)
					}
					seen.add(d.Name(), false)
				}
			}
			if seen == want.names[dir] {
				p.index.rememberFolder(dir, st, seen)
			}
		})
		level = nil
		for _, r := range read {
			if r.err != nil {
				return nil, r.err // the first in the walk's order, depth by depth
			}
			level = append(level, r.folders...)
			stale = append(stale, r.stale...)
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// isStale reports whether the file at rel is one this build generated
// and wants no more.
func (p *plan) isStale(rel string, d fs.DirEntry) (bool, error) {
	if _, wanted := p.files[rel]; wanted {
		return false, nil
	}
	owned, err := p.startsOwned(p.abs(rel))
	if err != nil || !owned {
		return false, err
	}
	// On a case-insensitive file system, the name on disk can differ in
	// case from the wanted path that Plan found there: the file is then
	// the wanted one, not a stale one.
	p.foldedOnce.Do(func() {
		p.folded = map[string]string{}
		for _, found := range [][]string{p.changes.Unchanged, p.changes.Update} {
			for _, w := range found {
				p.folded[fold(w)] = w
			}
		}
	})
	w, ok := p.folded[fold(rel)]
	if !ok {
		return true, nil
	}
	info, err := d.Info()
	if err != nil {
		return false, err
	}
	wanted, err := os.Lstat(p.abs(w))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil // gone since: whatever is at rel is not it
	case err != nil:
		return false, err
	}
	return !os.SameFile(info, wanted), nil
}

// startsOwned reports whether the file was generated by this build's
// owner, reading no more than OwnedBy looks at: the output folder may also
// hold large files that are none of meshc's business, and the output of
// other builds, which this one must leave alone.
func (p *plan) startsOwned(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, markerWindow))
	return OwnedBy(head, p.owner), err
}

// apply writes the plan. Files are written before stale ones are removed, so
// that a failure part way leaves the old output in place rather than less
// of it.
func (p *plan) apply() error {
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	if err := p.makeFolders(); err != nil {
		return err
	}
	writes, create := p.writes()
	errs := make([]error, len(writes))
	parallel.Blocking(len(writes), FilesAtOnce(), func(i int) {
		data, err := p.contents(writes[i])
		switch {
		case err != nil:
			errs[i] = err
		case create[writes[i]]:
			if errs[i] = writeNew(p.abs(writes[i]), data); errors.Is(errs[i], fs.ErrExist) {
				errs[i] = p.raced(writes[i], "a file")
			}
		default:
			// A temporary file that a crash leaves behind holds Marker,
			// so the next build removes it as stale.
			errs[i] = atomicfile.Write(p.abs(writes[i]), data, 0o644)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err // the first: a full disk fails every write alike
		}
	}
	for _, rel := range p.changes.Remove {
		if err := os.Remove(p.abs(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return p.removeEmptyFolders()
}

// writes returns the files to create or update, in the order the target
// gave them, and whether each is created.
func (p *plan) writes() ([]string, map[string]bool) {
	create := map[string]bool{}
	for _, rel := range p.changes.Create {
		create[rel] = true
	}
	for _, rel := range p.changes.Update {
		create[rel] = false
	}
	var writes []string
	for _, rel := range p.order {
		if _, ok := create[rel]; ok {
			writes = append(writes, rel)
		}
	}
	return writes, create
}

// makeFolders makes the folders the new files go in. A large mesh's
// files need tens of thousands of them, so they are made a depth at a time,
// each depth in parallel, with one mkdir each: every folder's parent was
// made at the depth before, or already existed.
func (p *plan) makeFolders() error {
	var byDepth [][]string
	seen := map[string]bool{".": true}
	for _, rel := range p.changes.Create {
		for dir := path.Dir(rel); !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			depth := strings.Count(dir, "/")
			for len(byDepth) <= depth {
				byDepth = append(byDepth, nil)
			}
			byDepth[depth] = append(byDepth[depth], dir)
		}
	}
	for _, dirs := range byDepth {
		errs := make([]error, len(dirs))
		parallel.Blocking(len(dirs), ioGoroutines, func(i int) { errs[i] = p.makeFolder(dirs[i]) })
		for _, err := range errs {
			if err != nil {
				return err // the first: a read-only folder fails every one alike
			}
		}
	}
	return nil
}

// makeFolder makes one folder whose parent exists. One that exists already
// must be a folder, not a file or a link that appeared since Plan looked:
// meshc never writes through links.
func (p *plan) makeFolder(rel string) error {
	err := os.Mkdir(p.abs(rel), 0o755)
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	if info, lerr := os.Lstat(p.abs(rel)); lerr != nil || !info.IsDir() {
		return p.raced(rel, "something other than a folder")
	}
	return nil
}

// raced is the error of finding what at rel, where Plan found nothing,
// as Write writes: another program is writing the output folder at the
// same time. A build waits for another meshc build's lock (LockFolder),
// so that program is one that takes none, or a build on a file system
// without locks.
func (p *plan) raced(rel, what string) error {
	return fmt.Errorf("cannot write %s: %s appeared at %s while meshc was writing the folder, so another program (such as another meshc build, on a file system that takes no lock) is writing there at the same time; let it finish and build again, or give each build an --out of its own",
		p.dir, what, rel)
}

// writeNew writes a file where Plan found none. O_EXCL makes it fail,
// rather than write through, if a file or link has appeared there since
// (makeFolder checks the folders on the way). Writing in place, not beside
// and renaming, saves a rename per file of a first build. A file that
// cannot be written whole is removed. The data goes in one write, so a
// build killed part way leaves a file whole or empty, and Plan treats an
// empty file as one meshc may replace (see existing).
func writeNew(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(name)
	}
	return err
}

// removeEmptyFolders removes the folders that removing stale files left
// empty, but never the output folder itself, nor a folder that still holds
// anything.
func (p *plan) removeEmptyFolders() error {
	var folders []string
	for _, rel := range p.changes.Remove {
		for dir := path.Dir(rel); dir != "."; dir = path.Dir(dir) {
			folders = append(folders, dir)
		}
	}
	slices.Sort(folders)
	folders = slices.Compact(folders)
	// A folder sorts before everything inside it, so in reverse order
	// each folder comes after its subfolders, which may have emptied it.
	slices.Reverse(folders)
	for _, rel := range folders {
		entries, err := os.ReadDir(p.abs(rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			if err := os.Remove(p.abs(rel)); err != nil {
				return err
			}
		}
	}
	return nil
}
