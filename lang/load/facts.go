package load

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/meshc/meshc/internal/stamp"
)

// Facts remembers, from one run to the next, what the checker found in
// files of a mesh that are not mesh files, the steps' SQL files, by their
// stamps, as the sources' index remembers the mesh files' hashes: a file
// whose stamp is as remembered need not be read again to know it. What is
// remembered of a file is the checker's to say, as bytes; this only
// keeps them. At 10,000 products with 30,000 SQL files, a check that
// reads none of them saves seven system calls a file (open, read, close
// and Go's bookkeeping) for one (its stamp).
//
// The index is named after the cache's identity, since what the checker
// finds in a file depends on the meshc that reads it, and kept beside the
// sources' index. A file is remembered only when its stamp was already
// stamp.RacyFor old when the run began (sourceIndex.remember). A missing,
// corrupt or foreign index only costs the reads it would have saved.
type Facts struct {
	cache *Cache // told how many files were not read (Cache.StepFiles)
	file  string // the index's own file
	dir   string // the mesh's folder, which the files' paths are relative to
	start int64  // when the run began, in Unix nanoseconds
	racy  int64
	old   map[string]factsRecord

	warning string // what was wrong with the index found, for Cache.Report

	mu     sync.Mutex
	now    map[string]factsRecord // what this run found, to save
	looked int                    // files looked up
	read   int                    // files read after all (Remember)
}

type factsRecord struct {
	stamp stamp.Stamp
	facts string
}

// factsFormat changes whenever the index's layout does.
const factsFormat = "meshc facts index 1\n"

// OpenFacts returns the facts index of a tree's folder, or nil when the
// tree has no cache, no folder on disk, or no folder for indexes, or
// where files have no stamps: then every file is read. Its methods do
// nothing on nil.
func OpenFacts(t Tree) *Facts {
	if t.Cache == nil || t.Dir == "" || t.Index == "" || !stamp.Supported {
		return nil
	}
	abs, err := filepath.Abs(t.Dir)
	if err != nil {
		return nil
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s%x%s", factsFormat, t.Cache.identity, abs))
	f := &Facts{
		cache: t.Cache,
		file:  filepath.Join(t.Index, "src", hex.EncodeToString(key[:])),
		dir:   t.Dir,
		start: time.Now().UnixNano(),
		racy:  int64(stamp.RacyFor),
		now:   map[string]factsRecord{},
	}
	// An index that is missing, corrupt or foreign leaves old nil, and
	// Save writes it anew; one that was there but unusable is warned of,
	// as the sources' index is.
	body, found, err := stamp.ReadIndex(f.file, factsFormat)
	if err == nil && found {
		if f.old = decodeFacts(body); f.old == nil {
			err = stamp.ErrCorrupt
		}
	}
	if err != nil {
		f.warning = stamp.IndexProblem("facts index", f.file, err)
	}
	return f
}

// Lookup returns what was remembered of the file rel (a path relative to
// the mesh's folder, with slashes) when its stamp is as it was then, and
// its stamp now, for Remember after a read. The stamp is taken before the
// file is read, so that a write while it is read moves the stamp past the
// one remembered.
func (f *Facts) Lookup(rel string) (facts string, known bool, now stamp.Stamp) {
	if f == nil {
		return "", false, stamp.Stamp{}
	}
	st := stamp.File(filepath.Join(f.dir, filepath.FromSlash(rel)))
	r, ok := f.old[rel]
	f.mu.Lock()
	defer f.mu.Unlock()
	f.looked++
	if !ok || !st.Same(r.stamp) {
		return "", false, st
	}
	f.now[rel] = r
	return r.facts, true, st
}

// Remember keeps what the checker found in the file rel, read when its
// stamp was st (Lookup), for the next run, if st is settled.
func (f *Facts) Remember(rel string, st stamp.Stamp, facts string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.read++
	if st.Settled(f.start, f.racy) {
		f.now[rel] = factsRecord{stamp: st, facts: facts}
	}
}

// Save writes what this run found, for the next, unless it is what the
// index held: the files of this run only, so that those the mesh no
// longer names are forgotten. A failure only leaves the old index, or
// none, as for the sources' index.
func (f *Facts) Save() {
	if f == nil {
		return
	}
	f.cache.noteStepFiles(f.looked, f.looked-f.read, f.warning)
	if f.old != nil && maps.Equal(f.now, f.old) {
		return
	}
	data := binary.AppendUvarint(nil, uint64(len(f.now)))
	for _, rel := range slices.Sorted(maps.Keys(f.now)) {
		r := f.now[rel]
		data = appendIndexString(data, rel)
		data = r.stamp.Append(data)
		data = appendIndexString(data, r.facts)
	}
	stamp.WriteIndex(f.file, factsFormat, data)
}

// decodeFacts reads what Save wrote, or returns nil when body is not
// that.
func decodeFacts(body []byte) map[string]factsRecord {
	r := indexReader{body: body, ok: true}
	n := r.uint()
	out := make(map[string]factsRecord, min(n, uint64(len(body))))
	last := ""
	for i := uint64(0); i < n && r.ok; i++ {
		rel := r.string()
		if i > 0 && rel <= last {
			r.ok = false // in order, once each, as Save writes them
		}
		last = rel
		st := r.stamp()
		out[rel] = factsRecord{stamp: st, facts: r.string()}
	}
	if !r.ok || len(r.body) > 0 {
		return nil
	}
	return out
}
