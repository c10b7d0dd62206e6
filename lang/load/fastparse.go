package load

import (
	"bytes"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/ascii"
	"github.com/meshc/meshc/lang/diag"
	"github.com/zclconf/go-cty/cty"
)

// Plain reports whether parseFast reads src whole. Such a file has no
// syntax error (FuzzParseFast checks that hclsyntax accepts every file
// parseFast reads), which spares meshc fmt a parse by hclsyntax only to
// find none: it was half of what formatting a mesh cost.
func Plain(src []byte) bool {
	s := plainScratch.Get().(*scratch)
	defer plainScratch.Put(s)
	defer s.reset()
	return parseFast(src, "", s) != nil
}

var plainScratch = sync.Pool{New: func() any { return new(scratch) }}

// TopLevelBlocks returns where each top-level block of src ends, just past
// its closing brace, for a plain file (Plain) whose top level holds only
// blocks, reading it a block at a time; ok is false for any other file.
// meshc fmt formats such a file a block at a time.
func TopLevelBlocks(src []byte) (ends []int, ok bool) {
	s := plainScratch.Get().(*scratch)
	defer plainScratch.Put(s)
	defer s.reset()
	ok, _ = parseFastBlocks(src, "", s, func(b *hclsyntax.Block) {
		ends = append(ends, b.CloseBraceRange.End.Byte)
		s.reset()
	})
	if !ok {
		return nil, false
	}
	return ends, true
}

// parseFast parses a file into the syntax tree hclsyntax.ParseConfig
// gives, for the plain files that most of a mesh is made of: blocks and
// arguments whose values are quoted strings and heredocs without templates
// (or escapes other than \n, \r, \t, \", \\, \uNNNN and \UNNNNNNNN),
// numbers (whole or decimal, with an exponent or not) and their
// negatives, true, false, null, references, function calls, lists and
// objects, with comments, all in ASCII but for strings, heredocs and
// comments (but a comment that ends the file without a newline), with
// lines that end in "\n" or "\r\n", after a byte order mark or not. For
// anything else, and for any mistake, it returns nil, and hclsyntax parses
// the file, so that hclsyntax's trees and diagnostics stay the reference
// (FuzzParseFast and TestParseFast check that the two agree wherever
// parseFast answers). A file it declines costs about four times as much
// to load.
//
// It exists because hclsyntax first lists every token of a file, 96 bytes
// each in a slice grown by doubling, and counts each token's columns by
// grapheme cluster: at 10,000 products that is 45% of all that loading
// allocates, and a fifth of its processor time. parseFast reads one token
// at a time, and counts columns by byte but within strings beyond ASCII.
//
// Its tree is s's, valid until s is reset (see scratch), but for the
// expressions.
func parseFast(src []byte, filename string, s *scratch) (body *hclsyntax.Body) {
	p := newFastParser(src, filename, s)
	if !fastTry(func() { body = p.body(fastEOF, p.peek(withNewlines).rng) }) {
		return nil
	}
	return body
}

// newFastParser starts a parser at the start of src, past a byte order
// mark, which hclsyntax skips: its three bytes count no column.
func newFastParser(src []byte, filename string, s *scratch) *fastParser {
	p := &fastParser{src: src, filename: filename, scanState: scanState{line: 1}, scratch: s}
	if bytes.HasPrefix(src, byteOrderMark) {
		p.pos, p.adjust = len(byteOrderMark), len(byteOrderMark)
	}
	return p
}

var byteOrderMark = []byte{0xef, 0xbb, 0xbf}

// fastTry runs parse, and reports false when the parser gave up (bail),
// however deep it was.
func fastTry(parse func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, bailed := r.(fastBailout); !bailed {
				panic(r)
			}
			ok = false
		}
	}()
	parse()
	return true
}

// parseFastBlocks parses a file as parseFast does, but hands each
// top-level block to each as soon as it is parsed, so that the caller can
// decode it and reset s: a file of a thousand products then holds one
// product's syntax at a time rather than the whole file's, which took
// twice the memory and half again the time. It returns false where
// parseFast would return nil, and for a top-level argument, which no mesh
// file may have but parseFast reads (argument says which); each may have
// been given some of the blocks by then, which the caller then discards,
// to parse the file whole. Unlike body, it keeps no body of the blocks,
// which reset would take back while the parser still held it.
func parseFastBlocks(src []byte, filename string, s *scratch, each func(*hclsyntax.Block)) (ok, argument bool) {
	p := newFastParser(src, filename, s)
	ok = fastTry(func() {
		for {
			t := p.read(withNewlines)
			switch t.kind {
			case fastEOF:
				return
			case fastNewline:
				continue
			case fastIdent:
			default:
				bail()
			}
			switch p.peek(withNewlines).kind {
			case fastString, fastOBrace, fastIdent:
				each(p.block(t))
			case fastEqual:
				argument = true
				bail()
			default:
				bail()
			}
		}
	})
	return ok, argument
}

