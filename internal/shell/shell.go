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
	"container/heap"
	"fmt"
	"regexp"
	"slices"
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
//
// A script that makes a variable an integer or a nameref (declare -i,
// local -n) may have no placeholder at all, before or after: bash reads
// whatever reaches an integer as an arithmetic expression and a nameref's
// value as a variable's name, and a value reaches a variable in more ways
// than meshc follows (an assignment, export, read, printf -v, for, $(...)).
// Nor may a script that runs a command whose name is an expansion ($c,
// "$c", $(...)): the command may be let, eval or declare.
// Nor may a placeholder assign to a variable that the script names in an
// arithmetic expression, before or after (N={{x}}; (( i < N ))), itself
// or through copies (M=$N): bash reads the variable's value as one.
func ParseScript(lines []string) ([]*Template, []error) {
	var q quoteState
	out, errs := make([]*Template, len(lines)), make([]error, len(lines))
	for i, line := range lines {
		if i > 0 {
			q.scan("\n")
		}
		out[i], errs[i] = q.parse(i, line)
	}
	q.scan("\n") // the script's end ends its last word, as a line's end does
	if q.refuseAll != "" {
		for i, t := range out {
			if ph := t.firstPlaceholder(); ph != "" {
				out[i], errs[i] = nil, fmt.Errorf("placeholder %s is in a script with %s", ph, q.refuseAll)
			}
		}
	}
	numeric := arithmeticNames(q.numeric)
	for _, v := range followCopies(q.valued, q.copies) {
		if numeric[v.name] && errs[v.line] == nil {
			out[v.line], errs[v.line] = nil, fmt.Errorf("placeholder %s is assigned to %s, which the script reads in an arithmetic expression, where bash reads a variable's value as an expression, whose array subscripts run commands (a[$(cmd)]); compare the value as a command's argument instead, as in [ \"$%s\" -gt 0 ], where test reads only a number", v.ph, v.name, v.name)
		}
	}
	return out, errs
}

// A varCopy is an assignment of one variable's value to another (to=$from).
type varCopy struct{ to, from string }

// followCopies returns the direct entries and, after them, one for each
// variable that copies (m=$n) carry a placeholder's value to. The entries
// are those that passes over the copies in the script's order would add,
// repeated until a pass adds nothing, in the same order: a copy adds its
// variable when the pass reaches it, the variable it reads has an entry
// and its own has none, and charges it to the placeholder of the first
// entry of the variable it reads. That decides which line is refused, so
// it is kept; but rather than repeat the passes (cubic in the number of
// copies), a heap holds the copies whose variable read has an entry, by
// the pass and the place in it where they next come: n log n.
func followCopies(direct []valued, copies []varCopy) []valued {
	all := slices.Clone(direct)
	first := map[string]int{} // a variable's first entry in all
	for i, v := range all {
		if _, ok := first[v.name]; !ok {
			first[v.name] = i
		}
	}
	readBy := map[string][]int{} // the copies that read a variable
	for i, c := range copies {
		readBy[c.from] = append(readBy[c.from], i)
	}
	// A copy to fire is a key pass*len(copies)+copy, the first pass 0.
	var toFire fireOrder
	for name := range first {
		toFire = append(toFire, readBy[name]...)
	}
	heap.Init(&toFire)
	for toFire.Len() > 0 {
		key := heap.Pop(&toFire).(int)
		pass, i := key/len(copies), key%len(copies)
		c := copies[i]
		if _, ok := first[c.to]; ok {
			continue
		}
		from := all[first[c.from]]
		first[c.to] = len(all)
		all = append(all, valued{c.to, from.line, from.ph})
		for _, j := range readBy[c.to] {
			if j > i {
				heap.Push(&toFire, pass*len(copies)+j) // later in this pass
			} else {
				heap.Push(&toFire, (pass+1)*len(copies)+j)
			}
		}
	}
	return all
}

// fireOrder is a min-heap of the copies to fire (see followCopies).
type fireOrder []int

func (h fireOrder) Len() int           { return len(h) }
func (h fireOrder) Less(i, j int) bool { return h[i] < h[j] }
func (h fireOrder) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *fireOrder) Push(x any)        { *h = append(*h, x.(int)) }
func (h *fireOrder) Pop() any {
	x := (*h)[len(*h)-1]
	*h = (*h)[:len(*h)-1]
	return x
}

