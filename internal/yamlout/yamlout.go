// Package yamlout writes the YAML files that meshc generates, such as
// .gitlab-ci.yml, so that they read like hand-written files in a merge
// request and so that no string from a mesh can change their structure.
// The GitLab CI target imports it.
//
// GitLab reads YAML with Ruby's Psych, a YAML 1.1 parser, so every key and
// string value goes through quote, which writes a string plain only when no
// YAML 1.1 parser could take it for anything but that string (not on, no, y,
// ~, 0x1F, 12:30:00, 2026-01-05, .inf, <<, ...), and double-quoted
// otherwise. Multi-line values that survive a literal block scalar intact are
// written as one (|- or |), because scripts are read far more often than
// they are parsed.
//
// It is its own small emitter rather than yaml.v3's encoder of yaml.Node
// trees (which STYLE.md suggests) because generated files are reviewed:
// meshc needs blank lines between jobs, comments above them, literal blocks
// for scripts, no line folding of long commands, and one quoting rule it
// can state and test against YAML 1.1 (Psych). The tests parse every
// output back with yaml.v3, and a fuzz target does so for any string.
//
// Strings are expected to be valid UTF-8. Each run of invalid bytes is
// written as U+FFFD: a YAML escape names a code point, not a byte, so the
// bytes themselves cannot be carried.
package yamlout

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Node is a YAML value: a *Map, a List, a String, an Int or a Bool.
type Node interface{ node() }

// Map is a mapping whose keys are written in the order they were set.
// The zero value is an empty map.
type Map struct {
	entries  []entry
	comments []comment // matched to entries by key when written
}

type entry struct {
	key   string
	value Node
}

type comment struct{ key, text string }

// List is a sequence.
type List []Node

// String is a string scalar, quoted as needed.
type String string

// Int is an integer scalar, written as a YAML integer.
type Int int

// Bool is a boolean scalar, written as true or false.
type Bool bool

func (*Map) node()   {}
func (List) node()   {}
func (String) node() {}
func (Int) node()    {}
func (Bool) node()   {}

// NewMap returns an empty map with room for size entries, for a caller
// that builds many maps and knows about how many entries each gets.
func NewMap(size int) *Map { return &Map{entries: make([]entry, 0, size)} }

// Set appends an entry. Setting a key twice is an error that Marshal reports.
func (m *Map) Set(key string, v Node) *Map {
	m.entries = append(m.entries, entry{key: key, value: v})
	return m
}

// Comment adds comment lines above the entry for key, which must be set
// before or after the call. Each line of text becomes one "# " line; line
// breaks and other control characters cannot end the comment.
func (m *Map) Comment(key, text string) *Map {
	m.comments = append(m.comments, comment{key, text})
	return m
}

// Len returns the number of entries.
func (m *Map) Len() int {
	if m == nil {
		return 0
	}
	return len(m.entries)
}

// Marshal renders n as a YAML document ending in one newline. The entries of
// a top-level map are separated by blank lines. It fails, writing nothing,
// on a nil value, a key set twice in one map, or a comment for a key that is
// not set.
func Marshal(n Node) ([]byte, error) { return Append(nil, n) }

// Append is Marshal appending the document to dst, so that a caller can
// write something before it, or reuse one buffer for many documents. It
// returns nil when it fails.
func Append(dst []byte, n Node) ([]byte, error) {
	e := encoder{buf: bytes.NewBuffer(dst)}
	switch n := n.(type) {
	case *Map:
		if n.Len() > 0 {
			e.mapping(n, 0, "", true)
			break
		}
		e.buf.WriteString("{}\n")
	case List:
		if len(n) > 0 {
			e.list(n, 0, "")
			break
		}
		e.buf.WriteString("[]\n")
	case nil:
		e.fail("nil document")
	default:
		e.scalar(n, 0)
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.buf.Bytes(), nil
}

type encoder struct {
	buf *bytes.Buffer
	err error
}

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("yamlout: "+format, args...)
	}
}

