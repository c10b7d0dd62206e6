// Package stdlib embeds meshc's standard library: the runners and test kinds
// every mesh can use, written in the mesh language itself. The compiler
// loads these files through the same pipeline as the user's, so a platform
// team can read them as examples and define its own the same way.
package stdlib

import "embed"

// FS holds the standard library's .mesh.hcl files.
//
//go:embed *.mesh.hcl
var FS embed.FS