// A valued variable is one a placeholder assigns its value to.
type valued struct {
	name string
	line int    // the placeholder's line
	ph   string // the placeholder as written
}

// noteValued takes note of the variables that the placeholder ph, read
// now, assigns its value to: in an assignment (export N={{x}} too), for's
// variable, read's and mapfile's (from <<< {{x}} or < {{x}}) and
// printf -v's. ParseScript follows copies (m=$n); what the value reaches
// through files, pipes, $(...) and function arguments is not followed.
func (q *quoteState) noteValued(line int, ph string) {
	note := func(name string) { q.valued = append(q.valued, valued{name, line, ph}) }
	if m := assignment.FindSubmatch(q.word); m != nil {
		note(string(m[1]))
	}
	switch q.command {
	case "for", "select":
		if len(q.args) > 0 {
			note(q.args[0])
		}
	case "read", "mapfile", "readarray":
		for _, a := range q.args {
			note(a) // options too: no variable has their names
		}
	case "printf":
		for i, a := range q.args {
			switch {
			case a == "-v" && i+1 < len(q.args):
				note(q.args[i+1])
			case strings.HasPrefix(a, "-v"):
				note(a[2:])
			}
		}
	}
}

// arithmeticNames returns the variables named in arithmetic text: a word
// that starts with a letter or _, but not the digits of a number in a base
// (16#ff) or after its 0x.
func arithmeticNames(text []byte) map[string]bool {
	names := map[string]bool{}
	for _, m := range arithmeticName.FindAllSubmatch(text, -1) {
		names[string(m[1])] = true
	}
	return names
}

var arithmeticName = regexp.MustCompile(`(?:^|[^A-Za-z0-9_#@])([A-Za-z_][A-Za-z0-9_]*)`)

// arithmeticTest is a [[ ... ]] comparison whose operands bash reads as
// arithmetic expressions.
var arithmeticTest = regexp.MustCompile(`(^|\s)-(eq|ne|lt|le|gt|ge)(\s|$)`)

// firstPlaceholder is the template's first placeholder as written, "" for
// none or a nil template.
func (t *Template) firstPlaceholder() string {
	if t == nil {
		return ""
	}
	for _, p := range t.pieces {
		switch {
		case p.flag != "":
			return "{{" + p.flag + " " + p.name + "}}"
		case p.name != "":
			return "{{" + p.name + "}}"
		}
	}
	return ""
}

