package load

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/internal/synth"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/tools/txtar"
)

// checkParseFast parses src both ways and reports whether parseFast
// answered; where it did, its tree must be hclsyntax's, for a file that
// hclsyntax parses without error. parseFast uses s, reset when done, as
// loading reuses one from file to file.
func checkParseFast(t *testing.T, s *scratch, name string, src []byte) bool {
	t.Helper()
	defer s.reset()
	fast := parseFast(src, name, s)
	if fast == nil {
		return false
	}
	ref, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		t.Errorf("%s: parseFast answered for a file hclsyntax refuses: %v\n%s", name, diags, src)
		return true
	}
	if want, got := dumpTree(ref.Body), dumpTree(fast); want != got {
		t.Errorf("%s: parseFast's tree differs from hclsyntax's (-hclsyntax +parseFast):\n%s", name, cmp.Diff(want, got))
	}
	return true
}

// dumpTree prints a syntax tree whole, a field a line, unexported fields
// and nil against empty included, so that two trees print alike only if
// they are alike. (cmp.Diff takes exponential time on slices of trees
// that differ.)
func dumpTree(tree any) string {
	var b strings.Builder
	var dump func(v reflect.Value, indent string)
	dump = func(v reflect.Value, indent string) {
		if v.Type() == reflect.TypeFor[cty.Value]() && v.CanInterface() {
			val := v.Interface().(cty.Value)
			if val.Type() == cty.Number && val.IsKnown() && !val.IsNull() {
				// Exactly, but in binary: %#v prints 1e100000000's
				// hundred million digits.
				f := val.AsBigFloat()
				fmt.Fprintf(&b, "cty.Number %s precision %d\n", f.Text('p', 0), f.Prec())
				return
			}
			fmt.Fprintf(&b, "%#v\n", val)
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				b.WriteString("nil\n")
				return
			}
			fmt.Fprintf(&b, "%s\n", v.Elem().Type())
			dump(v.Elem(), indent)
		case reflect.Struct:
			b.WriteString("{\n")
			for i := range v.NumField() {
				fmt.Fprintf(&b, "%s  %s: ", indent, v.Type().Field(i).Name)
				dump(v.Field(i), indent+"  ")
			}
			fmt.Fprintf(&b, "%s}\n", indent)
		case reflect.Slice:
			if v.IsNil() {
				b.WriteString("nil slice\n")
				return
			}
			fmt.Fprintf(&b, "[%d]\n", v.Len())
			for i := range v.Len() {
				fmt.Fprintf(&b, "%s  %d: ", indent, i)
				dump(v.Index(i), indent+"  ")
			}
		case reflect.Map:
			if v.IsNil() {
				b.WriteString("nil map\n")
				return
			}
			keys := v.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			fmt.Fprintf(&b, "map[%d]\n", v.Len())
			for _, k := range keys {
				fmt.Fprintf(&b, "%s  %q: ", indent, k.String())
				dump(v.MapIndex(k), indent+"  ")
			}
		case reflect.String:
			fmt.Fprintf(&b, "%q\n", v.String())
		case reflect.Bool:
			fmt.Fprintf(&b, "%v\n", v.Bool())
		case reflect.Int, reflect.Int32, reflect.Int64:
			fmt.Fprintf(&b, "%d\n", v.Int())
		default:
			fmt.Fprintf(&b, "%v\n", v) // cty's types, deep in expressions hclsyntax parsed
		}
	}
	dump(reflect.ValueOf(tree), "")
	return b.String()
}

