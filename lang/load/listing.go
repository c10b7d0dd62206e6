package load

import (
	"io/fs"
	"path"
	"strings"

	"github.com/meshc/meshc/internal/parallel"
)

// listFolders lists the folders that readTree walks, for fs.WalkDir to
// take from the result: a level of the tree at a time, each level's folders
// in parallel, and each from the sources' index when the folder's stamp is
// as the index remembers it (sourceIndex.list).
//
// A mesh whose domains keep sql, python and dbt folders has more folders to
// walk than mesh files (15,224 for 12,826 in the example copied 800 times),
// and listing them one after the other took 0.12 to 0.16 s of a warm check
// of about 0.8 s; taking a folder's stamp costs a fifth of listing it.
//
// A folder that it did not list, or could not, is listed by the walk itself,
// which reports what fails: its idea of the folders the walk enters need
// only be close, not exact, for the walk to be right.
func listFolders(t *Tree) *listed {
	folders := map[string][]fs.DirEntry{}
	level := []string{"."}
	for len(level) > 0 {
		entries := make([][]fs.DirEntry, len(level))
		ok := make([]bool, len(level))
		parallel.For(len(level), func(i int) {
			var err error
			entries[i], err = t.sources.list(t, level[i])
			ok[i] = err == nil
		})
		var next []string
		for i, dir := range level {
			if !ok[i] {
				continue
			}
			folders[dir] = entries[i]
			for _, e := range entries[i] {
				if p := path.Join(dir, e.Name()); e.IsDir() && t.enters(p) {
					next = append(next, p)
				}
			}
		}
		level = next
	}
	return &listed{FS: t.FS, folders: folders}
}

// enters reports whether the walk of t goes into the folder at p (not "."):
// not into hidden folders (.git, .meshc) or those starting with _, nor into
// the output folder of a user's mesh, nor into a folder named as the root
// file.
func (t *Tree) enters(p string) bool {
	return !hiddenName(path.Base(p)) && !(p == OutputFolder && !t.Stdlib) && p != RootFile
}

// hiddenName reports whether a folder of this name is skipped, with all it
// holds, wherever it is.
func hiddenName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// listed serves the listings that listFolders made, and lists any other
// folder when asked; it keeps every listing it served, for ast.Mesh.Folders.
type listed struct {
	fs.FS
	folders map[string][]fs.DirEntry
}

func (l *listed) ReadDir(name string) ([]fs.DirEntry, error) {
	if entries, ok := l.folders[name]; ok {
		return entries, nil
	}
	entries, err := fs.ReadDir(l.FS, name)
	if err == nil {
		l.folders[name] = entries
	}
	return entries, err
}

// Stat is the tree's own, for fs.WalkDir's look at the root.
func (l *listed) Stat(name string) (fs.FileInfo, error) { return fs.Stat(l.FS, name) }
