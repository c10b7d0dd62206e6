package snowsql

import (
	"fmt"
	"iter"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Template is one SQL statement with {{NAME}} placeholders, such as
// "CALL PLATFORM.RUN_JOB({{job}}, {{token}})". Each placeholder stands for a
// whole SQL value, rendered by the caller as a literal (String, a number,
// NULL...), so a placeholder may not sit inside a quoted string or
// identifier, a dollar-quoted string or a comment, where a value could end
// the quotes: Parse refuses those.
type Template struct {
	parts []string // text, placeholder name, text, placeholder name, ..., text
}

var placeholder = regexp.MustCompile(`^\{\{([a-z][a-z0-9_]*)\}\}`)

// Parse reads a template.
func Parse(text string) (*Template, error) {
	t := &Template{}
	start := 0
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "{{"):
			m := placeholder.FindStringSubmatch(text[i:])
			if m == nil {
				return nil, fmt.Errorf("malformed placeholder at %q: write {{name}} with a parameter's name", clip(text[i:]))
			}
			t.parts = append(t.parts, text[start:i], m[1])
			i += len(m[0])
			start = i
			continue
		case strings.HasPrefix(text[i:], "}}"):
			return nil, fmt.Errorf("}} without {{ at %q", clip(text[i:]))
		case text[i] == ';':
			if strings.TrimSpace(text[i+1:]) != "" {
				return nil, fmt.Errorf("a second statement after %q: a template is one statement", clip(text[start:i+1]))
			}
			text = text[:i] // meshc ends the statement itself
			continue
		}
		end, what := skipQuoted(text, i)
		if end > i && what == "a comment" && !strings.HasPrefix(text[i:], "/*") {
			// The statement is followed by more SQL (a task's ";"), which
			// a line comment would swallow.
			return nil, fmt.Errorf("line comment %q: a template is one statement; write comments in the .mesh.hcl file", clip(text[i:end]))
		}
		if end > i {
			if j := strings.Index(text[i:end], "{{"); j >= 0 {
				p := text[i+j : end]
				if k := strings.Index(p, "}}"); k >= 0 {
					p = p[:k+2]
				}
				return nil, fmt.Errorf("placeholder %s inside %s: placeholders stand for whole values, quoted by meshc; write it outside", clip(p), what)
			}
			i = end
			continue
		}
		i++
	}
	t.parts = append(t.parts, text[start:])
	return t, nil
}

// SkipQuoted returns the end of the quoted string, $$ string, comment or
// quoted identifier that starts at i; it returns i when none starts
// there. Code that rewrites names in SQL text skips them: a name in a
// string or comment is no name, and a quoted one keeps its case.
func SkipQuoted(s string, i int) int {
	end, _ := skipQuoted(s, i)
	return end
}

// skipQuoted returns the end of the quoted string, quoted identifier,
// dollar-quoted string or comment that starts at i, and what it is; it
// returns i when none starts there. An unclosed one runs to the end.
func skipQuoted(s string, i int) (int, string) {
	end, what, _ := scanQuoted(s, i)
	return end, what
}

// scanQuoted is skipQuoted, also reporting whether what starts at i is
// closed before the text ends (a line comment is closed by the end).
func scanQuoted(s string, i int) (end int, what string, closed bool) {
	closing := func(from int, end string) (int, bool) {
		if j := strings.Index(s[from:], end); j >= 0 {
			return from + j + len(end), true
		}
		return len(s), false
	}
	switch {
	case strings.HasPrefix(s[i:], "$$"):
		end, closed = closing(i+2, "$$")
		return end, "a $$ string", closed
	case strings.HasPrefix(s[i:], "--") || strings.HasPrefix(s[i:], "//"):
		end, _ = closing(i, "\n")
		return end, "a comment", true
	case strings.HasPrefix(s[i:], "/*"):
		end, closed = closing(i+2, "*/")
		return end, "a comment", closed
	case s[i] == '\'':
		for j := i + 1; j < len(s); j++ {
			switch {
			case s[j] == '\\':
				j++
			case s[j] == '\'' && j+1 < len(s) && s[j+1] == '\'':
				j++
			case s[j] == '\'':
				return j + 1, "a quoted string", true
			}
		}
		return len(s), "a quoted string", false
	case s[i] == '"':
		for j := i + 1; j < len(s); j++ {
			switch {
			case s[j] == '"' && j+1 < len(s) && s[j+1] == '"':
				j++
			case s[j] == '"':
				return j + 1, "a quoted identifier", true
			}
		}
		return len(s), "a quoted identifier", false
	}
	return i, "", true
}

func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}

// Names returns the placeholders' names in order.
func (t *Template) Names() []string {
	var names []string
	for i := 1; i < len(t.parts); i += 2 {
		names = append(names, t.parts[i])
	}
	return names
}

