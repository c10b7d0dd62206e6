// Package shell quotes values for POSIX sh and fills in the job script
// templates that platform teams write for runners, such as
//
//	dbt build --select {{select}} {{--project-dir project_dir}}
//
// A placeholder {{NAME}} stands for a step argument as whole shell words,
// quoted so that the shell sees exactly the value: no user string can add
// a command, a redirection or an expansion. {{FLAG NAME}} writes FLAG
// before the value when the argument is set, and nothing at all when it is
// not, which is how optional arguments map to optional flags.
package shell

import (
	"fmt"
	"regexp"
	"strings"
)

// Quote returns s as one shell word. Words made only of characters the
// shell never interprets stay bare, so that generated scripts read like
// hand-written ones; anything else is single-quoted, the one quoting form
// in which the shell expands nothing.
func Quote(s string) string {
	if bare(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bare reports whether s is not empty and made of [A-Za-z0-9_./,:=+@%-]
// only. A loop rather than a regexp: every argument of every generated
// job goes through it.
func bare(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_./,:=+@%-", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// Template is a parsed script line.
type Template struct {
	pieces []piece
}

type piece struct {
	text string // literal text, when name is empty
	flag string // written before the value, for {{FLAG NAME}}
	name string
}

var placeholder = regexp.MustCompile(`\{\{([^{}]*)\}\}`)
var placeholderName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
var flagText = regexp.MustCompile(`^-[A-Za-z0-9_=.-]*$`)

// ParseScript parses a script's lines, returning each line's template or
// its error. An error describes a malformed placeholder, or one inside
// quotes, after a backslash or in a here-document: there the shell would
// not take the quoted value as one word, and a value could end the quotes
// and run a command of its own. The lines are read one after the other,
// as the shell reads them: a quote or a here-document that one line
// leaves open holds the next lines too.
func ParseScript(lines []string) ([]*Template, []error) {
	var q quoteState
	out, errs := make([]*Template, len(lines)), make([]error, len(lines))
	for i, line := range lines {
		if i > 0 {
			q.scan("\n")
		}
		out[i], errs[i] = q.parse(line)
	}
	return out, errs
}

// parse parses a line from the state the lines before it left, and
// leaves the state at its end.
func (q *quoteState) parse(line string) (*Template, error) {
	t := &Template{}
	rest := line
	// fail leaves the state at the line's end, as the shell reads it, so
	// that the lines after a bad one are still read from the right state.
	fail := func(format string, args ...any) (*Template, error) {
		q.scan(rest)
		return nil, fmt.Errorf(format, args...)
	}
	for {
		loc := placeholder.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		q.scan(rest[:loc[0]])
		if q.pending && loc[0] > 0 && !strings.ContainsAny(rest[loc[0]-1:loc[0]], wordBreaks) {
			q.delim = "" // a here-document's word a placeholder may finish: it never ends
		}
		text, ph := rest[:loc[0]], rest[loc[0]:loc[1]]
		rest = rest[loc[0]:]
		if q.inside != 0 || q.heredoc {
			return fail("placeholder %s is inside %s; placeholders stand for whole shell words, quoted by meshc: write it outside quotes", ph, q.describe())
		}
		if why := q.expression(); why != "" {
			return fail("placeholder %s is %s: pass the value as an argument of a command instead, where it is one quoted word", ph, why)
		}
		inner := strings.Fields(ph[2 : len(ph)-2])
		p := piece{}
		switch len(inner) {
		case 1:
			p.name = inner[0]
		case 2:
			p.flag, p.name = inner[0], inner[1]
			if !flagText.MatchString(p.flag) {
				return fail("%q is not a flag: in {{FLAG NAME}} the flag starts with - and has no quotes or spaces", p.flag)
			}
		default:
			return fail("placeholder %q should be {{NAME}} or {{FLAG NAME}}", ph)
		}
		if !placeholderName.MatchString(p.name) {
			return fail("placeholder %q does not name a parameter: parameter names are lower-case snake_case", ph)
		}
		if text != "" {
			t.pieces = append(t.pieces, piece{text: text})
		}
		t.pieces = append(t.pieces, p)
		rest = rest[len(ph):]
		q.prev = 'x' // a placeholder is a word: a # right after it is text
		q.word = append(q.word, 'x')
	}
	if strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
		return fail("unbalanced {{ or }}: a placeholder is written {{NAME}}")
	}
	if rest != "" {
		t.pieces = append(t.pieces, piece{text: rest})
	}
	q.scan(rest)
	return t, nil
}

// quoteState follows POSIX sh and bash quoting through a script: whether
// the text so far leaves a quote open or a backslash pending, or is in the
// body of a here-document, which the shell expands whatever the quotes in
// it, in a comment, or where bash reads a value as an arithmetic
// expression rather than as a word, whose array subscripts run commands
// (a[$(cmd)]): $((...)), ((...)), $[...], ${...}, a subscript, [[ ... ]],
// the arguments of let, declare, typeset and local, and an assignment once
// a declare -i may have made the variable an integer.
type quoteState struct {
	inside    byte   // ', " or `, $ for bash's $'...', or \ after a backslash; 0 outside quotes
	pending   bool   // a << on this line: a here-document starts at its end
	heredoc   bool   // in a here-document's body
	delim     string // the line that ends the body ("" when it cannot be read: it never ends)
	tabs      bool   // <<-: the ending line may start with tabs
	line      []byte // the body's line read so far
	comment   bool   // after a # that starts a word, up to the line's end
	arith     int    // parentheses open in $((...)) or ((...)), 0 outside them
	square    int    // brackets open in $[...]
	brace     int    // braces open in ${...}
	subscript int    // brackets open after a word's first character, as in a[i]
	cond      bool   // in [[ ... ]]
	inArgs    bool   // past the name of the command being read
	command   string // let, declare, typeset or local, up to the end of its command
	integers  bool   // a declare, typeset or local with -i came before
	word      []byte // the word read so far outside quotes
	prev      byte   // the last character read outside quotes, 0 at the start
}

// expression says where a placeholder at this point would be read as
// something other than a quoted word, "" where it would not.
func (q *quoteState) expression() string {
	switch {
	case q.comment:
		return "inside a comment, which a value with a line break would end"
	case q.prev == '$':
		return "right after a $, which would make its value a variable's name or $'...' quotes"
	case q.arith > 0 || q.square > 0:
		return "inside an arithmetic expression, where bash reads a value as an expression, whose array subscripts run commands"
	case q.brace > 0:
		return "inside ${...}, where bash may read a value as an expression (an array subscript, a substring's offset)"
	case q.subscript > 0:
		return "inside an array subscript or a [...] pattern, which bash may read as an arithmetic expression"
	case q.cond:
		return "inside [[ ... ]], whose -eq, -lt and other comparisons read a value as an arithmetic expression; use [ ... ]"
	case q.command != "":
		return "an argument of " + q.command + ", which may read it as an arithmetic expression"
	case q.integers && assignment.Match(q.word):
		return "assigned to a variable after a declare -i, which may have made it an integer, whose value bash reads as an arithmetic expression"
	}
	return ""
}

// assignment is a word that assigns to a variable, up to its value.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=`)

// endWord takes note of the word just read outside quotes: the commands
// whose arguments bash may read as arithmetic, when the word is a
// command's name (dbt build --target local is no local), and a -i
// among their options.
func (q *quoteState) endWord() {
	w := string(q.word)
	q.word = q.word[:0]
	switch {
	case w == "":
	case !q.inArgs:
		if w == "let" || w == "declare" || w == "typeset" || w == "local" {
			q.command = w
		}
		// A reserved word or an assignment comes before the name.
		q.inArgs = !beforeCommand[w] && !assignment.MatchString(w)
	case q.command != "" && q.command != "let" && strings.HasPrefix(w, "-") && strings.Contains(w, "i"):
		q.integers = true
	}
}

// beforeCommand are the reserved words after which a command's name comes.
var beforeCommand = map[string]bool{"if": true, "then": true, "elif": true, "else": true, "while": true, "until": true, "do": true, "!": true, "time": true, "{": true}

func (q *quoteState) scan(text string) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if q.heredoc {
			if c != '\n' {
				q.line = append(q.line, c)
				continue
			}
			end := string(q.line)
			if q.tabs {
				end = strings.TrimLeft(end, "\t")
			}
			q.line = q.line[:0]
			switch {
			case strings.HasSuffix(end, "\\"):
				// A backslash-newline joins this line to the next in an
				// unquoted body: meshc does not follow that, so the body
				// is taken never to end.
				q.delim = ""
			case q.delim != "" && end == q.delim:
				q.heredoc = false
			}
			continue
		}
		if q.comment {
			if c == '\n' {
				q.comment = false
				q.prev = c
				q.newline()
			}
			continue
		}
		switch q.inside {
		case 0:
			wordStart := q.prev == 0 || strings.IndexByte(wordBreaks, q.prev) >= 0
			if c != '\\' {
				q.prev = c // a backslash's character decides, below
			}
			if strings.IndexByte(wordBreaks, c) >= 0 {
				q.endWord()
				if strings.IndexByte(";&|()\n", c) >= 0 {
					q.command, q.inArgs = "", false // the command's end
				}
			} else if c != '\\' {
				q.word = append(q.word, c)
			}
			expression := q.arith > 0 || q.square > 0
			switch {
			case c == '#' && wordStart && !expression && q.brace == 0:
				q.comment = true
			case c == '$' && strings.HasPrefix(text[i:], "$'"):
				q.inside = '$' // bash's $'...', where a backslash escapes the quote
				i++
			case c == '$' && strings.HasPrefix(text[i:], "$(("), c == '(' && wordStart && q.arith == 0 && strings.HasPrefix(text[i:], "(("):
				if c == '$' {
					i++
				}
				q.arith += 2
				i++
			case q.arith > 0 && c == '(':
				q.arith++
			case q.arith > 0 && c == ')':
				q.arith--
			case c == '$' && strings.HasPrefix(text[i:], "$["):
				q.square++
				i++
			case c == '$' && strings.HasPrefix(text[i:], "${"):
				q.brace++
				i++
			case q.brace > 0 && c == '{':
				q.brace++
			case q.brace > 0 && c == '}':
				q.brace--
			case q.square > 0 && c == '[':
				q.square++
			case q.square > 0 && c == ']':
				q.square--
			case c == '[' && wordStart && strings.HasPrefix(text[i:], "[[") && (i+2 == len(text) || strings.IndexByte(wordBreaks, text[i+2]) >= 0):
				q.cond = true
				i++
			case c == ']' && q.cond && wordStart && strings.HasPrefix(text[i:], "]]") && (i+2 == len(text) || strings.IndexByte(wordBreaks, text[i+2]) >= 0):
				q.cond = false
				i++
			case c == '[' && !(wordStart && (i+1 == len(text) || strings.IndexByte(wordBreaks, text[i+1]) >= 0)):
				q.subscript++ // a[i], or a pattern; not the test command [
			case c == ']' && q.subscript > 0:
				q.subscript--
			case c == '\'' || c == '"' || c == '`' || c == '\\':
				q.inside = c
			case expression:
				// << is a shift here, not a here-document
			case c == '<' && strings.HasPrefix(text[i:], "<<<"):
				i += 2 // a here-string, a word of this line
			case c == '<' && strings.HasPrefix(text[i:], "<<"):
				delim, tabs := heredocDelimiter(text[i+2:])
				if q.pending {
					// Several here-documents on a line: their bodies
					// follow in turn, which meshc does not follow, so
					// they are taken never to end.
					delim = ""
				}
				q.pending, q.delim, q.tabs = true, delim, tabs
				i++
			case c == '\n':
				q.newline()
			}
		case '\\':
			q.inside = 0
			if c != '\n' { // a backslash before a line break joins the lines
				q.prev = 'x'
			}
		case '$':
			if c == '\\' {
				i++
			} else if c == '\'' {
				q.inside = 0
			}
		case '"':
			if c == '\\' {
				i++ // an escaped character inside double quotes
			} else if c == '"' {
				q.inside = 0
			}
		default:
			if c == q.inside {
				q.inside = 0
			}
		}
	}
}

