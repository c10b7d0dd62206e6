// Package filekind names the kinds of file meshc refuses to read, for the
// messages of lang/load (a mesh file) and compiler (a step's file): both
// tell the same entry by the same name.
package filekind

import "io/fs"

// Special names what a file that is neither regular nor a folder is, with
// its article: "a named pipe", "a socket", "a device", or, for another
// kind, "a special file (a named pipe, a socket or a device)".
func Special(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file (a named pipe, a socket or a device)"
}
