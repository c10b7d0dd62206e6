package cli

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meshc/meshc/lang/load"
)

func openTestFormatted(t *testing.T, dir string) (*formattedSet, string) {
	t.Helper()
	c, err := load.OpenCache(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	return openFormatted(c)
}

// TestFormattedSet keeps sums between runs, ignores a spoilt file with a
// warning (and rewrites it), and keeps at most keepFormatted sums of
// earlier runs past those the run found.
func TestFormattedSet(t *testing.T) {
	dir := t.TempDir()
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	s, warning := openTestFormatted(t, dir)
	if warning != "" || s.has(a) {
		t.Fatalf("a new set: %q, has(a) %v", warning, s.has(a))
	}
	if err := s.save([][sha256.Size]byte{a}); err != nil {
		t.Fatal(err)
	}
	if s, _ = openTestFormatted(t, dir); !s.has(a) || s.has(b) {
		t.Fatal("the sum saved is not known, or another is")
	}
	if err := s.save([][sha256.Size]byte{b}); err != nil {
		t.Fatal(err)
	}
	if s, _ = openTestFormatted(t, dir); !s.has(a) || !s.has(b) {
		t.Fatal("a later run lost an earlier run's sum")
	}

	// A spoilt file is not trusted.
	data, err := os.ReadFile(s.file)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-1] ^= 1
	if err := os.WriteFile(s.file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s, warning = openTestFormatted(t, dir)
	if warning == "" || s.has(a) || s.has(b) {
		t.Fatalf("a spoilt file: warning %q, has(a) %v, has(b) %v", warning, s.has(a), s.has(b))
	}
	if err := s.save([][sha256.Size]byte{a}); err != nil {
		t.Fatal(err)
	}
	if s, warning = openTestFormatted(t, dir); warning != "" || !s.has(a) {
		t.Fatalf("the rewritten file: warning %q, has(a) %v", warning, s.has(a))
	}

	// Of the sums of earlier runs, keepFormatted are kept.
	var many [][sha256.Size]byte
	for i := range keepFormatted + 100 {
		many = append(many, sha256.Sum256([]byte{byte(i), byte(i >> 8), byte(i >> 16)}))
	}
	if err := s.save(many); err != nil {
		t.Fatal(err)
	}
	s, _ = openTestFormatted(t, dir)
	if err := s.save([][sha256.Size]byte{b}); err != nil {
		t.Fatal(err)
	}
	s, _ = openTestFormatted(t, dir)
	if n := len(s.known); n != keepFormatted+1 || !s.has(b) {
		t.Fatalf("%d sums kept (b: %v), want %d", n, s.has(b), keepFormatted+1)
	}
}

// TestFmtTrustsFormattedSet checks that meshc fmt goes by the set: a file
// whose bytes it lists is taken as formatted without being formatted,
// and once its bytes change, it is formatted again.
func TestFmtTrustsFormattedSet(t *testing.T) {
	cache, mesh := t.TempDir(), t.TempDir()
	t.Setenv("MESHC_CACHE", cache)
	messy := []byte("domain   \"d\"   {\n}\n")
	name := filepath.Join(mesh, "domain.mesh.hcl")
	if err := os.WriteFile(name, messy, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func() string {
		var stdout, stderr bytes.Buffer
		runFmt(&env{stdout: &stdout, stderr: &stderr}, []string{"--check", mesh})
		return stdout.String() + stderr.String()
	}
	if out := check(); out != name+"\n" {
		t.Fatalf("meshc fmt --check: %q", out)
	}
	s, _ := openFormatted(openCache(&env{stderr: &bytes.Buffer{}}))
	if err := s.save([][sha256.Size]byte{sha256.Sum256(messy)}); err != nil {
		t.Fatal(err)
	}
	if out := check(); out != "" {
		t.Fatalf("a file the set lists: %q", out)
	}
	if err := os.WriteFile(name, append(messy, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := check(); out != name+"\n" {
		t.Fatalf("the file changed since: %q", out)
	}
}

// TestFormattedSetWritersAtOnce saves the set from several runs at once,
// as jobs sharing a cache do: each replaces the file whole, so that the
// set read afterwards is one run's, never spoilt.
func TestFormattedSetWritersAtOnce(t *testing.T) {
	dir := t.TempDir()
	const runs = 8
	var wg sync.WaitGroup
	for i := range runs {
		wg.Go(func() {
			c, err := load.OpenCache(dir, "test") // not openTestFormatted, whose t.Fatal is the test's goroutine's
			if err != nil {
				t.Errorf("run %d: %v", i, err)
				return
			}
			s, warning := openFormatted(c)
			if warning != "" {
				t.Errorf("run %d: %s", i, warning)
				return
			}
			found := make([][sha256.Size]byte, 1000)
			for j := range found {
				found[j] = sha256.Sum256([]byte{byte(i), byte(j), byte(j >> 8)})
			}
			if err := s.save(found); err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	s, warning := openTestFormatted(t, dir)
	if warning != "" {
		t.Fatalf("after %d runs at once: %s", runs, warning)
	}
	whole := 0
	for i := range runs {
		if s.has(sha256.Sum256([]byte{byte(i), 0, 0})) && s.has(sha256.Sum256([]byte{byte(i), 231, 3})) {
			whole++
		}
	}
	if whole == 0 {
		t.Errorf("no run's sums were kept whole (%d sums)", len(s.known))
	}
}

// TestFormattedFolder checks what a folder where the list's file goes
// does: an empty one is replaced by the list, silently; one that holds
// anything, which no list can be renamed over, is left, and the warning,
// given on every run, says so and how to fix it rather than promise a
// rewrite that cannot happen.
func TestFormattedFolder(t *testing.T) {
	dir := t.TempDir()
	s, _ := openTestFormatted(t, dir)
	if err := os.MkdirAll(s.file, 0o755); err != nil {
		t.Fatal(err)
	}
	a := sha256.Sum256([]byte("a"))
	s, warning := openTestFormatted(t, dir)
	if warning != "" || s == nil {
		t.Fatalf("an empty folder: warning %q, set %v", warning, s)
	}
	if err := s.save([][sha256.Size]byte{a}); err != nil {
		t.Fatal(err)
	}
	if s, _ = openTestFormatted(t, dir); !s.has(a) {
		t.Fatal("the list written in place of an empty folder is not read")
	}

	if err := os.Remove(s.file); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(s.file, "kept"), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, warning := openTestFormatted(t, dir)
		if s != nil || !strings.Contains(warning, "is a folder, where meshc keeps a file, so every file is formatted on every run; remove the folder (rm -r ") {
			t.Fatalf("a folder holding something: set %v, warning %q", s, warning)
		}
	}
}