// Render replaces each placeholder with its value, which the caller has
// rendered as SQL (a literal, or NULL).
func (t *Template) Render(values map[string]string) (string, error) {
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 0 {
			b.WriteString(p)
			continue
		}
		v, ok := values[p]
		if !ok {
			return "", fmt.Errorf("no value for {{%s}}", p)
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// Terminated reports whether SQL text ends with a semicolon, ignoring the
// comments and white space after it, so that a caller can end the last
// statement without adding an empty one.
func Terminated(sql string) bool {
	last, _ := ending(sql)
	return last >= 0 && sql[last] == ';'
}

// Unterminated returns SQL text without the semicolons that end it, if
// any do (Terminated), for a query put inside text of its own; the
// comments after them are kept. Most queries hold no semicolon, and are
// returned without a reading.
func Unterminated(sql string) string {
	if strings.IndexByte(sql, ';') < 0 {
		return sql
	}
	for {
		last, _ := ending(sql)
		if last < 0 || sql[last] != ';' {
			return sql
		}
		sql = sql[:last] + sql[last+1:]
	}
}

// EndsInComment reports whether SQL text ends inside a line comment (-- or
// //): text put after it on the same line would be part of the comment.
func EndsInComment(sql string) bool {
	_, inComment := ending(sql)
	return inComment
}

// ending returns where the last byte of SQL text outside comments and
// white space is (the last of a string or quoted identifier, or -1 for
// none), and whether the text ends inside a line comment.
func ending(sql string) (last int, inComment bool) {
	last = -1
	for i := 0; i < len(sql); {
		end, what := skipQuoted(sql, i)
		if end > i {
			if what != "a comment" {
				last = end - 1
			}
			inComment = end == len(sql) && (strings.HasPrefix(sql[i:], "--") || strings.HasPrefix(sql[i:], "//")) && !strings.HasSuffix(sql, "\n")
			i = end
			continue
		}
		if c := sql[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			last = i
		}
		inComment = false
		i++
	}
	return last, inComment
}

// Unrunnable says why SQL text, a step's statements, cannot be run as
// written, and how to mend it, or is "" when it can: text that is not UTF-8 (a file saved as
// Windows-1252) or holds a NUL byte, which a script or a DAG would carry
// as other characters than its editor showed; text that starts with a
// byte-order mark; or text of no statement, only comments, which leaves a
// block or an operator nothing to run.
func Unrunnable(sql string) string {
	switch {
	case !utf8.ValidString(sql) || strings.ContainsRune(sql, 0):
		return "it is not UTF-8 text, or holds a NUL byte: save it as UTF-8 text"
	case strings.HasPrefix(sql, "\ufeff"):
		// Editors on Windows save one; Snowflake reads it as the first
		// character of the statement and refuses it.
		return "it starts with a byte-order mark (U+FEFF), which Snowflake takes for part of the first statement and refuses: save the file as UTF-8 without a BOM"
	case len(Split(sql)) == 0:
		return "it holds no statement, only comments or nothing: write its statements"
	}
	return ""
}

// Split splits a script into its statements, at the semicolons outside
// strings, quoted identifiers, $$ strings and comments, for tests that
// read generated scripts back. Statements are trimmed; empty ones and
// those holding only comments are dropped.
func Split(script string) []string {
	var out []string
	start := 0
	add := func(stmt string) {
		stmt = strings.TrimSpace(stmt)
		rest := stmt
		for rest != "" {
			end, what := skipQuoted(rest, 0)
			if what != "a comment" {
				out = append(out, stmt)
				return
			}
			rest = strings.TrimSpace(rest[end:])
		}
	}
	for i := 0; i < len(script); {
		if end, _ := skipQuoted(script, i); end > i {
			i = end
			continue
		}
		if script[i] == ';' {
			add(script[start:i])
			start = i + 1
		}
		i++
	}
	add(script[start:])
	return out
}

// SchemaQualified returns the first table name in sql that is qualified
// by schema alone (SCHEMA.NAME, not DB.SCHEMA.NAME), as written, or "".
// A table name is one after FROM (and the commas of its list), JOIN,
// INTO, UPDATE, USING, TABLE, VIEW, TRUNCATE, CLONE, SWAP WITH, RENAME TO
// or the LIKE right after a table's name (CREATE TABLE T LIKE S), and
// after the IF [NOT] EXISTS that may come between TABLE or VIEW and the
// name (Snowflake's CREATE TABLE [ IF NOT EXISTS ] <name>, DROP TABLE
// [ IF EXISTS ] <name>), outside strings and comments, so that a column of
// an alias named like the schema (physician.npi) is not taken for one; nor
// is the FROM of IS DISTINCT FROM, EXTRACT(... FROM ...) or TRIM(... FROM
// ...). Unquoted identifiers are case-insensitive (physician.x is
// PHYSICIAN's), and a quoted one is the schema when it is spelt as the
// schema ("PHYSICIAN".X).
func SchemaQualified(sql, schema string) string {
	schema = strings.ToUpper(schema)
	for t := range TableNames(sql) {
		if len(t.Parts) == 2 && t.Parts[0] == schema {
			return sql[t.Start:t.End]
		}
	}
	return ""
}

// TableName is a table's name in SQL text: its parts as Snowflake
// resolves them (an unquoted one upper-cased, a quoted one without its
// quotes), and where the name is written.
type TableName struct {
	Parts      []string
	Start, End int
}

// TableNames yields the names of tables in SQL text, in order, read as
// SchemaQualified says. A name's Parts are valid only until the next is
// yielded.
func TableNames(sql string) iter.Seq[TableName] {
	return func(yield func(TableName) bool) {
		tableNames(sql, yield)
	}
}

func tableNames(sql string, yield func(TableName) bool) {
	var parts []string
	var (
		prev      string   // the word before, upper-cased: "" after anything else
		calls     []string // the word before each open parenthesis
		fromList  = -1     // the depth of the FROM list being read, -1 for none
		wantTable bool     // a table name comes next
		afterName bool     // the word before ended a table's name
	)
	for i := 0; i < len(sql); {
		if end, what := skipQuoted(sql, i); end > i && what != "a quoted identifier" {
			if what != "a comment" {
				prev, wantTable, afterName = "", false, false
			}
			i = end
			continue
		}
		c := sql[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		if c != '"' && !identByte(c) {
			switch c {
			case '(':
				calls = append(calls, prev)
			case ')':
				if len(calls) > 0 {
					calls = calls[:len(calls)-1]
				}
				if fromList > len(calls) {
					fromList = -1
				}
			case ',':
				wantTable = fromList == len(calls)
				prev, afterName = "", false
				i++
				continue
			case ';':
				fromList = -1
			}
			prev, wantTable, afterName = "", false, false
			i++
			continue
		}
		start := i
		word, quoted := "", c == '"'
		i, word = readWord(sql, i)
		if wantTable && !quoted && (word == "IF" || word == "NOT" && prev == "IF" || word == "EXISTS" && (prev == "IF" || prev == "NOT")) {
			prev = word // CREATE TABLE IF NOT EXISTS <name>: the name is still to come
			continue
		}
		if wantTable && !(tableKeywords[word] && !quoted) { // TRUNCATE TABLE <name>
			// The name's parts: SCHEMA.NAME is the schema's, DB.SCHEMA.NAME
			// is not, whatever its database is called.
			parts = append(parts[:0], word)
			for i+1 < len(sql) && sql[i] == '.' && (identByte(sql[i+1]) || sql[i+1] == '"') {
				i, word = readWord(sql, i+1)
				parts = append(parts, word)
			}
			if !yield(TableName{Parts: parts, Start: start, End: i}) {
				return
			}
			prev, wantTable, afterName = word, false, true
			continue
		}
		if !quoted {
			switch {
			case word == "FROM" && prev != "DISTINCT" && !(len(calls) > 0 && fromCalls[calls[len(calls)-1]]):
				wantTable, fromList = true, len(calls)
			case tableKeywords[word],
				word == "WITH" && prev == "SWAP",
				word == "TO" && prev == "RENAME",
				word == "LIKE" && afterName:
				wantTable = true
			case listEnds[word] && fromList == len(calls):
				fromList = -1
			}
		}
		prev, afterName = word, false
	}
}

// readWord reads the identifier or quoted identifier that starts at i, and
// returns where it ends and the word: an unquoted one upper-cased, as
// Snowflake resolves it, a quoted one without its quotes.
func readWord(sql string, i int) (int, string) {
	if sql[i] == '"' {
		end, _ := skipQuoted(sql, i)
		return end, strings.ReplaceAll(strings.Trim(sql[i:end], `"`), `""`, `"`)
	}
	start := i
	for i < len(sql) && identByte(sql[i]) {
		i++
	}
	return i, strings.ToUpper(sql[start:i])
}

// tableKeywords are the words besides FROM that a table's name follows.
var tableKeywords = map[string]bool{"JOIN": true, "INTO": true, "UPDATE": true, "USING": true, "TABLE": true, "VIEW": true, "TRUNCATE": true, "CLONE": true}

// fromCalls are the functions whose arguments hold a FROM that is not a
// table's: EXTRACT(YEAR FROM d), TRIM(' ' FROM s).
var fromCalls = map[string]bool{"EXTRACT": true, "TRIM": true, "SUBSTRING": true, "POSITION": true, "OVERLAY": true}

// listEnds are the words that end a FROM list.
var listEnds = map[string]bool{"WHERE": true, "GROUP": true, "ORDER": true, "HAVING": true, "QUALIFY": true, "LIMIT": true,
	"UNION": true, "EXCEPT": true, "INTERSECT": true, "MINUS": true, "ON": true, "SET": true, "SELECT": true, "VALUES": true, "WHEN": true, "WINDOW": true}

func identByte(c byte) bool {
	return c == '_' || c == '$' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
