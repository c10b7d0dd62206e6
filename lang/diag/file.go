package diag

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/meshc/meshc/internal/ascii"
	"github.com/meshc/meshc/internal/lf"
)

// File is a source file as its ranges see it: its name, and where its lines
// start. A range keeps only byte offsets and its file's number, and works
// out lines and columns when asked: a large mesh holds millions of
// ranges, and this makes each 12 bytes instead of 40.
type File struct {
	// Name is slash-separated and relative to where the user pointed meshc.
	Name string
	// id is the file's number in files, which its ranges keep.
	id uint32
	// lines holds the byte offset at which each line starts.
	lines lineStarts
	// wide is set for a file with a byte beyond ASCII, whose columns
	// count grapheme clusters rather than bytes.
	wide *wideLines
	// crlf is set for a file whose text was read with CRLF line endings
	// as LF (lf.Read): ranges hold offsets in the text, and the JSON
	// report gives them in the file on disk (OnDisk).
	crlf *lf.Ends
}

// SetLineEndings records which of the file's line endings were CRLF on
// disk, before its text was read with them as LF (lf.Read). It is set
// apart from the lines, since a cache entry (Table) holds the lines of a
// text whose checkouts may have either, and before the file's ranges are
// used.
func (f *File) SetLineEndings(ends lf.Ends) {
	if !ends.None() {
		f.crlf = &ends
	}
}

// OnDisk returns where byte offset of the file's text is in the file on
// disk: further by the CR of each CRLF line ending before it. Lines and
// columns need no such care, as a CR before an LF ends its line either
// way.
func (f *File) OnDisk(offset int) int {
	if f.crlf == nil || offset < 0 {
		return offset
	}
	return offset + f.crlf.Before(offset, f.line(int32(offset))-1)
}

// wideLines are the lines of a file that hold a byte beyond ASCII. Their
// columns count grapheme clusters, which takes the text; a file whose
// text is dropped once loaded asks for it again (Again) the first time
// such a column is asked for (to print a diagnostic, mostly), since most
// of a mesh written in German or Japanese is such lines, and most of its
// files never have a diagnostic. A text that cannot be read then is not
// asked for again.
type wideLines struct {
	starts []int32 // where the lines start, in order
	// size and sum (a CRC-32C) are the text's, to know it again.
	size  int
	sum   uint32
	again Again

	once sync.Once
	// text is the file's text read again; ok is false when it could not
	// be read or has changed since, and columns then count bytes.
	text string
	ok   bool
	// bounds are where the file's tokens start and end, for a file where
	// counting clusters across them would not give HCL's columns
	// (needsTokenBounds).
	bounds []int32

	mu    sync.Mutex
	marks map[int][]mark // by line start, for each long line asked about
}

// Again says how to read a file's text again, for the columns of its
// lines beyond ASCII.
type Again struct {
	// Read returns the text again; without it, lines beyond ASCII count
	// their columns in bytes.
	Read func() ([]byte, error)
	// Tokens, when set, returns where the tokens of a file's text start
	// and end, in order: HCL counts columns token by token, which
	// matters where a token ends inside a grapheme cluster (see
	// needsTokenBounds).
	Tokens func(src []byte) []int32
}

// mark is a grapheme cluster's start in a long line, and how many
// clusters of the line come before it: counting from the line's start for
// every position would make a long line with many diagnostics cost the
// square of its length.
type mark struct{ at, column int32 }

// markEvery is how many bytes of a long line lie between two marks.
const markEvery = 256

// longLine is the length from which a line keeps marks.
const longLine = 256

// NewFile indexes the lines of src, the text of the file called name, and
// keeps src for the columns of its lines beyond ASCII. It knows nothing of
// HCL's tokens, so a column may differ from HCL's where a token ends
// inside a grapheme cluster: load.NewFile (and the loader, by way of
// NewFileAgain) give it the tokens. Its size must fit in 31 bits, as the
// loader ensures.
func NewFile(name string, src []byte) *File {
	return NewFileAgain(name, src, Again{Read: func() ([]byte, error) { return src, nil }})
}

// NewFileAgain is NewFile for a file that keeps none of src, and reads it
// again when a column of a line beyond ASCII is first asked for.
func NewFileAgain(name string, src []byte, again Again) *File {
	f := register(&File{Name: name, lines: newLineStarts(len(src), bytes.Count(src, newline)+1)})
	wide := !ascii.Is(src)
	for start := 0; ; {
		end := len(src)
		if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
			end = start + i
		}
		if wide && !ascii.Is(src[start:end]) {
			if f.wide == nil {
				f.wide = &wideLines{size: len(src), sum: crc32.Checksum(src, castagnoli), again: again}
			}
			f.wide.starts = append(f.wide.starts, int32(start))
		}
		if end == len(src) {
			break
		}
		start = end + 1
		f.lines.add(start)
	}
	return f
}

