package diag

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// File is a source file as its ranges see it: its name, and where its lines
// start. A range keeps only byte offsets and a pointer to its file, and
// works out lines and columns when asked: a large mesh holds millions of
// ranges, and this makes each 16 bytes instead of 40.
type File struct {
	// Name is slash-separated and relative to where the user pointed meshc.
	Name string
	// lines holds the byte offset at which each line starts.
	lines []int32
	// wide is set for a file with a byte beyond ASCII, whose columns
	// count grapheme clusters rather than bytes.
	wide *wideLines
}

// wideLines are the lines of a file that hold a byte beyond ASCII, and,
// for each long one that a position was asked on, the column of each of
// its bytes: counting from the line's start for every position would make
// a long line with many diagnostics cost the square of its length.
type wideLines struct {
	text    map[int]string // by line start, without the line's end
	mu      sync.Mutex
	columns map[int][]int32 // by line start
}

// longLine is the length from which a line's columns are kept.
const longLine = 256

// NewFile indexes the lines of src, the text of the file called name. Its
// size must fit in 31 bits, as the loader ensures.
func NewFile(name string, src []byte) *File {
	f := &File{Name: name, lines: make([]int32, 1, bytes.Count(src, newline)+1)}
	wide := !isASCII(src)
	for start := 0; ; {
		end := len(src)
		if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
			end = start + i
		}
		if line := src[start:end]; wide && !isASCII(line) {
			if f.wide == nil {
				f.wide = &wideLines{text: map[int]string{}}
			}
			f.wide.text[start] = string(line)
		}
		if end == len(src) {
			break
		}
		start = end + 1
		f.lines = append(f.lines, int32(start))
	}
	return f
}

var newline = []byte{'\n'}

const bom = "\ufeff"

// isASCII reads eight bytes at a time: it runs over every byte loaded.
func isASCII(b []byte) bool {
	for ; len(b) >= 8; b = b[8:] {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// WholeFile is the range of a file as a whole, for problems such as one that
// cannot be read, whose lines are not known.
func WholeFile(name string) Range { return (&File{Name: name}).Whole() }

// Whole is the range of f as a whole.
func (f *File) Whole() Range { return Range{file: f, start: -1, end: -1} }

// Range is the span of f from byte start up to but excluding byte end.
func (f *File) Range(start, end int) Range {
	return Range{file: f, start: int32(start), end: int32(end)}
}

// Pos is the position of byte offset in f. Its column counts grapheme
// clusters from the start of the line, as HCL's scanner does. HCL counts
// them token by token, so the two differ after a token that starts with a
// combining mark (never valid HCL), and may differ after bytes that are
// not UTF-8 on the same line.
func (f *File) Pos(offset int) Pos {
	line, found := slices.BinarySearch(f.lines, int32(offset))
	if found {
		line++
	}
	start := 0
	if line > 0 {
		start = int(f.lines[line-1])
	}
	column := offset - start
	if w := f.wide; w != nil {
		if text, ok := w.text[start]; ok {
			column = w.column(start, text, offset-start)
		}
	}
	return Pos{Line: int32(max(line, 1)), Column: int32(column + 1), Byte: int32(offset)}
}

// column counts the grapheme clusters of the line text, which starts at
// byte start of the file, that begin before byte offset of the line.
func (w *wideLines) column(start int, text string, offset int) int {
	offset = min(offset, len(text))
	if start == 0 && strings.HasPrefix(text, bom) {
		// HCL skips a byte order mark, and so does its column count.
		text, offset = text[len(bom):], offset-len(bom)
	}
	if offset <= 0 {
		return 0
	}
	if len(text) < longLine {
		n := 0
		graphemeStarts(text, func(at int) {
			if at < offset {
				n++
			}
		})
		return n
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	columns, ok := w.columns[start]
	if !ok {
		columns = make([]int32, len(text)+1) // columns[i]: the clusters that begin before i
		graphemeStarts(text, func(at int) { columns[at+1]++ })
		for i := 1; i < len(columns); i++ {
			columns[i] += columns[i-1]
		}
		if w.columns == nil {
			w.columns = map[int][]int32{}
		}
		w.columns[start] = columns
	}
	return int(columns[offset])
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
	file *File
	// start and end are byte offsets; start is -1 for the file as a whole.
	start, end int32
}

// File is the file the range is in, nil for the zero range.
func (r Range) File() *File { return r.file }

// Filename is the name of the range's file, "" for the zero range.
func (r Range) Filename() string {
	if r.file == nil {
		return ""
	}
	return r.file.Name
}

// Offsets are the range's byte offsets, -1 and -1 for a whole file.
func (r Range) Offsets() (start, end int) { return int(r.start), int(r.end) }

// Start is where the range starts; the zero Pos for a whole file.
func (r Range) Start() Pos { return r.pos(r.start) }

// End is where the range ends, exclusive; the zero Pos for a whole file.
func (r Range) End() Pos { return r.pos(r.end) }

func (r Range) pos(offset int32) Pos {
	if r.file == nil || r.start < 0 {
		return Pos{}
	}
	return r.file.Pos(int(offset))
}

// String renders the range as file:line:col, the form editors and CI logs link.
func (r Range) String() string {
	if r.start < 0 || r.file == nil {
		return r.Filename() // the file as a whole
	}
	start := r.Start()
	return fmt.Sprintf("%s:%d:%d", r.file.Name, start.Line, start.Column)
}

// IsZero reports whether the range points nowhere.
func (r Range) IsZero() bool { return r.file == nil }

// Ptr returns a pointer to a copy of r, or nil when r is zero, for the
// optional Subject and Context fields.
func (r Range) Ptr() *Range {
	if r.IsZero() {
		return nil
	}
	return &r
}

// MarshalJSON writes the range with its lines and columns, the shape that
// `meshc check --format json` documents.
func (r Range) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Filename string `json:"filename"`
		Start    Pos    `json:"start"`
		End      Pos    `json:"end"`
	}{r.Filename(), r.Start(), r.End()})
}
