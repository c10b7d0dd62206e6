package compiler_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/synth"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"golang.org/x/tools/txtar"
)

// TestPolicyReport prints the grouped policy report of each policy case
// under testdata/broken/ (policy_*.txtar) and compares it with
// testdata/golden/policy/NAME.txt. The diagnostics of the same cases are
// compared by TestBroken.
func TestPolicyReport(t *testing.T) {
	archives, _ := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "policy_*.txtar"))
	if len(archives) == 0 {
		t.Fatal("no policy cases found")
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := compileArchive(t, ar, compiler.Options{Today: today})
			var out bytes.Buffer
			if err := compiler.WritePolicyReport(&out, res); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "policy/"+name+".txt", out.Bytes())
		})
	}
}

// TestGovernanceDeterministic checks a synthetic mesh of 600 products
// with the baseline set and policies that many objects break, so that the
// policies run in parallel over many chunks: two compilations must report
// the same, in the same order (run it with -race too).
func TestGovernanceDeterministic(t *testing.T) {
	fsys := synth.Mesh(600)
	fsys["governance/policies.mesh.hcl"] = &fstest.MapFile{Data: []byte(`
policy "columns_described" {
  enforcement = "advisory"
  on          = "column"
  when        = !has_test(column, "unique") && column.classification == null
  assert      = column.description != null
  message     = "Column ${column.id} of ${port.id} (${domain.layer}) has no description"
}

policy "odd_products" {
  enforcement = "soft_mandatory"
  on          = "product"
  assert      = !endswith(product.name, "7") || product.layer == "raw"
  message     = "Product ${product.id} ends in 7"
}

policy "short_description" {
  enforcement = "advisory"
  on          = "product"
  assert      = length(product.description) > 40
  message     = "x"
}
`)}
	fsys["governance/waivers.mesh.hcl"] = &fstest.MapFile{Data: []byte(`
waiver "sevens" {
  policy   = policy.odd_products
  objects  = ["d5.p7", "d6.p17", "d0.p7"]
  reason   = "Sevens are lucky."
  approver = "platform@example.com"
  expires  = "2027-01-31"
}
`)}
	render := func() string {
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		compiler.WritePolicyReport(&out, res)
		return out.String()
	}
	first := render()
	if first != render() {
		t.Fatal("two compilations of one mesh report differently")
	}
	for _, want := range []string{"Policy odd_products violated", "d6.p17  by waiver sevens", "Policy columns_described violated", "applies to 600 of 600, 43 violated, 2 waived", "Waived object complies"} {
		if !strings.Contains(first, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(first, "short_description") && !strings.Contains(first, "applies to 600 of 600, 600 violated") {
		t.Errorf("short_description should break on every product")
	}
}

// TestPolicyFunctions calls every function of policy expressions, as the
// docs show them, in policies that must hold on a small synthetic mesh.
func TestPolicyFunctions(t *testing.T) {
	asserts := []string{
		`lower("AB") == "ab" && upper("ab") == "AB" && title("ab cd") == "Ab Cd"`,
		`trimspace(" a ") == "a" && trim("xax", "x") == "a" && trimprefix("p1", "p") == "1" && trimsuffix("p1", "1") == "p"`,
		`replace("a-b-c", "-", "_") == "a_b_c" && join(",", split("-", "a-b")) == "a,b" && substr("hello", 1, 3) == "ell"`,
		`regex("[0-9]+", "p12") == "12" && length(regexall("[a-z]", "a1b2")) == 2`,
		`matches(product.name, "p[0-9]+") && !matches(null, ".*") && startswith(product.name, "p") && endswith(product.id, product.name) && strcontains(product.id, ".")`,
		`length(product.tags) == 2 && length("abc") == 3 && contains(product.tags, "synthetic")`,
		`length(concat(["a"], ["b"])) == 2 && distinct(["a", "a"]) == tolist(["a"]) && length(flatten([["a"], ["b"]])) == 2`,
		`keys({a = 1}) == ["a"] && values({a = "x"}) == ["x"] && lookup({a = "x"}, "b", "y") == "y"`,
		`element(["a", "b"], 3) == "b" && coalesce(null, "x") == "x" && coalescelist([], ["a"]) == ["a"] && tostring(1) == "1" && tonumber("2") == 2 && tobool("true") && toset(["a", "a"]) == toset(["a"])`,
		`compact(["a", ""]) == tolist(["a"]) && sort(["b", "a"]) == tolist(["a", "b"]) && reverse(["a", "b"]) == ["b", "a"] && slice(["a", "b", "c"], 1, 2) == ["b"]`,
		`length(setintersection(["a", "b"], ["b"])) == 1 && length(setunion(["a"], ["b"])) == 2 && length(setsubtract(["a", "b"], ["a"])) == 1`,
		`alltrue([true, true]) && alltrue([]) && anytrue([false, true]) && !anytrue([])`,
		`min(1, 2) == 1 && max(1, 2) == 2 && abs(-1) == 1 && ceil(1.5) == 2 && floor(1.5) == 1`,
		`try(product.sla.freshness_seconds, 0) >= 86400 && can(product.sla.freshness) && !can(regex("x", "y"))`,
		`has_test(product, "not_null") && !has_test(product, "custom_sql") && layer_index(product.layer) >= 0 && layer_index(null) == -1 && duration("1d") <= product.sla.freshness_seconds`,
	}
	var b strings.Builder
	for i, a := range asserts {
		fmt.Fprintf(&b, "policy \"f%d\" {\n  enforcement = \"hard_mandatory\"\n  on = \"product\"\n  assert = %s\n  message = \"f%d fails on ${product.id}\"\n}\n", i, a, i)
	}
	fsys := synth.Mesh(3)
	fsys["governance/functions.mesh.hcl"] = &fstest.MapFile{Data: []byte(b.String())}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diagnostics) > 0 {
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		t.Fatalf("policies calling the functions do not hold:\n%s", out.String())
	}
}

// TestPolicyFunctionBounds checks that split, join and regexall refuse
// results past their bounds, which would let a policy run meshc out of
// memory (a list of a text's characters or of its empty matches, or the
// characters joined with the text), and give results up to them.
func TestPolicyFunctionBounds(t *testing.T) {
	text := `"x"`
	for range 5 { // 100,000 characters
		text = fmt.Sprintf(`replace(%s, "x", "xxxxxxxxxx")`, text)
	}
	asserts := map[string]string{
		"split_within": fmt.Sprintf(`length(split("", substr(%s, 0, 10000))) == 10000`, text),
		"join_within":  fmt.Sprintf(`length(join(substr(%s, 0, 100000), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"])) == 1000011`, text),
		"split_past":   fmt.Sprintf(`length([for a in split("", %s) : a]) > 0`, text),
		"join_past":    fmt.Sprintf(`length(join(%s, split("", substr(%s, 0, 12)))) > 0`, text, text),
		"regex_within": fmt.Sprintf(`length(regexall("x", substr(%s, 0, 10000))) == 10000`, text),
		"regex_past":   fmt.Sprintf(`length(regexall("", %s)) > 0`, text),
	}
	var b strings.Builder
	for name, a := range asserts {
		fmt.Fprintf(&b, "policy %q {\n  enforcement = \"hard_mandatory\"\n  on = \"domain\"\n  assert = %s\n  message = \"no\"\n}\n", name, a)
	}
	fsys := synth.Mesh(1)
	fsys["governance/bounds.mesh.hcl"] = &fstest.MapFile{Data: []byte(b.String())}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
	got := out.String()
	for _, want := range []string{"the text would split into more than 10000 parts", "the result would be longer than 1048576 bytes", "the pattern would match more than 10000 times"} {
		if !strings.Contains(got, want) {
			t.Errorf("no diagnostic says %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "error[policy-expression]"); n != 3 {
		t.Errorf("%d policies failed; want split_past, join_past and regex_past:\n%s", n, got)
	}
}

// TestPolicyPaths checks that policies judge alike from wherever meshc is
// run: each policy case, compiled as if from a folder above the mesh and
// from an absolute path, reports what it reports from the mesh's own
// folder, but for the folder before each file's name. The paths of the
// object model (a product's file, a domain's dir, a step's files) are
// relative to the mesh root.
func TestPolicyPaths(t *testing.T) {
	archives, _ := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "policy_*.txtar"))
	if len(archives) == 0 {
		t.Fatal("no policy cases found")
	}
	report := func(ar *txtar.Archive, prefix string) string {
		fsys := fstest.MapFS{}
		for _, f := range ar.Files {
			fsys[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
		}
		res, err := compiler.Compile(load.Tree{FS: fsys, Prefix: prefix}, compiler.Options{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		if err := compiler.WritePolicyReport(&out, res); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		t.Run(name, func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := report(ar, "")
			for _, prefix := range []string{"pm/", "/srv/checkouts/pm/"} {
				if got := strings.ReplaceAll(report(ar, prefix), prefix, ""); got != want {
					t.Errorf("from the folder above (%s), policies report:\n%s\nfrom the mesh's own folder:\n%s", prefix, got, want)
				}
			}
		})
	}
}

// TestPolicyEvaluationBudget checks that no policy expression can make
// meshc work without bound (lang/load/budget.go): a for expression within
// another is refused, an evaluation that makes too much stops with a
// diagnostic, also within can, and so does one whose for expression steps
// too often over a large body; numbers too long to write out as text are
// refused, whether written, computed or converted. Expressions within the
// bounds are judged as before.
func TestPolicyEvaluationBudget(t *testing.T) {
	commas := `","` // 1,000 commas: a list of 1,001 parts
	for range 3 {
		commas = fmt.Sprintf(`replace(%s, ",", ",,,,,,,,,,")`, commas)
	}
	text := `"a"` // 1,000,000 characters
	for range 6 {
		text = fmt.Sprintf(`replace(%s, "a", "aaaaaaaaaa")`, text)
	}
	parts := fmt.Sprintf(`split(",", %s)`, commas)
	cases := []struct{ name, assert, want string }{
		{"nested", fmt.Sprintf(`length(flatten([for x in %s : [for y in %s : 1]])) > 0`, parts, parts), "for expression inside another"},
		{"text", fmt.Sprintf(`length([for x in %s : %s]) > 0`, parts, text), "made more than 16 MiB of text"},
		{"within_can", fmt.Sprintf(`!can([for x in %s : %s])`, parts, text), "made more than 16 MiB of text"},
		{"steps", fmt.Sprintf(`length([for x in %s : 0%s]) > 0`, parts, strings.Repeat(" + length(x)", 400)), "more than 1,000,000 elements"},
		{"literal", `tostring(1e300000000) != ""`, "Number out of range"},
		{"arithmetic", `"${1e300 * 1e300 * 1e300 * 1e300}" != ""`, "Number out of range"},
		{"converted", `tonumber("1e300000000") > 0`, "Number out of range"},
		{"within", fmt.Sprintf(`length([for x in %s : x]) == 1001 && length(%s) == 1000000`, parts, text), ""},
		{"chained", `alltrue([for x in [for t in ["A", "B"] : lower(t)] : x == lower(x)]) && length(["a", "b"][*]) == 2 && 1e999 > 1e-999`, ""},
	}
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "policy %q {\n  enforcement = \"hard_mandatory\"\n  on = \"domain\"\n  assert = %s\n  message = \"no\"\n}\n", c.name, c.assert)
	}
	fsys := synth.Mesh(1)
	fsys["governance/budget.mesh.hcl"] = &fstest.MapFile{Data: []byte(b.String())}
	res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	failed := map[int]string{} // by line of the assert
	for _, d := range res.Diagnostics {
		if d.Subject != nil {
			var out bytes.Buffer
			diag.WriteText(&out, diag.Diagnostics{d}, res.SourcesFor(diag.Diagnostics{d}))
			failed[int(d.Subject.StartLine())] += out.String()
		}
	}
	for i, c := range cases {
		got := failed[6*i+4]
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: want it to hold, got:\n%s", c.name, got)
		case c.want != "" && (!strings.Contains(got, c.want) || strings.Count(got, "error[policy-expression]") != 1):
			t.Errorf("%s: want one diagnostic saying %q, got:\n%s", c.name, c.want, got)
		}
	}
}
