package load

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/meshc/meshc/lang/diag"
)

// lexedNesting is CheckNesting without its shortcut.
func lexedNesting(src []byte) bool {
	tokens, _ := hclsyntax.LexConfig(src, "f.mesh.hcl", hcl.InitialPos)
	return checkTokens(diag.NewFile("f.mesh.hcl", src), tokens) == nil
}

var nestingSeeds = []string{
	`product "p" { tests = [not_null(), accepted_values(["A", "B"])] }`,
	`a = "${x} and ${ {a = {b = 1}} } and \"${"${y}"}\""`,
	`# ((((( comment
	// [[[[ comment
	x = "}}}}"`,
	// Block comments and heredocs without templates are skipped whole.
	"/*\n * [[[[ a header\n */\nx = <<-EOT\n  select ((( from t\n  EOT\ny = [<<EOF\r\n]]]\r\nEOF\r\n]\n",
	"x = <<EOF\n${[[[[}\nEOF\n",
	"x = \"\\u0041\"",
	"x = - - - ! ! - 1\ny = 1e-5 ? 1 : 2",
	`x = "%{ if a }b%{ endif }"`,
	`x = "$${literal}"`,
	"/* ((((( */ x = 1",
	"/* " + strings.Repeat("[", 300) + " */ x = 1 /* unterminated " + strings.Repeat("[", 300),
	"x = <<EOT\n" + strings.Repeat("[", 300) + "\nEOT\n" + strings.Repeat("[", 300),
	"x = <<EOT\n$${\nEOT\n" + strings.Repeat("[", 300),
	"x = <<EOT\n\"\nEOT\n\"" + strings.Repeat("[", 300),
	"x = <<EOT\nEOT" + strings.Repeat("[", 300),
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
	"x = " + strings.Repeat("-", 300) + "1",
	"x = " + strings.Repeat("-\n# c\n", 300) + "1",
	strings.Repeat(`"${`, 300),
	strings.Repeat("a ? ", 300),
	`x = "]]]]]]"` + strings.Repeat("[", 260),
	// A byte that is not UTF-8 before a '#': the lexer reads both as one
	// invalid character, so what follows is not a comment.
	"x = \xc6#" + strings.Repeat(" a ?", 300),
}

// TestShallowNesting checks the shortcut on the seeds: it vouches only for
// files the lexer accepts, and for the ordinary ones.
func TestShallowNesting(t *testing.T) {
	for _, s := range nestingSeeds {
		if shallowNesting([]byte(s)) && !lexedNesting([]byte(s)) {
			t.Errorf("shallowNesting vouches for a file nested too deeply: %.60q", s)
		}
	}
	for _, s := range nestingSeeds[:4] {
		if !shallowNesting([]byte(s)) {
			t.Errorf("shallowNesting gives up on an ordinary file: %q", s)
		}
	}
}

// FuzzShallowNesting checks that the shortcut never vouches for a file
// that the lexer finds nested too deeply.
//
//	go test ./lang/load -run '^$' -fuzz FuzzShallowNesting -fuzztime 1m
func FuzzShallowNesting(f *testing.F) {
	for _, s := range nestingSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if shallowNesting(src) && !lexedNesting(src) {
			t.Fatalf("shallowNesting vouches for a file nested too deeply: %q", src)
		}
	})
}

// TestParseFastNesting checks that parseFast gives up on files nested
// past maxNesting, which only the files it declines are checked for
// (file.parseWhole), and reads those within it: lists, calls, objects
// and blocks, at the limit and around it.
func TestParseFastNesting(t *testing.T) {
	nest := map[string]func(n int) string{
		"lists": func(n int) string {
			return "a = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n"
		},
		"calls": func(n int) string {
			return "a = " + strings.Repeat("f(", n) + strings.Repeat(")", n) + "\n"
		},
		"objects": func(n int) string {
			return "a = " + strings.Repeat("{ k = ", n) + "1" + strings.Repeat(" }", n) + "\n"
		},
		"blocks": func(n int) string {
			return strings.Repeat("b {\n", n) + strings.Repeat("}\n", n)
		},
		"blocks and lists": func(n int) string {
			return "b {\n  c {\n    a = " + strings.Repeat("[", n-2) + strings.Repeat("]", n-2) + "\n  }\n}\n"
		},
	}
	for name, src := range nest {
		for _, n := range []int{maxNesting - 1, maxNesting, maxNesting + 1, 4 * maxNesting} {
			file := []byte(src(n))
			fast := parseFast(file, "f.mesh.hcl", new(scratch)) != nil
			if want := lexedNesting(file); fast != want {
				t.Errorf("%s nested %d deep: parseFast answered %v, but CheckNesting finds it within maxNesting: %v", name, n, fast, want)
			}
		}
	}
}