// parse parses a line from the state the lines before it left, and
// leaves the state at its end.
func (q *quoteState) parse(n int, line string) (*Template, error) {
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
		q.scanBefore(rest[:loc[0]], '{')
		if n := len(q.heredocs); n > 0 && q.inside != '<' && loc[0] > 0 && !strings.ContainsAny(rest[loc[0]-1:loc[0]], wordBreaks) {
			q.heredocs[n-1].delim = "" // a here-document's word a placeholder may finish: it never ends
		}
		text, ph := rest[:loc[0]], rest[loc[0]:loc[1]]
		rest = rest[loc[0]:]
		if q.inside != 0 {
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
		q.noteValued(n, ph)
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
// it, in a comment, or where bash reads a value as something other than
// a word: as an arithmetic expression, whose array subscripts run
// commands (a[$(cmd)]), in $((...)), ((...)), $[...], ${...}, a subscript,
// [[ ... ]] and the arguments of let, declare, typeset and local; as
// shell code, in the arguments of eval and trap; or as a variable's name,
// whose subscript is such an expression, in the arguments of read and
// unset and after printf -v and test -v.
type quoteState struct {
	inside    byte      // ', " or `, $ for bash's $'...', \ after a backslash, or < in the body of heredocs[0]; 0 outside
	heredocs  []hereDoc // here-documents whose bodies are still to come, in order: << on this line, or the one being read
	body      []byte    // the here-document body's line read so far
	comment   bool      // after a # that starts a word, up to the line's end
	arith     int       // parentheses open in $((...)) or ((...)), 0 outside them
	square    int       // brackets open in $[...]
	brace     int       // braces open in ${...}
	subscript int       // brackets open after a word's first character, as in a[i]
	cond      bool      // in [[ ... ]]
	command   string    // the name of the command being read, once past it; "" before
	prefix    bool      // after builtin, command or time: options, then the command's name, follow
	args      []string  // the command's arguments before the word being read
	redirect  bool      // the word being read is a redirection's target
	refuseAll string    // what makes the script refuse every placeholder, and why (see endWord); "" for nothing
	noCommand bool      // what would be the command's name is none: after the ( of a=(...), or a ) (see endWord)
	valued    []valued  // the variables a placeholder assigns to, directly
	copies    []varCopy // the assignments of variables to variables
	offset    int       // the depth of the ${...} whose offset or length (${s:i:n}) is being read
	numeric   []byte    // the script's arithmetic expressions so far, one after the other
	condText  []byte    // the [[ ... ]] being read
	word      []byte    // the word read so far outside comments, its quotes removed
	prev      byte      // the last character read outside quotes, 0 at the start
}

// A hereDoc is a here-document a << started: its body ends at a line
// that is delim ("" when meshc cannot read it: it never ends), after tabs
// for <<-.
type hereDoc struct {
	delim string
	tabs  bool
}

// commandArgs are the commands that read their arguments as something
// other than words, and what they read them as.
var commandArgs = map[string]string{
	"let":     "an argument of let, which reads it as an arithmetic expression, whose array subscripts run commands",
	"declare": "an argument of declare, which may read it as an arithmetic expression, whose array subscripts run commands",
	"typeset": "an argument of typeset, which may read it as an arithmetic expression, whose array subscripts run commands",
	"local":   "an argument of local, which may read it as an arithmetic expression, whose array subscripts run commands",
	"eval":    "an argument of eval, which runs it as shell code",
	"trap":    "an argument of trap, which runs it as shell code",
	"read":    "an argument of read, which takes it as a variable's name, whose array subscript bash reads as an arithmetic expression (give read the value with <<< instead)",
	"unset":   "an argument of unset, which takes it as a variable's name, whose array subscript bash reads as an arithmetic expression",
}

// vNamed are the commands whose -v option takes a variable's name, whose
// array subscript bash reads as an arithmetic expression.
var vNamed = map[string]bool{"printf": true, "test": true, "[": true}

// declaresAttributes are the commands whose options give a variable
// attributes: -i an integer, -n a nameref.
var declaresAttributes = map[string]bool{"declare": true, "typeset": true, "local": true}

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
	case q.redirect:
		// A file's name, or a here-string's word: a word whatever the command.
	case commandArgs[q.command] != "":
		return commandArgs[q.command]
	case vNamed[q.command] && (q.lastArg() == "-v" || strings.HasPrefix(string(q.word), "-v")):
		return "the variable's name after " + q.command + " -v, whose array subscript bash reads as an arithmetic expression"
	}
	return ""
}

// assignment is a word that assigns to a variable, up to its value.
var assignment = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(\[.*\])?\+?=`)

// arrayStart is a word that a ( right after it makes an array's
// assignment, a=(...), whose words are no commands.
var arrayStart = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\[.*\])?\+?=$`)

// lastArg is the command's argument before the word being read.
func (q *quoteState) lastArg() string {
	if len(q.args) == 0 {
		return ""
	}
	return q.args[len(q.args)-1]
}

