package compiler_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/compiler/plan"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/lineage"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
	"golang.org/x/tools/txtar"
)

// FuzzCompile loads and checks arbitrary meshes, given as txtar archives
// of their files, seeded with the broken meshes and the examples. Whatever
// the input, compiling must not panic, must be deterministic, and every
// diagnostic must point into a file that was read.
//
//	go test ./compiler -run '^$' -fuzz FuzzCompile -fuzztime 5m -fuzzminimizetime 50x
//
// Its seeds are whole meshes, and Go minimizes each new input for up to a
// minute by default: without -fuzzminimizetime, the fuzzer spends its time
// minimizing and tries about a dozen inputs a minute (make fuzz sets 50x).
func FuzzCompile(f *testing.F) {
	archives, _ := filepath.Glob(filepath.Join(golden.Root(), "testdata", "broken", "*.txtar"))
	for _, a := range archives {
		if data, err := os.ReadFile(a); err == nil {
			f.Add(data)
		}
	}
	examples, _ := filepath.Glob(filepath.Join(golden.Root(), "examples", "*"))
	for _, dir := range examples {
		ar := &txtar.Archive{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".hcl" {
				data, _ := os.ReadFile(p)
				rel, _ := filepath.Rel(dir, p)
				ar.Files = append(ar.Files, txtar.File{Name: filepath.ToSlash(rel), Data: data})
			}
			return nil
		})
		if len(ar.Files) > 0 {
			f.Add(txtar.Format(ar))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ar := txtar.Parse(data)
		fsys := fstest.MapFS{}
		for _, file := range ar.Files {
			if fs.ValidPath(file.Name) && file.Name != "." {
				fsys[file.Name] = &fstest.MapFile{Data: file.Data, Mode: 0o644}
			}
		}
		compile := func() (*compiler.Result, []byte) {
			res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			src := res.SourcesFor(res.Diagnostics)
			diag.WriteText(&out, res.Diagnostics, src)
			diag.WriteJSON(&out, res.Diagnostics, src)
			if res.Plan != nil {
				out.Write(plan.Dump(res.Plan))
			}
			return res, out.Bytes()
		}
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("compile hangs on:\n%s", data))
			}
		}()
		defer close(done)
		res, first := compile()
		if _, second := compile(); !bytes.Equal(first, second) {
			t.Fatalf("two compilations differ:\n%s\n---\n%s", first, second)
		}
		src := res.SourcesFor(res.Diagnostics)
		for _, d := range res.Diagnostics {
			if d.Subject == nil || d.Code == "read-error" || d.Code == "symlink-ignored" || d.Code == "nested-mesh-root" || d.Code == "ignored-file" || d.Code == "no-mesh-root" {
				continue // about a file as a whole (no-mesh-root: the one missing), or about none
			}
			if _, ok := src[d.Subject.Filename()]; !ok {
				t.Errorf("diagnostic %q points into %q, which was not read", d.Summary, d.Subject.Filename())
			}
			if d.Subject.Start().Line < 1 {
				t.Errorf("diagnostic %q has no line", d.Summary)
			}
		}
		if res.Plan != nil {
			for _, render := range lineage.Formats {
				render(res.Plan) // must not panic
			}
		}
		if res.Plan == nil && !res.Diagnostics.HasErrors() {
			t.Errorf("no plan and no error")
		}
	})
}
