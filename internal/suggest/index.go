package suggest

import (
	"strings"
	"unicode/utf8"
)

// Index answers Nearest for one list of candidates, asked about many
// names: a domain of tens of thousands of products whose readers all
// misspell them, or a wide port whose columns its readers name wrong.
// Nearest compares a name with every candidate, so those meshes took time
// in the square of their size; an Index finds the same answer by walking
// a trie of the candidates, where a prefix shared by many is compared
// once and a prefix too far from every prefix of the name ends the walk
// below it.
//
// An Index does not change once made, so goroutines may ask at once. It
// costs about as much to make as fifteen or twenty Nearests over the list
// (BenchmarkScope), so it is for lists asked about many times: List
// makes one when a list has been.
type Index struct {
	candidates []string
	// nodes is the trie; nodes[0] is the root, for the empty prefix. A
	// node's children are a list through next, in no particular order.
	nodes []trieNode
	// runes is how many runes the candidates hold: about what Nearest
	// works through for a name, which the walks of the trie for it are
	// not let spend more than a quarter of.
	runes int
	// runeErrors is set when a candidate holds U+FFFD or a byte that is
	// not UTF-8 (read as U+FFFD): see Nearest.
	runeErrors bool
	// budget is how many cells of the table the walks for one name may
	// work out before Nearest is asked instead: a quarter of runes (tests
	// lift it, to check the walks themselves).
	budget int
}

type trieNode struct {
	r           rune  // the prefix's last rune; none at the root
	child, next int32 // the first child and the next sibling; 0 for none
	// ends is the first candidate (its index in the list) whose runes
	// are the prefix, or -1; least is the first candidate under the node.
	// Ties go to the first candidate, so a later one that spells the
	// same runes is never the answer, and a subtree whose least is after
	// the best found so far can only hold strictly nearer answers.
	ends, least int32
	// shortest and longest are the fewest and most runes of the
	// candidates under the node.
	shortest, longest int32
}

// NewIndex indexes candidates for Nearest. The list is copied; ties go to
// the candidate listed first, as with Nearest.
func NewIndex(candidates []string) *Index {
	runes := 0
	for _, c := range candidates {
		runes += len(c)
	}
	ix := &Index{
		candidates: append([]string(nil), candidates...),
		nodes:      make([]trieNode, 1, 1+runes/2),
	}
	ix.nodes[0] = newNode(0, -1, 0)
	var path []int32 // the nodes a candidate goes through
	for i, c := range ix.candidates {
		ix.runeErrors = ix.runeErrors || strings.ContainsRune(c, utf8.RuneError)
		path = append(path[:0], 0)
		for _, r := range c { // runes as Nearest reads them: a bad byte is U+FFFD
			path = append(path, ix.child(path[len(path)-1], r, int32(i)))
		}
		runes := int32(len(path) - 1)
		ix.runes += int(runes)
		for _, at := range path {
			n := &ix.nodes[at]
			if n.least < 0 {
				n.least = int32(i)
			}
			n.shortest, n.longest = min(n.shortest, runes), max(n.longest, runes)
		}
		if end := &ix.nodes[path[len(path)-1]]; end.ends < 0 {
			end.ends = int32(i)
		}
	}
	ix.budget = ix.runes / 4
	return ix
}

// child returns the child of node at for the rune r, adding it for
// candidate i when there is none. Most nodes have a child or two, and
// the root a few dozen, so looking through them is quicker than a map.
func (ix *Index) child(at int32, r rune, i int32) int32 {
	for c := ix.nodes[at].child; c != 0; c = ix.nodes[c].next {
		if ix.nodes[c].r == r {
			return c
		}
	}
	c := int32(len(ix.nodes))
	ix.nodes = append(ix.nodes, newNode(r, i, ix.nodes[at].child))
	ix.nodes[at].child = c
	return c
}

// newNode is a trie node for the rune r, first reached by candidate
// first (-1: none yet), before sibling next.
func newNode(r rune, first, next int32) trieNode {
	return trieNode{r: r, next: next, ends: -1, least: first, shortest: 1 << 30}
}

// Nearest returns what Nearest(name, candidates) does for the indexed
// candidates.
func (ix *Index) Nearest(name string) string {
	// Nearest passes over candidates whose length in bytes differs from
	// name's by more than four a rune of the bound, which is exact for
	// UTF-8 but not for U+FFFD, which is three bytes, or one when read
	// from a bad byte: a name and a candidate that both hold it are
	// compared as Nearest compares them, to give its answer.
	if ix.runeErrors && strings.ContainsRune(name, utf8.RuneError) {
		return Nearest(name, ix.candidates)
	}
	// A walk keeps a row of the table for each rune of the deepest
	// prefix it may reach, the name's length and more, so its memory
	// grows with the square of the name's: a name longer than Nearest's
	// quick comparison takes (a mistake of 10,000 runes would need half
	// a gigabyte) is left to Nearest, which passes over the candidates
	// of other lengths.
	if utf8.RuneCountInString(name) > 64 {
		return Nearest(name, ix.candidates)
	}
	w := newWalk(name)
	// Most mistakes are an edit or two from what was meant, and the
	// fewer edits allowed, the less of the trie is near enough to walk:
	// look for candidates as near as the name itself first, then one
	// edit away, then two, and stop at the first that finds one, whose
	// candidates are then all nearest.
	if end := ix.lookUp(w.name); end >= 0 {
		return ix.candidates[end]
	}
	// A name unlike any candidate is the worst case: every walk up to
	// the bound, which allows a third of the name in edits, and a long
	// name is that many edits from the first few runes of every
	// candidate. Once the walks have worked out as many cells of the
	// table as a quarter of the runes of the candidates, which costs about
	// half of what Nearest does (a cell costs about two of its runes),
	// Nearest is quicker.
	w.budget = ix.budget
	for w.cap = 1; w.cap <= w.bound; w.cap++ {
		w.init()
		w.visit(ix, 0, 0, 0)
		if w.budget < 0 {
			return Nearest(name, ix.candidates)
		}
		if w.best >= 0 {
			return ix.candidates[w.best]
		}
	}
	return ""
}

