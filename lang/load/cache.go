package load

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/meshc/meshc/internal/atomicfile"
	"github.com/meshc/meshc/internal/lf"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/diag"
)

// Cache keeps decoded mesh files on disk between runs, so that a run after
// a small change parses only the files that changed. It is a folder of
// entries addressed by content, like Go's build cache: an entry holds the
// decoded form of up to chunkSize files of one folder, with their line
// tables, and is named after a hash of meshc's identity, the files' paths,
// and their sizes and SHA-256s, which stand for their bytes. An entry is
// never updated, only written whole (to a temporary name, then renamed),
// so that processes sharing a cache folder never see half an entry.
//
// An entry is trusted only if it carries the same identity and a matching
// checksum; any other is ignored, counted for one warning, and rewritten.
// Decoded files are independent of where the mesh is and of every other
// file, which is what makes this sound: a cached file decodes exactly as
// parsing it again would.
type Cache struct {
	dir      string
	identity [32]byte

	mu      sync.Mutex
	ignored int   // entries that were corrupt or foreign
	failed  error // the first entry that could not be written
	hits    int   // files read from the cache
	parsed  int   // files parsed
	unread  int   // files the sources' index spared reading
	// stepFiles and stepUnread count the steps' SQL files the checker
	// looked up in its facts index (Facts), and those it did not read.
	stepFiles, stepUnread int
	// sources and facts are what went wrong with the sources' index and
	// the facts index, if anything.
	sources, facts string
}

// chunkSize is how many files of a folder share an entry: few enough that
// a change costs a little parsing, enough that a large mesh's cache is
// not tens of thousands of small files.
const chunkSize = 64

// cacheFormat changes whenever the entries' layout does.
const cacheFormat = "meshc cache 8\n"

// OpenCache uses the folder dir, creating it if needed, for a meshc whose
// identity (version, build) is given: entries of another identity are
// foreign. The shapes of the decoded types are part of the identity too,
// so that a development build whose types changed never reads its
// predecessor's entries.
func OpenCache(dir, identity string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s%s\n", cacheFormat, identity)
	for _, typ := range slices.Sorted(maps.Keys(blockKinds)) {
		fmt.Fprintf(h, "%s %s\n", typ, typeShape(blockKinds[typ].value, map[reflect.Type]bool{}))
	}
	fmt.Fprintf(h, "diagnostics %s\n", typeShape(reflect.TypeFor[diag.Diagnostics](), map[reflect.Type]bool{}))
	c := &Cache{dir: dir}
	h.Sum(c.identity[:0])
	c.trim(time.Now())
	return c, nil
}

// FormattedFile is where meshc fmt keeps what it found formatted, for
// the meshc named by the identity the cache was opened with: a file of
// the cache folder, which the cache trims with its entries when unused.
func (c *Cache) FormattedFile(format string) string {
	key := sha256.Sum256(fmt.Appendf(nil, "%s%x", format, c.identity))
	return filepath.Join(c.dir, "fmt", hex.EncodeToString(key[:]))
}

// Entries unused for unusedFor are deleted, checking at most once every
// trimEvery: a hit touches an entry at most once every touchEvery, which
// keeps the entries in use young without a write per run.
const (
	unusedFor  = 5 * 24 * time.Hour
	trimEvery  = 24 * time.Hour
	touchEvery = time.Hour
)

// trim deletes the entries and output indexes (and temporary files left
// by a crash) unused for unusedFor, once a day: the time of the last trim
// is the modification time of the file "trimmed". It deletes nothing but
// files named as meshc names them, in folders named as meshc names them,
// so that a MESHC_CACHE pointed at the wrong folder by mistake loses
// nothing. Failing to trim only leaves more files.
func (c *Cache) trim(now time.Time) {
	stamp := filepath.Join(c.dir, "trimmed")
	if info, err := os.Stat(stamp); err == nil && now.Sub(info.ModTime()) < trimEvery {
		return
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		return
	}
	paths, _ := filepath.Glob(filepath.Join(c.dir, "??", "*"))
	// out and src hold the indexes of output folders (internal/output)
	// and of meshes' files (sourceIndex), named likewise, when the cache
	// is the user's cache folder, where they are kept; fmt, the files
	// meshc fmt found formatted (FormattedFile).
	outs, _ := filepath.Glob(filepath.Join(c.dir, "out", "*"))
	srcs, _ := filepath.Glob(filepath.Join(c.dir, "src", "*"))
	fmts, _ := filepath.Glob(filepath.Join(c.dir, "fmt", "*"))
	for _, p := range slices.Concat(paths, outs, srcs, fmts) {
		dir, name := filepath.Base(filepath.Dir(p)), filepath.Base(p)
		index := dir == "out" || dir == "src" || dir == "fmt"
		ours := isEntryName(name) && (dir == name[:2] || index) || isTempName(name) && (dir == name[1:3] || index)
		if info, err := os.Lstat(p); ours && err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > unusedFor {
			os.Remove(p)
		}
	}
}

