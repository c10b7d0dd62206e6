package meshdiff_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshdiff"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// compileSide compiles the files of an archive under prefix ("base/" or
// "head/").
func compileSide(t *testing.T, ar *txtar.Archive, prefix string) *compiler.Result {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, prefix); ok {
			fsys[name] = &fstest.MapFile{Data: f.Data}
		}
	}
	res, err := compiler.Compile(load.Tree{FS: fsys, Prefix: prefix}, compiler.Options{Today: meshtest.Today})
	if err != nil {
		t.Fatal(err)
	}
	if res.Plan == nil {
		var b bytes.Buffer
		diag.WriteText(&b, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		t.Fatalf("%s does not compile:\n%s", prefix, b.String())
	}
	return res
}

func revision(res *compiler.Result) *meshdiff.Revision {
	r := &meshdiff.Revision{Plan: res.Plan, Waivers: meshdiff.WaiversOf(res.Mesh)}
	rules := meshdiff.RulesOf(res.Mesh, res.SourceText)
	for _, p := range res.Policies {
		r.Policies = append(r.Policies, meshdiff.Policy{Name: p.Name, Domain: p.Domain, Enforcement: p.Enforcement, On: p.On, Active: p.Active,
			Rule: rules[meshdiff.PolicyKey(p.Domain, p.Name)]})
	}
	return r
}

// TestCases compares each pair of revisions under testdata/ and checks
// the text, Markdown and JSON reports and the affected products against
// golden files.
func TestCases(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if len(paths) == 0 {
		t.Fatal("no cases")
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			head := compileSide(t, ar, "head/")
			r := meshdiff.Compare(revision(compileSide(t, ar, "base/")), revision(head))
			out := &txtar.Archive{}
			var text, md, js bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			r.WriteMarkdown(&md, head.Plan)
			if err := r.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var back meshdiff.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatalf("the JSON report does not read back: %v", err)
			}
			out.Files = []txtar.File{
				{Name: "text", Data: text.Bytes()},
				{Name: "affected", Data: []byte(strings.Join(r.Affected, "\n") + "\n")},
				{Name: "markdown", Data: md.Bytes()},
				{Name: "json", Data: js.Bytes()},
			}
			golden.Check(t, "diff/"+name+".txtar", txtar.Format(out))
		})
	}
}

// TestSame compares the example with itself: no change, nothing affected.
func TestSame(t *testing.T) {
	p := meshtest.Pharma(t, "")
	r := meshdiff.Compare(&meshdiff.Revision{Plan: p}, &meshdiff.Revision{Plan: meshtest.Pharma(t, "")})
	if len(r.Changes) != 0 || len(r.Affected) != 0 {
		t.Errorf("the example differs from itself: %+v", r)
	}
	_ = fs.ValidPath
}
