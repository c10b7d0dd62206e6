package compiler

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshc/meshc/internal/golden"
)

// TestGovernanceDocs keeps docs/governance.md in step with the object
// model and the functions: every attribute of every kind, and every
// function, has a row in its table, and the tables list nothing else.
func TestGovernanceDocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(golden.Root(), "docs", "governance.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	section := func(heading string) string {
		start := strings.Index(doc, "\n"+heading+"\n")
		if start < 0 {
			t.Fatalf("docs/governance.md has no heading %q", heading)
		}
		rest := doc[start+len(heading)+2:]
		level := heading[:strings.Index(heading, " ")+1]
		if end := strings.Index(rest, "\n"+level); end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z_]+)[`(]")
	names := func(text string) []string {
		var out []string
		for _, m := range rows.FindAllStringSubmatch(text, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	for _, kind := range append(slices.Clone(policyKinds), "mesh") {
		got := names(section("### " + kind))
		if want := attributeNames(kind); !slices.Equal(got, want) {
			t.Errorf("docs/governance.md, ### %s lists attributes %v; the model has %v", kind, got, want)
		}
	}
	c := &compiler{state: &state{}}
	got := names(section("## Functions"))
	if want := functionNames(c.policyFunctions()); !slices.Equal(got, want) {
		t.Errorf("docs/governance.md, ## Functions lists %v; policies have %v", got, want)
	}
}
