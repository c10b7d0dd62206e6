package shell

import "strings"

// Fields splits a command line that Quote wrote into its words: words
// are separated by spaces, a single-quoted part belongs to the word
// around it, and a backslash outside quotes escapes the next character
// (Quote ends a quoted part to write a quote that way). It reads what
// Quote writes, not every shell syntax: no double quotes, no $.
func Fields(s string) []string {
	var words []string
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\'':
			quoted = false
		case quoted:
			word.WriteByte(c)
		case c == '\'':
			quoted, inWord = true, true
		case c == '\\' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