// lineStarts are the byte offsets at which a file's lines start, the
// first 0: as uint16s in a file of less than 64 KiB, as nearly every mesh
// file is, which halves the index (32 MB at 100,000 products, live from
// loading to the end; docs/performance.md).
type lineStarts struct {
	short []uint16 // for a file of less than 64 KiB
	long  []int32  // for a larger one
}

// newLineStarts makes room for a file of size bytes and n lines, and
// adds the first line's start.
func newLineStarts(size, n int) lineStarts {
	if size <= math.MaxUint16 {
		return lineStarts{short: append(make([]uint16, 0, n), 0)}
	}
	return lineStarts{long: append(make([]int32, 0, n), 0)}
}

func (l *lineStarts) add(start int) {
	if l.long == nil {
		l.short = append(l.short, uint16(start))
	} else {
		l.long = append(l.long, int32(start))
	}
}

func (l *lineStarts) len() int { return len(l.short) + len(l.long) }

func (l *lineStarts) at(i int) int32 {
	if l.long == nil {
		return int32(l.short[i])
	}
	return l.long[i]
}

// search finds offset as slices.BinarySearch does.
func (l *lineStarts) search(offset int32) (int, bool) {
	if l.long != nil {
		return slices.BinarySearch(l.long, offset)
	}
	switch {
	case offset < 0:
		return 0, false
	case offset > math.MaxUint16:
		return len(l.short), false
	}
	return slices.BinarySearch(l.short, uint16(offset))
}