// heredocDelimiter reads the word after <<, and whether it was <<-: the
// body ends at a line that is the word, its quotes removed. A word meshc
// cannot read (one a placeholder or an expansion makes) gives "", a body
// that never ends, so that no placeholder is let into it.
func heredocDelimiter(text string) (delim string, tabs bool) {
	if strings.HasPrefix(text, "-") {
		text, tabs = text[1:], true
	}
	text = strings.TrimLeft(text, " \t")
	end := strings.IndexAny(text, wordBreaks)
	if end < 0 {
		end = len(text)
	}
	word := text[:end]
	if strings.ContainsAny(word, "{}$`") {
		return "", tabs
	}
	return strings.NewReplacer("'", "", `"`, "", `\`, "").Replace(word), tabs
}

// newline is a line's end outside quotes and comments: a here-document
// that a << on the line started begins.
func (q *quoteState) newline() {
	if q.pending {
		q.pending, q.heredoc = false, true
	}
}

func (q *quoteState) describe() string {
	switch {
	case q.heredoc:
		return "a here-document"
	case q.inside == '\\':
		return "a backslash escape"
	case q.inside == '$':
		return "$'...' quotes"
	}
	return fmt.Sprintf("%c quotes", q.inside)
}

// Glued reports whether a placeholder for name touches other text, as in
// x={{name}}: there a list's second word would start a word of its own,
// which could be a command, so list parameters must stand alone.
func (t *Template) Glued(name string) bool {
	for i, p := range t.pieces {
		if p.name != name {
			continue
		}
		if i > 0 && (t.pieces[i-1].name != "" || !endsWord(t.pieces[i-1].text)) {
			return true
		}
		if i+1 < len(t.pieces) && (t.pieces[i+1].name != "" || !startsWord(t.pieces[i+1].text)) {
			return true
		}
	}
	return false
}

// wordBreaks are the characters that end a shell word outside quotes.
const wordBreaks = " \t\n;|&()<>"

func endsWord(text string) bool   { return strings.ContainsAny(text[len(text)-1:], wordBreaks) }
func startsWord(text string) bool { return strings.ContainsAny(text[:1], wordBreaks) }

// Names returns the parameter names the template refers to, in order of
// appearance, each once.
func (t *Template) Names() []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range t.pieces {
		if p.name != "" && !seen[p.name] {
			seen[p.name] = true
			names = append(names, p.name)
		}
	}
	return names
}

// Value is an argument's value as shell words. A nil Value is an unset
// argument.
type Value []Word

// Word is one shell word, either quoted literal text or a reference to an
// environment variable (for secrets, whose value is never written down).
type Word struct {
	Text     string
	Variable bool // Text is a variable name: rendered as "$Text"
}

// Words returns literal words.
func Words(s ...string) Value {
	v := make(Value, 0, len(s))
	for _, w := range s {
		v = append(v, Word{Text: w})
	}
	return v
}

// Render fills the template in. Every name must be in values (nil for an
// unset argument); Render reports the first that is not.
//
// An unset argument renders as nothing. When its placeholder is a word of
// its own, a space next to it goes too, so that "cmd {{a}} {{b}}" without
// a reads "cmd b", not "cmd  b"; inside a word ("x={{a}} y") nothing else
// changes.
func (t *Template) Render(values map[string]Value) (string, error) {
	if len(t.pieces) == 1 && t.pieces[0].name == "" {
		return t.pieces[0].text, nil // most lines: the same for any values
	}
	var b strings.Builder
	dropSpace := false // an unset argument that was a word was just left out
	for i, p := range t.pieces {
		if p.name == "" {
			text := p.text
			if dropSpace {
				text = strings.TrimPrefix(text, " ")
			}
			b.WriteString(text)
			dropSpace = false
			continue
		}
		v, ok := values[p.name]
		if !ok {
			return "", fmt.Errorf("unknown placeholder {{%s}}", p.name)
		}
		if len(v) == 0 {
			before := b.String()
			wordStart := before == "" || strings.HasSuffix(before, " ")
			wordEnd := i+1 == len(t.pieces) || (t.pieces[i+1].name == "" && strings.HasPrefix(t.pieces[i+1].text, " "))
			switch {
			case !wordStart || !wordEnd:
			case before != "":
				b.Reset()
				b.WriteString(strings.TrimSuffix(before, " "))
			default:
				dropSpace = true
			}
			continue
		}
		dropSpace = false
		if p.flag != "" {
			b.WriteString(p.flag)
			b.WriteByte(' ')
		}
		for i, w := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			if w.Variable {
				b.WriteString(`"$` + w.Text + `"`)
			} else {
				b.WriteString(Quote(w.Text))
			}
		}
	}
	return b.String(), nil
}
