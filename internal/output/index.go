package output

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/meshc/meshc/internal/shell"
	"github.com/meshc/meshc/internal/stamp"
)

// An Index remembers, from one build to the next, what an output folder's
// files hold: for each file a build found unchanged, its stamp and a hash
// of its contents. A later build that finds a file's stamp as remembered
// knows what the file holds without reading it, as git's index does: at
// 100,000 products that spares reading GitLab's 800,000 files, which the
// machine may have paged out since the last build. Likewise, for each
// folder a build listed and found holding just the wanted files and
// folders, its stamp and a hash of their names spare listing it again to
// look for stale files. It lives in a cache folder, never in the output
// folder, and a missing, corrupt or foreign index only costs the reads it
// would have saved.
//
// A file or folder is remembered only when its stamp was already old when
// the build began (stamp.RacyFor): a write in the same tick of the clock
// as the read would leave the stamp as it was, so such a file is read
// again next time, as git does with its racily clean entries. A build that
// writes a file therefore reads it once more in the next build, and
// remembers it then if that build starts at least stamp.RacyFor after the
// write.
type Index struct {
	file   string    // the index's own file
	start  int64     // when this build began looking at files, in Unix nanoseconds
	racy   int64     // how recent a stamp is too recent to trust, in nanoseconds
	old    []record  // what the index held, sorted by key
	reused []bool    // which of old this build found again
	starts []uint32  // where in old the keys of each prefix start (find)
	spoilt bool      // the index was there, but not as meshc writes it
	git    *gitIndex // what git's index says of the folder's files, if anything

	mu     sync.Mutex
	fresh  []record // files and folders this build read and found as wanted
	report Report
}

// record is what the index keeps of one file or folder.
type record struct {
	path  uint64 // pathHash of the file's path in the output folder, or folderKey
	stamp stamp.Stamp
	sum   [16]byte // the first half of a file's SHA-256, or a folder's nameSet
}

// indexFormat changes whenever the index's layout does.
const indexFormat = "meshc output index 1\n"

// recordSize is a record's size in the index file.
const recordSize = 8 + stamp.EncodedLen + 16