// maxImplicitKey is the longest key, as written, that YAML 1.1 parsers find
// before the ":" (libyaml's 1024-character limit for simple keys). Longer
// keys are written as explicit "? key" entries.
const maxImplicitKey = 1024

// mapping writes a non-empty map with its keys at column indent. Its first
// line starts with lead instead of indentation when it is an item of a list
// ("- key: value").
func (e *encoder) mapping(m *Map, indent int, lead string, root bool) {
	pad := spaces(indent)
	var seen keySet
	used := make([]bool, len(m.comments))
	comments := indexComments(m.comments)
	for i, en := range m.entries {
		start := pad
		if i == 0 && lead != "" {
			start = lead
		}
		if root && i > 0 {
			e.buf.WriteByte('\n')
		}
		for j := comments.first(en.key); j >= 0; j = comments.next(j) {
			used[j] = true
			e.comment(m.comments[j].text, leadingSpaces(start))
		}
		key := quote(en.key)
		if seen.add(key) {
			e.fail("key %s set twice", key)
		}
		if en.value == nil {
			e.fail("nil value for key %s", key)
		}
		e.buf.WriteString(start)
		// A key has at least as many bytes as characters: most are
		// short enough not to count them.
		if len(key) > maxImplicitKey && utf8.RuneCountInString(key) > maxImplicitKey {
			e.buf.WriteString("? ")
			e.buf.WriteString(key)
			e.buf.WriteByte('\n')
			e.buf.WriteString(pad)
		} else {
			e.buf.WriteString(key)
		}
		e.buf.WriteByte(':')
		e.value(en.value, indent)
	}
	for j, c := range m.comments {
		if !used[j] {
			e.fail("comment for key %s, which is not set", quote(c.key))
		}
	}
}

// commentIndex finds the comments of a key, in order. Above
// manyComments it links the comments of each key rather than scanning
// them all, which for a file of commented jobs would take time quadratic
// in its jobs.
type commentIndex struct {
	comments []comment
	firsts   map[string]int // key -> its first comment, with many comments
	nexts    []int          // comment -> the next of its key, or -1
}

const manyComments = 8

func indexComments(comments []comment) commentIndex {
	x := commentIndex{comments: comments}
	if len(comments) <= manyComments {
		return x
	}
	x.firsts = make(map[string]int, len(comments))
	x.nexts = make([]int, len(comments))
	// From the last comment back, each one goes before the first found
	// so far for its key.
	for j := len(comments) - 1; j >= 0; j-- {
		key := comments[j].key
		x.nexts[j] = -1
		if after, ok := x.firsts[key]; ok {
			x.nexts[j] = after
		}
		x.firsts[key] = j
	}
	return x
}

// first returns the index of key's first comment, or -1.
func (x *commentIndex) first(key string) int {
	if x.firsts != nil {
		if j, ok := x.firsts[key]; ok {
			return j
		}
		return -1
	}
	return x.scan(key, 0)
}

// next returns the index of the comment after j for the same key, or -1.
func (x *commentIndex) next(j int) int {
	if x.nexts != nil {
		return x.nexts[j]
	}
	return x.scan(x.comments[j].key, j+1)
}

// scan returns the index of the first comment for key from index from on,
// or -1.
func (x *commentIndex) scan(key string, from int) int {
	for j := from; j < len(x.comments); j++ {
		if x.comments[j].key == key {
			return j
		}
	}
	return -1
}

// keySet holds the keys of one map, as written, to find a key set twice.
// Most maps are small, and scanning their few keys costs less than
// building a Go map for each.
type keySet struct {
	few  [8]string
	n    int
	many map[string]bool
}

// add adds key and reports whether it was there already.
func (s *keySet) add(key string) bool {
	if s.many == nil {
		if slices.Contains(s.few[:s.n], key) {
			return true
		}
		if s.n < len(s.few) {
			s.few[s.n] = key
			s.n++
			return false
		}
		s.many = make(map[string]bool, 2*len(s.few))
		for _, k := range s.few {
			s.many[k] = true
		}
	}
	if s.many[key] {
		return true
	}
	s.many[key] = true
	return false
}

