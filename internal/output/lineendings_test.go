package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSameText checks that a file found is the one wanted byte for byte,
// or with CRLF where the one wanted has LF, and in no other way.
func TestSameText(t *testing.T) {
	for _, tc := range []struct {
		old, data string
		same      bool
	}{
		{"", "", true},
		{"a\nb\n", "a\nb\n", true},
		{"a\r\nb\r\n", "a\nb\n", true},
		{"a\r\nb\n", "a\nb\n", true}, // mixed, as an editor may leave it
		{"a\r\nb", "a\nb", true},
		{"a\r\nb\r\n", "a\r\nb\r\n", true},
		{"a\r\nb\r\n", "a\r\nb\n", true},
		{"a\nb\n", "a\r\nb\r\n", false}, // a CR wanted is never dropped
		{"a\r\nb\r\n", "a\nc\n", false},
		{"a\r\nb\r\n", "a\nb\nc\n", false},
		{"a\r\nb\r\nc\n", "a\nb\n", false},
		{"a\rb\n", "ab\n", false}, // a CR alone is no line ending
		{"a\r\r\n", "a\n", false},
		{"a\r\r\n", "a\r\n", true},
		{"a\r", "a", false},
		{"a\r\n", "a", false},
		{"a\r\n", "a\r", false},
	} {
		if got := SameText([]byte(tc.old), []byte(tc.data)); got != tc.same {
			t.Errorf("SameText(%q, %q) = %v, want %v", tc.old, tc.data, got, tc.same)
		}
	}
}

// TestCRLFCheckout checks that the generated files of a checkout that gave
// them CRLF line endings are unchanged: not rewritten, up to date, found
// unchanged when rendered; and that the diff of one that changes shows
// only the lines that do.
func TestCRLFCheckout(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	same, changed := gen("a: 1\nb: 2\n"), gen("a: 1\nb: 2\nc: 3\n")
	eachForm(t, func(t *testing.T, form func([]File) []File) {
		dir := t.TempDir()
		makeTree(t, dir, tree{"same.yml": crlf(same), "sub/changed.yml": crlf(changed)})
		want := gen("a: 1\nb: 3\nc: 3\n")
		files := form(files("same.yml", same, "sub/changed.yml", want))

		d, changes, err := Diff(dir, testOwner, files, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&Changes{Update: []string{"sub/changed.yml"}, Unchanged: []string{"same.yml"}}, changes); diff != "" {
			t.Errorf("Diff changes (-want +got):\n%s", diff)
		}
		if strings.Contains(string(d), "\r") || !strings.Contains(string(d), "\n a: 1\n-b: 2\n+b: 3\n c: 3\n") {
			t.Errorf("Diff shows more than the line that changes:\n%s", d)
		}

		if _, err := Write(dir, testOwner, files, nil); err != nil {
			t.Fatal(err)
		}
		got := readTree(t, dir)
		if diff := cmp.Diff(tree{"same.yml": crlf(same), "sub/changed.yml": want}, got); diff != "" {
			t.Errorf("after Write (-want +got):\n%s", diff)
		}
	})

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "same.yml"), []byte(crlf(same)), 0o644); err != nil {
		t.Fatal(err)
	}
	if !NewAllowance(0).In(dir, testOwner, nil).Unchanged("same.yml", []byte(same)) {
		t.Error("a file with CRLF line endings was not found unchanged when rendered with LF")
	}
}