// fastBailout is how the parser gives up, from however deep it is: the
// file is then hclsyntax's to parse.
type fastBailout struct{}

func bail() { panic(fastBailout{}) }

// fastKind is the kind of a token.
type fastKind uint8

const (
	fastEOF     fastKind = iota
	fastNewline          // a line's end, or a line comment with its end
	fastIdent
	fastNumber
	fastString // a whole quoted string, without templates
	fastEqual
	fastColon
	fastComma
	fastDot
	fastOBrace
	fastCBrace
	fastOBrack
	fastCBrack
	fastOParen
	fastCParen
	fastHeredoc // a whole heredoc, without templates
	fastMinus   // only before a number, which it negates
)

type fastToken struct {
	kind fastKind
	rng  hcl.Range
	// start and end are the token's bytes; for a string, those between
	// its quotes; for a heredoc, its lines'.
	start, end int
	escaped    bool // a string with escapes
	// text is a heredoc's text, its lines' common indent removed for
	// <<-, and where that text starts.
	text      string
	textStart hcl.Pos
}

// Whether a newline is a token where the parser is: in bodies and
// object constructors it ends an item, inside brackets and parentheses
// it is space.
const (
	withNewlines    = true
	withoutNewlines = false
)

type fastParser struct {
	src      []byte
	filename string
	scanState
	lookahead lookahead
	// prev is the range of the last token read (hclsyntax's PrevRange).
	prev    hcl.Range
	depth   int      // how many braces, brackets and parentheses are open (enter)
	scratch *scratch // holds the tree's bodies, arguments and blocks, and its identifiers
}

// scanState is where the scanner is: pos is the offset of the next byte
// to scan; line is its line, and lineStart the offset where that line
// starts; adjust is how many more bytes than columns the line holds
// before pos.
type scanState struct {
	pos, line, lineStart, adjust int
}

// posAt is the position of an offset on the current line.
func (p *fastParser) posAt(offset int) hcl.Pos {
	return hcl.Pos{Line: p.line, Column: offset - p.lineStart + 1 - p.adjust, Byte: offset}
}

// scan reads the next token, line comments and newlines included, moving
// past it.
func (p *fastParser) scan() fastToken {
	src := p.src
	p.skipSpace()
	start := p.pos
	if start == len(src) {
		return fastToken{kind: fastEOF, rng: p.emptyAt(p.posAt(start)), start: start, end: start}
	}
	c := src[start]
	kind := fastNewline
	switch {
	case c == '\n':
		p.pos++
	case c == '\r' && start+1 < len(src) && src[start+1] == '\n':
		p.pos += 2
	case c == '#' || c == '/' && start+1 < len(src) && src[start+1] == '/':
		// A comment ends at the next line, whatever it holds: none of
		// its columns is counted. But hclsyntax counts the lines of its
		// tokens by grapheme cluster, and a newline after bytes that are
		// not UTF-8 may not count as one.
		for p.pos < len(src) && src[p.pos] != '\n' {
			p.pos++
		}
		if !utf8.Valid(src[start:p.pos]) {
			bail()
		}
		if p.pos == len(src) {
			// A comment at the end of the file, without a newline, is
			// not a line's end but space, whose columns the end of the
			// file's position counts.
			if !ascii.Is(src[start:]) {
				bail()
			}
			return p.scan()
		}
		p.pos++
	case isIdentStart(c):
		for p.pos < len(src) && isIdentPart(src[p.pos]) {
			p.pos++
		}
		kind = fastIdent
	case '0' <= c && c <= '9':
		p.scanNumber()
		kind = fastNumber
	case c == '"':
		return p.scanString()
	case c == '<' && start+1 < len(src) && src[start+1] == '<':
		return p.scanHeredoc()
	default:
		kind = p.scanSymbol(c)
	}
	t := fastToken{kind: kind, start: start, end: p.pos}
	t.rng = hcl.Range{Filename: p.filename, Start: p.posAt(start)}
	if kind == fastNewline {
		p.line++
		p.lineStart, p.adjust = p.pos, 0
	}
	t.rng.End = p.posAt(p.pos)
	return t
}