// list writes a non-empty list with its dashes at column indent; lead is as
// for mapping.
func (e *encoder) list(l List, indent int, lead string) {
	pad := spaces(indent)
	for i, item := range l {
		start := pad
		if i == 0 && lead != "" {
			start = lead
		}
		switch item := item.(type) {
		case *Map:
			if item.Len() > 0 {
				e.mapping(item, indent+2, itemStart(start), false)
				continue
			}
		case List:
			if len(item) > 0 {
				e.list(item, indent+2, itemStart(start))
				continue
			}
		case nil:
			e.fail("nil list item")
		}
		e.buf.WriteString(start)
		e.buf.WriteByte('-')
		e.value(item, indent)
	}
}

// value writes n after the "key:" or "-" of a line at column indent. Lists
// under a key are indented, as GitLab's documentation writes them.
func (e *encoder) value(n Node, indent int) {
	switch n := n.(type) {
	case *Map:
		if n.Len() > 0 {
			e.buf.WriteByte('\n')
			e.mapping(n, indent+2, "", false)
			return
		}
	case List:
		if len(n) > 0 {
			e.buf.WriteByte('\n')
			e.list(n, indent+2, "")
			return
		}
	}
	e.buf.WriteByte(' ')
	e.scalar(n, indent)
}

// scalar writes a scalar or an empty collection and ends the line. A literal
// block's lines are indented one level deeper than indent.
func (e *encoder) scalar(n Node, indent int) {
	switch n := n.(type) {
	case *Map:
		e.buf.WriteString("{}")
	case List:
		e.buf.WriteString("[]")
	case Int:
		e.buf.WriteString(strconv.Itoa(int(n)))
	case Bool:
		e.buf.WriteString(strconv.FormatBool(bool(n)))
	case String:
		s := validUTF8(string(n))
		if indicator, body, ok := literal(s); ok {
			e.buf.WriteString(indicator)
			e.buf.WriteByte('\n')
			pad := spaces(indent + 2)
			for line := range strings.SplitSeq(body, "\n") {
				if line != "" {
					e.buf.WriteString(pad)
					e.buf.WriteString(line)
				}
				e.buf.WriteByte('\n')
			}
			return
		}
		e.buf.WriteString(quote(s))
	}
	e.buf.WriteByte('\n')
}

// validUTF8 returns s with each run of invalid bytes replaced by U+FFFD.
// Checking first is faster than strings.ToValidUTF8 for the valid strings
// that nearly all are.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func leadingSpaces(s string) string { return s[:len(s)-len(strings.TrimLeft(s, " "))] }

// blanks are the spaces that indent lines, and itemStarts the same followed
// by "- ", so that the usual depths of indentation cost no allocation.
const blanks = "                                "

var itemStarts = func() (starts [len(blanks) + 1]string) {
	for n := range starts {
		starts[n] = blanks[:n] + "- "
	}
	return starts
}()

// spaces returns n spaces.
func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// itemStart returns the start of a list item's first line: start (the
// indentation, or the start of an enclosing item), then "- ".
func itemStart(start string) string {
	if len(start) <= len(blanks) && start == blanks[:len(start)] {
		return itemStarts[len(start)]
	}
	return start + "- "
}

// comment writes text as "# " lines at the given indentation.
func (e *encoder) comment(text, pad string) {
	text = strings.ReplaceAll(validUTF8(text), "\r\n", "\n")
	// Descriptions written as heredocs end in a line break, which would
	// leave a bare "#" line.
	text = strings.TrimRight(text, " \t\n")
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.Map(func(r rune) rune {
			switch {
			case r == '\t':
				return ' '
			case !unicode.IsPrint(r):
				return '\uFFFD'
			}
			return r
		}, line)
		// "# " and the line, without trailing spaces: "#" alone for a
		// blank line.
		e.buf.WriteString(pad)
		e.buf.WriteByte('#')
		if line = strings.TrimRight(line, " "); line != "" {
			e.buf.WriteByte(' ')
			e.buf.WriteString(line)
		}
		e.buf.WriteByte('\n')
	}
}

