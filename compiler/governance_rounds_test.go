package compiler

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/synth"
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
		whole := checkOutput(t, fsys)
		func() {
			defer func(n int) { roundProducts = n }(roundProducts)
			roundProducts = 1
			if diff := cmp.Diff(whole, checkOutput(t, fsys)); diff != "" {
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

// TestViolationsAcrossRounds checks that a mesh whose products all violate
// policies, some waived, shows the same whatever the size of a round: each
// round's objects are made in the room of the round before, so that what
// outlives a round (violations, the objects waivers name) is copied out of
// it first. Its products are all alike, so that every round reuses that
// room.
func TestViolationsAcrossRounds(t *testing.T) {
	fsys := synth.Mesh(60)
	// A domain whose blueprint is unknown has what it would inherit
	// unknown: its products are neither judged to comply nor to violate.
	// A column whose type is not one (reported) has an unknown type:
	// policies on its type neither pass nor fail on it.
	p3 := fsys["domains/d0/p3.mesh.hcl"]
	p3.Data = bytes.Replace(p3.Data, []byte(`column "quantity" { type = integer }`), []byte(`column "quantity" { type = integr }`), 1)
	fsys["governance/policies.mesh.hcl"] = &fstest.MapFile{Data: []byte(`
policy "products_unowned" {
  enforcement = "soft_mandatory"
  on          = "product"
  assert      = product.owner == "nobody@example.com"
  message     = "Product ${product.id} has an owner"
}

waiver "some_products" {
  policy   = policy.products_unowned
  objects  = ["d0.p2", "d0.p30", "d1.p5"]
  reason   = "Kept for the migration."
  approver = "platform@example.com"
  expires  = "2030-01-01"
}

policy "no_notes" {
  enforcement = "soft_mandatory"
  on          = "column"
  assert      = column.name != "note"
  message     = "Column ${column.id} is a note"
}

policy "no_variants" {
  enforcement = "soft_mandatory"
  on          = "column"
  assert      = column.type != "variant"
  message     = "Column ${column.id} is a variant"
}

waiver "typeless" {
  policy   = policy.no_variants
  objects  = ["d0.p3.main.quantity"]
  reason   = "Its type is being decided."
  approver = "platform@example.com"
  expires  = "2030-01-01"
}

waiver "some_notes" {
  policy   = policy.no_notes
  objects  = ["d0.p1.main.note", "d0.p17.main.note", "d1.p4.main.note", "d1.p40.main.notes"]
  reason   = "Kept for the migration."
  approver = "platform@example.com"
  expires  = "2030-01-01"
}
`)}
	render := func(products int) string {
		defer func(n int) { roundProducts = n }(roundProducts)
		roundProducts = products
		return checkOutput(t, fsys)
	}
	whole := render(2048)
	if n := strings.Count(whole, "Policy no_notes violated"); n != 57 {
		t.Errorf("%d violations of no_notes, want 57 (60 but 3 waived)", n)
	}
	if !strings.Contains(whole, "Unknown column type") || strings.Contains(whole, "complies") {
		t.Errorf("the waiver of a column whose type is unknown must be neither used nor reported as of one that complies:\n%s", whole)
	}
	for _, products := range []int{1, 7} {
		if diff := cmp.Diff(whole, render(products)); diff != "" {
			t.Errorf("rounds of %d products change the output (-one round +rounds):\n%s", products, diff)
		}
	}
}

// checkOutput is what meshc check prints of a mesh: its diagnostics, then
// its policy report.
func checkOutput(t *testing.T, fsys fs.FS) string {
	t.Helper()
	res, err := Compile(load.Tree{FS: fsys}, Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	WritePolicyReport(&out, res)
	return out.String()
}
