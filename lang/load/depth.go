package load

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/diag"
)

// maxNesting bounds how deeply brackets, braces, parentheses, template
// interpolations, unary operators and conditionals may nest. HCL's parser
// is recursive and a stack overflow cannot be recovered from, so a hostile
// or broken file nesting a hundred thousand brackets must be stopped before
// parsing. No real mesh file comes near this: values are literals, so a
// mesh has no conditionals and at most one sign before a number.
const maxNesting = 256

// CheckNesting reports a file nested deeper than meshc parses. It lexes
// the file, so that brackets in strings and comments do not count.
func CheckNesting(src []byte, filename string) diag.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth, unary, conditionals := 0, 0, 0
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			depth = max(depth-1, 0) // unmatched closers earn no credit
		case hclsyntax.TokenQuestion:
			conditionals++
		}
		switch t.Type {
		case hclsyntax.TokenMinus, hclsyntax.TokenBang:
			unary++
		case hclsyntax.TokenNewline, hclsyntax.TokenComment:
			// inside parentheses HCL ignores them: the operators still nest
		default:
			unary = 0
		}
		if depth > maxNesting || unary > maxNesting || conditionals > maxNesting {
			return diag.Diagnostics{diag.Errorf("too-deep", rng(t.Range), "Nested too deeply",
				"This file nests brackets, blocks, operators or conditionals more than %d levels deep, which meshc does not parse. Flatten it: no mesh needs this depth.", maxNesting)}
		}
	}
	return nil
}
