package output

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
)

// Diff returns what Write would change in dir as a unified diff, in the
// form of diff -u and git diff ("--- a/PATH", "+++ b/PATH", /dev/null for a
// created or removed file, 3 lines of context), for meshc build --check. The
// text is empty when nothing would change. Diff reads only.
func Diff(dir string, files []File) ([]byte, *Changes, error) {
	p, err := makePlan(dir, files)
	if err != nil {
		return nil, nil, err
	}
	type change struct{ rel, oldName, newName string }
	var changes []change
	for _, rel := range p.changes.Create {
		changes = append(changes, change{rel, "/dev/null", "b/" + rel})
	}
	for _, rel := range p.changes.Update {
		changes = append(changes, change{rel, "a/" + rel, "b/" + rel})
	}
	for _, rel := range p.changes.Remove {
		changes = append(changes, change{rel, "a/" + rel, "/dev/null"})
	}
	slices.SortFunc(changes, func(a, b change) int { return strings.Compare(a.rel, b.rel) })

	var out bytes.Buffer
	for _, c := range changes {
		oldData, newData := p.old[c.rel], p.data[c.rel]
		if c.newName == "/dev/null" {
			// Plan read only the top of a stale file.
			if oldData, err = os.ReadFile(p.abs(c.rel)); err != nil {
				return nil, nil, err
			}
			newData = nil
		}
		writeUnified(&out, c.oldName, c.newName, splitLines(oldData), splitLines(newData))
	}
	return out.Bytes(), &p.changes, nil
}

// contextLines is how many unchanged lines a hunk shows around a change.
const contextLines = 3

// maxEdits bounds the work of the line diff. Myers' algorithm takes time
// and memory that grow with the square of the number of changed lines; past
// this many, the diff shows the changed middle as wholly replaced, which is
// still correct, and for a file rewritten that much, hardly less readable.
const maxEdits = 2000

// The operations of an edit script, one per line, as a unified diff
// prefixes them.
const (
	opKeep   = ' '
	opDelete = '-'
	opInsert = '+'
)

// writeUnified writes the diff of two files' lines: the two header lines,
// then the hunks.
func writeUnified(out *bytes.Buffer, oldName, newName string, a, b []string) {
	fmt.Fprintf(out, "--- %s\n+++ %s\n", oldName, newName)
	ops := editScript(a, b, maxEdits)

	// before[i] is how many lines of a and of b come before ops[i].
	type position struct{ a, b int }
	before := make([]position, len(ops)+1)
	for i, op := range ops {
		before[i+1] = before[i]
		if op != opInsert {
			before[i+1].a++
		}
		if op != opDelete {
			before[i+1].b++
		}
	}

	for i := 0; i < len(ops); {
		for i < len(ops) && ops[i] == opKeep {
			i++
		}
		if i == len(ops) {
			break
		}
		// A hunk runs from context before its first change to context
		// after its last, taking in every change that is separated
		// from the one before it by no more than two contexts' worth
		// of unchanged lines, as diff -u does.
		start, end := max(0, i-contextLines), i
		for {
			for end < len(ops) && ops[end] != opKeep {
				end++
			}
			next := end
			for next < len(ops) && ops[next] == opKeep {
				next++
			}
			if next == len(ops) || next-end > 2*contextLines {
				break
			}
			end = next
		}
		end = min(len(ops), end+contextLines)

		from, to := before[start], before[end]
		fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(from.a, to.a-from.a), hunkRange(from.b, to.b-from.b))
		for j := start; j < end; j++ {
			var line string
			if ops[j] == opDelete {
				line = a[before[j].a]
			} else {
				line = b[before[j].b]
			}
			out.WriteByte(ops[j])
			out.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
}

// hunkRange formats the lines a hunk covers in one file as diff -u does:
// "start,count" with start counted from 1, just "start" for one line, and
// for no lines the number of the line before the hunk, with count 0.
func hunkRange(linesBefore, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", linesBefore)
	case 1:
		return fmt.Sprint(linesBefore + 1)
	}
	return fmt.Sprintf("%d,%d", linesBefore+1, count)
}

// splitLines splits data after each newline. The last line lacks its
// newline if the data does, so that a diff can tell "a\n" from "a".
func splitLines(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		lines = append(lines, string(data[:n]))
		data = data[n:]
	}
	return lines
}

// editScript returns the operations that turn a into b: one keep or delete
// per line of a and one keep or insert per line of b, in order, with as few
// deletes and inserts as possible, unless that takes more than limit of
// them.
func editScript(a, b []string, limit int) []byte {
	// Generated files mostly change in a few places: trimming the
	// common ends first keeps the search small.
	prefix := 0
	for prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	suffix := 0
	for suffix < len(a)-prefix && suffix < len(b)-prefix && a[len(a)-1-suffix] == b[len(b)-1-suffix] {
		suffix++
	}
	ops := bytes.Repeat([]byte{opKeep}, prefix)
	ops = append(ops, myers(a[prefix:len(a)-suffix], b[prefix:len(b)-suffix], limit)...)
	return append(ops, bytes.Repeat([]byte{opKeep}, suffix)...)
}

// myers is Eugene Myers' O(ND) shortest edit script ("An O(ND) Difference
// Algorithm and Its Variations", 1986). It searches for the furthest point
// reachable on each diagonal k = x-y with d edits, for d = 0, 1, ..., then
// walks back through the saved frontiers to recover the path.
func myers(a, b []string, limit int) []byte {
	n, m := len(a), len(b)
	offset := n + m + 1
	// frontier[offset+k] is the furthest x reached on diagonal k.
	frontier := make([]int, 2*offset+1)
	// trace[d] is the frontier on diagonals -d..d before step d, which
	// is all that walking back through step d reads.
	var trace [][]int
	for d := 0; d <= n+m; d++ {
		if d > limit {
			return replaceAll(n, m)
		}
		trace = append(trace, slices.Clone(frontier[offset-d:offset+d+1]))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && frontier[offset+k-1] < frontier[offset+k+1]) {
				x = frontier[offset+k+1] // down from diagonal k+1: insert b[y-1]
			} else {
				x = frontier[offset+k-1] + 1 // right from diagonal k-1: delete a[x-1]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			frontier[offset+k] = x
			if x >= n && y >= m {
				return walkBack(trace, n, m)
			}
		}
	}
	panic("unreachable: n+m edits always suffice")
}

// walkBack recovers the edit script from the frontiers that myers saved,
// from the end of both files back to their start.
func walkBack(trace [][]int, n, m int) []byte {
	var ops []byte // in reverse
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		at := func(k int) int { return trace[d][k+d] }
		k := x - y
		prevK := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			ops = append(ops, opKeep)
			x, y = x-1, y-1
		}
		if x == prevX {
			ops = append(ops, opInsert)
		} else {
			ops = append(ops, opDelete)
		}
		x, y = prevX, prevY
	}
	for range x {
		ops = append(ops, opKeep)
	}
	slices.Reverse(ops)
	return ops
}

// replaceAll is the edit script that deletes all n lines and inserts all m.
func replaceAll(n, m int) []byte {
	return append(bytes.Repeat([]byte{opDelete}, n), bytes.Repeat([]byte{opInsert}, m)...)
}
