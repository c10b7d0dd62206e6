package snowflake

import (
	"io/fs"
	"strings"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/diag"
)

// sqlRange returns where the bytes start to end of a step's SQL, sql, are
// written: in the step's file, or inside the quoted string or heredoc of
// its sql argument in the mesh file. Where that cannot be told, as for a
// line written with an escape (\n, $${), it is the argument's range.
func (b *builder) sqlRange(arg *plan.Arg, sql string, start, end int) diag.Range {
	if arg.Type == "file" {
		f := diag.NewFile(b.plan.Prefix+arg.String, []byte(sql))
		f.SetLineEndings(plan.LineEndings(b.plan.Root, arg.String)) // for byte offsets on disk
		return f.Range(start, end)
	}
	from, to := arg.Range.Offsets()
	text, err := fs.ReadFile(b.plan.Root, b.plan.Rel(arg.Range.Filename()))
	if err != nil || from < 0 || to > len(text) || from > to {
		return arg.Range
	}
	written := string(text[from:to])
	s, ok := writtenAt(written, sql, start)
	e, ok2 := writtenAt(written, sql, end)
	if !ok || !ok2 || e < s {
		return arg.Range
	}
	return arg.Range.File().Range(from+s, from+e)
}

// writtenAt returns where the byte at offset off of value, a string's
// value, is in written, the string as the mesh file writes it: a quoted
// string written as its value is, or a heredoc whose line of off ends
// with that line of the value, after an indent that <<- removes. ok is
// false for anything else.
func writtenAt(written, value string, off int) (int, bool) {
	switch {
	case strings.HasPrefix(written, `"`):
		if len(written) < 2 || written[1:len(written)-1] != value {
			return 0, false
		}
		return 1 + off, true
	case strings.HasPrefix(written, "<<"):
		lineStart := strings.LastIndexByte(value[:off], '\n') + 1
		line, _, _ := strings.Cut(value[lineStart:], "\n")
		n := strings.Count(value[:lineStart], "\n") // the line's index
		body := written
		for i := 0; i <= n; i++ { // past the heredoc's opening line, then n lines
			nl := strings.IndexByte(body, '\n')
			if nl < 0 {
				return 0, false
			}
			body = body[nl+1:]
		}
		src, _, _ := strings.Cut(body, "\n")
		indent := len(src) - len(line)
		if indent < 0 || src[indent:] != line || strings.Trim(src[:indent], " \t") != "" {
			return 0, false
		}
		return len(written) - len(body) + indent + off - lineStart, true
	}
	return 0, false
}