// endWord takes note of the word just read outside quotes: the command's
// name, when it is one (dbt build --target local is no local), which
// builtin, command and time may come before, and a declare's options that
// may make a variable an integer or a nameref: -i or -n, or options meshc
// cannot read ("-$opts"). A command's name that an expansion makes ($c,
// "$c", $(...), `...`) is one meshc cannot read either: it may be let or
// eval, so it refuses the script's placeholders as such a declare does.
// meshc does not follow $(...) to its end, and takes the word after a )
// for no command's name, as it may be one of the command's arguments.
func (q *quoteState) endWord() {
	w := string(q.word)
	q.word = q.word[:0]
	if w == "" {
		return
	}
	if q.redirect {
		q.redirect = false // a file's name, which may come before the command's
		return
	}
	if q.command != "" {
		q.args = append(q.args, w)
	}
	if m := assignment.FindStringSubmatch(w); m != nil {
		for _, e := range expansion.FindAllStringSubmatch(w[len(m[0]):], -1) {
			q.copies = append(q.copies, varCopy{m[1], e[1]})
		}
	}
	switch {
	case q.command == "" && (w == "builtin" || w == "command" || w == "time" || w == "coproc"):
		q.prefix = true
	case q.command == "" && q.prefix && strings.HasPrefix(w, "-"):
		// an option of builtin, command or time
	case q.command == "":
		q.prefix = false
		// A reserved word or an assignment comes before the name.
		switch {
		case beforeCommand[w]:
			q.noCommand = false // if $(...) then cmd
		case !assignment.MatchString(w):
			q.command = w
			notName := q.arith > 0 || q.square > 0 || q.cond || q.noCommand
			if q.refuseAll == "" && !notName && strings.ContainsAny(w, "$`") {
				q.refuseAll = w + " as a command's name, which bash takes from a value: it may be let, declare, eval or another command that reads its arguments as an arithmetic expression or as shell code; name the commands of a script with placeholders as they are, not with a variable or $(...)"
			}
		}
	case declaresAttributes[q.command] && q.refuseAll == "" && !assignment.MatchString(w) &&
		(strings.HasPrefix(w, "-") && strings.ContainsAny(w, "in") || strings.ContainsAny(w, "$`")):
		q.refuseAll = q.command + " " + w + ", which may make a variable an integer, whose value bash reads as an arithmetic expression, or a nameref, whose value it reads as a variable's name: both run the commands in an array subscript (a[$(cmd)]), and a value can reach the variable in ways meshc does not follow (an assignment, export, read, printf -v, for); declare no integer or nameref variable in a script with placeholders"
	case q.command == "function" && w == "{":
		q.command = "" // function f { body }
	}
}

// expansion is a variable's expansion, $n or ${n...}.
var expansion = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// fileDescriptor is a word that a < or > right after it makes the
// redirection's file descriptor.
var fileDescriptor = regexp.MustCompile(`^([0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})$`)

// beforeCommand are the reserved words after which a command's name comes.
var beforeCommand = map[string]bool{"if": true, "then": true, "elif": true, "else": true, "while": true, "until": true, "do": true, "!": true, "{": true}

// scan reads text that ends a line or comes before a line break.
func (q *quoteState) scan(text string) { q.scanBefore(text, 0) }

