// Package docs_test checks that the examples in docs/*.md are true.
//
// Conventions, documented in docs/README.md:
//   - A line <!-- example: NAME --> starts an example mesh. Each ```hcl
//     block after it, up to the next example or a <!-- fragment --> line, is
//     one file of the mesh; its first line is "# file: PATH".
//   - <!-- example: NAME extends=BASE --> starts from the files of BASE.
//   - <!-- example: NAME expect=CODE,CODE --> is a broken example: checking
//     it must report a diagnostic with each code. Without expect, it must
//     check with no diagnostic at all.
//   - Any other ```hcl block is a fragment and must be valid HCL syntax.
package docs_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/format"
	"github.com/meshc/meshc/lang/load"
)

type example struct {
	name, doc string
	line      int
	expect    []string
	files     map[string]string
	// output is the ```text block after a broken example's files, when
	// there is one: what meshc check prints for it, compared exactly.
	output string
}

var (
	exampleMarker  = regexp.MustCompile(`^<!-- example: ([a-z0-9_-]+)((?: [a-z]+=[^ ]+)*) -->$`)
	fragmentMarker = "<!-- fragment -->"
	fileComment    = regexp.MustCompile(`^# file: (\S+)$`)
)

// docFiles lists docs/*.md, then docs/*/*.md.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, _ := filepath.Glob(filepath.Join(golden.Root(), "docs", "*.md"))
	more, _ := filepath.Glob(filepath.Join(golden.Root(), "docs", "*", "*.md"))
	docs = append(docs, more...)
	if len(docs) == 0 {
		t.Fatal("no docs found")
	}
	return docs
}

func TestDocExamples(t *testing.T) {
	docs := docFiles(t)
	examples := map[string]*example{}
	var order []*example
	for _, doc := range docs {
		order = append(order, parseDoc(t, doc, examples)...)
	}
	for _, ex := range order {
		t.Run(ex.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range ex.files {
				fsys[name] = &fstest.MapFile{Data: []byte(text)}
			}
			res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatalf("%s:%d: %v", ex.doc, ex.line, err)
			}
			var out bytes.Buffer
			diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
			if len(ex.expect) == 0 {
				if len(res.Diagnostics) > 0 {
					t.Errorf("%s:%d: example %s should check cleanly, but:\n%s", ex.doc, ex.line, ex.name, out.String())
				}
				return
			}
			if ex.output != "" && strings.TrimSpace(ex.output) != strings.TrimSpace(out.String()) {
				t.Errorf("%s:%d: example %s prints, unlike its text block:\n%s", ex.doc, ex.line, ex.name, out.String())
			}
			for _, code := range ex.expect {
				found := false
				for _, d := range res.Diagnostics {
					found = found || d.Code == code
				}
				if !found {
					t.Errorf("%s:%d: example %s should report %s, but reported:\n%s", ex.doc, ex.line, ex.name, code, out.String())
				}
			}
		})
	}
}

// parseDoc reads a markdown file's examples and checks its fragments.
func parseDoc(t *testing.T, path string, known map[string]*example) []*example {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := filepath.Base(path)
	var out []*example
	var cur *example
	var block []string
	inBlock, blockStart, textBlock := false, 0, false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case inBlock && strings.HasPrefix(line, "```"):
			inBlock = false
			text := strings.Join(block, "\n") + "\n"
			if textBlock {
				if cur != nil && cur.expect != nil && cur.output == "" {
					cur.output = text
				}
				continue
			}
			if cur == nil {
				if _, ds := format.Source([]byte(text), doc); ds.HasErrors() {
					t.Errorf("%s:%d: fragment is not valid HCL: %s: %s", doc, blockStart, ds[0].Summary, ds[0].Detail)
				}
				continue
			}
			m := fileComment.FindStringSubmatch(block[0])
			if m == nil {
				t.Errorf("%s:%d: a block of example %s must start with # file: PATH", doc, blockStart, cur.name)
				continue
			}
			cur.files[m[1]] = text
		case inBlock:
			block = append(block, line)
		case line == "```hcl":
			inBlock, blockStart, block, textBlock = true, n, nil, false
		case line == "```text" && !inBlock:
			inBlock, blockStart, block, textBlock = true, n, nil, true
		case line == fragmentMarker:
			cur = nil
		case strings.HasPrefix(line, "<!-- example:"):
			m := exampleMarker.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s:%d: malformed example marker %q", doc, n, line)
				continue
			}
			cur = &example{name: m[1], doc: doc, line: n, files: map[string]string{}}
			if known[cur.name] != nil {
				t.Errorf("%s:%d: a second example named %s", doc, n, cur.name)
			}
			for _, opt := range strings.Fields(m[2]) {
				key, value, _ := strings.Cut(opt, "=")
				switch key {
				case "extends":
					base := known[value]
					if base == nil {
						t.Errorf("%s:%d: example %s extends unknown example %s", doc, n, cur.name, value)
						continue
					}
					for f, text := range base.files {
						cur.files[f] = text
					}
				case "expect":
					cur.expect = strings.Split(value, ",")
				default:
					t.Errorf("%s:%d: unknown example option %q", doc, n, key)
				}
			}
			known[cur.name] = cur
			out = append(out, cur)
		}
	}
	return out
}
