package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// TestStepFactsAreInvisible checks the index of what checks found in the
// steps' SQL files (load.Facts): a check that reads none of them, their
// stamps being as remembered, reports what a check without the index
// reports; so does one in another environment than the one that filled
// it, which must read the file whose names that environment maps; one
// after the mesh renames a port that a remembered file's placeholder
// names reads that file; and one after a file is edited reads that file
// again.
func TestStepFactsAreInvisible(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir := filepath.Join(t.TempDir(), "mesh")
	fsys, _ := meshtest.ArchiveFS(t, twoDomains)
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
	// Files are remembered once their stamps are older than a run's
	// start by stamp.RacyFor.
	time.Sleep(stamp.RacyFor + 100*time.Millisecond)

	cache, err := load.OpenCache(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	index := t.TempDir()
	// check compiles the mesh for env, with the cache and the index or
	// without, and returns its diagnostics, and how many step files the
	// check looked up and left unread.
	check := func(env string, indexed bool) (string, int, int) {
		t.Helper()
		opts := compiler.Options{Env: env, Today: meshtest.Today, NoTestSQL: true}
		if indexed {
			opts.Cache, opts.Index = cache, index
		}
		files0, unread0 := cache.StepFiles()
		res, err := compiler.Compile(load.Tree{FS: os.DirFS(dir), Prefix: "mesh/", Dir: dir}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		files, unread := cache.StepFiles()
		return out.String(), files - files0, unread - unread0
	}
	prod, _, _ := check("prod", false)
	dev, _, _ := check("dev", false)
	if prod != "" || !bytes.Contains([]byte(dev), []byte("mesh/sales/sql/named.sql:1:52")) {
		t.Fatalf("without the index, prod reports:\n%s\ndev reports:\n%s\nwant nothing, and unmapped-schema in named.sql", prod, dev)
	}
	for i, c := range []struct {
		env          string
		unread       int
		port         string // the name of the port that placeholder.sql names
		edit, report string
	}{
		{env: "prod", unread: 0}, // filling the index
		{env: "prod", unread: 2},
		{env: "dev", unread: 1}, // named.sql names a schema dev maps
		{env: "dev", unread: 1},
		{env: "prod", unread: 1, port: "target", report: "Placeholder naming no port"},
		{env: "prod", unread: 2, port: "targets"},
		{env: "prod", unread: 1, edit: "INSERT INTO TARGETS SELECT npi FROM {{ input.doctor }};\n", report: "Placeholder naming no input"},
		{env: "prod", unread: 1, report: "Placeholder naming no input"}, // the edit is too recent to be remembered
	} {
		if c.port != "" {
			meshFile := filepath.Join(dir, "sales", "domain.mesh.hcl")
			text, err := os.ReadFile(meshFile)
			if err != nil {
				t.Fatal(err)
			}
			text = regexp.MustCompile(`port "targets?" \{`).ReplaceAll(text, []byte(`port "`+c.port+`" {`))
			if err := os.WriteFile(meshFile, text, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if c.edit != "" {
			if err := os.WriteFile(filepath.Join(dir, "sales", "sql", "placeholder.sql"), []byte(c.edit), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, _, _ := check(c.env, false)
		got, files, unread := check(c.env, true)
		if got != want {
			t.Errorf("check %d, %s: the index changes the result:\n%s", i, c.env, cmp.Diff(want, got))
		}
		if files != 2 || unread != c.unread {
			t.Errorf("check %d, %s: %d of %d step files unread, want %d of 2", i, c.env, unread, files, c.unread)
		}
		if !bytes.Contains([]byte(got), []byte(c.report)) {
			t.Errorf("check %d, %s: no %q in\n%s", i, c.env, c.report, got)
		}
	}
}
