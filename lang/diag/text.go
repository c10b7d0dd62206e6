package diag

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
// Of diagnostics that say the same thing in the same file (a list of
// thousands of numbers where strings go, say), the first maxRepeats are
// printed, the last of them with a count of the rest; meshc check's
// machine-readable formats list them all.
func WriteText(w io.Writer, ds Diagnostics, src Sources) error {
	var buf bytes.Buffer
	x := newLineIndex(src)
	keys := make([]repeatKey, len(ds))
	same := map[repeatKey]int{}
	for i, d := range ds {
		keys[i] = keyOf(d)
		same[keys[i]]++
	}
	printed := map[repeatKey]int{}
	for i, d := range ds {
		k := keys[i]
		if printed[k] == maxRepeats {
			continue
		}
		printed[k]++
		if buf.Len() > 0 {
			buf.WriteByte('\n')
		}
		note := ""
		if printed[k] == maxRepeats && same[k] > maxRepeats {
			where := ""
			if k.file != "" {
				where = " in " + k.file
			}
			note = fmt.Sprintf("and %d more like it%s, not shown", same[k]-maxRepeats, where)
		}
		writeOne(&buf, d, x, note)
	}
	_, err := w.Write(Printable(buf.Bytes()))
	return err
}

// Printable shows the control characters of text, other than newlines and
// tabs, as their symbols: "\r" as "␍", ESC as "␛", DEL as "␡", and the C1
// controls, the bidirectional overrides and invalid bytes as "�", as
// snippets show them (displayLine). What a mesh says reaches the terminal
// in diagnostics and reports (a description in a policy's message, a
// file's name), and must not move its cursor, send it escape sequences or
// reorder what it shows. Text without any is returned as it is.
func Printable(text []byte) []byte {
	if utf8.Valid(text) && !slices.ContainsFunc(text, mayBeControl) {
		return text
	}
	out := make([]byte, 0, len(text)+16)
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		if shown := controlSymbol(r); shown != 0 && r != '\n' && r != '\t' {
			out = utf8.AppendRune(out, shown)
		} else if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, text[:size]...)
		}
		text = text[size:]
	}
	return out
}

// mayBeControl reports a byte that is a control character or may start
// one in UTF-8: 0xC2 starts U+0080 to U+009F, 0xE2 the bidirectional
// controls.
func mayBeControl(b byte) bool {
	return b < 0x20 && b != '\n' && b != '\t' || b == 0x7f || b == 0xc2 || b == 0xe2
}

// controlSymbol returns what shows a control character, 0 for any other.
func controlSymbol(r rune) rune {
	switch {
	case r < 0x20:
		return 0x2400 + r // the Control Pictures block: ␀ to ␟
	case r == 0x7f:
		return '␡'
	case r >= 0x80 && r < 0xA0, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return utf8.RuneError
	}
	return 0
}

// OneLine shows a line break or a tab in text as its control picture (␊,
// ␉), for text that must stay on its line, such as a location or a change
// of meshc diff: Printable keeps both, for the text around.
func OneLine(text string) string { return lineBreaks.Replace(text) }

var lineBreaks = strings.NewReplacer("\n", "\u240a", "\t", "\u2409")

// maxRepeats is how many diagnostics that say the same thing in one file
// WriteText prints.
const maxRepeats = 10

// repeatKey is what makes diagnostics say the same thing: all but where.
type repeatKey struct {
	file                  string
	severity              Severity
	code, summary, detail string
}

func keyOf(d *Diagnostic) repeatKey {
	k := repeatKey{severity: d.Severity, code: d.Code, summary: d.Summary, detail: d.Detail}
	if d.Subject != nil {
		k.file = d.Subject.Filename()
	}
	return k
}

