package output

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func unified(a, b string) string {
	var out bytes.Buffer
	writeUnified(&out, "a/f", "b/f", splitLines([]byte(a)), splitLines([]byte(b)))
	return out.String()
}

// numbered returns the lines "1" to "n", with some replaced by other text.
func numbered(n int, replace map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if r, ok := replace[i]; ok {
			b.WriteString(r + "\n")
		} else {
			fmt.Fprintf(&b, "%d\n", i)
		}
	}
	return b.String()
}

func TestWriteUnified(t *testing.T) {
	const header = "--- a/f\n+++ b/f\n"
	for _, tc := range []struct {
		name, a, b, want string
	}{
		{"equal", "x\ny\n", "x\ny\n", header},
		{"both empty", "", "", header},
		{"from empty", "", "x\ny\n", header + "@@ -0,0 +1,2 @@\n+x\n+y\n"},
		{"to empty", "x\ny\n", "", header + "@@ -1,2 +0,0 @@\n-x\n-y\n"},
		{"one line", "x\n", "y\n", header + "@@ -1 +1 @@\n-x\n+y\n"},
		{
			"context is three lines",
			numbered(10, nil),
			numbered(10, map[int]string{5: "five"}),
			header + "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
		},
		{
			"insert in the middle",
			numbered(8, nil),
			numbered(8, map[int]string{4: "4\nnew"}),
			header + "@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n",
		},
		{
			"changes six lines apart share a hunk",
			numbered(12, nil),
			numbered(12, map[int]string{2: "two", 9: "nine"}),
			header + "@@ -1,12 +1,12 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n 12\n",
		},
		{
			"changes seven lines apart get two hunks",
			numbered(13, nil),
			numbered(13, map[int]string{2: "two", 10: "ten"}),
			header + "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -7,7 +7,7 @@\n 7\n 8\n 9\n-10\n+ten\n 11\n 12\n 13\n",
		},
		{
			"newline added at end",
			"x\ny", "x\ny\n",
			header + "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n",
		},
		{
			"newline removed at end",
			"x\ny\n", "x\ny",
			header + "@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n",
		},
		{
			"unchanged last line without newline",
			"x\ny", "X\ny",
			header + "@@ -1,2 +1,2 @@\n-x\n+X\n y\n\\ No newline at end of file\n",
		},
		{
			// The same text as diff -u prints for these inputs.
			"like GNU diff",
			"a\nb\nc\n", "a\nB\nc",
			header + "@@ -1,3 +1,3 @@\n a\n-b\n-c\n+B\n+c\n\\ No newline at end of file\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, unified(tc.a, tc.b)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteUnifiedApplies checks on random inputs that applying the hunks to
// the old text gives the new text, and that the diff changes no more lines
// than it must.
func TestWriteUnifiedApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	randomText := func() string {
		var b strings.Builder
		for range r.IntN(25) {
			b.WriteString(string(rune('a'+r.IntN(4))) + "\n")
		}
		s := b.String()
		if s != "" && r.IntN(3) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for i := range 3000 {
		a, b := randomText(), randomText()
		if i%5 == 0 {
			b = mutate(r, a) // mostly alike, as successive builds are
		}
		d := unified(a, b)
		got, changed, err := applyUnified(a, d)
		if err != nil {
			t.Fatalf("diff of %q and %q does not apply: %v\n%s", a, b, err, d)
		}
		if got != b {
			t.Fatalf("diff of %q and %q applies to give %q\n%s", a, b, got, d)
		}
		la, lb := splitLines([]byte(a)), splitLines([]byte(b))
		if least := len(la) + len(lb) - 2*lcsLength(la, lb); changed != least {
			t.Fatalf("diff of %q and %q changes %d lines, but %d would do\n%s", a, b, changed, least, d)
		}
	}
}

// mutate changes a few lines of s.
func mutate(r *rand.Rand, s string) string {
	lines := splitLines([]byte(s))
	for range r.IntN(3) + 1 {
		i := r.IntN(len(lines) + 1)
		switch r.IntN(3) {
		case 0:
			lines = append(lines[:i], append([]string{"new\n"}, lines[i:]...)...)
		case 1:
			if i < len(lines) {
				lines = append(lines[:i], lines[i+1:]...)
			}
		case 2:
			if i < len(lines) {
				lines[i] = "changed\n"
			}
		}
	}
	return strings.Join(lines, "")
}

func lcsLength(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// applyUnified applies a diff of one file, as written by writeUnified, to
// old, checking every context and deleted line and every hunk's line counts.
// It returns the new text and how many lines were deleted or inserted.
func applyUnified(old, diff string) (string, int, error) {
	oldLines := splitLines([]byte(old))
	lines := splitLines([]byte(diff))
	if len(lines) < 2 || lines[0] != "--- a/f\n" || lines[1] != "+++ b/f\n" {
		return "", 0, fmt.Errorf("bad header")
	}
	lines = lines[2:]
	var out strings.Builder
	next, changed := 0, 0 // next unused line of old
	for len(lines) > 0 {
		m := hunkHeader.FindStringSubmatch(lines[0])
		if m == nil {
			return "", 0, fmt.Errorf("bad hunk header %q", lines[0])
		}
		oldStart, oldCount := parseRange(m[1], m[2])
		newStart, newCount := parseRange(m[3], m[4])
		lines = lines[1:]

		// Body lines, with the newline that "\ No newline" denies removed.
		var body []string
		for len(lines) > 0 && !strings.HasPrefix(lines[0], "@@") {
			if strings.HasPrefix(lines[0], `\`) {
				if len(body) == 0 || lines[0] != "\\ No newline at end of file\n" {
					return "", 0, fmt.Errorf("misplaced %q", lines[0])
				}
				body[len(body)-1] = strings.TrimSuffix(body[len(body)-1], "\n")
			} else {
				body = append(body, lines[0])
			}
			lines = lines[1:]
		}

		first := oldStart - 1 // where the hunk's old lines begin
		if oldCount == 0 {
			first = oldStart
		}
		if first < next || first > len(oldLines) {
			return "", 0, fmt.Errorf("hunk at old line %d out of order", oldStart)
		}
		for _, l := range oldLines[next:first] {
			out.WriteString(l)
		}
		next = first
		if got := countLines(out.String()); newCount > 0 && got != newStart-1 || newCount == 0 && got != newStart {
			return "", 0, fmt.Errorf("hunk says new line %d, but it is line %d", newStart, got+1)
		}
		seenOld, seenNew := 0, 0
		for _, l := range body {
			op, text := l[0], l[1:]
			if op != '+' {
				if next >= len(oldLines) || oldLines[next] != text {
					return "", 0, fmt.Errorf("line %d of old is not %q", next+1, text)
				}
				next++
				seenOld++
			}
			if op != '-' {
				out.WriteString(text)
				seenNew++
			}
			if op != ' ' {
				changed++
			}
		}
		if seenOld != oldCount || seenNew != newCount {
			return "", 0, fmt.Errorf("hunk says -%d +%d lines, but has -%d +%d", oldCount, newCount, seenOld, seenNew)
		}
	}
	for _, l := range oldLines[next:] {
		out.WriteString(l)
	}
	return out.String(), changed, nil
}

func countLines(s string) int { return len(splitLines([]byte(s))) }

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$`)

// parseRange reads the start and optional count of a hunk header's range.
func parseRange(start, count string) (int, int) {
	s, _ := strconv.Atoi(start)
	if count == "" {
		return s, 1
	}
	c, _ := strconv.Atoi(count)
	return s, c
}

// TestEditScriptLimit checks that past its limit the line diff still gives
// a correct, if longer, edit script.
func TestEditScriptLimit(t *testing.T) {
	a := splitLines([]byte("same\na\nb\nc\nd\nsame\n"))
	b := splitLines([]byte("same\nb\nx\nd\ny\nsame\n"))
	for _, limit := range []int{0, 1, 2, 100} {
		ops := editScript(a, b, limit)
		var gotA, gotB []string
		i, j := 0, 0
		for _, op := range ops {
			switch op {
			case opKeep:
				if a[i] != b[j] {
					t.Fatalf("limit %d: keeps %q as %q", limit, a[i], b[j])
				}
				gotA, gotB = append(gotA, a[i]), append(gotB, b[j])
				i, j = i+1, j+1
			case opDelete:
				gotA = append(gotA, a[i])
				i++
			case opInsert:
				gotB = append(gotB, b[j])
				j++
			}
		}
		if diff := cmp.Diff(a, gotA); diff != "" {
			t.Errorf("limit %d: script does not cover a (-want +got):\n%s", limit, diff)
		}
		if diff := cmp.Diff(b, gotB); diff != "" {
			t.Errorf("limit %d: script does not cover b (-want +got):\n%s", limit, diff)
		}
	}
	if got := string(editScript(a, b, 0)); got != " ----++++ " {
		t.Errorf("limit 0 replaces the changed middle wholesale: got %q", got)
	}
}
