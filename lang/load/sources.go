package load

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meshc/meshc/internal/lf"
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
//
// It remembers the mesh's folders' listings too, by the folders' stamps,
// as git's untracked cache does: adding, removing or renaming an entry of a
// folder moves its stamp, so a listing is trusted while the folder's stamp
// is as it was. A folder's stamp costs a fifth of what listing it does
// (see listFolders). As with git, the one change it cannot see is a user
// who may no longer list a folder without the folder changing (a group
// taken away): the walk then finds what the folder held, and reports
// that unreadable rather than the folder.
type sourceIndex struct {
	file       string // the index's own file
	start      int64  // when the run began, in Unix nanoseconds
	racy       int64  // how recent a stamp is too recent to trust, in nanoseconds
	old        map[string]sourceRecord
	oldFolders map[string]folderRecord

	mu       sync.Mutex
	now      map[string]sourceRecord // what this run found, to save
	folders  map[string]folderRecord // the folders' listings this run found, to save
	unread   int                     // files the index spared reading
	relisted int                     // folders the index did not spare listing
	spoilt   bool                    // the index was there, but not as meshc writes it
	warning  string
}

// sourceRecord is what the index keeps of one file.
type sourceRecord struct {
	stamp stamp.Stamp
	sum   [sha256.Size]byte
	// size is the text's, which is less than the stamp's for a file with
	// CRLF line endings, read as LF (lf.Read): one whose every line ending
	// is CRLF, as remember keeps no other.
	size uint64
}

// folderRecord is what the index keeps of one folder: its listing, each
// entry's name and type (entryType).
type folderRecord struct {
	stamp   stamp.Stamp
	entries []fs.DirEntry // each a listedEntry
}

func (r folderRecord) equal(o folderRecord) bool {
	return r.stamp == o.stamp && slices.EqualFunc(r.entries, o.entries, func(a, b fs.DirEntry) bool {
		return a.Name() == b.Name() && a.Type() == b.Type()
	})
}

// sourcesFormat changes whenever the index's layout does.
const sourcesFormat = "meshc source index 5\n"

