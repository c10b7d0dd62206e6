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
// last word, and ok.
func BlockBegin(script string) (start, end int, ok bool) {
	type word struct{ start, end int }
	var words []word
	plain := true // the statement holds only words
	check := func() bool {
		if !plain || len(words) == 0 || !strings.EqualFold(script[words[0].start:words[0].end], "BEGIN") {
			return false
		}
		rest := words[1:]
		if len(rest) > 0 && strings.EqualFold(script[rest[0].start:rest[0].end], "WORK") {
			rest = rest[1:]
		}
		if len(rest) == 2 && strings.EqualFold(script[rest[0].start:rest[0].end], "NAME") {
			rest = rest[2:]
		}
		return len(rest) == 0
	}
	for i := 0; i < len(script); {
		if j, what := skipQuoted(script, i); j > i {
			if what == "a quoted identifier" { // a transaction's NAME may be one
				words = append(words, word{i, j})
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
				return words[0].start, words[len(words)-1].end, true
			}
			words, plain = nil, true
			i++
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isWordByte(c):
			j := i
			for j < len(script) && isWordByte(script[j]) {
				j++
			}
			words = append(words, word{i, j})
			i = j
		default:
			plain = false
			i++
		}
	}
	if check() { // the last statement, without its semicolon
		return words[0].start, words[len(words)-1].end, true
	}
	return 0, 0, false
}

// isWordByte reports whether c may be part of an unquoted identifier or
// keyword: a letter, a digit, _ or $, or a byte of a character beyond
// ASCII.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}
