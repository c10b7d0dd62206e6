package snowsql

import "strings"

// FirstWord returns the first word of SQL text in upper case, past white
// space, comments (--, // and /* */) and opening parentheses: the
// statement's keyword, such as SELECT, WITH or DELETE. It is "" when the
// text starts with anything else, such as a quote or a number.
func FirstWord[T ~string | ~[]byte](sql T) string {
	i := 0
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '(':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-', c == '/' && i+1 < len(sql) && sql[i+1] == '/':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			i += 2
			for i < len(sql) && !(sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/') {
				i++
			}
			i += 2
		default:
			start := i
			for i < len(sql) && (sql[i] == '_' || 'a' <= sql[i]|0x20 && sql[i]|0x20 <= 'z') {
				i++
			}
			return strings.ToUpper(string(sql[start:i]))
		}
	}
	return ""
}