// isEntryName reports whether name is an entry's: a SHA-256 in hex.
func isEntryName(name string) bool { return len(name) == 2*sha256.Size && isHex(name) }

// isTempName reports whether name is what atomicfile.Write names an
// entry's file while it writes it: ".ENTRY.N.tmp".
func isTempName(name string) bool {
	rest, dot := strings.CutPrefix(name, ".")
	rest, tmp := strings.CutSuffix(rest, ".tmp")
	entry, n, ok := strings.Cut(rest, ".")
	return dot && tmp && ok && isEntryName(entry) && n != "" && strings.Trim(n, "0123456789") == ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// Dir is the cache's folder.
func (c *Cache) Dir() string { return c.dir }

// Report says what the cache did in this run, and whether anything went
// wrong with it (a warning for the user, never an error: the cache only
// ever saves time).
func (c *Cache) Report() (hits, parsed int, warning string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var problems []string
	if c.ignored > 0 {
		entries := "entries"
		if c.ignored == 1 {
			entries = "entry"
		}
		ignored := fmt.Sprintf("ignored %d corrupt cache %s in %s", c.ignored, entries, c.dir)
		if c.failed == nil {
			ignored += ", and rewrote them"
		}
		problems = append(problems, ignored)
	}
	if c.failed != nil {
		problems = append(problems, fmt.Sprintf("cannot write to the cache: %v", c.failed))
	}
	if c.sources != "" {
		problems = append(problems, c.sources)
	}
	if c.facts != "" {
		problems = append(problems, c.facts)
	}
	return c.hits, c.parsed, strings.Join(problems, "; ")
}

// Unread says how many files, of those read from the cache, were not read
// at all, their stamps being as an index of them remembers (Tree.Index).
func (c *Cache) Unread() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.unread
}

// StepFiles says how many of the steps' SQL files the checker looked up
// in its index of what it found in them (Facts), and how many of those
// it did not read, their stamps being as remembered.
func (c *Cache) StepFiles() (files, unread int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stepFiles, c.stepUnread
}

func (c *Cache) noteStepFiles(files, unread int, warning string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stepFiles += files
	c.stepUnread += unread
	if warning != "" {
		c.facts = warning
	}
}

// noteSources saves the sources' index of a run, and keeps what was
// wrong with the one it found for Report.
func (c *Cache) noteSources(ix *sourceIndex) {
	if c == nil || ix == nil {
		return
	}
	// The index is in the user's cache folder: like the cache there, one
	// that cannot be written is none, silently (cli.indexFolder).
	ix.save()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.unread += ix.unread
	c.sources = ix.warning
}

// typeShape describes a type's layout: field names and kinds, recursively.
func typeShape(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen[t] || t == rangeType || t == ctyType {
		return t.String()
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return t.Kind().String() + " " + typeShape(t.Elem(), seen)
	case reflect.Map:
		return "map " + typeShape(t.Key(), seen) + " " + typeShape(t.Elem(), seen)
	case reflect.Struct:
		var b bytes.Buffer
		b.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			fmt.Fprintf(&b, "%s %q %s;", f.Name, f.Tag, typeShape(f.Type, seen))
		}
		b.WriteString("}")
		return b.String()
	}
	return t.String()
}

// chunks groups files into the units of the cache: runs of up to
// chunkSize files of one folder, in order. Adding or removing a file
// changes the entries of its folder only.
func chunks(files []*file) [][]*file {
	var out [][]*file
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && j-i < chunkSize && files[j].tree == files[i].tree && path.Dir(files[j].rel) == path.Dir(files[i].rel) {
			j++
		}
		out = append(out, files[i:j])
		i = j
	}
	return out
}