// TestParseFast compares parseFast with hclsyntax on every mesh file of
// the repository (the examples, the standard library, the test meshes,
// the files inside test archives) and on a synthetic mesh, which it must
// parse whole: a parser that always declined would agree with hclsyntax
// everywhere.
func TestParseFast(t *testing.T) {
	var files, fast int
	var s scratch // one for all files, as loading's goroutines keep one
	repositoryMeshFiles(t, func(name string, src []byte) {
		files++
		if checkParseFast(t, &s, name, src) {
			fast++
		}
	})
	t.Logf("parseFast answered for %d of the repository's %d mesh files", fast, files)
	if fast < files/2 {
		t.Errorf("parseFast answered for only %d of %d files", fast, files)
	}

	// Every file of the synthetic meshes, plain or written by hand (a
	// header comment, heredocs beyond ASCII), takes the fast paths: the
	// parser's, and the nesting shortcut's.
	for _, hand := range []bool{false, true} {
		for name, f := range synth.Generate(synth.Options{Products: 200, Seed: 1, HandWritten: hand}) {
			if !checkParseFast(t, &s, name, f.Data) {
				t.Errorf("%s: parseFast declined a file of the synthetic mesh:\n%s", name, f.Data)
			}
			if !shallowNesting(f.Data) {
				t.Errorf("%s: shallowNesting declined a file of the synthetic mesh:\n%s", name, f.Data)
			}
		}
	}
}