// skipSpace moves past spaces, tabs and block comments, which hclsyntax
// drops wherever they are: a block comment does not end a line, even one
// that holds newlines (a license header at the top of each file does).
func (p *fastParser) skipSpace() {
	src := p.src
	for p.pos < len(src) {
		switch c := src[p.pos]; {
		case c == ' ' || c == '\t':
			p.pos++
		case c == '/' && p.pos+1 < len(src) && src[p.pos+1] == '*':
			p.skipBlockComment()
		default:
			return
		}
	}
}

// skipBlockComment moves past a comment /* ... */, counting the lines it
// holds and, as hclsyntax does, the columns of its last line by grapheme
// cluster, so that the positions after it on that line come out the
// same.
func (p *fastParser) skipBlockComment() {
	start := p.pos
	n := bytes.Index(p.src[start+2:], []byte("*/"))
	if n < 0 {
		bail() // unterminated
	}
	comment := p.src[start : start+2+n+2]
	if !utf8.Valid(comment) {
		bail()
	}
	last := comment
	if nl := bytes.LastIndexByte(comment, '\n'); nl >= 0 {
		// hclsyntax ends a line at "\n" and "\r\n", one grapheme cluster,
		// but not at "\r" alone.
		p.line += bytes.Count(comment, []byte{'\n'})
		p.lineStart, p.adjust = start+nl+1, 0
		last = comment[nl+1:]
	}
	p.adjust += len(last) - diag.Columns(last)
	p.pos = start + len(comment)
}

// scanNumber scans a whole or decimal number, with an exponent or not
// (1.5e3, 2E-2); anything that could make the token another is left to
// hclsyntax.
func (p *fastParser) scanNumber() {
	src := p.src
	digit := func(i int) bool { return i < len(src) && '0' <= src[i] && src[i] <= '9' }
	digits := func() {
		for digit(p.pos) {
			p.pos++
		}
	}
	digits()
	if p.pos < len(src) && src[p.pos] == '.' && digit(p.pos+1) {
		p.pos++
		digits()
	}
	if p.pos < len(src) && (src[p.pos] == 'e' || src[p.pos] == 'E') {
		switch {
		case digit(p.pos + 1):
			p.pos++
		case p.pos+1 < len(src) && (src[p.pos+1] == '+' || src[p.pos+1] == '-') && digit(p.pos+2):
			p.pos += 2
		default:
			bail()
		}
		digits()
	}
	if p.pos < len(src) && (src[p.pos] == '.' || isIdentPart(src[p.pos])) {
		bail()
	}
}

