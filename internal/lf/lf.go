// Package lf reads text with CRLF line endings as if it had LF ones: a
// checkout that converts line endings (git's core.autocrlf, Git for
// Windows' default) is then the same mesh, with the same generated files,
// as one that does not.
package lf

import "bytes"

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

var crlf = []byte("\r\n")