// OpenIndex returns the index of the output folder dir of owner's build,
// kept in the cache folder cacheDir, or nil where files have no stamps. A
// warning says why an index that was there is not used; the index is then
// empty, and the build rewrites it, but for a folder in its place, which
// no index can be renamed over: there is then no index, and the warning
// says to remove the folder.
func OpenIndex(cacheDir, dir, owner string) (*Index, string) {
	abs, err := filepath.Abs(dir)
	if err != nil || !stamp.Supported {
		return nil, ""
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s%s\x00%s", indexFormat, abs, owner))
	ix := &Index{
		file:  filepath.Join(cacheDir, "out", hex.EncodeToString(key[:])),
		start: time.Now().UnixNano(),
		racy:  int64(stamp.RacyFor),
		git:   openGitIndex(dir),
	}
	if info, err := os.Lstat(ix.file); err == nil && info.IsDir() && os.Remove(ix.file) != nil {
		// Not meshc's: an empty one hides nothing, and goes; one that
		// holds anything is the user's to remove, and saying "will
		// rewrite it" on every build would not be true.
		return nil, fmt.Sprintf("not keeping an index of %s: %s is a folder, where meshc keeps a file, so every build reads all the folder's files; remove the folder (rm -r %s)", dir, ix.file, shell.Quote(ix.file))
	}
	body, found, err := stamp.ReadIndex(ix.file, indexFormat)
	if err == nil && found {
		if rs := decodeIndex(body); rs != nil {
			ix.hold(rs)
		} else {
			err = stamp.ErrCorrupt
		}
	}
	if err != nil {
		ix.spoilt = errors.Is(err, stamp.ErrCorrupt)
		return ix, stamp.IndexProblem("output index", ix.file, err)
	}
	return ix, ""
}

// hold makes rs, sorted by key, what the index holds.
func (ix *Index) hold(rs []record) {
	ix.old = rs
	ix.reused = make([]bool, len(rs))
	ix.starts = make([]uint32, 1<<prefixBits+1)
	for i, j := 0, 0; i <= 1<<prefixBits; i++ {
		for j < len(rs) && int(rs[j].path>>(64-prefixBits)) < i {
			j++
		}
		ix.starts[i] = uint32(j)
	}
}

// A Report says what an index spared a build.
type Report struct {
	Known    int // files whose contents the index told
	Unread   int // of those, files found unchanged without being read
	FromGit  int // of those, files that git's index vouched for
	Unlisted int // folders not listed, known to hold nothing stale
}

// Report says what the index has spared the build so far.
func (ix *Index) Report() Report {
	if ix == nil {
		return Report{}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.report
}

// tell reports whether the index knows what the file at rel (name on
// disk) holds, and if so whether it holds data. A file it tells nothing
// of is for the caller to read.
func (ix *Index) tell(rel, name string, data []byte) (known, same bool) {
	if ix == nil || len(ix.old) == 0 && ix.git == nil {
		return false, false
	}
	i, found := ix.find(pathHash(rel))
	if !found && ix.git == nil {
		return false, false
	}
	st := stamp.File(name)
	if found && st.Same(ix.old[i].stamp) {
		same = contentSum(data) == ix.old[i].sum
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.report.Known++
		if same {
			ix.report.Unread++
			ix.reused[i] = true
		}
		return true, same
	}
	// git's index vouches only for files it knows to hold data; the
	// next build finds them in this one.
	if ix.git.holds(rel, st, data) {
		ix.remember(rel, st, data)
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.report.Known++
		ix.report.Unread++
		ix.report.FromGit++
		return true, true
	}
	return false, false
}

// find looks a key up.
func (ix *Index) find(key uint64) (int, bool) {
	if len(ix.old) == 0 {
		return 0, false
	}
	p := key >> (64 - prefixBits)
	from, to := int(ix.starts[p]), int(ix.starts[p+1])
	i, found := slices.BinarySearchFunc(ix.old[from:to], key, func(r record, key uint64) int { return cmp.Compare(r.path, key) })
	return from + i, found
}

// prefixBits is how many of a key's first bits index where its records
// start (Index.starts): a search of a million records then goes over a
// few neighbours rather than twenty records far apart in memory.
const prefixBits = 16

// remember keeps what a read found: the file at rel, of stamp st, holds
// data, which the build wants there.
func (ix *Index) remember(rel string, st stamp.Stamp, data []byte) {
	if ix == nil || !st.Settled(ix.start, ix.racy) {
		return
	}
	r := record{path: pathHash(rel), stamp: st, sum: contentSum(data)}
	ix.mu.Lock()
	ix.fresh = append(ix.fresh, r)
	ix.mu.Unlock()
}

// Save writes what this build found to the index's file, for the next:
// the records it found again, and those of the files and folders it read
// and found as wanted. It writes nothing when that is what the index held.
func (ix *Index) Save() error {
	if ix == nil {
		return nil
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	keep := slices.Clone(ix.fresh)
	for i, r := range ix.old {
		if ix.reused[i] {
			keep = append(keep, r)
		}
	}
	slices.SortFunc(keep, func(a, b record) int { return cmp.Compare(a.path, b.path) })
	keep = slices.Compact(keep) // a file remembered twice
	// Two paths of one hash are rare, and neither is remembered: a lookup
	// finds one record per hash.
	out := keep[:0]
	for i := 0; i < len(keep); {
		j := i + 1
		for j < len(keep) && keep[j].path == keep[i].path {
			j++
		}
		if j == i+1 {
			out = append(out, keep[i])
		}
		i = j
	}
	if slices.Equal(out, ix.old) && !ix.spoilt {
		return nil
	}
	return stamp.WriteIndex(ix.file, indexFormat, encodeIndex(out))
}

// An index file (stamp.WriteIndex) holds the number of records, then the
// records.
func encodeIndex(rs []record) []byte {
	data := make([]byte, 0, 8+len(rs)*recordSize)
	data = binary.LittleEndian.AppendUint64(data, uint64(len(rs)))
	for _, r := range rs {
		data = binary.LittleEndian.AppendUint64(data, r.path)
		data = r.stamp.Append(data)
		data = append(data, r.sum[:]...)
	}
	return data
}

// decodeIndex reads what encodeIndex wrote, or returns nil when body is
// not that (an empty index is an empty slice).
func decodeIndex(body []byte) []record {
	if len(body) < 8 {
		return nil
	}
	n := binary.LittleEndian.Uint64(body)
	body = body[8:]
	if uint64(len(body))%recordSize != 0 || n != uint64(len(body))/recordSize {
		return nil // n*recordSize could overflow
	}
	rs := make([]record, n) // not nil when n is 0
	for i := range rs {
		b := body[i*recordSize:]
		rs[i] = record{path: binary.LittleEndian.Uint64(b), stamp: stamp.Decode(b[8:])}
		copy(rs[i].sum[:], b[8+stamp.EncodedLen:])
		if i > 0 && rs[i].path <= rs[i-1].path {
			return nil
		}
	}
	return rs
}

// pathHash is the 64-bit FNV-1a hash of a path. Two paths of one hash
// cost a read, never a wrong answer: a record is used only for the file
// whose stamp it holds.
func pathHash(p string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(p); i++ {
		h = (h ^ uint64(p[i])) * 1099511628211
	}
	return h
}

func contentSum(data []byte) (sum [16]byte) {
	full := sha256.Sum256(data)
	copy(sum[:], full[:])
	return sum
}

// tellFolder reports whether the index knows that the folder at rel (name
// on disk) holds just the names of want, files and folders alike: nothing
// stale, and no folder to look in but the wanted ones. A folder's stamp
// moves whenever a name in it is added, removed or renamed.
func (ix *Index) tellFolder(rel, name string, want nameSet) bool {
	if ix == nil || len(ix.old) == 0 {
		return false
	}
	i, found := ix.find(folderKey(rel))
	if !found || ix.old[i].sum != want.sum() || !stamp.Folder(name).Same(ix.old[i].stamp) {
		return false
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.report.Unlisted++
	ix.reused[i] = true
	return true
}

// rememberFolder keeps what a listing found: the folder at rel, of stamp
// st taken before it was listed, holds the names of seen.
func (ix *Index) rememberFolder(rel string, st stamp.Stamp, seen nameSet) {
	if ix == nil || !st.Settled(ix.start, ix.racy) {
		return
	}
	r := record{path: folderKey(rel), stamp: st, sum: seen.sum()}
	ix.mu.Lock()
	ix.fresh = append(ix.fresh, r)
	ix.mu.Unlock()
}

// folderKey is a folder's key in the index: a file's path never ends in
// a slash.
func folderKey(rel string) uint64 { return pathHash(rel + "/") }

// A nameSet stands for the names a folder holds, each a file or a folder:
// the sums of two hashes of each, so that the order the names come in does
// not matter. The zero value is the empty folder.
type nameSet struct{ a, b uint64 }

func (s *nameSet) add(name string, folder bool) {
	kind := "f"
	if folder {
		kind = "d"
	}
	s.a += pathHash(name + "\x00" + kind)
	s.b += pathHash(kind + "\x00" + name)
}

func (s nameSet) sum() (sum [16]byte) {
	binary.LittleEndian.PutUint64(sum[:], s.a)
	binary.LittleEndian.PutUint64(sum[8:], s.b)
	return sum
}

// wantedTree is what the wanted files make of an output folder: for each
// folder on their way, the names it should hold and its subfolders.
type wantedTree struct {
	names   map[string]nameSet
	folders map[string][]string
}

func newWantedTree(paths []string) wantedTree {
	t := wantedTree{names: map[string]nameSet{}, folders: map[string][]string{}}
	add := func(dir, name string, folder bool) {
		s := t.names[dir]
		s.add(name, folder)
		t.names[dir] = s
	}
	seen := map[string]bool{}
	for _, p := range paths {
		dir := path.Dir(p)
		add(dir, path.Base(p), false)
		for d := dir; d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			parent := path.Dir(d)
			add(parent, path.Base(d), true)
			t.folders[parent] = append(t.folders[parent], d)
		}
	}
	for _, sub := range t.folders {
		slices.Sort(sub)
	}
	return t
}
