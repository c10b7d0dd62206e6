package airflow

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyString is the one way a string from the mesh reaches Python: as a
// string literal that Python reads back as exactly s. Text on one line
// becomes "..."; text on several lines a triple-quoted literal, one source
// line per line, so that SQL and scripts read as themselves in review.
//
// Inside the literal, backslashes and the double quotes that could end it
// are escaped, so no user text can end it early, and every character that is not printable
// (controls, and format characters such as the bidirectional overrides of
// "Trojan source") is written as an escape. Newlines are the only raw
// control characters, and only in the triple-quoted form.
func pyString(s string) string {
	var b strings.Builder
	multi := strings.Contains(strings.TrimSuffix(s, "\n"), "\n")
	if multi {
		// The backslash after the opening quotes continues the line, so
		// the text starts on a line of its own without a leading newline.
		b.WriteString(`"""\` + "\n")
	} else {
		b.WriteByte('"')
	}
	b.Grow(len(s) + 8)
	quotes := 0 // unescaped quotes just written, in a triple-quoted literal
	for i := 0; i < len(s); {
		// Most text is printable ASCII, which is written as it is: copy
		// each run of it whole.
		if j := i + plainRun(s[i:], multi); j > i {
			b.WriteString(s[i:j])
			quotes, i = 0, j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r != '"' {
			quotes = 0
		}
		switch {
		case r == utf8.RuneError && size == 1:
			// Not UTF-8 (the loader rejects such files): keep the byte's
			// value rather than guess a character.
			fmt.Fprintf(&b, `\x%02x`, s[i-1])
		case r == '"' && multi && quotes < 2 && i < len(s):
			// In a triple-quoted literal, a quote needs escaping only
			// where it would make three in a row, or touch the closing
			// quotes.
			quotes++
			b.WriteByte('"')
		case r == '\\' || r == '"':
			quotes = 0
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n' && multi:
			b.WriteByte('\n')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unicode.IsPrint(r):
			b.WriteRune(r)
		case unicode.IsPrint(r) && !unicode.Is(unicode.Cf, r):
			b.WriteRune(r)
		case r <= 0xFF:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	if multi {
		if !strings.HasSuffix(s, "\n") {
			b.WriteString(`\` + "\n") // end the text without a newline
		}
		b.WriteString(`"""`)
	} else {
		b.WriteByte('"')
	}
	return b.String()
}

// plainRun returns how many bytes at the start of s need no escape: printable
// ASCII other than quotes and backslashes, and newlines in a triple-quoted
// literal.
func plainRun(s string, multi bool) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < ' ' || c > '~' || c == '"' || c == '\\') && (c != '\n' || !multi) {
			return i
		}
	}
	return len(s)
}

// templateExtensions are the endings that make Airflow read a templated
// string as the name of a template file (the template_ext of the
// operators meshc uses: .sql and .hql for SQL, .sh and .bash for Bash,
// .json for query parameters).
var templateExtensions = []string{".sql", ".hql", ".sh", ".bash", ".json"}

// literal makes text that Airflow renders as a Jinja template render to
// exactly s. Airflow renders an operator's templated fields (the SQL, the
// Bash command and its environment) with Jinja before running it, so a
// {{ ... }} in the mesh's SQL would run as a template expression; meshc's
// strings are never templates. Each "{{", "{%" and "{#" is written as a
// Jinja expression printing it, and a string that ends like a template
// file's name has its last letter printed the same way, so that Airflow
// does not take it for a file to load.
func literal(s string) string {
	out := s
	if strings.Contains(s, "{") {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '{' && i+1 < len(s) && strings.IndexByte("{%#", s[i+1]) >= 0 {
				b.WriteString("{{ '" + s[i:i+2] + "' }}")
				i++
				continue
			}
			b.WriteByte(s[i])
		}
		out = b.String()
	}
	for _, ext := range templateExtensions {
		if strings.HasSuffix(out, ext) {
			// Extensions end in a letter, which needs no quoting.
			return out[:len(out)-1] + "{{ '" + out[len(out)-1:] + "' }}"
		}
	}
	return out
}
