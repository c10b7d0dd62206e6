package snowsql

import (
	"unicode"
	"unicode/utf8"
)

// A Shape is what one pass over SQL text finds: what it leaves open at
// its end ("a quoted string", "a quoted identifier", "a $$ string" or "a
// comment", a /* with no */), and how many statements it holds, with where
// each starts, for messages. Text put after an open one would become part
// of it. (The tests hold it to a reading made of scanQuoted and Split.)
type Shape struct {
	// Open is what the text leaves open at its end, or "".
	Open string
	// OpenAt is where what is left open starts.
	OpenAt int
	// Statements is, when Open is "", what len(Split) returns: the
	// statements, but for empty ones and those holding only comments. A
	// semicolon that only ends the last one makes no other.
	Statements int
	// SecondAt is where the semicolon before the second statement is,
	// when there are several.
	SecondAt int
}

// byte classes, for ShapeOf's loop over the text outside quotes.
const (
	plainByte   = iota // a byte of a statement
	spaceByte          // ASCII white space, as unicode.IsSpace has it
	specialByte        // a byte that may start a quote or a comment, or end a statement
	wideByte           // a byte of a character beyond ASCII, which may be white space
)

var byteClass = func() (t [256]uint8) {
	for _, c := range "\t\n\v\f\r " {
		t[c] = spaceByte
	}
	for _, c := range `$-/'";` {
		t[c] = specialByte
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = wideByte
	}
	return t
}()

// ShapeOf finds sql's Shape in one pass: it is for text checked for each
// of many tests, several times faster than scanQuoted and Split together,
// and it makes nothing. It reads text of either kind, so
// that a caller that keeps no string need not make one.
func ShapeOf[T ~string | ~[]byte](sql T) Shape {
	var s Shape
	content := false // the statement being read holds more than comments and white space
	semicolon := -1  // where the last semicolon outside quotes is
	found := func() {
		if !content {
			content = true
			if s.Statements == 1 {
				s.SecondAt = semicolon
			}
		}
	}
	for i := 0; i < len(sql); {
		c := sql[i]
		switch byteClass[c] {
		case plainByte:
			found()
			// Inside a statement, white space is as good as any byte:
			// only the bytes that start or end something matter.
			for i++; i < len(sql) && byteClass[sql[i]] <= spaceByte; i++ {
			}
			continue
		case spaceByte:
			i++
			continue
		case wideByte:
			r, size := utf8.DecodeRuneInString(string(sql[i:min(i+utf8.UTFMax, len(sql))]))
			if !unicode.IsSpace(r) {
				found()
			}
			i += size
			continue
		}
		// The order of the cases is scanQuoted's.
		var next byte
		if i+1 < len(sql) {
			next = sql[i+1]
		}
		switch {
		case c == '$' && next == '$':
			end := indexPair(sql, i+2, '$', '$')
			if end < 0 {
				s.Open, s.OpenAt = "a $$ string", i
				return s
			}
			found()
			i = end + 2
		case c == '-' && next == '-', c == '/' && next == '/':
			i += 2
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && next == '*':
			end := indexPair(sql, i+2, '*', '/')
			if end < 0 {
				s.Open, s.OpenAt = "a comment", i
				return s
			}
			i = end + 2
		case c == '\'':
			found()
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == '\\' {
					j++
				} else if sql[j] == '\'' {
					if j+1 < len(sql) && sql[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(sql) {
				s.Open, s.OpenAt = "a quoted string", i
				return s
			}
			i = j + 1
		case c == '"':
			found()
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == '"' {
					if j+1 < len(sql) && sql[j+1] == '"' {
						j++
						continue
					}
					break
				}
			}
			if j >= len(sql) {
				s.Open, s.OpenAt = "a quoted identifier", i
				return s
			}
			i = j + 1
		case c == ';':
			if content {
				s.Statements++
				content = false
			}
			semicolon = i
			i++
		default: // a lone $, - or /
			found()
			i++
		}
	}
	if content {
		s.Statements++
	}
	return s
}

// indexPair returns where the first a followed by b is in sql from i on,
// or -1.
func indexPair[T ~string | ~[]byte](sql T, i int, a, b byte) int {
	for ; i+1 < len(sql); i++ {
		if sql[i] == a && sql[i+1] == b {
			return i
		}
	}
	return -1
}
