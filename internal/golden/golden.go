// Package golden compares test output with files under testdata/golden/,
// and rewrites them when tests run with -update:
//
//	go test ./... -update
//
// Every package with tests imports this package, so that the -update flag
// is defined in each test binary that go test ./... passes it to.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden/ with the current output")

// Updating reports whether the test run rewrites golden files.
func Updating() bool { return *update }

// Root returns the repository's root folder, so that tests in any package
// find testdata/ and examples/ alike.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Path returns the path of a golden file, given relative to testdata/golden.
func Path(name string) string {
	return filepath.Join(Root(), "testdata", "golden", filepath.FromSlash(name))
}

// Check compares got with the golden file name (relative to
// testdata/golden), or rewrites the file under -update.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := Path(name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file: %v (run go test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got); if the change is right, run go test with -update and review the diff:\n%s", name, diff)
	}
}
