package snowsql

import (
	"fmt"
	"regexp"
	"strings"
)

// InputPlaceholder is a {{ input.NAME }} in a step's or a test's SQL: it
// stands for the table that the product's input NAME reads, written by
// meshc as the fully qualified name of the environment built, so that SQL
// can name another domain's table and still read the copy each
// environment maps it to.
//
// Only SQL outside strings, quoted identifiers, $$ strings and comments
// holds placeholders. There "{{" is no Snowflake SQL (an object constant's
// brace is followed by its key, a string), so SQL that ran before
// placeholders never had one there; inside quotes or a comment "{{" is
// text and stays as written, unless what follows it reads as an input's
// placeholder, which is a mistake (the quotes would hold the name as a
// string): Err then says so.
type InputPlaceholder struct {
	Name       string // the input's name, as written
	Start, End int    // the placeholder's bytes, "{{" to "}}"
	// Err says why this is no placeholder meshc can fill, "" when it is.
	Err string
}

var inputPlaceholder = regexp.MustCompile(`^\{\{[ \t]*input\.([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}`)

// bareName is what {{ NAME }} holds when the input. is forgotten.
var bareName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// InputPlaceholders returns the placeholders of SQL text, and the
// malformed ones, in order. Most SQL has none and is not read past a
// search for "{{".
func InputPlaceholders(sql string) []InputPlaceholder {
	if !strings.Contains(sql, "{{") {
		return nil
	}
	var out []InputPlaceholder
	for i := 0; i < len(sql); {
		if end, what := skipQuoted(sql, i); end > i {
			for j := i; ; {
				k := strings.Index(sql[j:end], "{{")
				if k < 0 {
					break
				}
				j += k
				if m := inputPlaceholder.FindStringSubmatch(sql[j:end]); m != nil {
					out = append(out, InputPlaceholder{Name: m[1], Start: j, End: j + len(m[0]),
						Err: fmt.Sprintf("%s is inside %s, which meshc leaves as written: write it outside quotes and comments, where it stands for the table's name", m[0], what)})
					j += len(m[0])
					continue
				}
				j += 2
			}
			i = end
			continue
		}
		if !strings.HasPrefix(sql[i:], "{{") {
			i++
			continue
		}
		if m := inputPlaceholder.FindStringSubmatch(sql[i:]); m != nil {
			out = append(out, InputPlaceholder{Name: m[1], Start: i, End: i + len(m[0])})
			i += len(m[0])
			continue
		}
		p := InputPlaceholder{Start: i, End: i + 2}
		line := sql[i:]
		if k := strings.IndexByte(line, '\n'); k >= 0 {
			line = line[:k]
		}
		if k := strings.Index(line[2:], "}}"); k >= 0 {
			p.End = i + 2 + k + 2
			inside := strings.TrimSpace(line[2 : 2+k])
			if bareName.MatchString(inside) {
				p.Err = fmt.Sprintf("%s names no input: write {{ input.%s }} for the table of the product's input %s", sql[p.Start:p.End], inside, inside)
			} else {
				p.Err = fmt.Sprintf("%s is not a placeholder: write {{ input.NAME }}, NAME one of the product's inputs, for the table it reads", clip(sql[p.Start:p.End]))
			}
		} else {
			p.Err = fmt.Sprintf("%s is not closed by }} on its line: write {{ input.NAME }}, NAME one of the product's inputs, for the table it reads", clip(line))
		}
		out = append(out, p)
		i = p.End
	}
	return out
}

// InputPlaceholderIn returns where the first {{ input.NAME }} is in text
// that is not SQL, such as a test's string argument, which meshc writes
// as a quoted string, where it would stay as written; found is false when
// there is none. Other braces are the text's own.
func InputPlaceholderIn(text string) (start, end int, found bool) {
	for i := 0; ; i++ {
		k := strings.Index(text[i:], "{{")
		if k < 0 {
			return 0, 0, false
		}
		i += k
		if m := inputPlaceholder.FindStringIndex(text[i:]); m != nil {
			return i, i + m[1], true
		}
	}
}

// FillInputs returns SQL text with each input placeholder replaced by the
// table's name that table gives, quoted already; it fails on a malformed
// placeholder or one that table does not know.
func FillInputs(sql string, table func(name string) (string, bool)) (string, error) {
	ps := InputPlaceholders(sql)
	if len(ps) == 0 {
		return sql, nil
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		if p.Err != "" {
			return "", fmt.Errorf("%s", p.Err)
		}
		name, ok := table(p.Name)
		if !ok {
			return "", fmt.Errorf("%s names no input of the product", sql[p.Start:p.End])
		}
		b.WriteString(sql[last:p.Start])
		b.WriteString(name)
		last = p.End
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}
