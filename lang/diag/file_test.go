package diag

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/meshc/meshc/internal/lf"
)

// TestColumnsOfLongLines checks the columns of lines beyond ASCII, short
// and long (whose columns are kept), against counting the grapheme
// clusters from the line's start, at the start of every character (or
// byte that is not UTF-8), whatever the order of the questions.
func TestColumnsOfLongLines(t *testing.T) {
	long := strings.Repeat("a = [\"é\", \"日本\", \"e\u0301\", \"🇫🇷\", \"👩\u200d💻\", \xff, \t1]", 20)
	src := "\ufeff" + long + "\nshort é\n" + long + "\r\n" + long
	f := NewFile("f", []byte(src))
	for _, reverse := range []bool{false, true} {
		for i := range len(src) + 1 {
			offset := i
			if reverse {
				offset = len(src) - i
			}
			if offset < len(src) && !utf8.RuneStart(src[offset]) {
				continue
			}
			start := 0
			if j := strings.LastIndexByte(src[:offset], '\n'); j >= 0 {
				start = j + 1
			} else if offset >= len(bom) {
				start = len(bom)
			}
			want := Pos{Line: int32(strings.Count(src[:offset], "\n") + 1), Column: int32(clusters(src[start:offset]) + 1), Byte: int32(offset)}
			if got := f.Pos(offset); got != want {
				t.Fatalf("byte %d: %+v, want %+v", offset, got, want)
			}
		}
	}
	if len(f.wide.marks) != 3 {
		t.Errorf("marks kept for %d lines; want the 3 long ones", len(f.wide.marks))
	}
}

