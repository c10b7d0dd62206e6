package diag

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sources maps a diagnostic's Filename to the file's bytes, so that the
// renderers can show the offending lines.
type Sources map[string][]byte

// WriteText prints diagnostics for a terminal or a CI log:
//
//	error[unresolved-reference]: Reference to an undeclared product
//	  --> domains/payer/warehouse.mesh.hcl:12:15
//	   |
//	12 |     from = product.prescriber.port.prescribers
//	   |            ^^^^^^^^^^^^^^^^^^
//	   |
//	   = There is no product "prescriber" in domain "payer". Did you mean "prescribers"?
//
// The diagnostics are printed in the order given; callers sort them first.
func WriteText(w io.Writer, ds Diagnostics, src Sources) error {
	var buf bytes.Buffer
	for i, d := range ds {
		if i > 0 {
			buf.WriteByte('\n')
		}
		writeOne(&buf, d, src)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeOne(buf *bytes.Buffer, d *Diagnostic, src Sources) {
	fmt.Fprintf(buf, "%s[%s]: %s\n", d.Severity, d.Code, d.Summary)
	gutter := "  "
	if d.Subject != nil {
		s := snippetFor(d, src)
		if s != nil {
			gutter = strings.Repeat(" ", len(strconv.Itoa(s.StartLine+len(s.Lines)-1))+1)
		}
		fmt.Fprintf(buf, "%s--> %s\n", gutter[1:], d.Subject)
		if s != nil {
			fmt.Fprintf(buf, "%s|\n", gutter)
			for i, line := range s.Lines {
				n := strconv.Itoa(s.StartLine + i)
				fmt.Fprintf(buf, "%s%s| %s\n", n, gutter[len(n):], line)
				if s.StartLine+i == s.MarkLine {
					fmt.Fprintf(buf, "%s| %s%s\n", gutter, strings.Repeat(" ", s.MarkStart), strings.Repeat("^", max(1, s.MarkEnd-s.MarkStart)))
				}
			}
			fmt.Fprintf(buf, "%s|\n", gutter)
		}
	}
	if d.Detail != "" {
		for i, line := range strings.Split(d.Detail, "\n") {
			lead := "= "
			if i > 0 {
				lead = "  "
			}
			fmt.Fprintf(buf, "%s%s%s\n", gutter, lead, line)
		}
	}
}

// Snippet is the source shown with a diagnostic: the lines of its Context
// (or Subject) range, and where on MarkLine the Subject starts and ends, in
// display columns.
type Snippet struct {
	StartLine int      `json:"start_line"`
	Lines     []string `json:"lines"`
	MarkLine  int      `json:"mark_line"`
	MarkStart int      `json:"mark_start"`
	MarkEnd   int      `json:"mark_end"`
}

// maxSnippetLines keeps a diagnostic on a large block readable.
const maxSnippetLines = 5

func snippetFor(d *Diagnostic, src Sources) *Snippet {
	subj := d.Subject
	text, ok := src[subj.Filename]
	if !ok || subj.Start.Line < 1 {
		return nil
	}
	first, last := subj.Start.Line, subj.Start.Line
	if c := d.Context; c != nil && c.Filename == subj.Filename && c.Start.Line <= first && c.End.Line >= first {
		first = max(c.Start.Line, first-maxSnippetLines/2)
		last = min(c.End.Line, first+maxSnippetLines-1)
	}
	lines := strings.Split(string(text), "\n")
	if first > len(lines) {
		return nil
	}
	last = min(last, len(lines))
	s := &Snippet{StartLine: first, MarkLine: subj.Start.Line}
	for _, l := range lines[first-1 : last] {
		s.Lines = append(s.Lines, displayLine(l))
	}
	markText := lines[subj.Start.Line-1]
	s.MarkStart = displayWidth(markText, subj.Start.Column-1)
	endCol := subj.End.Column - 1
	if subj.End.Line != subj.Start.Line {
		endCol = utf8.RuneCountInString(markText)
	}
	s.MarkEnd = max(s.MarkStart+1, displayWidth(markText, endCol))
	return s
}

// displayLine expands tabs and drops a trailing carriage return, so that the
// marker line under it lines up.
func displayLine(l string) string {
	l = strings.TrimSuffix(l, "\r")
	return strings.ReplaceAll(l, "\t", "    ")
}

// displayWidth is the display width of the first n characters of line.
func displayWidth(line string, n int) int {
	w := 0
	for i, r := range []rune(strings.TrimSuffix(line, "\r")) {
		if i >= n {
			break
		}
		if r == '\t' {
			w += 4
		} else {
			w++
		}
	}
	return w
}
