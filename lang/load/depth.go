package load

import (
	"bytes"
	"strings"
	"unicode/utf8"

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
// the file, so that brackets in strings and comments do not count; files
// that shallowNesting vouches for (nearly all) are not lexed, since lexing
// costs nearly half as much as parsing.
func CheckNesting(file *diag.File, src []byte) diag.Diagnostics {
	if shallowNesting(src) {
		return nil
	}
	tokens, _ := hclsyntax.LexConfig(src, file.Name, hcl.InitialPos)
	return checkTokens(file, tokens)
}

// checkTokens counts nesting in a file's tokens.
func checkTokens(file *diag.File, tokens hclsyntax.Tokens) diag.Diagnostics {
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
			return diag.Diagnostics{diag.Errorf("too-deep", rng(file, t.Range), "Nested too deeply",
				"This file nests brackets, blocks, operators or conditionals more than %d levels deep, which meshc does not parse. Flatten it: no mesh needs this depth.", maxNesting)}
		}
	}
	return nil
}

// shallowNesting counts what CheckNesting counts from the bytes alone, and
// reports whether the file is certainly within maxNesting. It knows the
// common lexical forms only (comments, quoted strings with simple escapes
// and interpolations, heredocs without templates, in valid UTF-8); on
// anything else (a heredoc with templates, other escapes, a string left
// open at the end of a line, a byte that is not UTF-8) it gives up and
// returns false, so that the lexer decides. FuzzShallowNesting checks
// that it never vouches for a file the lexer rejects.
func shallowNesting(src []byte) bool {
	// The lexer may read a byte that is not UTF-8 together with the one
	// after it: a '#' or a quote that starts nothing, whose line the
	// count below would skip (FuzzShallowNesting found such a file).
	if !utf8.Valid(src) {
		return false
	}
	depth, unary, conditionals := 0, 0, 0
	// braces holds, for each open interpolation, the braces opened in it;
	// a closing brace with none open ends the interpolation.
	var braces []int
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		next := byte(0)
		if i+1 < len(src) {
			next = src[i+1]
		}
		if inString {
			switch {
			case c == '"':
				inString = false
			case c == '\\':
				if !strings.ContainsRune(`"\\nrt`, rune(next)) || next == 0 {
					return false
				}
				i++
			case (c == '$' || c == '%') && next == c:
				return false // $${ and %%{ escapes
			case (c == '$' || c == '%') && next == '{':
				depth++
				braces = append(braces, 0)
				inString = false
				i++
			case c == '\n':
				return false
			}
			if depth > maxNesting {
				return false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue // not tokens (newlines do not end a run of signs)
		case '#':
			i = skipLine(src, i)
			continue
		case '/':
			if next == '/' {
				i = skipLine(src, i)
				continue
			}
			if next == '*' {
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					return false
				}
				i += 2 + end + 1 // the comment's last byte
				continue
			}
		case '<':
			if next == '<' {
				last, ok := skipHeredoc(src, i)
				if !ok {
					return false
				}
				i, unary = last, 0
				continue
			}
		}
		switch {
		case c == '-' || (c == '!' && next != '='):
			unary++
		default:
			unary = 0
		}
		switch c {
		case '"':
			inString = true
		case '{':
			depth++
			if len(braces) > 0 {
				braces[len(braces)-1]++
			}
		case '[', '(':
			depth++
		case '}':
			depth = max(depth-1, 0)
			if n := len(braces); n > 0 {
				if braces[n-1] == 0 {
					braces = braces[:n-1]
					inString = true
				} else {
					braces[n-1]--
				}
			}
		case ']', ')':
			depth = max(depth-1, 0)
		case '?':
			conditionals++
		}
		if depth > maxNesting || unary > maxNesting || conditionals > maxNesting {
			return false
		}
	}
	return !inString && len(braces) == 0
}

// skipHeredoc returns the index of the last byte of the heredoc that
// starts at i, its marker's line but for the newline, for a heredoc
// without template sequences (nor their escapes $${ and %%{): the
// brackets in its lines are text, and count for nothing. For anything
// else it returns false, and the lexer counts. It takes the marker's line
// as the lexer does (bytes.TrimSpace); the fast parser's scanHeredoc is
// stricter, as it must give the same tree, not only the same depth.
func skipHeredoc(src []byte, i int) (last int, ok bool) {
	marker, _, lineStart, ok := heredocOpener(src, i)
	if !ok {
		return 0, false
	}
	for {
		n := bytes.IndexByte(src[lineStart:], '\n')
		if n < 0 {
			return 0, false // no marker, or none with a newline after it
		}
		line := src[lineStart : lineStart+n]
		if bytes.Equal(bytes.TrimSpace(line), marker) {
			return lineStart + n - 1, true
		}
		if bytes.Contains(line, []byte("${")) || bytes.Contains(line, []byte("%{")) {
			return 0, false
		}
		lineStart += n + 1
	}
}

// heredocOpener reads the <<MARKER or <<-MARKER that starts at i, up to
// the end of its line ("\n" or "\r\n"): its marker, whether it is <<-, and
// where the heredoc's first line starts. It reports false for anything
// else.
func heredocOpener(src []byte, i int) (marker []byte, flush bool, text int, ok bool) {
	j := i + 2
	flush = j < len(src) && src[j] == '-'
	if flush {
		j++
	}
	if j == len(src) || !isIdentStart(src[j]) {
		return nil, false, 0, false
	}
	start := j
	for j < len(src) && isIdentPart(src[j]) {
		j++
	}
	marker = src[start:j]
	if j+1 < len(src) && src[j] == '\r' {
		j++
	}
	if j == len(src) || src[j] != '\n' {
		return nil, false, 0, false
	}
	return marker, flush, j + 1, true
}

// skipLine returns the index of the newline ending the line at i (or the
// last index), so that a comment is skipped but its newline is not.
func skipLine(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j - 1
	}
	return len(src) - 1
}