func (l *lineStarts) int32s() []int32 {
	if l.long != nil {
		return l.long
	}
	out := make([]int32, len(l.short))
	for i, start := range l.short {
		out[i] = int32(start)
	}
	return out
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// A Table is what a File knows of its text without the text: where its
// lines start, where those beyond ASCII start, and, for those, the text's
// size and CRC-32C, to know it again. A cache keeps it for a file it then
// need not read (load.Cache).
type Table struct {
	Lines []int32 // where each line after the first starts
	Wide  []int32 // where the lines beyond ASCII start
	Size  int
	Sum   uint32
}

// Table returns what f knows of its text.
func (f *File) Table() Table {
	t := Table{Lines: f.lines.int32s()[1:]}
	if w := f.wide; w != nil {
		t.Wide, t.Size, t.Sum = w.starts, w.size, w.sum
	}
	return t
}

// NewFileFromTable is NewFileAgain for a file whose text is not at hand,
// from what NewFileAgain found in it (File.Table).
func NewFileFromTable(name string, t Table, again Again) *File {
	size := 0
	if len(t.Lines) > 0 {
		size = int(t.Lines[len(t.Lines)-1])
	}
	f := register(&File{Name: name, lines: newLineStarts(size, len(t.Lines)+1)})
	for _, start := range t.Lines {
		f.lines.add(int(start))
	}
	if len(t.Wide) > 0 {
		f.wide = &wideLines{starts: t.Wide, size: t.Size, sum: t.Sum, again: again}
	}
	return f
}

// textOf returns the file's text, read again the first time, and whether
// it could be.
func (w *wideLines) textOf() (string, bool) {
	w.once.Do(func() {
		if w.again.Read == nil {
			return
		}
		text, err := w.again.Read()
		if err != nil || len(text) != w.size || crc32.Checksum(text, castagnoli) != w.sum {
			return
		}
		if w.again.Tokens != nil && needsTokenBounds(text, w.starts) {
			w.bounds = w.again.Tokens(text)
		}
		w.text, w.ok = string(text), true
	})
	return w.text, w.ok
}

var newline = []byte{'\n'}

const bom = "\ufeff"

// WholeFile is the range of a file as a whole, for problems such as one that
// cannot be read, whose lines are not known.
func WholeFile(name string) Range { return register(&File{Name: name}).Whole() }

// Whole is the range of f as a whole.
func (f *File) Whole() Range { return Range{file: f.number(), start: -1, end: -1} }

// Range is the span of f from byte start up to but excluding byte end.
// The ranges of a nil File point nowhere, as the zero Range.
func (f *File) Range(start, end int) Range {
	return Range{file: f.number(), start: int32(start), end: int32(end)}
}

// number is f's id, 0 for a nil File.
func (f *File) number() uint32 {
	if f == nil {
		return 0
	}
	return f.id
}

// files holds every File made, so that a range can name its file by
// number (File.id, from 1) rather than point to it: a range then holds no
// pointer, which the garbage collector would follow for each of the
// millions of ranges of a large mesh, to the few files they point to (at
// 100,000 products, marking the heap while it loads was most of what
// grew faster than the mesh; docs/performance.md). A File is therefore
// never freed: meshc needs its files until it prints its diagnostics,
// at the end of its run.
var files struct {
	mu sync.Mutex // held to add a file
	// all is every File, by id less one: a slice appended to under mu
	// and published whole, so that reading one takes no lock. A slice
	// published earlier shares its array with a later one, whose new
	// element lies past the earlier one's length.
	all atomic.Pointer[[]*File]
}

// register numbers f and adds it to files.
func register(f *File) *File {
	files.mu.Lock()
	defer files.mu.Unlock()
	var all []*File
	if p := files.all.Load(); p != nil {
		all = *p
	}
	all = append(all, f)
	if uint64(len(all)) > math.MaxUint32 {
		panic("diag: more files than a range can number")
	}
	f.id = uint32(len(all))
	files.all.Store(&all)
	return f
}

// fileOf is the File numbered id, nil for 0.
func fileOf(id uint32) *File {
	if id == 0 {
		return nil
	}
	return (*files.all.Load())[id-1]
}

// Pos is the position of byte offset in f. Its column counts grapheme
// clusters from the start of the line, as HCL's scanner does; HCL counts
// them token by token, which f matches where its Again gives the tokens'
// bounds. On a line with bytes that are not UTF-8 the two may still
// differ, by how HCL splits the bad bytes into tokens; on a line beyond
// ASCII of a file that can no longer be read as it was, the column counts
// bytes.
func (f *File) Pos(offset int) Pos {
	line := f.line(int32(offset))
	start := 0
	if line > 0 {
		start = int(f.lines.at(line - 1))
	}
	column := offset - start
	if w := f.wide; w != nil {
		if _, ok := slices.BinarySearch(w.starts, int32(start)); ok {
			if text, ok := w.textOf(); ok {
				end := len(text)
				if next := max(line, 1); next < f.lines.len() {
					end = int(f.lines.at(next)) - 1 // before the line's \n
				}
				column = w.column(start, text[start:end], offset-start)
			}
		}
	}
	return Pos{Line: int32(max(line, 1)), Column: int32(column + 1), Byte: int32(offset)}
}

// column counts the grapheme clusters of the line text, which starts at
// byte start of the file, that begin before byte offset of the line.
func (w *wideLines) column(start int, text string, offset int) int {
	offset = min(offset, len(text))
	from := 0
	if start == 0 && strings.HasPrefix(text, bom) {
		from = len(bom) // HCL skips a byte order mark, and so does its column count
	}
	if offset <= from {
		return 0
	}
	column := 0
	if len(text) >= longLine {
		marks := w.marksOf(start, text, from)
		i, _ := slices.BinarySearchFunc(marks, int32(offset), func(m mark, at int32) int { return cmp.Compare(m.at, at) })
		if i > 0 {
			from, column = int(marks[i-1].at), int(marks[i-1].column)
		}
	}
	w.clusters(start, text, from, offset, func(int) { column++ })
	return column
}

// marksOf returns the marks of a long line, made the first time.
func (w *wideLines) marksOf(start int, text string, from int) []mark {
	w.mu.Lock()
	defer w.mu.Unlock()
	if marks, ok := w.marks[start]; ok {
		return marks
	}
	var marks []mark
	column := 0
	w.clusters(start, text, from, len(text), func(at int) {
		if at >= (len(marks)+1)*markEvery {
			marks = append(marks, mark{int32(at), int32(column)})
		}
		column++
	})
	if w.marks == nil {
		w.marks = map[int][]mark{}
	}
	w.marks[start] = marks
	return marks
}

// clusters calls at with the offset in the line of each grapheme cluster
// that begins in text[from:to], from being a cluster's start. HCL counts
// clusters token by token, so where the file's token bounds are known, a
// cluster ends at each.
func (w *wideLines) clusters(start int, text string, from, to int, at func(int)) {
	next, _ := slices.BinarySearch(w.bounds, int32(start+from+1))
	for lo := from; lo < to; {
		hi := to
		if next < len(w.bounds) && int(w.bounds[next])-start < hi {
			hi = int(w.bounds[next]) - start
			next++
		}
		graphemeStarts(text[lo:hi], func(i int) { at(lo + i) })
		lo = hi
	}
}

// needsTokenBounds reports whether a token of the text may end inside one
// of the grapheme clusters of its lines that start at starts, such as a
// quote and the combining mark that begins the string: HCL counts clusters
// token by token, and then counts two, so the columns need the tokens'
// bounds. Only a cluster of several characters can hold a token's end, and
// not one that is a letter followed by letters and marks, such as an "e"
// and its accent written apart, or a Hangul syllable written as its
// letters: HCL never ends a token there, in a name, a string or a comment
// alike, since a name goes on with letters and the marks that are not
// enclosing (Unicode's ID_Continue).
func needsTokenBounds(text []byte, starts []int32) bool {
	for _, start := range starts {
		line := text[start:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		for b := line; len(b) > 0; {
			advance, cluster, _ := scanGraphemeClusters(b, true)
			if utf8.RuneCount(cluster) > 1 && string(cluster) != "\r\n" && !letterAndMarks(cluster) {
				return true
			}
			b = b[max(advance, 1):]
		}
	}
	return false
}

// letterAndMarks reports whether s is a letter followed by letters and
// marks other than enclosing ones.
func letterAndMarks(s []byte) bool {
	for i, r := range string(s) {
		if !unicode.IsLetter(r) && (i == 0 || !unicode.In(r, unicode.Mn, unicode.Mc)) {
			return false
		}
	}
	return true
}

// graphemeStarts calls at with the offset in s of each grapheme cluster,
// counting each byte that is not UTF-8 as one.
func graphemeStarts(s string, at func(int)) {
	for done := 0; done < len(s); {
		valid := done
		for valid < len(s) {
			r, size := utf8.DecodeRuneInString(s[valid:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			valid += size
		}
		for b := []byte(s[done:valid]); len(b) > 0; {
			at(valid - len(b))
			advance, _, _ := scanGraphemeClusters(b, true)
			b = b[max(advance, 1):]
		}
		if valid < len(s) {
			at(valid) // the byte that is not UTF-8
			valid++
		}
		done = valid
	}
}

// Range is a span of a source file. The zero Range points nowhere.
type Range struct {
	file uint32 // its File's id, 0 for none
	// start and end are byte offsets; start is -1 for the file as a whole.
	start, end int32
}

// Columns counts the columns HCL gives text: its grapheme clusters, in
// the Unicode version HCL uses with this Go release.
func Columns(text []byte) int {
	n := 0
	for len(text) > 0 {
		advance, _, _ := scanGraphemeClusters(text, true)
		text = text[advance:]
		n++
	}
	return n
}

// File is the file the range is in, nil for the zero range.
func (r Range) File() *File { return fileOf(r.file) }

// Filename is the name of the range's file, "" for the zero range.
func (r Range) Filename() string {
	if r.file == 0 {
		return ""
	}
	return fileOf(r.file).Name
}

// Offsets are the range's byte offsets, -1 and -1 for a whole file.
func (r Range) Offsets() (start, end int) { return int(r.start), int(r.end) }

// Start is where the range starts; the zero Pos for a whole file.
func (r Range) Start() Pos { return r.pos(r.start) }

// StartLine is the line the range starts on, 0 for a whole file. Unlike
// Start, it never counts columns, which may read the file's text again.
func (r Range) StartLine() int32 {
	if r.file == 0 || r.start < 0 {
		return 0
	}
	return int32(fileOf(r.file).line(r.start)) // at least 1: the first line starts at 0
}

// line is the number of the line that holds byte offset: how many lines
// start at or before it (0 for an offset before the file).
func (f *File) line(offset int32) int {
	line, found := f.lines.search(offset)
	if found {
		line++
	}
	return line
}

// End is where the range ends, exclusive; the zero Pos for a whole file.
func (r Range) End() Pos { return r.pos(r.end) }

func (r Range) pos(offset int32) Pos {
	if r.file == 0 || r.start < 0 {
		return Pos{}
	}
	return fileOf(r.file).Pos(int(offset))
}

// String renders the range as file:line:col, the form editors and CI logs link.
func (r Range) String() string {
	if r.start < 0 || r.file == 0 {
		return r.Filename() // the file as a whole
	}
	start := r.Start()
	return fmt.Sprintf("%s:%d:%d", r.Filename(), start.Line, start.Column)
}

// IsZero reports whether the range points nowhere.
func (r Range) IsZero() bool { return r.file == 0 }

// Ptr returns a pointer to a copy of r, or nil when r is zero, for the
// optional Subject and Context fields.
func (r Range) Ptr() *Range {
	if r.IsZero() {
		return nil
	}
	return &r
}

// MarshalJSON writes the range with its lines and columns, the shape that
// `meshc check --format json` documents, and its byte offsets in the file
// on disk, for tools that cut the file by them.
func (r Range) MarshalJSON() ([]byte, error) {
	start, end := r.Start(), r.End()
	if f := r.File(); f != nil && r.start >= 0 {
		start.Byte = int32(f.OnDisk(int(start.Byte)))
		end.Byte = int32(f.OnDisk(int(end.Byte)))
	}
	return json.Marshal(struct {
		Filename string `json:"filename"`
		Start    Pos    `json:"start"`
		End      Pos    `json:"end"`
	}{r.Filename(), start, end})
}
