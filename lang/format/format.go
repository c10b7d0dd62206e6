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
	// A byte order mark is kept: some editors on Windows write one, and
	// formatting should not fight them.
	bom := []byte("\ufeff")
	body, hasBOM := bytes.CutPrefix(src, bom)
	// src, not body: the parser reads one byte order mark itself, and
	// declines a second one, which is a syntax error.
	ends, blockwise := load.TopLevelBlocks(src)
	if hasBOM {
		for i := range ends {
			ends[i] -= len(bom)
		}
	}
	if !blockwise && !load.Plain(src) { // else it has no syntax error, and is not nested too deeply
		file := load.NewFile(filename, src)
		if ds := load.CheckNesting(file, src); ds != nil {
			return src, ds
		}
		if _, hds := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); hds.HasErrors() {
			return src, load.SyntaxDiagnostics(file, src, hds)
		}
	}
	var out []byte
	if blockwise {
		out = byBlocks(body, ends)
	} else {
		out = hclwrite.Format(body)
	}
	out = endFile(out)
	if hasBOM {
		out = append(bom, out...)
	}
	return out, nil
}

// endFile ends formatted text with one line ending, of the kind its first
// line ends in (hclwrite keeps CRLF endings), and no blank lines before it.
func endFile(out []byte) []byte {
	eol := "\n"
	if i := bytes.IndexByte(out, '\n'); i > 0 && out[i-1] == '\r' {
		eol = "\r\n"
	}
	out = bytes.TrimRight(out, "\r\n")
	if len(out) > 0 {
		out = append(out, eol...)
	}
	return out
}

// byBlocks formats a file a top-level block at a time, as hclwrite.Format
// formats it whole: hclwrite lists a token of 100 bytes or more for every
// few bytes of text, so that a file of 10 MB took 1.2 GB whole. It cuts
// after the line that closes a block, where formatting carries nothing
// over: the brackets are all closed, and a line holding only "}" ends any
// run of lines whose equals signs or comments are aligned. A brace with a
// comment after it is no place to cut, as that comment may be aligned
// with the next line's. TestByBlocksAsWhole compares the two.
func byBlocks(src []byte, ends []int) []byte {
	out := make([]byte, 0, len(src)+len(src)/16)
	start := 0
	for _, end := range ends {
		i := end
		for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		if i < len(src) && src[i] == '\r' {
			i++
		}
		if i >= len(src) || src[i] != '\n' {
			continue // a comment follows the brace, or the file ends
		}
		out = append(out, hclwrite.Format(src[start:i+1])...)
		start = i + 1
	}
	return append(out, hclwrite.Format(src[start:])...)
}
