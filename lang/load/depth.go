package load

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/diag"
)

// maxNesting bounds how deeply brackets, braces, parentheses, template
// interpolations and unary operators may nest. HCL's parser is recursive
// and a stack overflow cannot be recovered from, so a hostile or broken
// file nesting a hundred thousand brackets must be stopped before parsing.
// No real mesh file comes near this.
const maxNesting = 256

// CheckNesting reports a file nested deeper than meshc parses. A cheap
// byte count settles nearly every file; only a file that might be too deep
// is lexed to count real tokens, outside strings and comments.
func CheckNesting(src []byte, filename string) diag.Diagnostics {
	if !mightBeTooDeep(src) {
		return nil
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth, unary := 0, 0
	for _, t := range tokens {
		switch t.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			depth--
		}
		if t.Type == hclsyntax.TokenMinus || t.Type == hclsyntax.TokenBang {
			unary++
		} else {
			unary = 0
		}
		if depth > maxNesting || unary > maxNesting {
			return diag.Diagnostics{diag.Errorf("too-deep", rng(t.Range), "Nested too deeply",
				"This file nests brackets, blocks or operators more than %d levels deep, which meshc does not parse. Flatten it: no mesh needs this depth.", maxNesting)}
		}
	}
	return nil
}

// mightBeTooDeep over-estimates the nesting of src by counting bytes, so
// that it never misses a deep file and rarely sends a normal one to the
// lexer.
func mightBeTooDeep(src []byte) bool {
	depth, unary := 0, 0
	for _, b := range src {
		switch b {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
		}
		if b == '-' || b == '!' {
			unary++
		} else if b != ' ' && b != '\t' {
			unary = 0
		}
		if depth > maxNesting || unary > maxNesting {
			return true
		}
	}
	return false
}
