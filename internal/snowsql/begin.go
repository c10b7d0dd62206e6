package snowsql

import (
	"strings"
	"unicode"
)

// BlockBegin finds the first statement of a script that starts a
// transaction with BEGIN without TRANSACTION: BEGIN alone, BEGIN WORK, or
// either with NAME. Snowflake runs such a statement as a transaction
// start (BEGIN), but inside a Snowflake Scripting block, BEGIN opens a
// block of its own, which "must not be followed immediately by a
// semicolon" (BEGIN ... END, usage notes), and only BEGIN TRANSACTION
// starts a transaction. START TRANSACTION is not found: START opens no
// block. It returns the bytes from BEGIN to the end of the statement's
// last word, the statement's words as written but without the comments
// between them (a quoted NAME kept whole, spaces and all), and ok.
func BlockBegin(script string) (start, end int, words []string, ok bool) {
	type word struct{ start, end int }
	var found []word
	plain := true // the statement holds only words
	check := func() bool {
		if !plain || len(found) == 0 || !strings.EqualFold(script[found[0].start:found[0].end], "BEGIN") {
			return false
		}
		rest := found[1:]
		if len(rest) > 0 && strings.EqualFold(script[rest[0].start:rest[0].end], "WORK") {
			rest = rest[1:]
		}
		if len(rest) == 2 && strings.EqualFold(script[rest[0].start:rest[0].end], "NAME") {
			rest = rest[2:]
		}
		return len(rest) == 0
	}
	texts := func() []string {
		var out []string
		for _, w := range found {
			out = append(out, script[w.start:w.end])
		}
		return out
	}
	for i := 0; i < len(script); {
		if j, what := skipQuoted(script, i); j > i {
			if what == "a quoted identifier" { // a transaction's NAME may be one
				found = append(found, word{i, j})
			} else if what != "a comment" {
				plain = false
			}
			i = j
			continue
		}
		c := script[i]
		switch {
		case c == ';':
			if check() {
				return found[0].start, found[len(found)-1].end, texts(), true
			}
			found, plain = nil, true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isWordByte(c):
			j := i
			for j < len(script) && isWordByte(script[j]) {
				j++
			}
			found = append(found, word{i, j})
			i = j
		default:
			plain = false
			i++
		}
	}
	if check() { // the last statement, without its semicolon
		return found[0].start, found[len(found)-1].end, texts(), true
	}
	return 0, 0, nil, false
}

// isWordByte reports whether c may be part of an unquoted identifier or
// keyword: a letter, a digit, _ or $, or a byte of a character beyond
// ASCII.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}