// writeOne prints a diagnostic, and note, when there is one, after its
// detail.
func writeOne(buf *bytes.Buffer, d *Diagnostic, x *lineIndex, note string) {
	fmt.Fprintf(buf, "%s[%s]: %s\n", d.Severity, d.Code, d.Summary)
	gutter := "  "
	if d.Subject != nil {
		s := snippetFor(d, x)
		if s != nil {
			gutter = strings.Repeat(" ", len(strconv.Itoa(s.StartLine+len(s.Lines)-1))+1)
		}
		fmt.Fprintf(buf, "%s--> %s\n", gutter[1:], OneLine(d.Subject.String()))
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
	if note != "" {
		fmt.Fprintf(buf, "%s= %s\n", gutter, note)
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

// lineIndex splits each source file into lines once per rendering, so that
// printing many diagnostics about one large file stays linear. It indexes
// the text being printed, not the one loaded (diag.File's), which may have
// changed since.
type lineIndex struct {
	src   Sources
	files map[string]*fileLines
}

type fileLines struct {
	lines  []string
	starts []int        // byte offset of each line's first byte
	utf16  [2]utf16Mark // for SARIF's columns
}

func newLineIndex(src Sources) *lineIndex {
	return &lineIndex{src: src, files: map[string]*fileLines{}}
}

func (x *lineIndex) get(name string) *fileLines {
	if fl, ok := x.files[name]; ok {
		return fl
	}
	text, ok := x.src[name]
	if !ok {
		x.files[name] = nil
		return nil
	}
	fl := &fileLines{lines: strings.Split(string(text), "\n")}
	offset := 0
	for _, l := range fl.lines {
		fl.starts = append(fl.starts, offset)
		offset += len(l) + 1
	}
	// A byte order mark is no character of the first line: snippets
	// leave it out, and columns count from after it.
	if rest, ok := strings.CutPrefix(fl.lines[0], bom); ok {
		fl.lines[0], fl.starts[0] = rest, len(bom)
	}
	x.files[name] = fl
	return fl
}

func snippetFor(d *Diagnostic, x *lineIndex) *Snippet {
	subj := d.Subject
	fl := x.get(subj.Filename())
	from, to := subj.Start(), subj.End()
	mark := int(from.Line)
	if fl == nil || mark < 1 || mark > len(fl.lines) {
		return nil
	}
	first, last := mark, mark
	if c := d.Context; c != nil && c.Filename() == subj.Filename() {
		if cFirst, cLast := int(c.Start().Line), int(c.End().Line); cFirst <= first && cLast >= first {
			first = max(cFirst, first-maxSnippetLines/2)
			last = min(cLast, first+maxSnippetLines-1)
		}
	}
	last = min(last, len(fl.lines))
	// Measure by bytes, not by HCL's columns: those count grapheme
	// clusters, while the terminal shows combining marks and wide
	// characters differently.
	line := strings.TrimSuffix(fl.lines[mark-1], "\r") // a CRLF ending is not shown
	start := clamp(int(from.Byte)-fl.starts[mark-1], 0, len(line))
	end := len(line)
	if to.Line == from.Line {
		end = clamp(int(to.Byte)-fl.starts[mark-1], start, len(line))
	}
	// A minified or generated file can have a line of megabytes, with
	// thousands of diagnostics on it. Only the bytes around the mark are
	// measured, so that each diagnostic costs the same whatever the
	// line's length; cropSnippet then cuts to the columns shown.
	lo, hi := 0, len(line)
	windowed := len(line) > 3*windowBytes
	if windowed {
		lo, hi = runeStart(line, start-windowBytes), max(start, runeStart(line, start+2*windowBytes))
		start, end = start-lo, min(end, hi)-lo
		if lo > 0 {
			start, end = start+len(ellipsis), end+len(ellipsis)
		}
		line = window(line, lo, hi)
	}
	s := &Snippet{StartLine: first, MarkLine: mark}
	for i, l := range fl.lines[first-1 : last] {
		l = strings.TrimSuffix(l, "\r")
		switch {
		case first+i == mark:
			l = line
		case windowed:
			l = window(l, runeStart(l, lo), runeStart(l, hi))
		}
		s.Lines = append(s.Lines, displayLine(l))
	}
	s.MarkStart = displayWidth(line[:start])
	s.MarkEnd = max(s.MarkStart+1, displayWidth(line[:end]))
	cropSnippet(s)
	return s
}

// maxSnippetWidth is the widest snippet line printed: a minified or
// generated file can have lines of megabytes.
const maxSnippetWidth = 160

// cropSnippet cuts long lines to a window of display columns around the
// mark, marking the cuts with "…".
func cropSnippet(s *Snippet) {
	widest := 0
	for _, l := range s.Lines {
		widest = max(widest, displayWidth(l))
	}
	if widest <= maxSnippetWidth {
		return
	}
	from := max(0, s.MarkStart-maxSnippetWidth/3)
	to := from + maxSnippetWidth
	shift := 0
	for i, l := range s.Lines {
		var b strings.Builder
		col, cutStart := 0, -1
		for _, r := range l {
			w := runeWidth(r)
			if col+w > to {
				col += w // past the window: enough to know the line goes on
				break
			}
			if col >= from {
				if cutStart < 0 {
					cutStart = col
				}
				b.WriteRune(r)
			}
			col += w
		}
		cut := b.String()
		if from > 0 {
			cut = "…" + cut
		}
		if col > to {
			cut += "…"
		}
		s.Lines[i] = cut
		if s.StartLine+i == s.MarkLine && cutStart >= 0 {
			shift = cutStart
			if from > 0 {
				shift-- // the leading "…" takes one column
			}
		}
	}
	s.MarkStart -= shift
	s.MarkEnd = min(s.MarkEnd-shift, maxSnippetWidth+1)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// windowBytes is how many bytes of a long line are measured before the
// mark (and twice as many after it): enough for maxSnippetWidth columns
// even of four-byte characters.
const windowBytes = 4 * maxSnippetWidth

const ellipsis = "…"

// runeStart clamps i into l and moves it back to the start of a character:
// at most three bytes, since further back than that the bytes are invalid
// UTF-8, which is shown a byte at a time and may be cut anywhere.
func runeStart(l string, i int) int {
	i = clamp(i, 0, len(l))
	for back := 0; back < utf8.UTFMax-1 && i > 0 && i < len(l) && !utf8.RuneStart(l[i]); back++ {
		i--
	}
	return i
}

// window is l[lo:hi], with an ellipsis on each side that was cut.
func window(l string, lo, hi int) string {
	w := l[lo:hi]
	if lo > 0 {
		w = ellipsis + w
	}
	if hi < len(l) {
		w += ellipsis
	}
	return w
}

// displayLine shows a line as Printable does, so that a file's bytes
// cannot move the terminal's cursor or send it escape sequences, with tabs
// expanded: as displayWidth counts it, so that the marker line under it
// lines up.
func displayLine(l string) string {
	return strings.ReplaceAll(string(Printable([]byte(l))), "\t", "    ")
}

// displayWidth is the width of text on a terminal, once displayLine has
// shown it: the sum of its characters' widths.
func displayWidth(text string) int {
	w := 0
	for _, r := range text {
		w += runeWidth(r)
	}
	return w
}

// runeWidth is a character's width: four columns for a tab (as
// displayLine expands it), none for combining marks and format
// characters, two for East Asian wide characters and emoji, and one for
// the rest, control characters included (displayLine shows each as one
// symbol).
func runeWidth(r rune) int {
	switch {
	case r == '\t':
		return 4
	case r < 0xA0 || controlSymbol(r) != 0: // ASCII and controls, the common case
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case isWide(r):
		return 2
	}
	return 1
}

// isWide reports East Asian wide and fullwidth characters, and emoji.
func isWide(r rune) bool {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
		r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1FAFF, r >= 0x20000 && r <= 0x3FFFD:
		return true
	}
	return false
}
