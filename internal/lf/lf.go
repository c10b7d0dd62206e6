// Package lf reads text with CRLF line endings as if it had LF ones: a
// checkout that converts line endings (git's core.autocrlf, Git for
// Windows' default) is then the same mesh, with the same generated files,
// as one that does not.
package lf

import (
	"bytes"
	"slices"
)

// Text returns text with each CRLF as LF, in place. A CR alone, or before
// anything but LF, is no line ending, and is kept.
func Text(text []byte) []byte {
	i := bytes.Index(text, crlf)
	if i < 0 {
		return text
	}
	w := i // text[:w] is done
	for {
		// text[i:] starts with a CRLF: keep its LF and what follows,
		// up to the next CRLF.
		rest := text[i+1:]
		next := bytes.Index(rest[1:], crlf)
		if next < 0 {
			w += copy(text[w:], rest)
			return text[:w]
		}
		w += copy(text[w:], rest[:1+next])
		i += 1 + 1 + next
	}
}

// Ends says which line endings of a text were CRLF before Read made them
// LF, for a reader that gives offsets in the file as it is on disk, as
// tools that cut the file by byte offset need. The zero Ends is a text
// without CRLF.
type Ends struct {
	// All is set when every LF was a CRLF, as in a checkout that converts
	// line endings: then nothing need be kept of where they are.
	All bool
	// At holds, otherwise, the offsets in the text read of the LFs that
	// were CRLF, in order: a file with mixed line endings.
	At []int32
}

// None reports whether the text had no CRLF.
func (e Ends) None() bool { return !e.All && len(e.At) == 0 }

// Before returns how many CRs Read dropped before offset, an offset in the
// text read: what to add to it for the offset in the file. lfs is how many
// LFs the text has before offset, which a reader's table of lines knows.
// An offset at an LF that was a CRLF comes before its CR, as the line's
// end should.
func (e Ends) Before(offset, lfs int) int {
	if e.All {
		return lfs
	}
	n, _ := slices.BinarySearch(e.At, int32(offset))
	return n
}

// Read returns text with each CRLF as LF, in place, as Text does, and
// where the CRLFs were. A text without CRLF costs one search, as for
// Text; one with costs two counts more, and a list only when some of its
// line endings are LF and some CRLF.
func Read(text []byte) ([]byte, Ends) {
	first := bytes.Index(text, crlf)
	if first < 0 {
		return text, Ends{}
	}
	n := bytes.Count(text[first:], crlf)
	if n == bytes.Count(text, lf) {
		return Text(text), Ends{All: true}
	}
	at := make([]int32, 0, n)
	for i := first; i >= 0; {
		// The LF at i+1 moves back by one for each CR dropped so far,
		// its own included.
		at = append(at, int32(i+1-(len(at)+1)))
		next := bytes.Index(text[i+2:], crlf)
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return Text(text), Ends{At: at}
}

var (
	crlf = []byte("\r\n")
	lf   = []byte("\n")
)
