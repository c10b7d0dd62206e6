package compiler

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/lang/diag"
)

// sqlRange returns where the bytes start to end of a step's SQL are
// written: in its file, or inside the quoted string or heredoc of its sql
// argument (stringRange).
func (c *compiler) sqlRange(at *plan.Arg, sql string, start, end int) diag.Range {
	if at.Type == "file" {
		return c.stepFile(at.String, sql).Range(start, end)
	}
	return c.stringRange(at.Range, sql, start, end)
}

// stringRange returns where the bytes start to end of a string's value
// are written inside the quoted string or heredoc at rg: a step's sql
// argument, or a test's. Where that cannot be told (a string written
// with an escape that makes a "{", or a value of a list), it is rg.
func (c *compiler) stringRange(rg diag.Range, value string, start, end int) diag.Range {
	name := rg.Filename()
	text := c.texts.For(diag.Diagnostics{{Subject: &rg}})[name]
	from, to := rg.Offsets()
	if from < 0 || to > len(text) || from > to {
		return rg
	}
	written := string(text[from:to])
	s, ok := valueOffset(written, value, start)
	e, ok2 := valueOffset(written, value, end)
	if !ok || !ok2 || e < s {
		return rg
	}
	return rg.File().Range(from+s, from+e)
}

// stepFile returns the diag.File of a step's SQL file, read as sql (from
// plan.Root, whose line endings are LF), and keeps its text for the
// diagnostics' snippets.
func (c *compiler) stepFile(rel, sql string) *diag.File {
	name := c.tree.Prefix + rel
	fs := &c.stepFiles
	fs.Lock()
	defer fs.Unlock()
	if f := fs.files[name]; f != nil {
		return f
	}
	if fs.files == nil {
		fs.files, fs.texts = map[string]*diag.File{}, diag.Sources{}
	}
	f := diag.NewFile(name, []byte(sql))
	f.SetLineEndings(plan.LineEndings(c.plan.Root, rel)) // for byte offsets on disk
	fs.files[name], fs.texts[name] = f, []byte(sql)
	return f
}

// valueOffset returns the offset in written, a string as a mesh file
// writes it, quoted or as a heredoc, of the byte at offset off of its
// value, or of the value's end: HCL's escapes (\", \n, \u0041, $${, %%{)
// and a heredoc's indent removed by <<- make the two differ. ok is false
// for anything else, or an offset it does not reach.
func valueOffset(written, value string, off int) (int, bool) {
	if off < 0 {
		return 0, false
	}
	if strings.HasPrefix(written, `"`) {
		return quotedOffset(written, off)
	}
	if strings.HasPrefix(written, "<<") {
		return heredocOffset(written, value, off)
	}
	return 0, false
}

// quotedOffset reads a quoted string's escapes up to the value's byte off.
func quotedOffset(written string, off int) (int, bool) {
	i, v := 1, 0
	for v < off {
		if i >= len(written)-1 {
			return 0, false
		}
		switch c := written[i]; {
		case c == '\\' && i+1 < len(written):
			switch written[i+1] {
			case 'n', 'r', 't', '"', '\\':
				i, v = i+2, v+1
			case 'u', 'U':
				n := 4
				if written[i+1] == 'U' {
					n = 8
				}
				if i+2+n > len(written) {
					return 0, false
				}
				r, err := strconv.ParseUint(written[i+2:i+2+n], 16, 32)
				if err != nil {
					return 0, false
				}
				i, v = i+2+n, v+utf8.RuneLen(rune(r))
			default:
				return 0, false
			}
		case (c == '$' || c == '%') && strings.HasPrefix(written[i+1:], string(c)+"{"):
			i++ // $${ is ${, and %%{ is %{
		default:
			i, v = i+1, v+1
		}
	}
	return i, v == off
}

// heredocOffset finds the value's line in a heredoc's lines, and its
// column from the line's end: <<- removes an indent from the start of
// each line, and $${ a dollar before it.
func heredocOffset(written, value string, off int) (int, bool) {
	nl := strings.IndexByte(written, '\n')
	if nl < 0 || off > len(value) {
		return 0, false
	}
	lineStart := nl + 1
	valueStart := 0
	for {
		valueEnd := strings.IndexByte(value[valueStart:], '\n')
		srcEnd := strings.IndexByte(written[lineStart:], '\n')
		if srcEnd < 0 {
			return 0, false
		}
		if valueEnd < 0 {
			valueEnd = len(value) - valueStart
		}
		if off <= valueStart+valueEnd {
			line, src := value[valueStart:valueStart+valueEnd], written[lineStart:lineStart+srcEnd]
			j := len(src)
			for x := len(line) - 1; x >= off-valueStart; x-- {
				j--
				for j >= 0 && src[j] != line[x] {
					j--
				}
				if j < 0 {
					return 0, false
				}
			}
			return lineStart + j, true
		}
		valueStart += valueEnd + 1
		lineStart += srcEnd + 1
	}
}
