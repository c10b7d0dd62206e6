package output

import "bytes"

// SameText reports whether old, a generated file found where it goes (in
// the output folder, or the --out of manifest or codeowners), holds data,
// the file meshc wants there: byte for byte, or with CRLF line endings
// where data has LF. A checkout that converts line endings (git's
// core.autocrlf, Git for Windows' default) leaves generated files so, and
// git takes them as unchanged: meshc would rewrite them all for nothing,
// and build --check would find them all out of date. A CR that data has
// is never dropped, nor is a CR alone in old.
func SameText(old, data []byte) bool {
	if len(old) <= len(data) {
		return bytes.Equal(old, data)
	}
	for len(old) > 0 {
		// A line of old at a time, with its line ending.
		k := bytes.IndexByte(old, '\n')
		if k < 0 {
			return bytes.Equal(old, data)
		}
		switch line := old[:k+1]; {
		case bytes.HasPrefix(data, line):
			data = data[len(line):]
		case k > 0 && old[k-1] == '\r' && len(data) >= k && data[k-1] == '\n' && bytes.Equal(data[:k-1], old[:k-1]):
			data = data[k:]
		default:
			return false
		}
		old = old[k+1:]
	}
	return len(data) == 0
}

// asRendered returns old, a file found in the output folder, as a diff
// against data, the file a build wants there, shows it: with its CRLF line
// endings as LF when data has no CR, so that a file that a checkout gave
// CRLF line endings shows only the lines that change.
func asRendered(old, data []byte) []byte {
	if bytes.IndexByte(data, '\r') >= 0 || !bytes.Contains(old, []byte("\r\n")) {
		return old
	}
	return bytes.ReplaceAll(old, []byte("\r\n"), []byte("\n"))
}