// openSources returns the index of the mesh folder dir, kept in the folder
// indexes, or nil where files have no stamps.
func openSources(indexes, dir string) *sourceIndex {
	abs, err := filepath.Abs(dir)
	if err != nil || !stamp.Supported {
		return nil
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s%s", sourcesFormat, abs))
	ix := &sourceIndex{
		file:    filepath.Join(indexes, "src", hex.EncodeToString(key[:])),
		start:   time.Now().UnixNano(),
		racy:    int64(stamp.RacyFor),
		now:     map[string]sourceRecord{},
		folders: map[string]folderRecord{},
	}
	body, found, err := stamp.ReadIndex(ix.file, sourcesFormat)
	if err == nil && found {
		if ix.old, ix.oldFolders = decodeSources(body); ix.old == nil {
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
	f.size, f.sum = int(r.size), r.sum
	f.allCRLF = r.size < r.stamp.Size // remember keeps no mixed line endings
	ix.mu.Lock()
	ix.now[f.rel] = r
	ix.mu.Unlock()
	return true
}

// list returns the listing of the folder dir of t, from the index when
// the folder's stamp is as it remembers.
func (ix *sourceIndex) list(t *Tree, dir string) ([]fs.DirEntry, error) {
	if ix == nil {
		return fs.ReadDir(t.FS, dir)
	}
	// The stamp is taken before the listing, so that an entry added
	// meanwhile moves the folder's stamp past the one remembered.
	st := stamp.Folder(filepath.Join(t.Dir, filepath.FromSlash(dir)))
	r, ok := ix.oldFolders[dir]
	if ok && st.Same(r.stamp) {
		ix.mu.Lock()
		ix.folders[dir] = r
		ix.mu.Unlock()
		return r.entries, nil
	}
	entries, err := fs.ReadDir(t.FS, dir)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.relisted++
	if err == nil && st.Settled(ix.start, ix.racy) {
		r := folderRecord{stamp: st, entries: make([]fs.DirEntry, len(entries))}
		for i, e := range entries {
			r.entries[i] = listedEntry{e.Name(), entryType(e.Type())}
		}
		ix.folders[dir] = r
	}
	return entries, err
}

// entryType is the type an index keeps of an entry of type t: a regular
// file, a folder, a link, or something else (a named pipe, a device),
// which loading and the checker treat alike.
func entryType(t fs.FileMode) fs.FileMode {
	switch t &= fs.ModeType; t {
	case 0, fs.ModeDir, fs.ModeSymlink:
		return t
	}
	return fs.ModeIrregular
}

// listedEntry is an entry of a folder listing that the index kept.
type listedEntry struct {
	name string
	typ  fs.FileMode // the type bits alone
}

func (e listedEntry) Name() string      { return e.name }
func (e listedEntry) IsDir() bool       { return e.typ.IsDir() }
func (e listedEntry) Type() fs.FileMode { return e.typ }

// Info is not kept: neither the walk nor the checker asks for it.
func (e listedEntry) Info() (fs.FileInfo, error) {
	return nil, fmt.Errorf("%s: the source index keeps no file information", e.name)
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

// remember keeps what a read of read bytes found of f, whose stamp is st
// and whose line endings were ends. A file with some line endings CRLF
// and some LF is not kept: the record, whose size is the text's, tells
// a file whose line endings were all CRLF by its stamp's greater size
// (tell), but not where a mixed file's were, which its byte offsets
// need; such a file, rare, is read every time.
func (ix *sourceIndex) remember(f *file, st stamp.Stamp, read int64, ends lf.Ends) {
	if ix == nil || !st.Settled(ix.start, ix.racy) || st.Size != uint64(read) || !ends.All && !ends.None() {
		return
	}
	ix.mu.Lock()
	ix.now[f.rel] = sourceRecord{stamp: st, sum: f.sum, size: uint64(f.size)}
	ix.mu.Unlock()
}

// save writes what this run found, for the next, unless it is what the
// index held. A failure only leaves the old index, or none.
func (ix *sourceIndex) save() error {
	if ix == nil || maps.Equal(ix.now, ix.old) && maps.EqualFunc(ix.folders, ix.oldFolders, folderRecord.equal) && !ix.spoilt {
		return nil
	}
	return stamp.WriteIndex(ix.file, sourcesFormat, encodeSources(ix.now, ix.folders))
}

// An index file (stamp.WriteIndex) holds the number of files, the
// files' records by path, and the folders' records by path. A file's
// record is its path's length and path, its stamp, hash and text's size; a folder's,
// its path's length and path, its stamp, the number of entries kept, and
// each entry's type (entryTypes) and name's length and name, by name.
func encodeSources(files map[string]sourceRecord, folders map[string]folderRecord) []byte {
	data := binary.AppendUvarint(nil, uint64(len(files)))
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		r := files[rel]
		data = appendIndexString(data, rel)
		data = r.stamp.Append(data)
		data = append(data, r.sum[:]...)
		data = binary.AppendUvarint(data, r.size)
	}
	for _, rel := range slices.Sorted(maps.Keys(folders)) {
		r := folders[rel]
		data = appendIndexString(data, rel)
		data = r.stamp.Append(data)
		data = binary.AppendUvarint(data, uint64(len(r.entries)))
		for _, e := range r.entries {
			data = append(data, byte(slices.Index(entryTypes[:], e.Type())))
			data = appendIndexString(data, e.Name())
		}
	}
	return data
}

// entryTypes are the types of the entries a folder's record keeps
// (entryType), by their number in an index file.
var entryTypes = [...]fs.FileMode{0, fs.ModeDir, fs.ModeSymlink, fs.ModeIrregular}

func appendIndexString(data []byte, s string) []byte {
	return append(binary.AppendUvarint(data, uint64(len(s))), s...)
}

// decodeSources reads what encodeSources wrote, or returns nil maps when
// body is not that.
func decodeSources(body []byte) (map[string]sourceRecord, map[string]folderRecord) {
	r := indexReader{body: body, ok: true}
	n := r.uint()
	files := map[string]sourceRecord{}
	last := ""
	for i := uint64(0); i < n && r.ok; i++ {
		rel := r.string()
		if i > 0 && rel <= last {
			r.ok = false // in order, once each, as encodeSources writes them
		}
		last = rel
		rec := sourceRecord{stamp: r.stamp()}
		copy(rec.sum[:], r.bytes(sha256.Size))
		if rec.size = r.uint(); rec.size > rec.stamp.Size {
			r.ok = false // the text is never longer than the file
		}
		files[rel] = rec
	}
	folders := map[string]folderRecord{}
	for first := true; len(r.body) > 0 && r.ok; first = false {
		rel := r.string()
		if !first && rel <= last {
			r.ok = false
		}
		last = rel
		rec := folderRecord{stamp: r.stamp()}
		n := r.uint()
		prev := ""
		for i := uint64(0); i < n && r.ok; i++ {
			t := r.bytes(1)
			name := r.string()
			if !r.ok || int(t[0]) >= len(entryTypes) || name == "" || strings.Contains(name, "/") || (i > 0 && name <= prev) {
				r.ok = false // a known type, and names as a listing sorts them
				break
			}
			prev = name
			rec.entries = append(rec.entries, listedEntry{name, entryTypes[t[0]]})
		}
		folders[rel] = rec
	}
	if !r.ok {
		return nil, nil
	}
	return files, folders
}

// indexReader reads an index file's body, and is not ok once it has met
// anything encodeSources does not write.
type indexReader struct {
	body []byte
	ok   bool
}

func (r *indexReader) uint() uint64 {
	n, k := binary.Uvarint(r.body)
	if k <= 0 || k != len(binary.AppendUvarint(nil, n)) {
		r.ok = false // a number as encodeSources writes it
		return 0
	}
	r.body = r.body[k:]
	return n
}

func (r *indexReader) bytes(n uint64) []byte {
	if !r.ok || n > uint64(len(r.body)) {
		r.ok = false
		return nil
	}
	b := r.body[:n]
	r.body = r.body[n:]
	return b
}

func (r *indexReader) string() string { return string(r.bytes(r.uint())) }

func (r *indexReader) stamp() stamp.Stamp {
	b := r.bytes(stamp.EncodedLen)
	if b == nil {
		return stamp.Stamp{}
	}
	return stamp.Decode(b)
}
