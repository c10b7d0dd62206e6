// Package stdlib embeds meshc's standard library: the runners and test kinds
// every mesh can use, written in the mesh language itself. The compiler
// loads these files through the same pipeline as the user's, so a platform
// team can read them as examples and define its own the same way.
package stdlib

import "embed"

// Prefix starts the names of the standard library's files in diagnostics,
// as in stdlib:runners.mesh.hcl.
const Prefix = "stdlib:"

// FS holds the standard library's .mesh.hcl files.
//
//go:embed *.mesh.hcl
var FS embed.FS
