package compiler

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"golang.org/x/tools/txtar"
)

// TestWaiversAcrossRounds checks that the policy cases of testdata/broken,
// whose waivers name objects that violate, comply, do not exist (with a
// "did you mean") or lie outside their domain, show the same when every
// product is a round of its own: the objects of each round are made for
// it and let go of after it, but for those waivers name and those that
// violate a policy.
func TestWaiversAcrossRounds(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "policy_*.txtar"))
	if len(paths) == 0 {
		t.Fatal("no policy cases in testdata/broken")
	}
	render := func(tree load.Tree) string {
		res, err := Compile(tree, Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return "usage error: " + err.Error()
		}
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		WritePolicyReport(&out, res)
		return out.String()
	}
	waived := 0
	for _, p := range paths {
		ar, err := txtar.ParseFile(p) // as meshtest.ArchiveFS, which imports this package
		if err != nil {
			t.Fatal(err)
		}
		fsys := fstest.MapFS{}
		for _, f := range ar.Files {
			fsys[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
		}
		tree := load.Tree{FS: fsys}
		whole := render(tree)
		func() {
			defer func(n int) { roundProducts = n }(roundProducts)
			roundProducts = 1
			if diff := cmp.Diff(whole, render(tree)); diff != "" {
				t.Errorf("%s: a round a product changes the output (-one round +rounds):\n%s", filepath.Base(p), diff)
			}
		}()
		if strings.Contains(whole, "waive") {
			waived++
		}
	}
	if waived < 5 {
		t.Errorf("only %d policy cases mention waivers", waived)
	}
}
