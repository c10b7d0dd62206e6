// Package suggest finds the name a user most likely meant, for the "did you
// mean" part of diagnostics.
package suggest

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Nearest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo: a third of name's length in
// edits, and at least one. Ties go to the candidate listed first, so
// callers pass candidates in a stable order.
//
// A scope may hold thousands of names, and a mesh many mistaken names
// (stale waivers name objects among all the mesh's), so a candidate whose
// length rules it out is skipped, and the others cost a few operations on
// machine words a rune (bitDistance) rather than a table each.
func Nearest(name string, candidates []string) string {
	m := newMatcher(name)
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
	return meant(Nearest(name, candidates))
}

// meant is ` Did you mean "nearest"?`, or "" for no nearest.
func meant(nearest string) string {
	if nearest == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", nearest)
}

// matcher compares one name with candidates, reusing its buffers. The
// distance is in runes, counting an insertion, a deletion, a substitution
// or a swap of two neighbours as one edit (the optimal string alignment
// distance): "rwa" is one edit from "raw".
type matcher struct {
	name []rune
	// other and rows are tableDistance's buffers.
	other []rune
	rows  []int
	// For a name of 1 to 64 runes, where each rune occurs in it, a bit a
	// place (bitDistance): ascii for runes below 128, others in wide.
	ascii [128]uint64
	wide  map[rune]uint64
}

// newMatcher prepares the comparisons of name with candidates.
func newMatcher(name string) *matcher {
	m := &matcher{name: []rune(name)}
	if len(m.name) > 64 {
		return m
	}
	for i, r := range m.name {
		if r < 128 {
			m.ascii[r] |= 1 << i
			continue
		}
		if m.wide == nil {
			m.wide = map[rune]uint64{}
		}
		m.wide[r] |= 1 << i
	}
	return m
}

// distance returns the edit distance between the matcher's name and b when
// it is at most bound, and bound+1 otherwise.
func (m *matcher) distance(b string, bound int) int {
	over := bound + 1
	// The distance is at least the difference in length, which rules out
	// most of a large scope.
	n := utf8.RuneCountInString(b)
	if len(m.name)-n >= over || n-len(m.name) >= over {
		return over
	}
	if len(m.name) == 0 || len(m.name) > 64 {
		return m.tableDistance(b, over)
	}
	return m.bitDistance(b, n, over)
}

// bitDistance is distance for a name of 1 to 64 runes, by Hyyrö's
// bit-parallel algorithm for the optimal string alignment distance ("A
// bit-vector algorithm for computing Levenshtein and Damerau edit
// distances", 2003); b has runes runes, and over is the bound plus one. A
// column of the table is two words, the places where it goes up (vp) and
// down (vn) by one from the cell above, and each rune of b moves to the
// next column in a few operations on them rather than a pass down the
// name: on IDs of about the same length, 40 times faster than the table.
func (m *matcher) bitDistance(b string, runes, over int) int {
	last := uint64(1) << (len(m.name) - 1)
	vp, vn := ^uint64(0)>>(64-len(m.name)), uint64(0)
	var d0, prev uint64
	dist := len(m.name)
	for _, r := range b {
		runes--
		var pm uint64 // where r is in the name
		if r < 128 {
			pm = m.ascii[r]
		} else {
			pm = m.wide[r]
		}
		swap := (^d0 & pm) << 1 & prev
		d0 = ((pm & vp) + vp) ^ vp | pm | vn | swap
		hp, hn := vn|^(d0|vp), d0&vp
		switch {
		case hp&last != 0:
			dist++
		case hn&last != 0:
			dist--
		}
		// Each rune left can take the distance down by one at most.
		if dist-runes >= over {
			return over
		}
		hp, hn = hp<<1|1, hn<<1
		vp, vn = hn|^(d0|hp), d0&hp
		prev = pm
	}
	return min(dist, over)
}

// tableDistance is distance by the table itself, for a name bitDistance
// cannot take. Every cell is capped at over: the table only adds to and
// takes the least of earlier cells, so a capped cell holds the least of
// its true value and over.
func (m *matcher) tableDistance(b string, over int) int {
	a := m.name
	m.other = appendRunes(m.other[:0], b)
	o := m.other
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

// Function is DidYouMean for a call to an unknown function. A namespaced
// name, as HCL and Terraform write provider functions (core::upper), is
// read by its last part, since meshc's functions have no namespace.
func Function(name string, candidates []string) string {
	i := strings.LastIndex(name, "::")
	if i < 0 {
		return DidYouMean(name, candidates)
	}
	short := name[i+2:]
	if slices.Contains(candidates, short) {
		return fmt.Sprintf(" Functions here have no namespace: write %s(...).", short)
	}
	return DidYouMean(short, candidates)
}
