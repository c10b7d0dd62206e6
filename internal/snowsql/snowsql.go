// Package snowsql quotes names and values for Snowflake SQL. Every
// identifier and string literal that meshc writes into SQL, in rendered
// tests or in generated task scripts, goes through this package, so that no
// name or string from a mesh can change the meaning of a statement.
package snowsql

import (
	"fmt"
	"strings"
)

// IsIdentifier reports whether a name can be written without quotes:
// ^[A-Za-z_][A-Za-z0-9_$]*$, as Snowflake's identifier rules say, but not
// holding "$$". Snowflake's clients split a script into statements before
// the server reads it (the Python connector, and so SnowSQL, the Snowflake
// CLI, dbt and Airflow's Snowflake hook), and they take "$$" anywhere
// outside quotes for the start of a dollar-quoted string: AMT$$USD would
// swallow the script up to the next "$$". A loop rather than a regexp,
// since every name of every task is rendered through it.
func IsIdentifier(name string) bool {
	return identifierChars(name) && !strings.Contains(name, "$$")
}

// identifierChars reports whether name is made as Snowflake's unquoted
// identifiers are: a letter or underscore, then letters, digits,
// underscores and $.
func identifierChars(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= c && c <= '9' || c == '$'):
		default:
			return false
		}
	}
	return name != ""
}

// Ident renders one identifier. A name that Snowflake accepts unquoted is
// written as is, so that it keeps Snowflake's case-insensitive meaning
// (prescribers and PRESCRIBERS are one object). A reserved word, or a name
// holding "$$" (see IsIdentifier), is quoted in upper case, which names the
// same object as the unquoted name would if it could be written. Anything
// else is double-quoted with quotes doubled.
func Ident(name string) string {
	if IsIdentifier(name) {
		if len(name) <= longestReserved && reserved[strings.ToUpper(name)] {
			return `"` + strings.ToUpper(name) + `"`
		}
		return name
	}
	if identifierChars(name) { // it holds $$
		return `"` + strings.ToUpper(name) + `"`
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QualifiedName renders database.schema.name, skipping empty parts.
func QualifiedName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(Ident(p))
		}
	}
	return b.String()
}

// String renders a single-quoted string literal. Snowflake treats the
// backslash as an escape character in string literals, so it is doubled;
// a quote is doubled too. Control characters but the line break and the
// tab are written as \xhh escapes, which Snowflake reads back as the
// same characters: a script holding a raw NUL or terminal escape is one
// that editors, diffs and grep take for binary.
func String(s string) string {
	if !strings.ContainsAny(s, `\'`) && !strings.ContainsFunc(s, escaped) {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\'':
			b.WriteString(`''`)
		case escaped(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// escaped reports whether String writes r as an escape.
func escaped(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f }

// reserved lists Snowflake's reserved and limited keywords, which cannot be
// used as unquoted identifiers.
var reserved = map[string]bool{}

// longestReserved is the length of the longest reserved word: a longer
// name is none, and is not upper-cased to look it up.
var longestReserved int

func init() {
	for _, w := range strings.Fields(`ACCOUNT ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN
		CONNECT CONNECTION CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME
		CURRENT_TIMESTAMP CURRENT_USER DATABASE DELETE DISTINCT DROP ELSE EXISTS FALSE
		FOLLOWING FOR FROM FULL GRANT GROUP GSCLUSTER HAVING ILIKE IN INCREMENT INNER
		INSERT INTERSECT INTO IS ISSUE JOIN LATERAL LEFT LIKE LOCALTIME LOCALTIMESTAMP
		MINUS NATURAL NOT NULL OF ON OR ORDER ORGANIZATION QUALIFY REGEXP REVOKE RIGHT
		RLIKE ROW ROWS SAMPLE SCHEMA SELECT SET SOME START TABLE TABLESAMPLE THEN TO
		TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING VALUES VIEW WHEN WHENEVER WHERE
		WINDOW WITH`) {
		reserved[w] = true
		longestReserved = max(longestReserved, len(w))
	}
}