// scanString scans a quoted string on one line, without template
// sequences or their escapes ($${ and %%{, which hold one), or escapes
// other than \n, \r, \t, \", \\ and whole \uNNNN and \UNNNNNNNN of a
// character UTF-8 can encode: a $ or % before anything but { is itself.
// Beyond ASCII, hclsyntax counts its columns by grapheme cluster, as the
// positions after it on its line then do (p.adjust). It splits the string
// into tokens at a $ or %, and counts each token's columns apart, which
// comes to the same count only if no cluster spans the split: so a $ or %
// there is taken only between ASCII bytes (LIKE '%Zürich%', "in % der
// Ärzte"), which begin and end clusters of their own.
func (p *fastParser) scanString() fastToken {
	src := p.src
	open := p.pos
	start := p.posAt(open)
	p.pos++
	escaped, ascii, splitCluster := false, true, false
	for ; p.pos < len(src) && src[p.pos] != '"'; p.pos++ {
		switch c := src[p.pos]; {
		case c == '\\':
			if p.pos+1 == len(src) {
				bail()
			}
			switch src[p.pos+1] {
			case 'n', 'r', 't', '"', '\\':
				p.pos++
			case 'u', 'U':
				_, n := unicodeEscape(src[p.pos:])
				if n == 0 {
					bail()
				}
				p.pos += n - 1
			default:
				bail()
			}
			escaped = true
		case c == '\n', c == '\r':
			bail()
		case c == '$', c == '%':
			n := templateEscape(src[open+1:], p.pos-open-1)
			after := p.pos + n // where hclsyntax's next token starts
			if n == 3 {
				escaped = true
				if after < len(src) && src[after] == '~' {
					after++ // its token for the escape takes a ~ too
				}
			}
			if src[p.pos-1] >= utf8.RuneSelf || (after < len(src) && src[after] >= utf8.RuneSelf) {
				splitCluster = true
			}
			p.pos += n - 1
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if p.pos == len(src) {
		bail() // unterminated
	}
	text := src[open+1 : p.pos]
	if !ascii {
		if splitCluster || !utf8.Valid(text) {
			bail()
		}
		p.adjust += len(text) - diag.Columns(text)
	}
	p.pos++
	return fastToken{
		kind:    fastString,
		rng:     hcl.Range{Filename: p.filename, Start: start, End: p.posAt(p.pos)},
		start:   open + 1,
		end:     p.pos - 1,
		escaped: escaped,
	}
}

// scanHeredoc scans a heredoc, <<MARKER or <<-MARKER up to a line that
// holds only the marker, whose lines are UTF-8 without template sequences
// (or their escapes, as in scanString) or carriage returns but before a
// newline. Its token ends with the marker, before the newline that ends
// the argument.
func (p *fastParser) scanHeredoc() fastToken {
	src := p.src
	open := p.pos
	start := p.posAt(open)
	marker, flush, textByte, ok := heredocOpener(src, open)
	if !ok {
		bail()
	}
	p.pos = textByte - 1 // the newline that ends the opener's line
	var lines [][]byte
	escapes := false // $${ or %%{
	for {
		p.pos++ // the newline that ends the line before
		p.line++
		p.lineStart, p.adjust = p.pos, 0
		end := bytes.IndexByte(src[p.pos:], '\n')
		if end < 0 {
			bail() // no marker, or one without a newline after it
		}
		line := src[p.pos : p.pos+end+1]
		bare := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
		if bytes.Equal(bytes.Trim(bare, " \t"), marker) {
			// The token ends with the marker, before "\n" or "\r\n".
			p.pos += end
			if end > 0 && src[p.pos-1] == '\r' {
				p.pos--
			}
			break
		}
		if bytes.Equal(bytes.TrimSpace(line), marker) {
			bail() // other space around the marker is hclsyntax's to judge
		}
		ascii := true
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case c >= utf8.RuneSelf:
				ascii = false
			case c == '\r' && i != len(line)-2:
				bail()
			case c == '$' || c == '%':
				if n := templateEscape(line, i); n == 3 {
					escapes = true
					i += n - 1
				}
			}
		}
		if !ascii && (!utf8.Valid(line) || flush && !plainIndent(line)) {
			bail()
		}
		lines = append(lines, line)
		p.pos += end
	}
	if len(lines) == 0 {
		bail() // hclsyntax gives an empty heredoc's text a range of its own
	}
	textStart := hcl.Pos{Line: start.Line + 1, Column: 1, Byte: textByte}
	trim := 0
	if flush {
		// <<- removes the indent that all lines but blank ones share,
		// and the text's range starts after the first line's.
		trim = math.MaxInt
		for _, line := range lines {
			rest := bytes.TrimLeftFunc(line, unicode.IsSpace)
			if len(rest) > 0 {
				trim = min(trim, len(line)-len(rest))
			}
		}
		if trim == math.MaxInt {
			trim = 0
		}
		if rest := bytes.TrimLeftFunc(lines[0], unicode.IsSpace); len(rest) > 0 {
			textStart.Column += trim
			textStart.Byte += trim
		}
	}
	var text strings.Builder
	for _, line := range lines {
		if len(bytes.TrimLeftFunc(line, unicode.IsSpace)) > 0 {
			line = line[trim:]
		}
		text.Write(line)
	}
	value := text.String()
	if escapes {
		value = strings.NewReplacer("$${", "${", "%%{", "%{").Replace(value)
	}
	return fastToken{
		kind:      fastHeredoc,
		rng:       hcl.Range{Filename: p.filename, Start: start, End: p.posAt(p.pos)},
		start:     int(textStart.Byte),
		end:       p.lineStart,
		text:      value,
		textStart: textStart,
	}
}