// literal reports whether s reads back intact from a literal block scalar
// and returns its indicator and the lines to write. It refuses what such a
// block would change or hide: a first line that starts with white space
// (it would set the indentation), more than one trailing line break,
// trailing white space (editors strip it), and anything not printable.
func literal(s string) (indicator, body string, ok bool) {
	if !strings.Contains(s, "\n") {
		return "", "", false
	}
	indicator, body = "|-", s
	if strings.HasSuffix(s, "\n") {
		indicator, body = "|", s[:len(s)-1]
	}
	if body == "" || strings.ContainsAny(body[:1], " \t\n") || strings.HasSuffix(body, "\n") {
		return "", "", false
	}
	for line := range strings.SplitSeq(body, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return "", "", false
		}
		for _, r := range line {
			if r != '\t' && !unicode.IsPrint(r) {
				return "", "", false
			}
		}
	}
	return indicator, body, true
}

// implicit matches the plain scalars that a YAML 1.1 parser may read as
// something other than a string and that plain's character rules let
// through: booleans, nulls, and floats such as .5, .e-3 and .inf.
var implicit = regexp.MustCompile(`^(?i:y|yes|n|no|true|false|on|off|null|~|[-+]?\.(inf|nan)|[-+]?([0-9][0-9_]*)?\.[0-9.]*([e][-+][0-9]+)?)$`)

// plain reports whether s can be written without quotes. It allows a
// conservative subset of YAML plain scalars: printable ASCII that starts
// with a letter, "_", "$", "/" or "." and a letter (so no indicator, digit
// or sign), with no "#", no ": " or final ":", no leading or trailing space,
// and no YAML 1.1 boolean, null or number.
func plain(s string) bool {
	if s == "" || s[len(s)-1] == ' ' {
		return false
	}
	switch c := s[0]; {
	case isLetter(c), c == '_', c == '$', c == '/':
	case c == '.' && len(s) > 1 && isLetter(s[1]):
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !plainByte[c] && (c != ':' || i+1 == len(s) || s[i+1] == ' ') {
			return false
		}
	}
	return !isImplicit(s)
}

// plainByte holds the bytes that plain allows anywhere: printable ASCII
// but "#" and ":", which is allowed unless a space or the end follows.
// plain looks each byte up, as it runs over every key and value written.
var plainByte = func() (ok [256]bool) {
	for c := ' '; c <= '~'; c++ {
		ok[c] = c != '#' && c != ':'
	}
	return ok
}()

// implicitWords are implicit's words: the booleans and null.
var implicitWords = []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null"}

// isImplicit reports whether implicit matches s, for an s that passed
// plain's character rules: printable ASCII starting with a letter, "_",
// "$", "/" or "." and a letter. Of those, implicit can only match its words,
// whatever their case, .inf and .nan, and exponents such as .e+5, so the
// regular expression, which costs far more than the checks before it and
// would run for every key and value written, only runs on strings of four
// characters or with a sign third that start with ".".
func isImplicit(s string) bool {
	if s[0] == '.' {
		return (len(s) == 4 || len(s) > 2 && (s[2] == '+' || s[2] == '-')) && implicit.MatchString(s)
	}
	if len(s) > len("false") { // the longest word
		return false
	}
	for _, w := range implicitWords {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// quote renders a string as a one-line scalar: plain when plain allows it,
// otherwise double-quoted with every character that is not printable
// escaped, so that the scalar is one line and reads back as s.
func quote(s string) string {
	s = validUTF8(s)
	if plain(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		case 0x1b:
			b.WriteString(`\e`)
		default:
			switch {
			case unicode.IsPrint(r):
				b.WriteRune(r)
			case r <= 0xff: // C0, DEL, C1 (U+0085 included), NBSP, soft hyphen
				fmt.Fprintf(&b, `\x%02X`, r)
			case r <= 0xffff: // U+2028, U+2029, U+FEFF, ...
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