// parseFastEdges are what the repository's files may not cover, with
// whether parseFast takes each.
var parseFastEdges = []struct {
	src  string
	fast bool
}{
	{"", true},
	{"\n\n", true},
	{"# only a comment", true},
	{"# only a comment\n", true},
	{"// a comment\na = 1 # and another\n\n", true},
	{"a = 1", true},
	{"a = \"\"\nb = \"x$y%z$\"\n", true},
	{"a = 1.5\nb = 007\n", true},
	{"a = true\nb = false\nc = null\n", true},
	{"a = x.y.z\n", true},
	{"a = f()\nb = g(1, \"two\", [3],)\n", true},
	{"a = f(\n  1,\n  # a comment\n  2\n)\n", true},
	{"a = [\n  1, # one\n  2,\n]\n", true},
	{"a = []\nb = {}\n", true},
	{"a = { x = 1, \"y\" : 2\n  z = [a.b]\n}\n", true},
	{"b {}\n", true},
	{"b \"l\" m {\n}\n", true},
	{"b \"l\" { x = 1 }\nc { y = f(2) } # done\n", true},
	{"b {\n  c \"d\" {\n    e = \"f\"\n  }\n}", true},
	{"\ta\t=\t\"tab\tbed\"\n", true},
	{"a = 1\n# Ärzte, a comment beyond ASCII\nb = 2\n", true},
	{"a = 1 # Ärzte", false},
	{"a = \"Ärzte\" # after\nb = [\"é\", \"x\"]\n", true},
	{"b \"Ä\" \"e\u0301\" { x = \"\u00e9\u0301 \U0001F600\" }\n", true},
	{"a = \"\\\" \\\\ \\n \\r \\t\"\n", true},
	{"b \"a\\\"b\" {}\n", true},
	{"a = [\"क्ष\", x] # a conjunct: one cluster from Unicode 15.1\n", true},
	{"a = \"\\u00e9\"\n", true},
	{"b \"caf\\u00E9\" { x = \"\\U0001F600 \\u00e9a \\u0000\" }\n", true},
	{"a = \"\\\\u0041\"\n", true},
	{"a = \"e\\u0301\"\n", true},
	{"a = \"\\u00e\"\n", false},
	{"a = \"\\u00eg\"\n", false},
	{"a = \"\\u\"\n", false},
	{"a = \"\\ud800\"\n", false},
	{"a = \"\\U00110000\"\n", false},
	{"a = \"\\UFFFFFFFF\"\n", false},
	{"a = \"\\U0001F60\"\n", false},
	{"a = \"\\q\"\n", false},
	{"a = \"Ä$\"\n", false},
	{"a = \"$Ä\"\n", false},
	{"a = \"x%\u0301\"\n", false},
	{"a = \"Ä %e\u0301 $e\u0301\"\n", true},
	{"a = \"e\u0301%\"\n", false},
	{"a = \"like '%Zürich%' in % der Ärzte, 5$ \" # after\nb = [\"µ%\", \"%\"]\n", false},
	{"a = \"like '%Zürich%' in % der Ärzte, 5$ \" # after\nb = [\"$ µ\", \"%\"]\n", true},
	{"a = \"\xff\"\n", false},
	{"a = \"$${x}\"\n", true},
	{"a = \"x $${a} %%{b} $$ %% $${\"\nb = \"$${\" # é\n", true},
	{"a = \"Ä $${x}\"\n", true},
	{"a = \"Ä$${x}\"\n", false},
	{"a = \"Ä $${\u0301\"\n", false},
	{"a = \"\\\\$${x}\"\n", true},
	{"a = \"$$${x}\"\n", false},
	{"a = \"%%{~\u0301\"\n", false},
	{"a = \"$${~\u0301 x\" # c\n", false},
	{"a = [\"Ä $${~\u0301\", 1]\n", false},
	{"b \"$${~\u0301\" {}\n", false},
	{"a = \"Ä $${~x} %%{~ y}\"\nb = <<EOT\n$${~\u0301\nEOT\n", true},
	{"a = \"%%{x}\"\n", true},
	{"a = \"$$$${x}\"\n", false},
	{"a = \"EXECUTE IMMEDIATE $$ SELECT 1 $$; 100%% $\"\n", true},
	{"a = \"$$\"\nb = \"%%\"\nc = \"$\"\n", true},
	{"a = <<-SQL\n  CREATE FUNCTION f() AS $$\n    SELECT 1\n  $$;\n  $$x %%y $\n  SQL\n", true},
	{"a = <<EOT\n$${x}\nEOT\n", true},
	{"a = <<-EOT\n    $${x} and %%{y}\n      $${z}$${\n  Ärzte $${w}\n    EOT\n", true},
	{"a = <<EOT\n$$${x}\nEOT\n", false},
	{"a = <<EOT\n%%%{x}\nEOT\n", false},
	{"a = \"Ä$$\"\n", false},
	{"a = \"${x}\"\n", false},
	{"a = \"%{if x}y%{endif}\"\n", false},
	{"a = 1e3\nb = 1.5E-3\nc = [-2e+10, 0e0]\n", true},
	{"a = 1e\n", false},
	{"a = 1e+\n", false},
	{"a = 1.e3\n", false},
	{"a = 1e3x\n", false},
	{"a = 1e3.5\n", false},
	{"a = 1e99999\n", true},
	{"a = -1\n", true},
	{"a = [-1.5, - 2, -\n  3]\nb { c = -0 }\n", true},
	{"a = { -1 = 2 }\n", true},
	{"a = -x\n", false},
	{"a = --1\n", false},
	{"a = -\n1\n", false},
	{"a = 1 - 2\n", false},
	{"a = -1 - 2\n", false},
	{"a = 1 + 2\n", false},
	{"a = x == y\n", false},
	{"a = x ? 1 : 2\n", false},
	{"a = x[0]\n", false},
	{"a = x.*.y\n", false},
	{"a = f(x...)\n", false},
	{"a = p::f()\n", false},
	{"a = [for x in y : x]\n", false},
	{"a = {for k, v in y : k => v}\n", false},
	{"a = { (k) = 1 }\n", false},
	{"a = (1)\n", false},
	{"a = <<EOF\nx\nEOF\n", true},
	{"a = <<-EOT\n    one\n\n      two $ 5%\n  \t\n    EOT\nb = 1\n", true},
	{"a = <<-EOT\n\n  x\n  EOT  \n", true},
	{"a = <<-EOT\n  \n   \n  EOT\n", true},
	{"a = [<<EOT\nx\nEOT\n, \"y\"]\n", true},
	{"a = f(<<-SQL\n  select 1\n  SQL\n)\n", true},
	{"a = <<EOF\nEOF\n", false},
	{"a = <<EOF\nx\nEOF", false},
	{"a = <<EOF\nx", false},
	{"a = <<EOF\n${x}\nEOF\n", false},
	{"a = <<EOF\nÄrzte in Zürich\nEOF\n", true},
	{"a = <<-EOF\n    Ärzte\n  e\u0301 $ 5 %\n\tµg\n  EOF\n", true},
	{"a = <<-EOF\n  \u0301x\n   y\n  EOF\n", false},
	{"a = <<-EOF\n  \u00a0x\n  EOF\n", false},
	{"a = <<-EOF\n\u2003x\nEOF\n", false},
	{"a = <<EOF\n\xff\nEOF\n", false},
	{"a = <<-EOT\n\v\u00a0x\n  EOT\n", false},
	{"a = <<-EOT\n\v\u00a0x\n   y\n  EOT\n", false},
	{"a = <<-EOT\n \v\u2003x\n    y\n  EOT\n", false},
	{"a = <<-EOT\n \v \u0301x\n  EOT\n", false},
	{"a = <<-EOT\n\v\u0085x\n  EOT\n", false},
	{"a = <<-EOT\n \v\fÄ\n   y\n  EOT\n", true},
	{"a = << EOF\nx\nEOF\n", false},
	{"/* block */\na = 1\n", true},
	{"/*\n * Ärzte, a header\n */\nb \"x\" {\n  a = /* one */ 1 /* é */\n}\n", true},
	{"a = /* é\u0301 */ \"x\" # columns after a comment beyond ASCII\n", true},
	{"a = 1 /*\n*/ b = 2\n", false},
	{"a = [1, /* two\n lines */ 2]\n", true},
	{"a = 1 /* unterminated\n", false},
	{"a = /* \xff */ 1\n", false},
	{"a = 1 /* ends the file */", true},
	{"/* \r */ a = 1\n", true},
	{"a = 1\r\n", true},
	{"\ufeffb \"x\" {\n  a = 1\n}\n", true},
	{"\ufeff", true},
	{"\ufeff/* header */ a = 1\n", true},
	{"a = 1\n\ufeff", false},
	{"b \"x\" {\r\n  a = 1 # one\r\n  c = <<-EOT\r\n    select 1\r\n\r\n      from t\r\n    EOT\r\n  d = <<EOT\r\nx\r\nEOT\r\n}\r\n", true},
	{"a = 1\rb = 2\n", false},
	{"a = <<EOT\nx\ry\nEOT\n", false},
	{"a = \"x\r\"\n", false},
	{"a = 1\na = 2\n", false},
	{"a = 1, b = 2\n", false},
	{"b { x = 1\n}\n", false},
	{"b { c {} }\n", false},
	{"b {\n", false},
	{"b\n{\n}\n", false},
	{"\"b\" {}\n", false},
	{"a = \"unterminated\n", false},
	{"a = f(1 2)\n", false},
	{"a = 1 2\n", false},
}

