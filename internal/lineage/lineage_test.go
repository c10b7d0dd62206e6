package lineage_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/lineage"
	"github.com/meshc/meshc/lang/load"
)

// TestPharma renders the example mesh's lineage in every format, twice, and
// compares it with testdata/golden/graph/.
func TestPharma(t *testing.T) {
	dir := filepath.Join(golden.Root(), "examples", "pharma")
	res, err := compiler.Compile(load.Tree{FS: os.DirFS(dir), Prefix: "examples/pharma/"}, compiler.Options{Today: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil || res.Plan == nil {
		t.Fatalf("examples/pharma does not compile: %v %v", err, res.Diagnostics)
	}
	for format, ext := range map[string]string{"dot": "dot", "mermaid": "mmd", "json": "json"} {
		render := lineage.Formats[format]
		got := render(res.Plan)
		if again := render(res.Plan); !bytes.Equal(got, again) {
			t.Errorf("%s: two renderings differ", format)
		}
		if format == "json" && !json.Valid(got) {
			t.Errorf("json: not valid JSON")
		}
		golden.Check(t, "graph/pharma."+ext, got)
	}
}
