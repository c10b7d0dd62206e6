package lf

import (
	"slices"
	"testing"
)

// TestText checks that each CRLF becomes LF, and that no other CR goes.
func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"a\n", "a\n"},
		{"a\r\n", "a\n"},
		{"\r\n\r\n", "\n\n"},
		{"a\r\nb\nc\r\nd", "a\nb\nc\nd"},
		{"a\rb\r\n", "a\rb\n"},
		{"a\r", "a\r"},
		{"\r", "\r"},
		{"\n\r", "\n\r"},
		{"a\r\r\n", "a\r\n"}, // a CR, then a CRLF line ending
		{"\r\na\r\n\r\nbc\r\n", "\na\n\nbc\n"},
	} {
		if got := string(Text([]byte(tc.in))); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRead checks that Read gives Text's text, and ends that map each
// offset in it back to the same byte of the text as it was.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Ends
	}{
		{"", Ends{}},
		{"a\nb\n", Ends{}},
		{"a\rb\r", Ends{}},
		{"a\r\nb\r\n", Ends{All: true}},
		{"a\r\nb", Ends{All: true}},
		{"a\r\r\n\r\n", Ends{All: true}},
		{"a\nb\r\nc\r\n", Ends{At: []int32{3, 5}}},
		{"a\r\nb\nc\r\n\n", Ends{At: []int32{1, 5}}},
		{"\r\n\n", Ends{At: []int32{0}}},
		{"a\rb\r\nc\n", Ends{At: []int32{3}}},
	} {
		got, ends := Read([]byte(tc.in))
		if want := Text([]byte(tc.in)); string(got) != string(want) {
			t.Errorf("Read(%q) text = %q, want %q as Text gives", tc.in, got, want)
		}
		if ends.All != tc.want.All || !slices.Equal(ends.At, tc.want.At) {
			t.Errorf("Read(%q) ends = %+v, want %+v", tc.in, ends, tc.want)
		}
		if ends.None() != (!tc.want.All && tc.want.At == nil) {
			t.Errorf("Read(%q) ends.None() = %v", tc.in, ends.None())
		}
		checkOffsets(t, tc.in)
	}
}

// checkOffsets checks that each offset in the text Read gives of in, and
// its end, is where the same byte is in in: an LF that was a CRLF at its
// CR.
func checkOffsets(t *testing.T, in string) {
	t.Helper()
	out, ends := Read([]byte(in))
	lfs := 0
	for o := 0; o <= len(out); o++ {
		disk := o + ends.Before(o, lfs)
		switch {
		case o == len(out):
			if disk != len(in) {
				t.Errorf("Read(%q): the end %d is at %d, want %d", in, o, disk, len(in))
			}
		case disk >= len(in):
			t.Errorf("Read(%q): offset %d is at %d, past the end", in, o, disk)
			return
		case out[o] == '\n' && in[disk] == '\r':
			if disk+1 >= len(in) || in[disk+1] != '\n' {
				t.Errorf("Read(%q): the LF at %d is at %d, a CR alone", in, o, disk)
			}
		case in[disk] != out[o]:
			t.Errorf("Read(%q): offset %d (%q) is at %d (%q)", in, o, out[o], disk, in[disk])
		}
		if o < len(out) && out[o] == '\n' {
			lfs++
		}
	}
}

// FuzzRead checks offsets as TestRead does, for any text.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"a\r\nb\nc", "\r\r\n\n\r", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) { checkOffsets(t, in) })
}
