package compiler_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/meshc/meshc/compiler"
	"github.com/meshc/meshc/internal/meshtest"
	"github.com/meshc/meshc/lang/load"
)

// twoDomains is the mesh that the tests of steps' and tests' SQL share:
// its comment says what it holds.
const twoDomains = "testdata/two_domains.txtar"

// unreadableFS is a mesh whose file unreadable is listed, but cannot be
// opened: one the user running meshc may not read.
type unreadableFS struct {
	fstest.MapFS
	unreadable string
}

func (u unreadableFS) Open(name string) (fs.File, error) {
	if name == u.unreadable {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return u.MapFS.Open(name)
}

func (u unreadableFS) ReadFile(name string) ([]byte, error) {
	if name == u.unreadable {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return u.MapFS.ReadFile(name)
}

// TestUnreadableStepFile checks that a step's SQL file that cannot be
// read is an error of the check, in any environment, at the step's file
// argument, saying what failed and how to mend it: the targets could not
// build the step, nor the checker check its placeholders.
func TestUnreadableStepFile(t *testing.T) {
	files, _ := meshtest.ArchiveFS(t, twoDomains)
	fsys := unreadableFS{unreadable: "sales/sql/placeholder.sql", MapFS: files}
	for _, noTestSQL := range []bool{false, true} {
		res, err := compiler.Compile(load.Tree{FS: fsys}, compiler.Options{Today: today, NoTestSQL: noTestSQL})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Diagnostics) != 1 {
			t.Fatalf("diagnostics: %v, want one read-error", res.Diagnostics)
		}
		d := res.Diagnostics[0]
		if d.Code != "read-error" || d.Subject == nil || d.Subject.String() != "sales/domain.mesh.hcl:22:13" ||
			!strings.Contains(d.Detail, "Step placeholder of sales.targets runs the SQL of sales/sql/placeholder.sql") || !strings.Contains(d.Detail, "permission denied") ||
			!strings.Contains(d.Detail, "Make it a regular file that the user running meshc can read") {
			t.Errorf("got %s %q at %v: %s", d.Code, d.Summary, d.Subject, d.Detail)
		}
		if res.Plan != nil {
			t.Error("the mesh compiled to a plan, which a build would take")
		}
	}
}
