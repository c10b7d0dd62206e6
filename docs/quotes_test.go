package docs_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/meshc/meshc/internal/golden"
)

var quoteMarker = regexp.MustCompile(`^<!-- golden: (\S+?)(#\S*)? -->$`)

// TestGoldenQuotes checks the code blocks that quote generated output: a
// line <!-- golden: PATH --> before a block says it is taken from PATH (a
// golden file, relative to the repository's root), and PATH#FILE from a
// file of a txtar archive, PATH# from its comment (a case's diagnostics).
// The block's lines must be whole lines of the golden, in order: a line
// that is only "..." leaves lines out, and "..." within a line stands for
// any text on that line.
func TestGoldenQuotes(t *testing.T) {
	quotes := 0
	for _, doc := range docFiles(t) {
		for _, q := range readQuotes(t, doc) {
			quotes++
			if err := q.check(goldenText(t, q.path, q.file, q.hasFile)); err != "" {
				t.Errorf("%s:%d: the block quoting %s%s: %s", doc, q.line, q.path, map[bool]string{true: "#" + q.file}[q.hasFile], err)
			}
		}
	}
	if quotes < 5 {
		t.Errorf("only %d quotes of golden files found", quotes)
	}
}

type quote struct {
	path, file string
	hasFile    bool
	line       int // of the block's first line
	lines      []string
}

func readQuotes(t *testing.T, doc string) []quote {
	t.Helper()
	data, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	var quotes []quote
	var q *quote
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inBlock && strings.HasPrefix(line, "```"):
			inBlock = false
			if q != nil {
				quotes = append(quotes, *q)
				q = nil
			}
		case inBlock:
			if q != nil {
				q.lines = append(q.lines, line)
			}
		case strings.HasPrefix(line, "```"):
			inBlock = true
			if q != nil {
				q.line = n + 1
			}
		default:
			if m := quoteMarker.FindStringSubmatch(line); m != nil {
				q = &quote{path: m[1], file: strings.TrimPrefix(m[2], "#"), hasFile: m[2] != ""}
			}
		}
	}
	return quotes
}

// goldenText is the golden file at path, or a file or the comment of the
// txtar archive at path.
func goldenText(t *testing.T, path, file string, inArchive bool) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(golden.Root(), path))
	if err != nil {
		t.Fatal(err)
	}
	if !inArchive {
		return string(data)
	}
	ar := txtar.Parse(data)
	if file == "" {
		return string(ar.Comment)
	}
	for _, f := range ar.Files {
		if f.Name == file {
			return string(f.Data)
		}
	}
	t.Fatalf("%s has no file %s", path, file)
	return ""
}

// check reports the first of the quote's lines that the text does not
// hold where it should, or "".
func (q quote) check(text string) string {
	if quoted(q.lines).MatchString(text) {
		return ""
	}
	// The longest start of the block that the text holds says where they
	// part.
	n := 0
	for n < len(q.lines) && quoted(q.lines[:n+1]).MatchString(text) {
		n++
	}
	return fmt.Sprintf("line %d of the block is not in it (after the %d before it):\n%s", n+1, n, q.lines[n])
}

// quoted is a pattern for lines quoted from a text, whole lines each: a
// line that is only "..." stands for any lines, and "..." in a line for
// any text on that line.
func quoted(lines []string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?m)^`)
	for i, l := range lines {
		if strings.TrimSpace(l) == "..." {
			b.WriteString(`(?:[^\n]*\n)*?`)
			continue
		}
		parts := strings.Split(l, "...")
		for j, p := range parts {
			parts[j] = regexp.QuoteMeta(p)
		}
		b.WriteString(strings.Join(parts, `[^\n]*`))
		if i < len(lines)-1 {
			b.WriteString(`\n`)
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}