// clusters counts the grapheme clusters of s, each byte that is not UTF-8
// counting as one, as HCL's scanner makes it a token of its own.
func clusters(s string) int {
	n := 0
	for b := []byte(s); len(b) > 0; n++ {
		valid := 0
		for valid < len(b) {
			r, size := utf8.DecodeRune(b[valid:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			valid += size
		}
		advance := 1
		if valid > 0 {
			advance, _, _ = scanGraphemeClusters(b[:valid], true)
		}
		b = b[advance:]
	}
	return n
}

// TestTextReadAgain checks that a file reads its text again only for a
// column on a line beyond ASCII, once, and that a text changed since (same length, other bytes) counts
// bytes rather than clusters from text that is no longer the file's.
func TestTextReadAgain(t *testing.T) {
	src := "a = 1\nb = \"été\" x\n"
	reads := 0
	f := NewFileAgain("f", []byte(src), Again{Read: func() ([]byte, error) { reads++; return []byte(src), nil }})
	x := strings.Index(src, "x")
	if got := f.Pos(4); got != (Pos{Line: 1, Column: 5, Byte: 4}) || reads != 0 {
		t.Fatalf("ASCII line: %+v after %d reads, want 1:5 after none", got, reads)
	}
	if line := f.Range(x, x+1).StartLine(); line != 2 || reads != 0 {
		t.Fatalf("StartLine = %d after %d reads; want 2 after none", line, reads)
	}
	for range 3 {
		if got := f.Pos(x); got != (Pos{Line: 2, Column: 11, Byte: int32(x)}) {
			t.Fatalf("line beyond ASCII: %+v, want 2:11", got)
		}
	}
	if reads != 1 {
		t.Errorf("read %d times; want once", reads)
	}

	changed := NewFileAgain("f", []byte(src), Again{Read: func() ([]byte, error) { return []byte(strings.Replace(src, "été", "ÉtÉ", 1)), nil }})
	if got := changed.Pos(x); got.Column != int32(x-strings.Index(src, "b")+1) {
		t.Errorf("changed file: column %d, want %d (bytes)", got.Column, x-strings.Index(src, "b")+1)
	}
}

// TestFileFromTable checks that a file made from another's table places
// every offset where the other does, reading the text again only for a
// line beyond ASCII.
func TestFileFromTable(t *testing.T) {
	for _, src := range []string{"", "a", "a\n", "a = 1\n\nb = 2", "a = 1\nb = \"été\" x\n\nc = \"日本\"\n", "\n\n\n"} {
		again := Again{Read: func() ([]byte, error) { return []byte(src), nil }}
		want := NewFileAgain("f", []byte(src), again)
		got := NewFileFromTable("f", want.Table(), again)
		for offset := range len(src) + 1 {
			if g, w := got.Pos(offset), want.Pos(offset); g != w {
				t.Errorf("%q: Pos(%d) = %+v from the table, %+v from the text", src, offset, g, w)
			}
		}
	}
}

// TestLineStartsBySize checks positions in files on either side of 64 KiB,
// whose line starts are kept as uint16s and int32s, read and from a table.
func TestLineStartsBySize(t *testing.T) {
	for _, size := range []int{0, 1, 65535, 65536, 65537, 200000} {
		var src []byte
		for i := 0; len(src) < size; i++ {
			src = append(src, strings.Repeat("x", i%70)...)
			src = append(src, '\n')
		}
		src = src[:size]
		read := NewFile("f", src)
		for _, f := range []*File{read, NewFileFromTable("f", read.Table(), Again{})} {
			line, start := int32(1), 0
			for offset := 0; offset <= len(src); offset++ {
				want := Pos{Line: line, Column: int32(offset - start + 1), Byte: int32(offset)}
				if got := f.Pos(offset); got != want {
					t.Fatalf("size %d: Pos(%d) = %+v, want %+v", size, offset, got, want)
				}
				if offset < len(src) && src[offset] == '\n' {
					line, start = line+1, offset+1
				}
			}
		}
	}
}

// TestOnDisk checks that each byte offset of a text read with CRLF line
// endings as LF, and its end, is found where the same byte is in the file,
// an LF that was a CRLF at its CR, for files of a size that keeps short
// line starts and of one that keeps long ones; and that a range's JSON
// gives offsets on disk, with the lines and columns of the text.
func TestOnDisk(t *testing.T) {
	long := strings.Repeat("x", 1<<16)
	for _, raw := range []string{
		"a\nb\n",
		"a\r\nb\r\nc",
		"a\r\nb\nc\r\n\r\nd\n",
		"a\rb\r\n\r\r\n",
		long + "\r\na\r\n",
		"a\n" + long + "\r\nb\nc\r\n",
	} {
		text, ends := lf.Read([]byte(raw))
		f := NewFile("f", text)
		f.SetLineEndings(ends)
		for o := 0; o <= len(text); o++ {
			disk := f.OnDisk(o)
			switch {
			case o == len(text):
				if disk != len(raw) {
					t.Errorf("%.20q: the text's end is at %d; want %d", raw, disk, len(raw))
				}
			case disk >= len(raw):
				t.Fatalf("%.20q: byte %d is at %d, past the end", raw, o, disk)
			case text[o] == '\n' && raw[disk] == '\r' && raw[disk+1] == '\n':
			case raw[disk] != text[o]:
				t.Errorf("%.20q: byte %d (%q) is at %d (%q)", raw, o, text[o], disk, raw[disk])
			}
		}
	}
	text, ends := lf.Read([]byte("a\r\nbc\r\n"))
	f := NewFile("f", text)
	f.SetLineEndings(ends)
	got, err := f.Range(3, 5).MarshalJSON()
	want := `{"filename":"f","start":{"line":2,"column":2,"byte":4},"end":{"line":3,"column":1,"byte":7}}`
	if err != nil || string(got) != want {
		t.Errorf("JSON = %s, %v; want %s", got, err, want)
	}
}

// TestRangesHoldNoPointer checks that a range names its file without
// pointing to it: the garbage collector follows every pointer of the
// millions of ranges of a large mesh each time it marks the heap.
func TestRangesHoldNoPointer(t *testing.T) {
	typ := reflect.TypeFor[Range]()
	for i := range typ.NumField() {
		switch field := typ.Field(i); field.Type.Kind() {
		case reflect.Bool, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		default:
			t.Errorf("Range.%s is a %s: a range should hold no pointer, nor grow past 12 bytes", field.Name, field.Type)
		}
	}
}

// TestRangesFindTheirFile makes files on many goroutines at once, as
// loading does, and checks that each range finds its own file, and that
// the ranges of a nil File point nowhere.
func TestRangesFindTheirFile(t *testing.T) {
	const n = 8
	made := make([][]*File, n)
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			for i := range 200 {
				name := fmt.Sprintf("g%d/f%d.mesh.hcl", g, i)
				var f *File
				switch i % 3 {
				case 0:
					f = NewFile(name, []byte("a = 1\nb = 2\n"))
				case 1:
					f = NewFileFromTable(name, Table{Lines: []int32{6, 12}}, Again{})
				default:
					f = WholeFile(name).File()
				}
				made[g] = append(made[g], f)
				// Looked up while the others add files.
				if first := made[g][0]; first.Range(0, 1).File() != first {
					t.Errorf("a range of %s finds another file", first.Name)
				}
			}
		})
	}
	wg.Wait()
	for g := range n {
		for i, f := range made[g] {
			want := fmt.Sprintf("g%d/f%d.mesh.hcl", g, i)
			if got := f.Range(6, 7).File(); got != f || got.Name != want {
				t.Fatalf("a range of %s finds %v", want, got)
			}
			if got := f.Whole().Filename(); got != want {
				t.Fatalf("the whole of %s is named %q", want, got)
			}
			if i%3 != 2 {
				if got := f.Range(6, 7).String(); got != want+":2:1" {
					t.Fatalf("a range of %s renders as %q", want, got)
				}
			}
		}
	}
	var none *File
	if r := none.Range(3, 4); !r.IsZero() || r.File() != nil || r.Filename() != "" {
		t.Errorf("a range of no file points to %v", r.File())
	}
}
