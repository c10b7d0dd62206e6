//go:build !unix

package stamp

import "io/fs"

// Supported is whether files have stamps here.
const Supported = false

// File returns the zero Stamp.
func File(string) Stamp { return Stamp{} }

// Folder returns the zero Stamp.
func Folder(string) Stamp { return Stamp{} }

func of(fs.FileInfo) Stamp { return Stamp{} }
