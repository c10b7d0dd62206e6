package snowsql

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Placeholder is a {{ input.NAME }} or a {{ port.NAME }} in a step's or a
// test's SQL: it stands for the table that the product's input NAME
// reads, or for the product's own port NAME, written by meshc as the
// fully qualified name of the environment built, so that SQL can name a
// table outside its domain's schema and still reach the copy each
// environment maps it to.
//
// Only SQL outside strings, quoted identifiers, $$ strings and comments
// holds placeholders. There "{{" is no Snowflake SQL (an object constant's
// brace is followed by its key, a string), so SQL that ran before
// placeholders never had one there; inside quotes or a comment "{{" is
// text and stays as written, unless what follows it reads as a
// placeholder, which is a mistake (the quotes would hold the name as a
// string): Err then says so.
type Placeholder struct {
	// Kind is "input" or "port", and "" for a malformed placeholder.
	Kind string
	// Name is the input's or the port's name, as written; in a malformed
	// {{ NAME }}, without input. or port., the name it holds, else "".
	Name       string
	Start, End int // the placeholder's bytes, "{{" to "}}"
	// Err says why this is no placeholder meshc can fill, "" when it is.
	Err string
}

var tablePlaceholder = regexp.MustCompile(`^\{\{[ \t]*(input|port)\.([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}`)

// bareName is what {{ NAME }} holds when the input. or port. is forgotten.
var bareName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// placeholderForms is what a malformed placeholder is told to write.
const placeholderForms = "write {{ input.NAME }} for the table that the product's input NAME reads, or {{ port.NAME }} for the product's own port NAME"

// Placeholders returns the placeholders of SQL text, and the malformed
// ones, in order. Most SQL has none and is not read past a search for
// "{{".
func Placeholders(sql string) []Placeholder {
	if !strings.Contains(sql, "{{") {
		return nil
	}
	var out []Placeholder
	for i := 0; i < len(sql); {
		if end, what := skipQuoted(sql, i); end > i {
			for j := i; ; {
				k := strings.Index(sql[j:end], "{{")
				if k < 0 {
					break
				}
				j += k
				if m := tablePlaceholder.FindStringSubmatch(sql[j:end]); m != nil {
					out = append(out, Placeholder{Kind: m[1], Name: m[2], Start: j, End: j + len(m[0]),
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
		if m := tablePlaceholder.FindStringSubmatch(sql[i:]); m != nil {
			out = append(out, Placeholder{Kind: m[1], Name: m[2], Start: i, End: i + len(m[0])})
			i += len(m[0])
			continue
		}
		p := malformed(sql, i)
		out = append(out, p)
		i = p.End
	}
	return out
}

// malformed reads the "{{" at sql[i:] that starts no placeholder, up to
// the "}}" that closes it on its line, and says what is wrong with it.
func malformed(sql string, i int) Placeholder {
	p := Placeholder{Start: i, End: i + 2}
	line := sql[i:]
	if k := strings.IndexByte(line, '\n'); k >= 0 {
		line = line[:k]
	}
	k := strings.Index(line[2:], "}}")
	if k < 0 {
		p.Err = fmt.Sprintf("%s is not closed by }} on its line: %s", clip(line), placeholderForms)
		return p
	}
	p.End = i + 2 + k + 2
	written, inside := sql[p.Start:p.End], line[2:2+k]
	if what, found := oddSpace(inside); found {
		p.Err = fmt.Sprintf("%s holds %s, which looks like a space but is none to meshc (a word processor, a web page or a chat may have put it there): write the placeholder with plain spaces, or none, between the braces and the name", written, what)
		return p
	}
	if name := strings.TrimSpace(inside); bareName.MatchString(name) {
		p.Name = name
		p.Err = fmt.Sprintf("%s names neither an input nor a port: write {{ input.%s }} for the table that the product's input %s reads, or {{ port.%s }} for the product's own port %s", written, name, name, name, name)
		return p
	}
	p.Err = fmt.Sprintf("%s is not a placeholder: %s", clip(written), placeholderForms)
	return p
}

// oddSpace returns what the first character of s is that looks like a
// space, or nothing, but is neither a space nor a tab: a non-breaking
// space, which editors and chats put in text copied from them, or one of
// Unicode's other spaces and invisible characters.
func oddSpace(s string) (string, bool) {
	for _, r := range s {
		switch {
		case r == '\u00a0' || r == '\u2007' || r == '\u202f':
			return fmt.Sprintf("a non-breaking space (U+%04X)", r), true
		case r > unicode.MaxASCII && unicode.IsSpace(r):
			return fmt.Sprintf("a Unicode space (U+%04X)", r), true
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("an invisible character (U+%04X)", r), true
		}
	}
	return "", false
}

// PlaceholderIn returns where the first {{ input.NAME }} or
// {{ port.NAME }} is in text that is not SQL, such as a test's string
// argument, which meshc writes as a quoted string, where it would stay as
// written; found is false when there is none. Other braces are the
// text's own.
func PlaceholderIn(text string) (start, end int, found bool) {
	for i := 0; ; i++ {
		k := strings.Index(text[i:], "{{")
		if k < 0 {
			return 0, 0, false
		}
		i += k
		if m := tablePlaceholder.FindStringIndex(text[i:]); m != nil {
			return i, i + m[1], true
		}
	}
}

// Fill returns SQL text with each placeholder replaced by the table's
// name that table gives, quoted already; it fails on a malformed
// placeholder or one that table does not know.
func Fill(sql string, table func(kind, name string) (string, bool)) (string, error) {
	ps := Placeholders(sql)
	if len(ps) == 0 {
		return sql, nil
	}
	var b strings.Builder
	last := 0
	for _, p := range ps {
		if p.Err != "" {
			return "", fmt.Errorf("%s", p.Err)
		}
		name, ok := table(p.Kind, p.Name)
		if !ok {
			return "", fmt.Errorf("%s names no %s of the product", sql[p.Start:p.End], p.Kind)
		}
		b.WriteString(sql[last:p.Start])
		b.WriteString(name)
		last = p.End
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}