// TestParseFastEdges parses each of parseFastEdges both ways.
func TestParseFastEdges(t *testing.T) {
	for _, c := range parseFastEdges {
		if got := checkParseFast(t, new(scratch), "edge.mesh.hcl", []byte(c.src)); got != c.fast {
			t.Errorf("parseFast(%q) answered %v, want %v", c.src, got, c.fast)
		}
	}
}

// FuzzParseFast checks that wherever parseFast answers, hclsyntax parses
// the same file without error into the same tree.
func FuzzParseFast(f *testing.F) {
	for _, hand := range []bool{false, true} {
		for name, file := range synth.Generate(synth.Options{Products: 5, Seed: 1, HandWritten: hand}) {
			if strings.HasSuffix(name, ".hcl") {
				f.Add(file.Data)
			}
		}
	}
	for _, c := range parseFastEdges {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkParseFast(t, new(scratch), "fuzz.mesh.hcl", src)
	})
}

// TestContent compares content with hclsyntax's Body.Content for every
// body of the repository's mesh files and of a synthetic mesh, against
// every schema loading uses and one with a required argument and a
// labelled block; where the schema fits the body whole, content builds
// the result itself, and it must be hclsyntax's.
func TestContent(t *testing.T) {
	schemas := []*hcl.BodySchema{fileSchema, blueprintSchema, meshSchema, defaultsSchema, environmentSchema,
		domainSchema, sourceSchema, columnSchema, productSchema, inputSchema, portSchema, stepSchema, testSchema,
		scheduleSchema, slaSchema, deprecationSchema, runnerSchema, testKindSchema, paramSchema, secretSchema,
		policySchema, waiverSchema,
		{Attributes: []hcl.AttributeSchema{{Name: "type", Required: true}}, Blocks: []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}}},
		// a type twice: hclsyntax keeps the last
		{Blocks: []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}, {Type: "column"}}},
	}
	for _, tb := range targetBlocks {
		schemas = append(schemas, tb.schema())
	}
	var bodies []*hclsyntax.Body
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		bodies = append(bodies, b)
		for _, block := range b.Blocks {
			walk(block.Body)
		}
	}
	add := func(name string, src []byte) {
		if f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); !diags.HasErrors() {
			walk(f.Body.(*hclsyntax.Body))
		}
	}
	for name, f := range synth.Mesh(50) {
		add(name, f.Data)
	}
	repositoryMeshFiles(t, add)
	fitted := 0
	var s scratch // reused, as files reuse it, reset after each body's schemas
	for _, b := range bodies {
		for _, schema := range schemas {
			if fits(b, schema) {
				fitted++
			}
			want, wantDiags := b.Content(schema)
			got, gotDiags := content(b, schema, &s)
			if !sameContent(want, got) {
				t.Fatalf("content differs from hclsyntax's at %s:\n%#v\n%#v", b.SrcRange, want, got)
			}
			if w, g := diagSet(wantDiags), diagSet(gotDiags); w != g {
				t.Fatalf("content's diagnostics differ from hclsyntax's at %s:\n%s\n%s", b.SrcRange, w, g)
			}
			if len(schema.Blocks) == 0 {
				sameArguments(t, b, schema, &s)
			}
		}
		s.reset()
	}
	t.Logf("%d bodies, %d schemas: the schema fitted %d times", len(bodies), len(schemas), fitted)
	if fitted < len(bodies) {
		t.Errorf("the schema fitted only %d times for %d bodies", fitted, len(bodies))
	}
}

