package diag

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	_ "github.com/meshc/meshc/internal/golden" // defines -update for go test ./...
)

// at builds a range from byte offsets into src.
func at(src, file string, startByte, endByte int) Range {
	return NewFile(file, []byte(src)).Range(startByte, endByte)
}

func render(t *testing.T, src string, d *Diagnostic) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, Diagnostics{d}, Sources{"f.mesh.hcl": []byte(src)}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCaretUnderSubject(t *testing.T) {
	for _, tc := range []struct {
		name, src, subject, wantLine, wantMark string
	}{
		{"plain", "a = source.rwa\n", "rwa", "1 | a = source.rwa", "  |            ^^^"},
		{"tab", "\ta = x\n", "x", "1 |     a = x", "  |         ^"},
		{"crlf", "a = x\r\nb = y\r\n", "x", "1 | a = x", "  |     ^"},
		{"wide", "d = \"日本\" x\n", "x", "1 | d = \"日本\" x", "  |            ^"},
		{"combining", "d = \"e\u0301\" x\n", "x", "1 | d = \"e\u0301\" x", "  |         ^"},
		{"invalid UTF-8", "d = \"\xff\xfe\" x\n", "x", "1 | d = \"\uFFFD\uFFFD\" x", "  |          ^"},
		// Control characters are shown, not sent to the terminal: a lone
		// carriage return would move its cursor, ESC start a sequence.
		{"controls", "d = \"\r\x1b[2J\x7f\u0085\" x\n", "x", "1 | d = \"␍␛[2J␡\uFFFD\" x", "  |               ^"},
		{"bidi", "d = \"\u202eab\" x\n", "x", "1 | d = \"\uFFFDab\" x", "  |           ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := strings.Index(tc.src, tc.subject)
			d := Errorf("code", at(tc.src, "f.mesh.hcl", i, i+len(tc.subject)), "Summary", "Detail.")
			out := render(t, tc.src, d)
			if !strings.Contains(out, tc.wantLine+"\n"+tc.wantMark+"\n") {
				t.Errorf("got:\n%s\nwant the lines:\n%s\n%s", out, tc.wantLine, tc.wantMark)
			}
		})
	}
}

