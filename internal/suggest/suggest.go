// Package suggest finds the name a user most likely meant, for the "did you
// mean" part of diagnostics.
package suggest

import "fmt"

// Nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo: a third of name's length in
// edits, and at least one. Ties go to the candidate listed first, so
// callers pass candidates in a stable order.
//
// A scope may hold thousands of names, and a renamed product as many
// mistaken references to it, so a comparison reuses the buffers of the
// one before and stops as soon as the candidate cannot beat the best
// found so far.
func Nearest(name string, candidates []string) string {
	m := matcher{name: []rune(name)}
	bound := max(1, len(m.name)/3) // the most edits still worth a suggestion
	best := ""
	for _, c := range candidates {
		// The distance is at least the difference in length, and a rune
		// is one to four bytes: skip the candidates that cannot be close,
		// which is nearly all of them in a large scope.
		if diff := len(c) - len(name); diff > bound*4 || -diff > bound*4 {
			continue
		}
		if d := m.distance(c, bound); d <= bound {
			best, bound = c, d-1 // a later candidate must be nearer
			if bound < 0 {
				break
			}
		}
	}
	return best
}

// DidYouMean returns ` Did you mean "x"?` for the nearest candidate, or "".
func DidYouMean(name string, candidates []string) string {
	if n := Nearest(name, candidates); n != "" {
		return fmt.Sprintf(" Did you mean %q?", n)
	}
	return ""
}

// matcher compares one name with candidates, reusing its buffers. The
// distance is in runes, counting an insertion, a deletion, a substitution
// or a swap of two neighbours as one edit (the optimal string alignment
// distance): "rwa" is one edit from "raw".
type matcher struct {
	name, other []rune
	rows        []int
}

// distance returns the edit distance between the matcher's name and b when
// it is at most bound, and bound+1 otherwise. Every cell is capped at
// bound+1: the table only adds to and takes the least of earlier cells, so
// a capped cell holds the least of its true value and bound+1.
func (m *matcher) distance(b string, bound int) int {
	a := m.name
	m.other = appendRunes(m.other[:0], b)
	o := m.other
	over := bound + 1
	if len(a)-len(o) >= over || len(o)-len(a) >= over {
		return over
	}
	// Three rows of the table: two back (for swaps), the last, this one.
	n := len(o) + 1
	if cap(m.rows) < 3*n {
		m.rows = make([]int, 3*n)
	}
	twoBack, last, row := m.rows[:n], m.rows[n:2*n], m.rows[2*n:3*n]
	for j := range last {
		last[j] = min(j, over)
	}
	for i := 1; i <= len(a); i++ {
		row[0] = min(i, over)
		least := row[0]
		for j := 1; j < n; j++ {
			cost := 1
			if a[i-1] == o[j-1] {
				cost = 0
			}
			v := min(last[j]+1, row[j-1]+1, last[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == o[j-2] && a[i-2] == o[j-1] {
				v = min(v, twoBack[j-2]+1)
			}
			row[j] = min(v, over)
			least = min(least, row[j])
		}
		// A cell comes from its left neighbour, from the last row, or
		// (a swap) from a cell two rows back plus one; that cell is at
		// least the last row's cell diagonally after it, less one. So
		// once a row is all over the bound, so is the rest of the table.
		if least >= over {
			return over
		}
		twoBack, last, row = last, row, twoBack
	}
	return last[n-1]
}

// appendRunes appends the runes of s to buf.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}