// lookUp returns the first candidate spelt with runes, or -1.
func (ix *Index) lookUp(runes []rune) int32 {
	at := int32(0)
next:
	for _, r := range runes {
		for c := ix.nodes[at].child; c != 0; c = ix.nodes[c].next {
			if ix.nodes[c].r == r {
				at = c
				continue next
			}
		}
		return -1
	}
	return ix.nodes[at].ends
}

// DidYouMean returns what DidYouMean(name, candidates) does for the
// indexed candidates.
func (ix *Index) DidYouMean(name string) string {
	return meant(ix.Nearest(name))
}

// walk is one search of the trie for the candidates nearest a name
// within cap edits. Each node visited has a row of the edit distance
// table: the distances between its prefix and each prefix of the name,
// capped at cap plus one, made from its parent's row and, for swaps, its
// grandparent's.
type walk struct {
	name []rune
	// bound is the most edits still worth a suggestion, and cap the most
	// this walk looks for.
	bound, cap int32
	// rows holds a row for each depth of the walk, the name's length
	// plus one apart.
	rows []int32
	// best is the nearest candidate found so far, -1 for none, and dist
	// its distance.
	best, dist int32
	// budget is how many more cells the walks may work out; below zero,
	// the walk has given up.
	budget int
}

func newWalk(name string) *walk {
	w := &walk{name: []rune(name)}
	w.bound = int32(max(1, len(w.name)/3))
	// The walk goes no deeper than the name's length plus the bound: a
	// prefix longer than that is more edits from every prefix of the
	// name.
	w.rows = make([]int32, (len(w.name)+1)*(len(w.name)+int(w.bound)+2))
	return w
}

// init readies the walk for a new cap: no candidate found, and the root's
// row.
func (w *walk) init() {
	w.best = -1
	for i := range len(w.name) + 1 {
		w.rows[i] = min(int32(i), w.cap+1)
	}
}

// within is the most edits a candidate may be from the name to be the
// answer: the cap, or once one is found, as many edits as the best for a
// candidate listed before it, fewer for one after.
func (w *walk) within(candidate int32) int32 {
	switch {
	case w.best < 0:
		return w.cap
	case candidate < w.best:
		return w.dist
	}
	return w.dist - 1
}

// visit looks under node n, at depth runes, whose parent's rune is up.
// The root's row is made by init; every other's here.
func (w *walk) visit(ix *Index, n int32, depth int, up rune) {
	if w.budget < 0 {
		return
	}
	node := &ix.nodes[n]
	size := len(w.name)
	width := size + 1
	row := w.rows[depth*width : (depth+1)*width]
	over := w.cap + 1
	// A candidate under the node is at least as far from the name as
	// the least, over the row's cells i, of the cell plus the difference
	// in length between what is left of the name, size-i runes, and
	// what is left of the candidate, fewest to most runes: a path
	// through the table passes through the row, or (a swap) jumps it
	// from a cell no nearer than the row's next to it (tableDistance
	// says why).
	fewest, most := node.shortest-int32(depth), node.longest-int32(depth)
	remainder := func(i int) int32 {
		left := int32(size - i)
		return max(fewest-left, left-most, 0)
	}
	row[0] = min(int32(depth), over)
	nearest := row[0] + remainder(0)
	// Cells more than cap from the diagonal are over it: only the band
	// between is worked out, and the cells either side of it set over
	// for the next rows to read.
	lo, hi := max(1, depth-int(w.cap)), min(size, depth+int(w.cap))
	if depth == 0 {
		for i := lo; i <= hi; i++ {
			nearest = min(nearest, row[i]+remainder(i))
		}
	} else {
		last := w.rows[(depth-1)*width : depth*width]
		var twoBack []int32
		if depth > 1 {
			twoBack = w.rows[(depth-2)*width : (depth-1)*width]
		}
		if lo > 1 {
			row[lo-1] = over
		}
		if hi < size {
			row[hi+1] = over
		}
		r := node.r
		w.budget -= hi - lo + 1
		for i := lo; i <= hi; i++ {
			cost := int32(1)
			if w.name[i-1] == r {
				cost = 0
			}
			v := min(last[i]+1, row[i-1]+1, last[i-1]+cost)
			if twoBack != nil && i > 1 && w.name[i-1] == up && w.name[i-2] == r {
				v = min(v, twoBack[i-2]+1)
			}
			row[i] = min(v, over)
			nearest = min(nearest, row[i]+remainder(i))
		}
	}
	if nearest > w.within(node.least) {
		return
	}
	if node.ends >= 0 {
		d := over // the last cell, when the band leaves it out
		if size == 0 || (lo <= size && size <= hi) {
			d = row[size]
		}
		if d <= w.within(node.ends) {
			w.best, w.dist = node.ends, d
		}
	}
	for c := node.child; c != 0; c = ix.nodes[c].next {
		w.visit(ix, c, depth+1, node.r)
	}
}