// key names a chunk's entry: a hash of the identity and of each file's
// path, size and hash (file.sum), which stand for its bytes.
func (c *Cache) key(chunk []*file) string {
	h := sha256.New()
	h.Write(c.identity[:])
	for _, f := range chunk {
		fmt.Fprintf(h, "%d %s %d\n", len(f.rel), f.rel, f.size)
		h.Write(f.sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Cache) path(key string) string { return filepath.Join(c.dir, key[:2], key) }

// load fills in a chunk's files from their entry. It returns false, having
// changed nothing, when there is no usable entry.
func (c *Cache) load(key string, chunk []*file) bool {
	buf := entryBuffers.Get().(*[]byte)
	defer entryBuffers.Put(buf)
	data, modified, err := readEntry(c.path(key), *buf, entryLimit(chunk))
	ok := false
	switch {
	case errors.Is(err, errEntryTooLarge), errors.Is(err, stamp.ErrNotRegular):
		// No meshc wrote it: ignored, like a corrupt entry.
	case err != nil:
		return false // there is none
	default:
		*buf = data
		if time.Since(modified) > touchEvery {
			now := time.Now()
			os.Chtimes(c.path(key), now, now)
		}
		var payload []byte
		if payload, ok = c.open(data, key); ok {
			ok = decodeChunk(payload, chunk)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		c.ignored++
		return false
	}
	for _, f := range chunk {
		if f.cached {
			c.hits++
		} else {
			c.parsed++
		}
	}
	return true
}

// entryBuffers hold the entries read. Decoding copies what it keeps, so
// an entry is done with once decoded, and the next one can be read into
// its buffer: a warm check would otherwise allocate them all (14 MB at
// 10,000 products, 140 MB at 100,000, where it saved a collection).
var entryBuffers = sync.Pool{New: func() any { return new([]byte) }}

// entryLimit bounds the size of a chunk's entry: 32 times the bytes of its
// files, and a mebibyte. Entries hold about two thirds of their files'
// bytes, and ten times for a list of one-digit numbers, the densest text
// found. store writes none above the bound (such a chunk is parsed each
// run), so that one above it is foreign, and is not read into memory
// however large it is.
func entryLimit(chunk []*file) int64 {
	limit := int64(1 << 20)
	for _, f := range chunk {
		limit += 32 * int64(f.size)
	}
	return limit
}

var errEntryTooLarge = errors.New("cache entry larger than its files could make")

// readEntry reads the file at name into buf, grown as needed, and says
// when it was last modified. A file of limit bytes or more is not read,
// nor anything but a regular file: opening a named pipe waits for a
// writer, for ever.
func readEntry(name string, buf []byte, limit int64) ([]byte, time.Time, error) {
	f, info, err := stamp.OpenRegular(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	if info.Size() >= limit {
		return nil, time.Time{}, errEntryTooLarge
	}
	size := int(info.Size())
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, time.Time{}, err
	}
	return buf, info.ModTime(), nil
}

// An entry is the format line, the identity, the key, a CRC-32C of the
// payload, and the payload.
func (c *Cache) open(data []byte, key string) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(cacheFormat))
	if !ok || len(rest) < 32+len(key)+4 || !bytes.Equal(rest[:32], c.identity[:]) || string(rest[32:32+len(key)]) != key {
		return nil, false
	}
	rest = rest[32+len(key):]
	sum, payload := binary.BigEndian.Uint32(rest), rest[4:]
	return payload, crc32.Checksum(payload, castagnoli) == sum
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// countParsed counts n files that were not read from the cache.
func (c *Cache) countParsed(n int) {
	c.mu.Lock()
	c.parsed += n
	c.mu.Unlock()
}

// store writes a chunk's entry, once its files are parsed.
func (c *Cache) store(key string, chunk []*file) {
	payload := encodeChunk(chunk)
	c.countParsed(len(chunk))
	data := make([]byte, 0, len(cacheFormat)+32+len(key)+4+len(payload))
	data = append(data, cacheFormat...)
	data = append(data, c.identity[:]...)
	data = append(data, key...)
	data = binary.BigEndian.AppendUint32(data, crc32.Checksum(payload, castagnoli))
	data = append(data, payload...)
	if int64(len(data)) >= entryLimit(chunk) {
		return // load would take it for a foreign entry
	}
	err := os.MkdirAll(filepath.Dir(c.path(key)), 0o755)
	if err == nil {
		err = atomicfile.Write(c.path(key), data, 0o644)
	}
	if err != nil {
		c.mu.Lock()
		if c.failed == nil {
			c.failed = err
		}
		c.mu.Unlock()
	}
}

// encodeChunk writes each file of a chunk: 0 for a file to parse again
// (syntax errors, or a value the encoding cannot write), else 1 and its
// decoded form.
func encodeChunk(chunk []*file) []byte {
	e := &entryWriter{}
	for _, f := range chunk {
		mark, shared := len(e.buf), len(e.shared)
		e.file, e.named = f.lines, false
		e.uint(1)
		if f.syntaxErrors != nil || encodeFile(e, f) != nil || e.named {
			e.unwrite(mark, shared)
			e.uint(0)
		}
	}
	return e.buf
}

var diagsCodec = sync.OnceValue(func() *codec { return codecFor(reflect.TypeFor[diag.Diagnostics]()) })

func encodeFile(e *entryWriter, f *file) error {
	encodeTable(e, f.lines.Table())
	if err := diagsCodec().enc(e, reflect.ValueOf(f.diags)); err != nil {
		return err
	}
	e.uint(uint64(f.meshBlocks))
	e.uint(uint64(len(f.blocks)))
	for _, b := range f.blocks {
		e.string(b.typ)
		if err := codecFor(rangeType).enc(e, reflect.ValueOf(&b.def).Elem()); err != nil {
			return err
		}
		if err := codecFor(rangeType).enc(e, reflect.ValueOf(&b.bodyStart).Elem()); err != nil {
			return err
		}
		if err := diagsCodec().enc(e, reflect.ValueOf(b.diags)); err != nil {
			return err
		}
		k, ok := blockKinds[b.typ]
		if !ok {
			return errNotCacheable
		}
		if err := codecFor(k.value).enc(e, reflect.ValueOf(b.value)); err != nil {
			return err
		}
	}
	return nil
}

// decodeChunk reads a chunk's entry into its files, all or nothing. An
// entry is checked (its checksum, meshc's identity) before it is decoded,
// so decoding fails only on an entry written wrongly; should that ever
// panic, the entry is corrupt like any other.
func decodeChunk(payload []byte, chunk []*file) (ok bool) {
	return theDecoders().chunk(payload, chunk)
}

// chunk is decodeChunk with these decoders.
func (ds *decoders) chunk(payload []byte, chunk []*file) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	type result struct {
		lines      *diag.File
		diags      diag.Diagnostics
		meshBlocks int
		blocks     []*decoded
		cached     bool
	}
	results := make([]result, len(chunk))
	d := &entryReader{buf: payload}
	for i, f := range chunk {
		if d.uint() == 0 {
			continue
		}
		r := &results[i]
		r.cached = true
		// A file that was read has its lines; one the sources' index
		// spared reading takes them from the entry.
		r.lines = f.lines
		if t := decodeTable(d, f.size); r.lines == nil && !d.corrupt {
			r.lines = diag.NewFileFromTable(f.name, t, diag.Again{Read: f.textFile.read, Tokens: tokenBounds})
			r.lines.SetLineEndings(lf.Ends{All: f.allCRLF})
		}
		d.file = r.lines
		r.diags = ds.diagnostics(d)
		r.meshBlocks = int(d.uint())
		n := d.uint()
		if !d.fits(n) {
			break
		}
		for range n {
			if d.corrupt {
				break
			}
			b := &decoded{typ: d.string()}
			d.rangeInto(&b.def)
			d.rangeInto(&b.bodyStart)
			b.diags = ds.diagnostics(d)
			dec, ok := ds.blocks[b.typ]
			if !ok {
				d.fail()
				break
			}
			value, isNil := dec(d)
			if isNil && b.typ != "target" { // only a target may decode to nothing
				d.fail()
				break
			}
			b.value = value
			r.blocks = append(r.blocks, b)
		}
	}
	if d.corrupt || len(d.buf) != 0 {
		return false
	}
	for i, f := range chunk {
		if r := results[i]; r.cached {
			f.lines, f.diags, f.meshBlocks, f.blocks, f.cached = r.lines, r.diags, r.meshBlocks, r.blocks, true
		}
	}
	return true
}

// encodeTable writes a file's line table (diag.Table): where its lines
// and those beyond ASCII start, as differences, then its size and CRC.
func encodeTable(e *entryWriter, t diag.Table) {
	for _, starts := range [][]int32{t.Lines, t.Wide} {
		e.uint(uint64(len(starts)))
		last := int32(0)
		for _, at := range starts {
			e.uint(uint64(at - last))
			last = at
		}
	}
	e.uint(uint64(t.Size))
	e.uint(uint64(t.Sum))
}

func decodeTable(d *entryReader, size int) diag.Table {
	t := diag.Table{Lines: decodeStarts(d, size), Wide: decodeStarts(d, size)}
	t.Size, t.Sum = int(d.uint()), uint32(d.uint())
	// Lines start after the first, and each line beyond ASCII is a line;
	// an entry that says otherwise was written wrongly, and positions
	// worked out from it could fall outside the text.
	if len(t.Lines) > 0 && t.Lines[0] == 0 || len(t.Wide) > 0 && t.Size != size {
		d.fail()
	}
	for _, at := range t.Wide {
		if _, found := slices.BinarySearch(t.Lines, at); at != 0 && !found {
			d.fail()
		}
	}
	return t
}

// decodeStarts reads where lines start, which increase and lie within a
// file of size bytes.
func decodeStarts(d *entryReader, size int) []int32 {
	n := d.uint()
	if !d.fits(n) {
		return nil
	}
	starts := make([]int32, n)
	last := uint64(0)
	for i := range starts {
		step := d.uint()
		if i > 0 && step == 0 || step > uint64(size)-last {
			d.fail()
			return nil
		}
		last += step
		starts[i] = int32(last)
	}
	return starts
}