// sameArguments checks arguments against hclsyntax's PartialContent and
// JustAttributes of what it leaves.
func sameArguments(t *testing.T, b *hclsyntax.Body, schema *hcl.BodySchema, s *scratch) {
	t.Helper()
	want, rest, wantDiags := b.PartialContent(schema)
	wantOthers, more := rest.JustAttributes()
	wantDiags = append(wantDiags, more...)
	got, gotOthers, gotDiags := arguments(b, schema, s)
	if !sameContent(want, got) || !sameContent(&hcl.BodyContent{Attributes: wantOthers}, &hcl.BodyContent{Attributes: gotOthers}) {
		t.Fatalf("arguments differ from hclsyntax's at %s:\n%#v %#v\n%#v %#v", b.SrcRange, want, wantOthers, got, gotOthers)
	}
	if w, g := diagSet(wantDiags), diagSet(gotDiags); w != g {
		t.Fatalf("arguments' diagnostics differ from hclsyntax's at %s:\n%s\n%s", b.SrcRange, w, g)
	}
}

// diagSet prints diagnostics in a stable order: hclsyntax reports a
// body's unexpected arguments in the order of a map.
func diagSet(ds hcl.Diagnostics) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Error())
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// sameContent reports whether two contents of one body are alike: their
// expressions and blocks' bodies the very same nodes. A nil list of
// blocks and an empty one are alike: the decoder ranges over them, and
// content reuses lists it emptied.
func sameContent(a, b *hcl.BodyContent) bool {
	if a.MissingItemRange != b.MissingItemRange || len(a.Attributes) != len(b.Attributes) || len(a.Blocks) != len(b.Blocks) {
		return false
	}
	for name, x := range a.Attributes {
		if y, ok := b.Attributes[name]; !ok || *x != *y {
			return false
		}
	}
	for i, x := range a.Blocks {
		y := b.Blocks[i]
		if x.Type != y.Type || x.Body != y.Body || x.DefRange != y.DefRange || x.TypeRange != y.TypeRange ||
			!slices.Equal(x.Labels, y.Labels) || !slices.Equal(x.LabelRanges, y.LabelRanges) {
			return false
		}
	}
	return true
}

