package compiler_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/golden"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/internal/stamp"
	"github.com/meshc/meshc/lang/diag"
	"github.com/meshc/meshc/lang/load"
)

// TestStepFileCredentialsCached checks that a step's SQL file holding a
// credential is read, and the credential reported at its line, by every
// check with the index of what checks found in step files (load.Facts),
// not only by the one that filled it, while the file whose SQL holds
// none is left unread.
func TestStepFileCredentialsCached(t *testing.T) {
	if !stamp.Supported {
		t.Skip("files have no stamps here")
	}
	dir := filepath.Join(t.TempDir(), "mesh")
	fsys, _ := meshtest.ArchiveFS(t, filepath.Join(golden.Root(), "testdata", "broken", "secret_literal_in_sql_file.txtar"))
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stamp.RacyFor + 100*time.Millisecond) // remembered once older than a run's start
	cache, err := load.OpenCache(t.TempDir(), "test")
	if err != nil {
		t.Fatal(err)
	}
	opts := compiler.Options{Today: meshtest.Today, NoTestSQL: true, Cache: cache, Index: t.TempDir()}
	for i := range 3 {
		files0, unread0 := cache.StepFiles()
		res, err := compiler.Compile(load.Tree{FS: os.DirFS(dir), Dir: dir}, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		diag.WriteText(&out, res.Diagnostics, res.SourcesFor(res.Diagnostics))
		files, unread := cache.StepFiles()
		wantUnread := 1 // p.sql, once the first check has remembered it
		if i == 0 {
			wantUnread = 0
		}
		if files-files0 != 2 || unread-unread0 != wantUnread {
			t.Errorf("check %d: %d of %d step files unread, want %d of 2", i, unread-unread0, files-files0, wantUnread)
		}
		if n := strings.Count(out.String(), "--> d/sql/users.sql:"); n != 3 {
			t.Errorf("check %d: %d credentials reported in users.sql, want 3:\n%s", i, n, out.String())
		}
	}
}