// plainIndent reports whether a line beyond ASCII is indented as <<-
// counts it, byte by byte: hclsyntax takes the indent by unicode.IsSpace
// and counts it by grapheme cluster, so the indent must be ASCII, and the
// character after it must not join its last byte in a cluster (as a
// combining mark would).
func plainIndent(line []byte) bool {
	rest := bytes.TrimLeftFunc(line, unicode.IsSpace)
	indent := len(line) - len(rest)
	for _, c := range line[:indent] {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	if indent == 0 || len(rest) == 0 || rest[0] < utf8.RuneSelf {
		return true
	}
	_, size := utf8.DecodeRune(rest)
	return diag.Columns(line[indent-1:indent+size]) == 2
}

// value is a string token's text, its escapes read; shared, when it is
// short, with the tokens that spell it the same (maxSharedString).
func (p *fastParser) value(t fastToken) string {
	if !t.escaped {
		if t.end-t.start <= maxSharedString {
			return p.ident(t)
		}
		return p.text(t)
	}
	var b strings.Builder
	for i := t.start; i < t.end; i++ {
		c := p.src[i]
		if (c == '$' || c == '%') && i+2 < t.end && p.src[i+1] == c && p.src[i+2] == '{' {
			b.WriteByte(c) // $${ is ${, and %%{ %{
			b.WriteByte('{')
			i += 2
			continue
		}
		if c == '\\' {
			if r, n := unicodeEscape(p.src[i:t.end]); n > 0 {
				b.WriteRune(r)
				i += n - 1
				continue
			}
			i++
			switch c = p.src[i]; c { // \" and \\ stand for themselves
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// templateEscape looks at the $ or % at text[i], which hclsyntax reads
// as text unless a { follows: it returns 1 for the character itself, or 3
// for the escape $${ or %%{, which stands for ${ or %{. It bails at a
// template sequence, and at a run of $ or % before a {, whose reading it
// leaves to hclsyntax.
func templateEscape(text []byte, i int) int {
	c := text[i]
	switch {
	case i+1 < len(text) && text[i+1] == '{':
		bail()
	case i+2 < len(text) && text[i+1] == c && text[i+2] == '{':
		if i > 0 && text[i-1] == c {
			bail()
		}
		return 3
	}
	return 1
}

// unicodeEscape reads the escape \uNNNN or \UNNNNNNNN at the start of b:
// the character, and the escape's length, 0 when there is none, or one
// hclsyntax refuses (fewer digits, or a character UTF-8 cannot encode).
// Its scanner takes four or eight hexadecimal digits at most, so that a
// digit after them is text.
func unicodeEscape(b []byte) (rune, int) {
	if len(b) < 2 || b[0] != '\\' || (b[1] != 'u' && b[1] != 'U') {
		return 0, 0
	}
	n := 2 + 4
	if b[1] == 'U' {
		n = 2 + 8
	}
	if len(b) < n {
		return 0, 0
	}
	v, err := strconv.ParseUint(string(b[2:n]), 16, 32)
	if r := rune(v); err == nil && utf8.RuneLen(r) > 0 { // past MaxInt32, r is negative
		return r, n
	}
	return 0, 0
}

// scanSymbol scans punctuation that stands for itself; operators, and
// tokens that begin with these characters but are longer (==, ::, ...,
// =>), are left to hclsyntax.
func (p *fastParser) scanSymbol(c byte) fastKind {
	var kind fastKind
	switch c {
	case '=':
		kind = fastEqual
	case ':':
		kind = fastColon
	case ',':
		kind = fastComma
	case '.':
		kind = fastDot
	case '{':
		kind = fastOBrace
	case '}':
		kind = fastCBrace
	case '[':
		kind = fastOBrack
	case ']':
		kind = fastCBrack
	case '(':
		kind = fastOParen
	case ')':
		kind = fastCParen
	case '-':
		kind = fastMinus
	default:
		bail()
	}
	p.pos++
	if p.pos < len(p.src) {
		switch next := p.src[p.pos]; {
		case c == '=' && (next == '=' || next == '>'), c == ':' && next == ':', c == '.' && next == '.':
			bail()
		}
	}
	return kind
}

func isIdentStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || '0' <= c && c <= '9' || c == '-'
}

// peek returns the next token without reading it. Without newlines,
// newlines and comments are skipped as space.
func (p *fastParser) peek(newlines bool) fastToken {
	if !p.lookahead.from(p, newlines) {
		here := p.scanState
		t := p.next(newlines)
		p.lookahead = lookahead{token: t, at: here, after: p.scanState, newlines: newlines, set: true}
		p.scanState = here
	}
	return p.lookahead.token
}

// read reads the next token.
func (p *fastParser) read(newlines bool) fastToken {
	var t fastToken
	if p.lookahead.from(p, newlines) {
		t, p.scanState = p.lookahead.token, p.lookahead.after
	} else {
		t = p.next(newlines)
	}
	p.lookahead.set = false
	p.prev = t.rng
	return t
}

// lookahead is the token peek found, kept for the read that follows,
// since scanning a string or a heredoc twice would cost as much again.
type lookahead struct {
	token    fastToken
	at       scanState // where it was found from
	after    scanState // where scanning it ended
	newlines bool
	set      bool
}

// from reports whether the token was found where p is, the same way.
func (l *lookahead) from(p *fastParser, newlines bool) bool {
	return l.set && l.at == p.scanState && l.newlines == newlines
}

func (p *fastParser) next(newlines bool) fastToken {
	for {
		t := p.scan()
		if t.kind != fastNewline || newlines {
			return t
		}
	}
}

// expect reads the next token, which must be of the kind given.
func (p *fastParser) expect(kind fastKind, newlines bool) fastToken {
	t := p.read(newlines)
	if t.kind != kind {
		bail()
	}
	return t
}

func (p *fastParser) text(t fastToken) string { return string(p.src[t.start:t.end]) }

// maxSharedString is the longest string literal that ident shares
// rather than copies: column names in inputs' lists and blocks' labels,
// tags, visibilities, classifications and the like repeat from product
// to product, and were 29 MB of the 67 MB of literals live as resolve
// starts at 100,000 products (docs/performance.md); descriptions and SQL,
// longer, seldom repeat.
const maxSharedString = 32

// ident is an identifier's text, or a short string literal's (value),
// one string for all the tokens that spell it (in the files parseFast was
// given one scratch for): the types of a product's columns, the roots of
// its references and the kinds of its tests stay in the decoded mesh.
func (p *fastParser) ident(t fastToken) string {
	b := p.src[t.start:t.end]
	if s, ok := p.scratch.idents[string(b)]; ok {
		return s
	}
	if p.scratch.idents == nil {
		p.scratch.idents = map[string]string{}
	}
	s := string(b)
	p.scratch.idents[s] = s
	return s
}

// body parses the items of a body up to its end (a closing brace, or the
// end of the file), start being where it opens.
func (p *fastParser) body(end fastKind, start hcl.Range) *hclsyntax.Body {
	body := p.scratch.syntaxBody()
	for {
		t := p.read(withNewlines)
		switch t.kind {
		case end:
			body.SrcRange = hcl.RangeBetween(start, t.rng)
			body.EndRange = p.emptyAt(t.rng.End)
			return body
		case fastNewline:
			continue
		case fastIdent:
		default:
			bail()
		}
		switch p.peek(withNewlines).kind {
		case fastEqual:
			attr := p.attribute(t, false)
			if _, dup := body.Attributes[attr.Name]; dup {
				bail() // hclsyntax reports it
			}
			body.Attributes[attr.Name] = attr
		case fastString, fastOBrace, fastIdent:
			body.Blocks = append(body.Blocks, p.block(t))
		default:
			bail()
		}
	}
}

// attribute parses an argument whose name has been read; one of a
// single-line block does not end with a newline.
func (p *fastParser) attribute(name fastToken, singleLine bool) *hclsyntax.Attribute {
	equals := p.read(withNewlines)
	expr := p.expression(withNewlines)
	end := p.prev
	if !singleLine {
		p.endOfItem()
	}
	attr := p.scratch.syntaxAttributes.take()
	*attr = hclsyntax.Attribute{
		Name:        p.ident(name),
		Expr:        expr,
		SrcRange:    hcl.RangeBetween(name.rng, end),
		NameRange:   name.rng,
		EqualsRange: equals.rng,
	}
	return attr
}

// endOfItem reads the newline, or the end of the file, that ends an
// argument or a block.
func (p *fastParser) endOfItem() {
	if t := p.read(withNewlines); t.kind != fastNewline && t.kind != fastEOF {
		bail()
	}
}

// emptyAt is the empty range at a position, where hclsyntax ends a body.
func (p *fastParser) emptyAt(at hcl.Pos) hcl.Range {
	return hcl.Range{Filename: p.filename, Start: at, End: at}
}

// block parses a block whose type has been read.
func (p *fastParser) block(typ fastToken) *hclsyntax.Block {
	block := p.scratch.syntaxBlocks.take()
	labels, labelRanges := block.Labels[:0], block.LabelRanges[:0]
	var open fastToken
labels:
	for {
		t := p.read(withNewlines)
		switch t.kind {
		case fastOBrace:
			open = t
			break labels
		case fastString:
			labels = append(labels, p.value(t))
			labelRanges = append(labelRanges, t.rng)
		case fastIdent:
			labels = append(labels, p.ident(t))
			labelRanges = append(labelRanges, t.rng)
		default:
			bail()
		}
	}
	var body *hclsyntax.Body
	p.enter()
	switch p.peek(withNewlines).kind {
	case fastNewline, fastCBrace:
		body = p.body(fastCBrace, open.rng)
	default:
		// A block on one line holds one argument: foo { bar = baz }.
		name := p.expect(fastIdent, withNewlines)
		if p.peek(withNewlines).kind != fastEqual {
			bail()
		}
		attr := p.attribute(name, true)
		body = p.scratch.syntaxBody()
		body.Attributes[attr.Name] = attr
		body.Blocks = nil // as hclsyntax leaves a body on one line
		body.SrcRange = attr.SrcRange
		body.EndRange = p.emptyAt(attr.SrcRange.End)
		p.expect(fastCBrace, withNewlines)
	}
	p.depth--
	closing := p.prev
	p.endOfItem()
	if len(labels) == 0 {
		labels, labelRanges = nil, nil // as hclsyntax leaves a block without labels
	}
	*block = hclsyntax.Block{
		Type:            p.ident(typ),
		Labels:          labels,
		Body:            body,
		TypeRange:       typ.rng,
		LabelRanges:     labelRanges,
		OpenBraceRange:  open.rng,
		CloseBraceRange: closing,
	}
	return block
}

// expression parses a term and the attributes read from it: operators,
// conditionals, indexes and splats are left to hclsyntax.
func (p *fastParser) expression(newlines bool) hclsyntax.Expression {
	expr := p.term(newlines)
	for p.peek(newlines).kind == fastDot {
		traversal, ok := expr.(*hclsyntax.ScopeTraversalExpr)
		if !ok {
			bail()
		}
		dot := p.read(newlines)
		name := p.expect(fastIdent, newlines)
		rng := hcl.RangeBetween(dot.rng, name.rng)
		traversal.Traversal = append(traversal.Traversal, hcl.TraverseAttr{Name: p.ident(name), SrcRange: rng})
		traversal.SrcRange = hcl.RangeBetween(traversal.SrcRange, rng)
	}
	return expr
}

// term parses a number, negative or not, true, false or null, a
// reference's root, a call, a string or heredoc, a list or an object.
func (p *fastParser) term(newlines bool) hclsyntax.Expression {
	t := p.read(newlines)
	switch t.kind {
	case fastNumber:
		return p.number(t)
	case fastMinus:
		// hclsyntax negates the term after a minus, and leaves it a
		// literal: -90 is an operation on 90.
		n := p.read(newlines)
		if n.kind != fastNumber {
			bail()
		}
		return &hclsyntax.UnaryOpExpr{
			Op:          hclsyntax.OpNegate,
			Val:         p.number(n),
			SrcRange:    hcl.RangeBetween(t.rng, n.rng),
			SymbolRange: t.rng,
		}
	case fastIdent:
		if p.peek(newlines).kind == fastOParen {
			return p.call(t, newlines)
		}
		switch name := p.ident(t); name {
		case "true":
			return p.scratch.literal(cty.True, t.rng)
		case "false":
			return p.scratch.literal(cty.False, t.rng)
		case "null":
			return p.scratch.literal(cty.NullVal(cty.DynamicPseudoType), t.rng)
		default:
			return p.scratch.root(name, t.rng)
		}
	case fastString:
		// The text between the quotes; for "", hclsyntax gives the empty
		// text the empty range after the closing quote.
		text := p.emptyAt(t.rng.End)
		if t.end > t.start {
			text.Start = hcl.Pos{Line: t.rng.Start.Line, Column: t.rng.Start.Column + 1, Byte: t.start}
			text.End = hcl.Pos{Line: t.rng.End.Line, Column: t.rng.End.Column - 1, Byte: t.end}
		}
		return p.scratch.text(p.scratch.literal(cty.StringVal(p.value(t)), text), t.rng)
	case fastHeredoc:
		end := hcl.Pos{Line: t.rng.End.Line, Column: 1, Byte: t.end} // the marker's line
		text := hcl.Range{Filename: p.filename, Start: t.textStart, End: end}
		return p.scratch.text(p.scratch.literal(cty.StringVal(t.text), text), t.rng)
	case fastOBrack:
		return p.tuple(t)
	case fastOBrace:
		return p.object(t)
	}
	bail()
	return nil
}

// number is a number token's value.
func (p *fastParser) number(t fastToken) *hclsyntax.LiteralValueExpr {
	v, err := parseNumber(p.src[t.start:t.end])
	if err != nil {
		bail()
	}
	return p.scratch.literal(v, t.rng)
}

// parseNumber parses a number as HCL does (cty.ParseNumberVal), and a
// whole number of up to 18 digits, most of a mesh's (string(10), a row
// count), without big.ParseFloat, whose garbage was 60 MB at 100,000
// products: the same value, precision (512 bits) and rounding mode.
func parseNumber(text []byte) (cty.Value, error) {
	if len(text) == 0 || len(text) > 18 {
		return cty.ParseNumberVal(string(text))
	}
	n := int64(0)
	for _, c := range text {
		if c < '0' || c > '9' {
			return cty.ParseNumberVal(string(text))
		}
		n = n*10 + int64(c-'0')
	}
	return cty.NumberVal(new(big.Float).SetPrec(512).SetMode(big.ToNearestEven).SetInt64(n)), nil
}

// call parses a function call whose name has been read.
func (p *fastParser) call(name fastToken, newlines bool) hclsyntax.Expression {
	open := p.read(newlines)
	call := p.scratch.calls.take()
	args, closing := p.list(fastCParen, call.Args[:0])
	*call = hclsyntax.FunctionCallExpr{
		Name:            p.ident(name),
		Args:            args,
		NameRange:       name.rng,
		OpenParenRange:  open.rng,
		CloseParenRange: closing.rng,
	}
	return call
}

// tuple parses a list whose opening bracket has been read.
func (p *fastParser) tuple(open fastToken) hclsyntax.Expression {
	if p.startsFor() {
		bail()
	}
	tuple := p.scratch.tuples.take()
	exprs, closing := p.list(fastCBrack, tuple.Exprs[:0])
	*tuple = hclsyntax.TupleConsExpr{Exprs: exprs, SrcRange: hcl.RangeBetween(open.rng, closing.rng), OpenRange: open.rng}
	return tuple
}

// list parses expressions separated by commas, a trailing one allowed, up
// to the closing token given, where newlines are space, appending them to
// exprs (empty, and nil if none, as hclsyntax leaves an empty list).
func (p *fastParser) list(closer fastKind, exprs []hclsyntax.Expression) ([]hclsyntax.Expression, fastToken) {
	p.enter()
	defer func() { p.depth-- }()
	for {
		if p.peek(withoutNewlines).kind == closer {
			if len(exprs) == 0 {
				exprs = nil
			}
			return exprs, p.read(withoutNewlines)
		}
		exprs = append(exprs, p.expression(withoutNewlines))
		switch sep := p.read(withoutNewlines); sep.kind {
		case closer:
			return exprs, sep
		case fastComma:
		default:
			bail()
		}
	}
}

// object parses an object whose opening brace has been read: items
// separated by commas or newlines, each a key, = or :, and a value.
func (p *fastParser) object(open fastToken) hclsyntax.Expression {
	if p.startsFor() {
		bail()
	}
	p.enter()
	defer func() { p.depth-- }()
	var items []hclsyntax.ObjectConsItem
	done := func(closing fastToken) hclsyntax.Expression {
		return &hclsyntax.ObjectConsExpr{Items: items, SrcRange: hcl.RangeBetween(open.rng, closing.rng), OpenRange: open.rng}
	}
	for {
		switch p.peek(withNewlines).kind {
		case fastNewline:
			p.read(withNewlines)
			continue
		case fastCBrace:
			return done(p.read(withNewlines))
		case fastOParen:
			bail() // a key forced to be an expression
		}
		key := &hclsyntax.ObjectConsKeyExpr{Wrapped: p.expression(withNewlines)}
		if sep := p.read(withNewlines); sep.kind != fastEqual && sep.kind != fastColon {
			bail()
		}
		items = append(items, hclsyntax.ObjectConsItem{KeyExpr: key, ValueExpr: p.expression(withNewlines)})
		switch sep := p.read(withNewlines); sep.kind {
		case fastCBrace:
			return done(sep)
		case fastComma, fastNewline:
		default:
			bail()
		}
	}
}

// enter notes a brace, bracket or parenthesis opened, giving up past
// maxNesting. The parser is recursive, as is hclsyntax's, and a stack
// overflow cannot be recovered from; within maxNesting, what parseFast
// reads is nested as CheckNesting allows (it has no operators but a sign
// before a number), so only the files it declines need CheckNesting
// before hclsyntax parses them (file.parseWhole).
func (p *fastParser) enter() {
	p.depth++
	if p.depth > maxNesting {
		bail()
	}
}

// startsFor reports whether a list or object opened is a for expression.
func (p *fastParser) startsFor() bool {
	t := p.peek(withoutNewlines)
	return t.kind == fastIdent && p.text(t) == "for"
}