// scanBefore reads text that next continues: 0 for what ends a word (a
// line's end), '{' for a placeholder, which a [ before it makes no test
// command.
func (q *quoteState) scanBefore(text string, next byte) {
	// breaks reports whether a word ends at text[j].
	breaks := func(j int) bool {
		if j >= len(text) {
			return next == 0
		}
		return strings.IndexByte(wordBreaks, text[j]) >= 0
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if q.inside == '<' {
			if c != '\n' {
				q.body = append(q.body, c)
				continue
			}
			doc := &q.heredocs[0]
			end := string(q.body)
			if doc.tabs {
				end = strings.TrimLeft(end, "\t")
			}
			q.body = q.body[:0]
			switch {
			case strings.HasSuffix(end, "\\"):
				// A backslash-newline joins this line to the next in an
				// unquoted body: meshc does not follow that, so the body
				// is taken never to end.
				doc.delim = ""
			case doc.delim != "" && end == doc.delim:
				// The next here-document of the line, if any, starts.
				q.heredocs = q.heredocs[1:]
				if len(q.heredocs) == 0 {
					q.inside = 0
				}
			}
			continue
		}
		if q.comment {
			if c != '\n' {
				continue
			}
			q.comment = false // its line break ends the command too, read below
		}
		// The text of arithmetic expressions, for the variables they name.
		if q.arith > 0 || q.square > 0 || q.subscript > 0 || q.offset > 0 || q.command == "let" {
			q.numeric = append(q.numeric, c)
		} else if n := len(q.numeric); n > 0 && q.numeric[n-1] != ' ' {
			q.numeric = append(q.numeric, ' ')
		}
		if q.cond {
			q.condText = append(q.condText, c)
		}
		switch q.inside {
		case 0:
			wordStart := q.prev == 0 || strings.IndexByte(wordBreaks, q.prev) >= 0
			before := q.prev
			if c != '\\' {
				q.prev = c // a backslash's character decides, below
			}
			if strings.IndexByte(wordBreaks, c) >= 0 {
				if (c == '<' || c == '>') && fileDescriptor.Match(q.word) {
					q.word = q.word[:0] // 2>, {fd}<: part of the redirection
				}
				array := c == '(' && arrayStart.Match(q.word)
				q.endWord()
				redirection := c == '&' && (before == '>' || before == '<' || i+1 < len(text) && text[i+1] == '>') ||
					c == '|' && before == '>'
				switch {
				case redirection:
					// >&, <&, &> and >|: a redirection, not a command's end
				case strings.IndexByte(";&|()\n", c) >= 0:
					q.command, q.prefix, q.args, q.redirect = "", false, q.args[:0], false // the command's end
					q.noCommand = array || c == ')'
				}
				if c == '<' || c == '>' {
					q.redirect = true
				}
			} else if c != '\\' && c != '\'' && c != '"' && !strings.HasPrefix(text[i:], `$"`) && !strings.HasPrefix(text[i:], `$'`) {
				q.word = append(q.word, c) // the $ of $"..." and $'...' goes with the quotes
			}
			expression := q.arith > 0 || q.square > 0
			switch {
			case c == '#' && wordStart && !expression && q.brace == 0:
				q.comment = true
				q.word = q.word[:0] // the # is no word's
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
				if q.brace < q.offset {
					q.offset = 0
				}
			case q.brace > 0 && q.offset == 0 && c == ':' && !(i+1 < len(text) && strings.IndexByte("-=+?", text[i+1]) >= 0):
				q.offset = q.brace // ${s:i:n}, not ${s:-default}
			case q.square > 0 && c == '[':
				q.square++
			case q.square > 0 && c == ']':
				q.square--
			case c == '[' && wordStart && strings.HasPrefix(text[i:], "[[") && breaks(i+2):
				q.cond = true
				i++
			case c == ']' && q.cond && wordStart && strings.HasPrefix(text[i:], "]]") && breaks(i+2):
				q.cond = false
				if arithmeticTest.Match(q.condText) {
					q.numeric = append(append(q.numeric, q.condText...), ' ')
				}
				q.condText = q.condText[:0]
				i++
			case c == '[' && !(wordStart && breaks(i+1)):
				// a[i], ([i]=v) or a pattern; not the test command [,
				// which a placeholder right after it would make a
				// longer word
				q.subscript++
			case c == ']' && q.subscript > 0:
				q.subscript--
			case c == '\'' || c == '"' || c == '`' || c == '\\':
				q.inside = c
				if c == '`' {
					q.word = append(q.word, c) // a command's output: no name meshc can read
				}
			case expression:
				// << is a shift here, not a here-document
			case c == '<' && strings.HasPrefix(text[i:], "<<<"):
				i += 2 // a here-string, a word of this line
			case c == '<' && strings.HasPrefix(text[i:], "<<"):
				// Several here-documents on a line: their bodies follow
				// it in turn.
				delim, tabs := heredocDelimiter(text[i+2:])
				q.heredocs = append(q.heredocs, hereDoc{delim, tabs})
				i++
			case c == '\n':
				q.newline()
			}
		case '\\':
			q.inside = 0
			if c != '\n' { // a backslash before a line break joins the lines
				q.prev = 'x'
				q.word = append(q.word, c)
			}
		case '$':
			switch c {
			case '\\':
				i++
				q.word = append(q.word, '$') // an escape meshc does not decode: no name it can read
			case '\'':
				q.inside = 0
			default:
				q.word = append(q.word, c)
			}
		case '"':
			switch c {
			case '\\':
				i++ // an escaped character inside double quotes
				if i < len(text) {
					q.word = append(q.word, text[i])
				}
			case '"':
				q.inside = 0
			default:
				q.word = append(q.word, c)
			}
		case '\'':
			if c == '\'' {
				q.inside = 0
			} else {
				q.word = append(q.word, c)
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

// newline is a line's end outside quotes and comments: the first
// here-document that a << on the line started begins.
func (q *quoteState) newline() {
	if len(q.heredocs) > 0 {
		q.inside = '<'
	}
}

func (q *quoteState) describe() string {
	switch {
	case q.inside == '<':
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
