package load

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/meshc/meshc/internal/stamp"
)

// sourceIndex remembers, from one run to the next, the size and SHA-256
// of each of a mesh's files, by their stamps, as git's index does for its
// work tree: a file whose stamp is as remembered is not read to find the
// cache entry that holds it decoded, which keeps what else a run needs of
// it (its line table). At 10,000 products that spares reading and hashing
// 21 MB. A file is remembered only when its stamp was already
// stamp.RacyFor old when the run began, so that a write in the same tick
// of the clock as the read cannot go unseen. A missing, corrupt or foreign
// index only costs the reads it would have saved.
type sourceIndex struct {
	file  string // the index's own file
	start int64  // when the run began, in Unix nanoseconds
	racy  int64  // how recent a stamp is too recent to trust, in nanoseconds
	old   map[string]sourceRecord

	mu      sync.Mutex
	now     map[string]sourceRecord // what this run found, to save
	unread  int                     // files the index spared reading
	spoilt  bool                    // the index was there, but not as meshc writes it
	warning string
}

// sourceRecord is what the index keeps of one file.
type sourceRecord struct {
	stamp stamp.Stamp
	sum   [sha256.Size]byte
}

// sourcesFormat changes whenever the index's layout does.
const sourcesFormat = "meshc source index 1\n"

// openSources returns the index of the mesh folder dir, kept in the folder
// indexes, or nil where files have no stamps.
func openSources(indexes, dir string) *sourceIndex {
	abs, err := filepath.Abs(dir)
	if err != nil || !stamp.Supported {
		return nil
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s%s", sourcesFormat, abs))
	ix := &sourceIndex{
		file:  filepath.Join(indexes, "src", hex.EncodeToString(key[:])),
		start: time.Now().UnixNano(),
		racy:  int64(stamp.RacyFor),
		now:   map[string]sourceRecord{},
	}
	body, found, err := stamp.ReadIndex(ix.file, sourcesFormat)
	if err == nil && found {
		if ix.old = decodeSources(body); ix.old == nil {
			err = stamp.ErrCorrupt
		}
	}
	if err != nil {
		ix.spoilt = errors.Is(err, stamp.ErrCorrupt)
		ix.warning = stamp.IndexProblem("source index", ix.file, err)
	}
	return ix
}

// tell fills in the size and hash of f from the index, and reports
// whether it could: whether f's stamp is as remembered.
func (ix *sourceIndex) tell(f *file) bool {
	if ix == nil {
		return false
	}
	r, ok := ix.old[f.rel]
	if !ok || !stamp.File(filepath.Join(f.tree.Dir, filepath.FromSlash(f.rel))).Same(r.stamp) {
		return false
	}
	f.size, f.sum = int(r.stamp.Size), r.sum
	ix.mu.Lock()
	ix.now[f.rel] = r
	ix.mu.Unlock()
	return true
}

// countUnread counts the files of a unit that were not read after all.
func (ix *sourceIndex) countUnread(unit []*file) {
	if ix == nil {
		return
	}
	n := 0
	for _, f := range unit {
		if f.unread {
			n++
		}
	}
	ix.mu.Lock()
	ix.unread += n
	ix.mu.Unlock()
}

// remember keeps what a read found of f, whose stamp is st.
func (ix *sourceIndex) remember(f *file, st stamp.Stamp) {
	if ix == nil || !st.Settled(ix.start, ix.racy) || st.Size != uint64(f.size) {
		return
	}
	ix.mu.Lock()
	ix.now[f.rel] = sourceRecord{stamp: st, sum: f.sum}
	ix.mu.Unlock()
}

// save writes what this run found, for the next, unless it is what the
// index held. A failure only leaves the old index, or none.
func (ix *sourceIndex) save() error {
	if ix == nil || maps.Equal(ix.now, ix.old) && !ix.spoilt {
		return nil
	}
	return stamp.WriteIndex(ix.file, sourcesFormat, encodeSources(ix.now))
}

// An index file (stamp.WriteIndex) holds the records by path, each its
// path's length and path, its stamp and hash.
func encodeSources(rs map[string]sourceRecord) []byte {
	var data []byte
	for _, rel := range slices.Sorted(maps.Keys(rs)) {
		r := rs[rel]
		data = binary.AppendUvarint(data, uint64(len(rel)))
		data = append(data, rel...)
		for _, v := range [...]uint64{r.stamp.Dev, r.stamp.Ino, r.stamp.Size, uint64(r.stamp.Mtime), uint64(r.stamp.Ctime)} {
			data = binary.LittleEndian.AppendUint64(data, v)
		}
		data = append(data, r.sum[:]...)
	}
	return data
}

// decodeSources reads what encodeSources wrote, or returns nil when body
// is not that.
func decodeSources(body []byte) map[string]sourceRecord {
	rs := map[string]sourceRecord{}
	last := ""
	for len(body) > 0 {
		n, k := binary.Uvarint(body)
		if k <= 0 || k != len(binary.AppendUvarint(nil, n)) || n > uint64(len(body)-k) {
			return nil // a length as encodeSources writes it, and no longer than the rest
		}
		rel := string(body[k : k+int(n)])
		if len(rs) > 0 && rel <= last {
			return nil // in order, once each, as encodeSources writes them
		}
		last, body = rel, body[k+int(n):]
		if len(body) < 5*8+sha256.Size {
			return nil
		}
		u := func(i int) uint64 { return binary.LittleEndian.Uint64(body[8*i:]) }
		r := sourceRecord{stamp: stamp.Stamp{Dev: u(0), Ino: u(1), Size: u(2), Mtime: int64(u(3)), Ctime: int64(u(4))}}
		copy(r.sum[:], body[40:])
		body = body[40+sha256.Size:]
		rs[rel] = r
	}
	return rs
}
