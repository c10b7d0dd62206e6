// Package format rewrites mesh files in their canonical layout, using
// hclwrite: consistent indentation, aligned equals signs, one space around
// operators, and a single newline at the end. Formatting never changes what
// a file means, and formatting a formatted file changes nothing.
package format

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// Source formats one file. A file with syntax errors is returned unchanged
// with the errors, since its layout cannot be known.
func Source(src []byte, filename string) ([]byte, diag.Diagnostics) {
	if len(src) >= load.MaxFileSize {
		return src, diag.Diagnostics{load.TooLarge(filename, int64(len(src)))}
	}
	if !load.Plain(src) { // else it has no syntax error, and is not nested too deeply
		file := load.NewFile(filename, src)
		if ds := load.CheckNesting(file, src); ds != nil {
			return src, ds
		}
		if _, hds := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); hds.HasErrors() {
			return src, load.SyntaxDiagnostics(file, src, hds)
		}
	}
	// A byte order mark is kept: some editors on Windows write one, and
	// formatting should not fight them.
	bom := []byte("\ufeff")
	body, hasBOM := bytes.CutPrefix(src, bom)
	out := hclwrite.Format(body)
	out = bytes.TrimRight(out, "\n")
	if len(out) > 0 {
		out = append(out, '\n')
	}
	if hasBOM {
		out = append(bom, out...)
	}
	return out, nil
}
