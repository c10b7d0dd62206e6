package gitlab_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/tools/txtar"
	"gopkg.in/yaml.v3"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/output"
	"github.com/meshc/meshc/lang/load"
	"github.com/meshc/meshc/targets/gitlab"
)

// FuzzBuild builds arbitrary meshes, given as txtar archives of their
// files and seeded with the cases and the example, in both granularities.
// Whatever the mesh, a build must not panic, must be deterministic, must
// write only clean relative paths, each file marked as generated, and
// every YAML file must parse with no scalar read as anything but a string
// except those meshc writes.
//
//	go test ./targets/gitlab -run '^$' -fuzz FuzzBuild -fuzztime 5m
func FuzzBuild(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	for _, c := range cases {
		if data, err := os.ReadFile(c); err == nil {
			f.Add(data)
		}
	}
	root := filepath.Join(golden.Root(), "examples", "pharma")
	ar := &txtar.Archive{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			ar.Files = append(ar.Files, txtar.File{Name: filepath.ToSlash(rel), Data: data})
		}
		return nil
	})
	f.Add(txtar.Format(ar))

	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for _, file := range txtar.Parse(data).Files {
			if fs.ValidPath(file.Name) && file.Name != "." {
				fsys[file.Name] = &fstest.MapFile{Data: file.Data, Mode: 0o644}
			}
		}
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today})
		if err != nil || res.Plan == nil {
			return
		}
		for _, granularity := range []string{"product", "domain"} {
			opts := gitlab.Options{OutDir: "gen", Granularity: granularity}
			files, ds := gitlab.Build(res.Plan, opts)
			again, _ := gitlab.Build(res.Plan, opts)
			if len(files) != len(again) {
				t.Fatalf("two builds wrote %d and %d files", len(files), len(again))
			}
			for i, f := range files {
				if f.Path != again[i].Path || !bytes.Equal(f.Data, again[i].Data) {
					t.Fatalf("two builds differ in %s", f.Path)
				}
			}
			for _, d := range ds {
				if d.Subject == nil || d.Subject.Filename == "" {
					t.Errorf("diagnostic without a place: %s: %s", d.Summary, d.Detail)
				}
			}
			for _, f := range files {
				if !output.OwnedBy(f.Data, gitlab.Owner(res.Plan)) || !fs.ValidPath(f.Path) || strings.Contains(f.Path, "..") {
					t.Fatalf("bad file %q", f.Path)
				}
				if !strings.HasSuffix(f.Path, ".yml") {
					continue
				}
				var n yaml.Node
				if err := yaml.Unmarshal(f.Data, &n); err != nil {
					t.Fatalf("%s does not parse: %v\n%s", f.Path, err, f.Data)
				}
				checkTags(t, f.Path, &n)
			}
		}
	})
}