// repositoryMeshFiles calls use with every mesh file of the repository:
// the examples, the standard library, the test meshes, and the files
// inside test archives.
func repositoryMeshFiles(t *testing.T, use func(name string, src []byte)) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "gen"):
			return filepath.SkipDir
		case strings.HasSuffix(p, ".hcl"):
			src, err := os.ReadFile(p)
			use(p, src)
			return err
		case strings.HasSuffix(p, ".txtar"):
			ar, err := txtar.ParseFile(p)
			for _, f := range ar.Files {
				if strings.HasSuffix(f.Name, ".hcl") {
					use(p+"/"+f.Name, f.Data)
				}
			}
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestValue compares value with HCL's own evaluation for every argument
// of the repository's mesh files.
func TestValue(t *testing.T) {
	var exprs, literal int
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, attr := range b.Attributes {
			exprs++
			want, wantDiags := attr.Expr.Value(nil)
			got, gotDiags := value(attr.Expr)
			if wantDiags.HasErrors() {
				continue // references, calls: what HCL cannot evaluate alone
			}
			literal++
			if gotDiags.HasErrors() || !got.RawEquals(want) {
				t.Errorf("%s: value gives %#v, %v; HCL %#v", attr.SrcRange, got, gotDiags, want)
			}
		}
		for _, block := range b.Blocks {
			walk(block.Body)
		}
	}
	repositoryMeshFiles(t, func(name string, src []byte) {
		if f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); !diags.HasErrors() {
			walk(f.Body.(*hclsyntax.Body))
		}
	})
	t.Logf("%d of %d arguments evaluated alike", literal, exprs)
}

// TestParseNumberAsCty checks that parseNumber's shortcut for whole numbers
// gives what cty.ParseNumberVal gives HCL's parser, down to the bytes the
// cache keeps (GobEncode).
func TestParseNumberAsCty(t *testing.T) {
	for _, text := range []string{"0", "7", "10", "007", "38", "4294967296", "999999999999999999", "1000000000000000000", "99999999999999999999", "1.5", "1e6", "0.000", "12345678901234567"} {
		sameNumber(t, text)
	}
}

func FuzzParseNumber(f *testing.F) {
	f.Add(uint64(10), uint8(0))
	f.Add(uint64(999999999999999999), uint8(3))
	f.Fuzz(func(t *testing.T, n uint64, zeros uint8) {
		sameNumber(t, strings.Repeat("0", int(zeros%4))+strconv.FormatUint(n, 10))
	})
}

func sameNumber(t *testing.T, text string) {
	t.Helper()
	got, err := parseNumber([]byte(text))
	want, wantErr := cty.ParseNumberVal(text)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("parseNumber(%q): error %v, cty's %v", text, err, wantErr)
	}
	if err != nil {
		return
	}
	g, w := got.AsBigFloat(), want.AsBigFloat()
	gb, _ := g.GobEncode()
	wb, _ := w.GobEncode()
	if !got.RawEquals(want) || g.Prec() != w.Prec() || g.Mode() != w.Mode() || g.Acc() != w.Acc() || !bytes.Equal(gb, wb) {
		t.Errorf("parseNumber(%q) = %s (prec %d, %v, %v, gob %x); cty's %s (prec %d, %v, %v, gob %x)",
			text, g.Text('g', -1), g.Prec(), g.Mode(), g.Acc(), gb, w.Text('g', -1), w.Prec(), w.Mode(), w.Acc(), wb)
	}
}