func TestLongLinesAreCropped(t *testing.T) {
	src := "a = \"" + strings.Repeat("x", 1000) + "\" + y\n"
	i := strings.Index(src, "y")
	out := render(t, src, Errorf("code", at(src, "f.mesh.hcl", i, i+1), "Summary", "Detail."))
	for _, line := range strings.Split(out, "\n") {
		if w := displayWidth(line); w > maxSnippetWidth+10 {
			t.Errorf("a line of %d columns was printed: %.60s...", w, line)
		}
	}
	if !strings.Contains(out, "…") {
		t.Errorf("no crop mark in:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	for k, line := range lines {
		if !strings.HasSuffix(line, "\" + y") {
			continue
		}
		text := []rune(strings.SplitN(line, "| ", 2)[1])
		mark := lines[k+1]
		col := strings.Index(mark, "^") - strings.Index(mark, "|") - 2
		if col < 0 || col >= len(text) || text[col] != 'y' {
			t.Errorf("the caret is not under y:\n%s\n%s", line, mark)
		}
	}
}

// TestHugeLines checks diagnostics on a line far longer than the window
// of bytes measured for a snippet: each caret still points at its subject,
// with the text around it, whether the subject is near the start, in the
// middle or at the end of the line, and however wide its characters are.
func TestHugeLines(t *testing.T) {
	for _, filler := range []string{"x", "é", "日", "\t", "e\u0301"} {
		var b strings.Builder
		b.WriteString("tags = [\n  ")
		for i := range 3000 {
			fmt.Fprintf(&b, "%s\"t%05d\", ", filler, i)
		}
		b.WriteString("]\n")
		src := b.String()
		for _, n := range []int{0, 1, 40, 1500, 2999} {
			token := fmt.Sprintf("\"t%05d\"", n)
			i := strings.Index(src, token)
			d := Errorf("code", at(src, "f.mesh.hcl", i, i+len(token)), "Summary", "Detail.")
			d.Context = new(at(src, "f.mesh.hcl", 0, len(src)))
			out := render(t, src, d)
			lines := strings.Split(out, "\n")
			found := false
			for k, line := range lines {
				if w := displayWidth(line); w > maxSnippetWidth+10 {
					t.Errorf("%q %d: a line of %d columns was printed: %.60s...", filler, n, w, line)
				}
				if !strings.HasPrefix(line, "2 | ") {
					continue
				}
				found = true
				shown := line[len("2 | "):]
				mark := strings.TrimPrefix(lines[k+1], "  | ")
				col := strings.Index(mark, "^")
				if col < 0 || !strings.HasPrefix(skipColumns(shown, col), token) {
					t.Errorf("%q %d: the caret is not under %s:\n%s\n%s", filler, n, token, line, lines[k+1])
				}
				if strings.Count(mark, "^") != len(token) {
					t.Errorf("%q %d: the mark is not %d long:\n%s", filler, n, len(token), lines[k+1])
				}
			}
			if !found {
				t.Errorf("%q %d: the marked line was not printed:\n%s", filler, n, out)
			}
		}
	}
}

// skipColumns drops the characters of s that fill its first n columns,
// with the marks that combine with the last of them.
func skipColumns(s string, n int) string {
	for i, r := range s {
		w := displayWidth(string(r))
		if n <= 0 && w > 0 {
			return s[i:]
		}
		n -= w
	}
	return ""
}

func TestSortedAndCounted(t *testing.T) {
	aFile := NewFile("a.hcl", []byte("line one\nline two\n"))
	a := Errorf("b-code", at("", "b.hcl", 0, 0), "B", "")
	b := Warnf("a-code", aFile.Range(10, 10), "A2", "")
	c := Errorf("a-code", aFile.Range(0, 0), "A1", "")
	got := Diagnostics{a, b, c, c}.Sorted()
	if len(got) != 3 || got[0] != c || got[1] != b || got[2] != a {
		t.Errorf("Sorted() = %v", got)
	}
	if e, w := got.Count(); e != 2 || w != 1 {
		t.Errorf("Count() = %d, %d", e, w)
	}
}

func TestWholeFileRange(t *testing.T) {
	d := Errorf("read-error", WholeFile("x.mesh.hcl"), "Cannot read x.mesh.hcl", "Detail.")
	out := render(t, "", d)
	if !strings.Contains(out, "--> x.mesh.hcl\n") {
		t.Errorf("got:\n%s", out)
	}
}

// TestSnippetWithoutByteOrderMark checks that a file's byte order mark is
// not shown, and that the caret stays under the subject.
func TestSnippetWithoutByteOrderMark(t *testing.T) {
	src := "\ufeffproduct \"Bad\" {}\n"
	f := NewFile("f.mesh.hcl", []byte(src))
	i := strings.Index(src, `"Bad"`)
	out := render(t, src, Errorf("invalid-name", f.Range(i, i+5), "S", "D."))
	if strings.Contains(out, "\ufeff") || !strings.Contains(out, "1 | product \"Bad\" {}\n  |         ^^^^^\n") {
		t.Errorf("got:\n%s", out)
	}
}

// TestLocationOnOneLine checks that a file name holding a line break or a
// tab leaves the location on its line.
func TestLocationOnOneLine(t *testing.T) {
	d := Errorf("read-error", WholeFile("d\ne\tf.mesh.hcl"), "Cannot read it", "Detail.")
	out := render(t, "", d)
	if !strings.Contains(out, "--> d\u240ae\u2409f.mesh.hcl\n") {
		t.Errorf("got:\n%s", out)
	}
}

// TestRepeatsCut checks that of diagnostics saying the same thing in one
// file, the first maxRepeats are printed, the last with a count of the
// rest, and that others are printed whole.
func TestRepeatsCut(t *testing.T) {
	src := "tags = [" + strings.Repeat("1, ", 12) + "2]\n" + strings.Repeat("\n", 1200) + "x = 1\n"
	f := NewFile("f.mesh.hcl", []byte(src))
	g := NewFile("g.mesh.hcl", []byte(src))
	var ds Diagnostics
	for i := range 13 {
		ds = append(ds, Errorf("wrong-type", f.Range(8+3*i, 9+3*i), "Incorrect list element", "Each element is a string."))
	}
	ds = append(ds, Errorf("wrong-type", f.Range(len(src)-2, len(src)-1), "Incorrect list element", "Each element is a string."))
	ds = append(ds, Errorf("wrong-type", f.Range(8, 9), "Incorrect list element", "Another detail."))
	for i := range 3 {
		ds = append(ds, Errorf("wrong-type", g.Range(8+3*i, 9+3*i), "Incorrect list element", "Each element is a string."))
	}
	var b bytes.Buffer
	if err := WriteText(&b, ds, Sources{"f.mesh.hcl": []byte(src), "g.mesh.hcl": []byte(src)}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "Each element is a string."); n != maxRepeats+3 {
		t.Errorf("printed %d of the repeated diagnostics, want %d in f and 3 in g:\n%s", n, maxRepeats+3, out)
	}
	if n := strings.Count(out, "Another detail."); n != 1 {
		t.Errorf("printed the other diagnostic %d times, want once", n)
	}
	if want := "  = Each element is a string.\n  = and 4 more like it in f.mesh.hcl, not shown\n"; !strings.Contains(out, want) {
		t.Errorf("the tenth lacks the count of the rest:\n%s", out)
	}
	if strings.Count(out, "more like it") != 1 {
		t.Errorf("want one count, in f:\n%s", out)
	}
	if strings.Contains(out, "f.mesh.hcl:1202:") {
		t.Errorf("printed a repeat past the tenth:\n%s", out)
	}
}

// TestRepeatsCutWithoutRange checks the count of repeats that have no
// range, and so no file.
func TestRepeatsCutWithoutRange(t *testing.T) {
	var ds Diagnostics
	for range maxRepeats + 2 {
		ds = append(ds, &Diagnostic{Severity: Error, Code: "no-mesh-root", Summary: "No mesh", Detail: "Detail."})
	}
	var b bytes.Buffer
	if err := WriteText(&b, ds, nil); err != nil {
		t.Fatal(err)
	}
	if want := "  = and 2 more like it, not shown\n"; !strings.Contains(b.String(), want) {
		t.Errorf("got:\n%s\nwant the line %q", b.String(), want)
	}
}

// TestPrintable checks what WriteText and the policy report show of a
// mesh's words: control characters as symbols, bidirectional overrides
// and invalid bytes as U+FFFD, and newlines, tabs and other characters as
// they are.
func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext\nok °§": "plain\ttext\nok °§",
		"\x1b[2J\r\x07\x7f":  "␛[2J␍␇␡",
		"c1 \u0085 bad \xff": "c1 \uFFFD bad \uFFFD",
		"bidi \u202e\u2066":  "bidi \uFFFD\uFFFD",
		"":                   "",
	} {
		if got := string(Printable([]byte(in))); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
