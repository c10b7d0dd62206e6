package compiler

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/snapshot"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// Results kept between commands: with Options.Reuse, a compilation's
// diagnostics, policy outcomes and plan go into the cache (load.Cache)
// under a key of everything it read, so that a command run again on a mesh
// that did not change (each build after the check in CI, a check run
// twice) reads them back instead of parsing and checking the mesh.
//
// What a compilation reads is the mesh's and the standard library's files
// and what listing their folders found (load.Sources.Hash), the
// environment and the day deprecations are judged on, and what the file
// system says of the paths that steps name (a SQL file, a dbt project):
// those are kept with the result and looked at again before it is used.

// kept is what an entry holds.
type kept struct {
	Diagnostics diag.Diagnostics
	Policies    []*PolicyOutcome
	Plan        *plan.Plan
	Paths       []pathFact
}

// resultKey names the entry of a compilation of src with opts.
func resultKey(cache *load.Cache, src *load.Sources, tree load.Tree, opts Options) string {
	return cache.Key("result", func(h io.Writer) {
		fmt.Fprintf(h, "env %q\nday %s\nprefix %q\n", opts.Env, dayOf(opts.Today).Format(time.DateOnly), tree.Prefix)
		src.Hash(h)
	})
}

// reuse reads the result kept under key, if there is one and the paths it
// depends on are as they were.
func reuse(cache *load.Cache, key string, src *load.Sources, tree load.Tree) (*Result, bool) {
	var k kept
	files := src.Files()
	found := cache.Get(key, func(payload []byte) bool {
		return snapshot.Decode(payload, &k, resultCodecs(files, tree.FS)) == nil && k.Plan != nil
	})
	if !found || !pathsHold(tree.FS, k.Paths) {
		return nil, false
	}
	res := &Result{Diagnostics: k.Diagnostics, texts: src.Texts(), Policies: k.Policies}
	if !res.Diagnostics.HasErrors() {
		res.Plan = k.Plan
	}
	return res, true
}

// keep puts a compilation's result in the cache under key.
func keep(cache *load.Cache, key string, res *Result, p *plan.Plan, paths []pathFact) {
	k := kept{Diagnostics: res.Diagnostics, Policies: res.Policies, Plan: p, Paths: paths}
	payload, err := snapshot.Encode(&k, resultCodecs(nil, nil))
	if err != nil {
		panic("compiler: a result cannot be kept: " + err.Error()) // a type the snapshot does not know: a bug
	}
	cache.Put(key, payload)
}

// resultCodecs write a range as its file's name and its offsets, read it
// back into files (the files read for this compilation, by name), and give
// a plan the mesh's folder as its root.
func resultCodecs(files map[string]*diag.File, root fs.FS) snapshot.Customs {
	// A range may name a file that was not read (one that could not be,
	// a link not followed): it gets a file of that name, one per name.
	loose := map[string]*diag.File{}
	return snapshot.Customs{
		reflect.TypeFor[diag.Range](): {
			Write: func(w *snapshot.Writer, v reflect.Value) {
				r := v.Interface().(diag.Range)
				if r.IsZero() {
					w.Uint(0)
					return
				}
				start, end := r.Offsets()
				w.Uint(1)
				w.String(r.Filename())
				w.Uint(uint64(start + 1)) // -1 for a whole file
				w.Uint(uint64(end + 1))
			},
			Read: func(r *snapshot.Reader, v reflect.Value) {
				if r.Uint() == 0 {
					v.Set(reflect.ValueOf(diag.Range{}))
					return
				}
				name := r.String()
				start, end := int(r.Uint())-1, int(r.Uint())-1
				f := files[name]
				if f == nil {
					if f = loose[name]; f == nil {
						f = diag.WholeFile(name).File()
						loose[name] = f
					}
				}
				rng := f.Whole()
				if start >= 0 {
					rng = f.Range(start, end)
				}
				v.Set(reflect.ValueOf(rng))
			},
		},
		reflect.TypeFor[fs.FS](): {
			Write: func(*snapshot.Writer, reflect.Value) {},
			Read: func(_ *snapshot.Reader, v reflect.Value) {
				if root != nil {
					v.Set(reflect.ValueOf(root))
				}
			},
		},
	}
}

// pathKind is what the file system says of a path.
type pathKind int

const (
	pathMissing pathKind = iota // or unreadable
	pathFile
	pathFolder
	pathLink
)

// pathFact is what the file system said of a path that a step names, or
// of a folder on the way to it: with Follow, where a link leads.
type pathFact struct {
	Path   string
	Follow bool
	Kind   pathKind
}

// pathLog records what the checker asked of the file system, from every
// core.
type pathLog struct {
	mu    sync.Mutex
	facts []pathFact
}

// look returns what p is in fsys, and records it.
func (l *pathLog) look(fsys fs.FS, p string, follow bool) pathKind {
	kind := kindOf(fsys, p, follow)
	l.mu.Lock()
	l.facts = append(l.facts, pathFact{p, follow, kind})
	l.mu.Unlock()
	return kind
}

// recorded returns what was recorded, each fact once, in order.
func (l *pathLog) recorded() []pathFact {
	l.mu.Lock()
	defer l.mu.Unlock()
	facts := slices.Clone(l.facts)
	slices.SortFunc(facts, func(a, b pathFact) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(b2i(a.Follow), b2i(b.Follow)))
	})
	return slices.Compact(facts)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func kindOf(fsys fs.FS, p string, follow bool) pathKind {
	var info fs.FileInfo
	var err error
	if follow {
		info, err = fs.Stat(fsys, p)
	} else {
		info, err = fs.Lstat(fsys, p)
	}
	switch {
	case err != nil:
		return pathMissing
	case info.Mode()&fs.ModeSymlink != 0:
		return pathLink
	case info.IsDir():
		return pathFolder
	}
	return pathFile
}

// pathsHold reports whether every path is still what it was.
func pathsHold(fsys fs.FS, facts []pathFact) bool {
	for _, f := range facts {
		if kindOf(fsys, f.Path, f.Follow) != f.Kind {
			return false
		}
	}
	return true
}
